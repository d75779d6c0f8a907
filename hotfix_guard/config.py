"""Load and validate ``[tool.hotfix-guard]`` (pyproject.toml) or ``.hotfix-guard.toml``.

Config never runs code: it is TOML, read with tomllib (tomli before Python 3.11), and
every key is checked for its name and type here. Per-rule options
(``[tool.hotfix-guard.rules.<rule-name>]``) are checked against each rule's declared
options once the rules are loaded (see :mod:`hotfix_guard.engine.plugins`).

On the every-commit path: standard library only, no dataclasses (it imports inspect),
no typing, and ``re`` only when a config file is validated.
"""

from __future__ import annotations

import os
import sys

from hotfix_guard.errors import ConfigError
from hotfix_guard.workflow import DEFAULT as DEFAULT_WORKFLOW
from hotfix_guard.workflow import NAMES as WORKFLOWS
from hotfix_guard.workflow import PRESETS, branch_names, parse_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = ".hotfix-guard.toml"

# gitignore-style (hotfix_guard.globs): "**/tests/**" is a tests directory at any depth
DEFAULT_TEST_GLOBS = (
    "**/tests/**",
    "**/test/**",
    "**/testing/**",
    "**/spec/**",
    "**/__tests__/**",
    "test_*.py",
    "*_test.py",
    "conftest.py",
    "*_test.go",
    "*.test.[jt]s",
    "*.test.[jt]sx",
    "*.spec.[jt]s",
    "*.spec.[jt]sx",
    "*_spec.rb",
    "*Test.java",
    "*Tests.java",
    "*Test.kt",
    "*Tests.cs",
    "*Tests.swift",
)
DEFAULT_EXCLUDE = (
    "*.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "go.sum",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "composer.lock",
    "Gemfile.lock",
    "*.min.js",
    "*.min.css",
    "*_pb2.py",
    "*_pb2_grpc.py",
    "*.pb.go",
    "*.generated.*",
    "**/generated/**",
    "**/vendor/**",
    "**/node_modules/**",
)
DEFAULT_TICKET_PATTERN = r"[A-Z][A-Z0-9]+-[0-9]+|#[0-9]+"

_STR = "a string"
_INT = "an integer"
_BOOL = "a boolean"
_WORKFLOW = "one of " + ", ".join(f'"{name}"' for name in WORKFLOWS)
_LIST = "a list of strings"
_TABLE = "a table of glob = [rule codes]"

# key -> (expected, default)
KEYS: dict[str, tuple[str, Any]] = {
    "workflow": (_WORKFLOW, DEFAULT_WORKFLOW),
    "production-branch": (_STR, "main"),
    "development-branch": (_STR, "develop"),
    "hotfix-prefix": (_STR, "hotfix/"),
    "release-prefix": (_STR, "release/"),
    "support-prefix": (_STR, "support/"),
    "forward-port": (_BOOL, False),
    "tag-prefix": (_STR, "v"),
    "remote": (_STR, "origin"),
    "select": (_LIST, None),
    "extend-select": (_LIST, ()),
    "ignore": (_LIST, ()),
    "per-file-ignores": (_TABLE, {}),
    "test-globs": (_LIST, DEFAULT_TEST_GLOBS),
    "extend-test-globs": (_LIST, ()),
    "exclude": (_LIST, DEFAULT_EXCLUDE),
    "extend-exclude": (_LIST, ()),
    "version-files": (_LIST, ()),
    "ticket-pattern": ("a regular expression", DEFAULT_TICKET_PATTERN),
    "rules": ("a table of rule tables", {}),
}

