"""gitignore-style globs from config: ``test-globs``, ``exclude``, ``per-file-ignores``.

Patterns follow ``.gitignore`` rules (pathspec's ``GitIgnoreSpec``): a pattern without a
slash matches at any depth (``test_*.py``), one with a slash is anchored at the
repository root (``tests/**``; write ``**/tests/**`` for any depth), ``!`` negates.
A pattern that does not compile is a :class:`~hotfix_guard.errors.ConfigError` naming the
config key. pathspec is imported only here, and only when a diff rule needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from hotfix_guard.errors import ConfigError

if TYPE_CHECKING:
    from hotfix_guard.config import Settings


def compile_globs(patterns: Iterable[str], key: str, settings: Settings | None = None) -> Any:
    """A matcher for ``patterns`` (``.match_file(path)``); ConfigError naming ``key``."""
    import pathspec

    patterns = list(patterns)
    try:
        return pathspec.GitIgnoreSpec.from_lines(patterns)
    except Exception:  # GitIgnorePatternError (a ValueError), re.error: find the culprit
        pass
    where = settings.where(key) if settings is not None else key
    for pattern in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except Exception as exc:
            raise ConfigError(
                f"{where}: invalid glob {pattern!r} ({exc})",
                hint="globs follow .gitignore syntax, e.g. \"tests/**\" or \"*.lock\"",
            ) from None
    raise ConfigError(f"{where}: invalid globs {patterns!r}")  # pragma: no cover - each one compiled


class PathClasses:
    """Which paths are tests and which are excluded, by config (cached per path)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tests = (
            compile_globs(settings.test_globs, "test-globs", settings),
            compile_globs(settings.extend_test_globs, "extend-test-globs", settings),
        )
        self._exclude = (
            compile_globs(settings.exclude, "exclude", settings),
            compile_globs(settings.extend_exclude, "extend-exclude", settings),
        )
        self._cache: dict[str, tuple[bool, bool]] = {}

    def _classify(self, path: str) -> tuple[bool, bool]:
        hit = self._cache.get(path)
        if hit is None:
            hit = (
                any(spec.match_file(path) for spec in self._tests),
                any(spec.match_file(path) for spec in self._exclude),
            )
            self._cache[path] = hit
        return hit

    def is_test(self, path: str) -> bool:
        return self._classify(path)[0]

    def is_excluded(self, path: str) -> bool:
        return self._classify(path)[1]


def per_file_ignores(settings: Settings) -> list[tuple[str, Any, tuple[str, ...]]]:
    """``per-file-ignores`` compiled: (glob, matcher, codes)."""
    table = settings.per_file_ignores or {}
    return [
        (glob, compile_globs([glob], "per-file-ignores", settings), tuple(codes))
        for glob, codes in table.items()
    ]
