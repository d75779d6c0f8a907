"""gitignore-style globs from config: ``test-globs``, ``exclude``, ``per-file-ignores``.

Patterns follow ``.gitignore`` rules (pathspec's ``GitIgnoreSpec``): a pattern without a
slash matches at any depth (``test_*.py``), one with a slash is anchored at the
repository root (``tests/**``; write ``**/tests/**`` for any depth), ``!`` negates.
A pattern that does not compile is a :class:`~hotfix_guard.errors.ConfigError` naming the
config key.

pathspec translates each pattern into a regular expression; importing it costs ~50 ms
(it pulls in dataclasses, pathlib, urllib), more than the rest of a hotfix check at the
pre-commit stage. So the translations are kept in the user's cache directory, keyed by
the patterns, hotfix-guard's version and pathspec's own file, and a warm run matches
with ``re`` alone, last matching pattern winning as in ``.gitignore``.
``HOTFIX_GUARD_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import os
import re
import sys

from hotfix_guard.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

    from hotfix_guard.config import Settings



class Matcher:
    """``match_file(path)``, with ``.gitignore``'s precedence as pathspec's GitIgnoreSpec
    has it: the last matching pattern wins, except that a directory pattern (``tests/``)
    cannot undo what a file pattern matched.

    Each pattern carries a piece of literal text every path it matches must contain
    (``.lock`` for ``*.lock``); a path without it skips the pattern, and a pattern's
    regex is compiled only when a path gets that far: most of the default globs are
    never compiled in a run.
    """

    def __init__(self, compiled: tuple[tuple[str, int, bool, str], ...]) -> None:
        self._patterns = [[rx, flags, include, literal, None] for rx, flags, include, literal in compiled]

    def match_file(self, path: str) -> bool:
        # From the last pattern back: the first file match decides; a directory match
        # decides only if no file pattern matches before it.
        result, result_priority = False, 0
        for entry in reversed(self._patterns):
            if entry[3] and entry[3] not in path:
                continue
            regex = entry[4]
            if regex is None:
                regex = entry[4] = re.compile(entry[0], entry[1])
            match = regex.match(path)
            if match is None:
                continue
            priority = 1 if match.groupdict().get(_DIR_MARK) else 2
            if priority > result_priority:
                result, result_priority = entry[2], priority
            if priority == 2:
                break
        return result


def required_literal(pattern: str) -> str:
    """The longest run of plain characters in a glob: text every matching path contains.
    Wildcards, bracket expressions, escapes, slashes and spaces all end a run, so what is
    left is always literal (an empty string when there is none)."""
    body = pattern[1:] if pattern.startswith("!") else pattern
    runs, run, i = [], "", 0
    while i < len(body):
        ch = body[i]
        if ch == "[":  # a bracket expression: skip to its end
            end = body.find("]", i + 2)
            i = len(body) if end < 0 else end + 1
        elif ch == "\\":  # an escape: the next character is not worth the risk
            i += 2
        elif ch in "*?/!]" or ch.isspace():
            i += 1
        else:
            run += ch
            i += 1
            continue
        runs.append(run)
        run = ""
    runs.append(run)
    return max(runs, key=len)


_DIR_MARK = "ps_d"  # the group pathspec's regexes name for "matched as a directory"


def compile_globs(patterns: Iterable[str], key: str, settings: Settings | None = None) -> Matcher:
    """A matcher for ``patterns`` (``.match_file(path)``); ConfigError naming ``key``."""
    patterns = tuple(patterns)
    if not patterns:
        return Matcher(())
    cache_key = _cache_key(patterns)
    cached = _cache().get(cache_key) if cache_key else None
    if cached is None:
        cached = _translate(patterns, key, settings)
        if cache_key:
            _remember(cache_key, cached)
    return Matcher(cached)


def _translate(patterns: tuple[str, ...], key: str, settings: Settings | None) -> tuple[tuple[str, int, bool, str], ...]:
    import pathspec

    try:
        spec = pathspec.GitIgnoreSpec.from_lines(list(patterns))
    except Exception:  # GitIgnorePatternError (a ValueError), re.error: find the culprit
        spec = None
    if spec is not None:
        return tuple((p.regex.pattern, p.regex.flags, bool(p.include), required_literal(str(p.pattern)))
                     for p in spec.patterns if p.include is not None and p.regex is not None)
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


# -- the translation cache ---------------------------------------------------------------

_memory: dict[Any, Any] | None = None


def _cache_file() -> str | None:
    from hotfix_guard.config import cache_path

    config_cache = cache_path()
    return os.path.join(os.path.dirname(config_cache), "globs.marshal") if config_cache else None


def _find_spec(name: str) -> Any:
    """``importlib.util.find_spec`` for a top-level name, without importing importlib.util
    (and warnings with it): about a millisecond and a half of every hotfix check."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__spec__", None)
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(name, None) if find is not None else None
        if spec is not None:
            return spec
    return None


def _cache_key(patterns: tuple[str, ...]) -> tuple[Any, ...] | None:
    from hotfix_guard import __version__

    try:
        spec = _find_spec("pathspec")  # finds the package without importing it
        st = os.stat(spec.origin) if spec and spec.origin else None
    except (ImportError, ValueError, OSError):
        st = None
    if st is None:
        return None
    return (patterns, __version__, 2, spec.origin, st.st_size, st.st_mtime_ns)  # 2: entry layout


def _cache() -> dict[Any, Any]:
    global _memory
    if _memory is None:
        _memory = {}
        file = _cache_file()
        if file:
            import marshal

            try:
                with open(file, "rb") as fh:
                    loaded = marshal.load(fh)
                if isinstance(loaded, dict):
                    _memory = loaded
            except (OSError, EOFError, ValueError, TypeError):
                pass
    return _memory


def _remember(key: tuple[Any, ...], compiled: tuple[tuple[str, int, bool, str], ...]) -> None:
    entries = _cache()
    entries[key] = compiled
    while len(entries) > 64:
        del entries[next(iter(entries))]
    file = _cache_file()
    if not file:
        return
    import marshal

    tmp = f"{file}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(marshal.dumps(entries))
        os.replace(tmp, file)
    except (OSError, ValueError):  # unwritable: no cache, same answers
        try:
            os.unlink(tmp)
        except OSError:
            pass


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