KEY_HELP: dict[str, str] = {
    "workflow": "the branching model: its preset sets production, the merge-back target and the cut point (docs/workflows.md)",
    "production-branch": "the branch that holds released code; preset: `main` (falls back to `master` when left unset), `production` under gitlab-flow",
    "development-branch": "the integration branch a hotfix is merged back into; preset: `develop` (falls back to `development`), `main` under gitlab-flow, none under github-flow",
    "hotfix-prefix": "a branch whose name starts with this is a hotfix",
    "release-prefix": "open release branches (git-flow): a hotfix merges there instead of development",
    "support-prefix": "release lines: `<support-prefix>X.Y` holds an older line, and a hotfix of that line is judged against it",
    "forward-port": "a hotfix of a release line must also reach development (production under github-flow)",
    "tag-prefix": "release tags are `<tag-prefix>X.Y.Z`",
    "remote": "the remote whose branches stand in for missing local ones (CI clones)",
    "select": "the rules to run: codes, code prefixes or names (`ALL`); default: every rule",
    "extend-select": "rules to run in addition to `select`",
    "ignore": "rules not to run; the most specific selector wins",
    "per-file-ignores": "gitignore-style glob -> rule codes not reported for matching files",
    "test-globs": "gitignore-style globs of test files (not counted by diff-size, not needing a marker)",
    "extend-test-globs": "more test globs, added to `test-globs`",
    "exclude": "gitignore-style globs of files the diff rules leave alone (lock files, generated code)",
    "extend-exclude": "more globs, added to `exclude`",
    "version-files": "gitignore-style globs of files that declare the project's version, besides the built-in "
                     "ones (`version` in pyproject.toml, setup.cfg, package.json, Cargo.toml; `__version__`; "
                     "a VERSION file): a change that only bumps the version there needs no HOTFIX marker",
    "ticket-pattern": "a regular expression (Python's syntax) a ticket reference matches (TODOs, follow-up "
                      "trailers); one that can match an empty string is refused, and one search that takes "
                      "over a second of CPU (catastrophic backtracking) stops the check with exit 2",
    "rules": "per-rule options: `[rules.<rule-name>]` tables",
}

# Where a user most likely meant a rule option, say so.
RULE_OPTION_HINTS = {
    "max-lines": "diff-size",
    "max-files": "diff-size",
    "max-branch-length": "branch-name",
}


def _attr(key: str) -> str:
    return key.replace("-", "_")


class Settings:
    """The validated configuration; frozen once made. Attributes are the keys in snake_case."""

    __slots__ = ("path", "explicit", "_frozen", *(_attr(k) for k in KEYS))

    path: str | None
    explicit: frozenset[str]

    def __init__(self, values: dict[str, Any] | None = None, path: str | None = None) -> None:
        values = values or {}
        workflow = PRESETS[values.get("workflow", DEFAULT_WORKFLOW)]
        for key, (_, default) in KEYS.items():
            if key in ("production-branch", "development-branch") and key not in values:
                names = workflow[key.split("-")[0]]
                default = names[0] if names else default  # github-flow: no development branch
            value = values.get(key, default)
            if isinstance(value, list):
                value = tuple(value)
            object.__setattr__(self, _attr(key), value)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "explicit", frozenset(values))
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Settings are frozen; use replace()")

    def replace(self, **changes: Any) -> Settings:
        values = {k: getattr(self, _attr(k)) for k in KEYS if k in self.explicit}
        for name, value in changes.items():
            values[name.replace("_", "-")] = value
        return Settings(values, self.path)

    def where(self, key: str) -> str:
        """How to name a key in messages: file and table."""
        where = os.path.basename(self.path) if self.path else "config"
        table = "[tool.hotfix-guard]" if self.path and self.path.endswith("pyproject.toml") else ""
        return f"{where}: {table + ' ' if table else ''}{key}"

    @property
    def test_patterns(self) -> tuple[str, ...]:
        return tuple(self.test_globs) + tuple(self.extend_test_globs)

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        return tuple(self.exclude) + tuple(self.extend_exclude)

    def rule_options(self, rule_name: str) -> dict[str, Any]:
        return dict(self.rules.get(rule_name, {}))


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None


def _parse_toml(content: bytes, path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(content.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint="fix the TOML syntax") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: the file is not UTF-8") from None


def find_config(toplevel: str | None) -> str | None:
    """The config file of a checkout: .hotfix-guard.toml, else a pyproject.toml that has
    a [tool.hotfix-guard] table (decided when it is read)."""
    if not toplevel:
        return None
    for name in (CONFIG_FILE, "pyproject.toml"):
        candidate = os.path.join(toplevel, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def load(path: str | None, *, explicit: bool = False) -> Settings:
    """Read and validate a config file. ``explicit`` for ``--config``: it must exist."""
    if path is None:
        return Settings()
    if explicit and not os.path.isfile(path):
        raise ConfigError(f"config file not found: {path}", hint="check the --config path")
    is_pyproject = os.path.basename(path) == "pyproject.toml"
    content = _read(path)
    if is_pyproject and not explicit and b"hotfix" not in content:
        # Any spelling of our table's key ([tool.hotfix-guard], [tool."hotfix-guard"],
        # dotted keys, even a \u-escaped hyphen) has "hotfix" in it: no need to parse.
        return Settings()
    key = _cache_key(path, explicit, content)
    cached = _cache_get(key)
    if cached is not _MISS:
        return Settings(cached, path) if cached is not None else Settings()
    data = _parse_toml(content, path)
    if is_pyproject:
        tool = data.get("tool", {})
        section = tool.get("hotfix-guard") if isinstance(tool, dict) else None
        if section is None:
            if explicit:
                raise ConfigError(f"{path}: has no [tool.hotfix-guard] table")
            _cache_put(key, None)
            return Settings()
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.hotfix-guard] must be a table")
        data = section
    values = validate(data, path, is_pyproject)
    _cache_put(key, values)
    return Settings(values, path)


# -- the validated-config cache ------------------------------------------------------------
#
# Reading TOML imports tomllib, typing, re and datetime, and validating it costs more:
# together more than the rest of a check on a branch that is not a hotfix (the figure is
# in docs/architecture.md, "Devices kept"). So a config, once read and found valid, is
# kept in the user's cache directory (marshal: data only, never code), keyed by the
# file's whole content -- not its stat, which `cp -p`, `rsync -t` or tar restore after an
# edit -- and by this installation of hotfix-guard. A changed byte reads it afresh; no
# edit can be served a stale policy. HOTFIX_GUARD_NO_CACHE=1 turns it off; a cache that
# cannot be read or written is simply not used.

CACHE_ENV = "HOTFIX_GUARD_NO_CACHE"
_CACHE_ENTRIES = 64
_MISS = object()


def cache_path() -> str | None:
    if os.environ.get(CACHE_ENV):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hotfix-guard", "config.marshal")


def _cache_key(path: str, explicit: bool, content: bytes) -> tuple[Any, ...] | None:
    """(where, how asked, this installation, the content): entries of one file differ in
    the last item only."""
    try:
        me = os.stat(__file__)
    except OSError:
        return None
    from hotfix_guard import __version__

    return (os.path.abspath(path), explicit, __version__, me.st_size, me.st_mtime_ns, content)


def _cache_entries(file: str) -> dict[Any, Any]:
    import marshal

    try:
        with open(file, "rb") as fh:
            entries = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _cache_get(key: tuple[Any, ...] | None) -> Any:
    file = cache_path()
    if key is None or file is None:
        return _MISS
    return _cache_entries(file).get(key, _MISS)


def _cache_put(key: tuple[Any, ...] | None, values: dict[str, Any] | None) -> None:
    file = cache_path()
    if key is None or file is None:
        return
    import marshal

    # Drop this file's stale entry; keep those of other installations (another venv, the
    # pre-commit framework's) so that two of them used in turn do not evict each other.
    entries = {k: v for k, v in _cache_entries(file).items()
               if isinstance(k, tuple) and len(k) == len(key) and k[:-1] != key[:-1]}
    entries[key] = values
    while len(entries) > _CACHE_ENTRIES:
        del entries[next(iter(entries))]
    tmp = f"{file}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps(entries)
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, file)
    except (OSError, ValueError):  # unwritable, or values marshal cannot hold: no cache
        try:
            os.unlink(tmp)
        except OSError:
            pass


def validate(data: dict[str, Any], path: str, is_pyproject: bool = False) -> dict[str, Any]:
    prefix = "tool.hotfix-guard." if is_pyproject else ""
    where = os.path.basename(path)

    def fail(key: str, expected: str, value: Any) -> ConfigError:
        return ConfigError(
            f"{where}: {prefix}{key}: expected {expected}, got {_describe(value)}",
            hint=f"fix `{key}` in {path}",
        )

    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            if key in RULE_OPTION_HINTS:
                hint = (f"`{key}` is an option of rule {RULE_OPTION_HINTS[key]}: put it under "
                        f"[{prefix}rules.{RULE_OPTION_HINTS[key]}]")
            else:
                close = _closest(key, KEYS)
                hint = f"did you mean `{close}`?" if close else "see docs/configuration.md for the keys"
            raise ConfigError(f"{where}: unknown key `{prefix}{key}`", hint=hint)
        expected, _ = KEYS[key]
        if expected == _WORKFLOW:
            if value not in WORKFLOWS:
                close = _closest(value, WORKFLOWS) if isinstance(value, str) else None
                raise ConfigError(
                    f"{where}: {prefix}{key}: expected {expected}, got {_describe(value)}",
                    hint=(f"did you mean \"{close}\"?" if close else f"fix `{key}` in {path}")
                    + "; see docs/workflows.md",
                )
        elif expected == _BOOL:
            if not isinstance(value, bool):
                raise fail(key, expected, value)
        elif expected == _STR:
            if not isinstance(value, str):
                raise fail(key, expected, value)
        elif expected == _INT:  # pragma: no cover - no top-level int keys yet
            if not isinstance(value, int) or isinstance(value, bool):
                raise fail(key, expected, value)
        elif expected == _LIST:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, expected, value)
        elif expected == _TABLE:
            if not isinstance(value, dict) or not all(
                isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()
            ):
                raise fail(key, expected, value)
        elif key == "ticket-pattern":
            if not isinstance(value, str):
                raise fail(key, expected, value)
            from hotfix_guard.patterns import check_pattern

            check_pattern(value, f"{where}: {prefix}{key}",
                          hint=f"fix `{key}` in {path}, e.g. \"{DEFAULT_TICKET_PATTERN}\"")
        elif key == "rules":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise fail(key, "tables such as [rules.diff-size]", value)
        out[key] = value
    for key in ("production-branch", "development-branch", "hotfix-prefix"):
        if key in out and not out[key].strip():
            raise fail(key, "a non-empty string", out[key])
    return out


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} ({text if len(text) <= 40 else text[:37] + '...'})"


def _closest(word: str, choices: Any) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return match[0] if match else None


def candidates(settings: Settings, key: str) -> list[str]:
    """Branch names to try for production or development, fallbacks included (the
    workflow's preset, or the configured name); none for development under github-flow."""
    return branch_names(settings, key)


def hotfix_prefix_as_written(branch: str, hotfix_prefix: str) -> str | None:
    """The hotfix prefix ``branch`` starts with: ``hotfix_prefix`` itself, or a near miss
    evidently meant as it (SPEC §7: its word in another case, ``-`` or ``_`` for ``/``,
    a plural: ``Hotfix/``, ``HOTFIX/``, ``hotfix-``, ``hotfixes/``); None for neither.
    String operations only: this runs on every commit."""
    if branch.startswith(hotfix_prefix):
        return hotfix_prefix
    word = hotfix_prefix.rstrip("/-_").lower()
    if not word:
        return None
    lower = branch.lower()
    for stem in (word + "es", word + "s", word):
        n = len(stem)
        if lower.startswith(stem) and len(branch) > n + 1 and branch[n] in "/-_":
            return branch[:n + 1]
    return None


def classify(branch: str, settings: Settings) -> str:
    """hotfix, production, development, release or other, by name alone. A release
    line's branch (``support/1.1``) is production for its line. A near miss of the
    hotfix prefix (``Hotfix/…``) is a hotfix too: HG002 names the expected name."""
    if hotfix_prefix_as_written(branch, settings.hotfix_prefix):
        return "hotfix"
    if branch in candidates(settings, "production"):
        return "production"
    if branch in candidates(settings, "development"):
        return "development"
    if parse_line(branch, settings) is not None:
        return "production"  # a release line's branch: the production of its line
    if branch.startswith(settings.release_prefix):
        return "release"
    return "other"
