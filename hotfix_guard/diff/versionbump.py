"""Whether a file's change only bumps the project's version: a release chore, not code.

HG005 (and HG010) leave such a file alone. Only the project's own version declarations
count, never any string that happens to equal the version (``MIN_CLIENT = "1.2.4"`` in
``gate.py`` is code and needs its marker):

- ``version`` in ``pyproject.toml`` (``[project]``, ``[tool.poetry]``), ``Cargo.toml``
  (``[package]``, ``[workspace.package]``), ``setup.cfg`` (``[metadata]``), and the
  top-level ``"version"`` of ``package.json``;
- ``__version__ = "…"`` in any file;
- every line of a file named ``VERSION`` (or ``VERSION.txt``);
- every line of the files the ``version-files`` config key names (gitignore-style globs:
  ``src/app/version.py``, ``chart/Chart.yaml``...).

Each changed line must be an old declaration turned into a new one that differs only in
its version numbers, and at least one of them must name this hotfix's version (when the
branch names one).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from hotfix_guard.config import Settings
    from hotfix_guard.diff.hunks import Diff, FileDiff

# patterns, compiled on first use (by re's own cache)
VERSION_RE = r"(?<![\w.])v?\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.+-]*)?(?![\w.])"
DUNDER_VERSION = r"\s*__version__\s*(?::\s*[\w.\[\]]+\s*)?="
_SECTION = r"\s*\[([^\]]+)\]\s*(?:[#;].*)?$"
_VERSION_KEY = {  # file name -> (the line's start, the sections where it declares the project's version)
    "pyproject.toml": (r"\s*version\s*=", ("project", "tool.poetry")),
    "cargo.toml": (r"\s*version\s*=", ("package", "workspace.package")),
    "setup.cfg": (r"\s*version\s*[=:]", ("metadata",)),
}
_VERSION_FILES = ("version", "version.txt")


def version_bump_only(f: FileDiff, diff: Diff, version: str | None, settings: Settings) -> bool:
    """Whether every change of ``f`` turns a version declaration into the same declaration
    of another version, one of them ``version`` (when given)."""
    if not f.hunks or f.is_added or f.is_deleted:
        return False
    declares = _declaration_test(f, diff, settings)
    target_seen = version is None
    for hunk in f.hunks:
        for block in hunk.blocks:
            if block.n_removed != block.n_added:
                return False
            for old, new in zip(block.removed, block.added):
                if re.sub(VERSION_RE, "<v>", old.text) != re.sub(VERSION_RE, "<v>", new.text) \
                        or not re.search(VERSION_RE, new.text) or not declares(new.text, new.new or 0):
                    return False
                target_seen = target_seen or version in new.text  # type: ignore[operator]
    return target_seen


def _declaration_test(f: FileDiff, diff: Diff, settings: Settings) -> Callable[[str, int], bool]:
    """A test of one new line (text, line number): is it a version declaration?"""
    name = f.path.rsplit("/", 1)[-1].lower()
    if name in _VERSION_FILES or _in_version_files(f.path, settings):
        return lambda text, line: True
    if name in _VERSION_KEY:
        start, sections = _VERSION_KEY[name]
        text = diff.text(f, "new") or ""
        return lambda line_text, line: bool(re.match(start, line_text)) and _section(text, line) in sections
    if name == "package.json":
        top = _top_level_version(diff.text(f, "new") or "")
        return lambda line_text, line: top is not None and re.match(r'\s*"version"\s*:\s*"' + re.escape(top)
                                                                     + r'"', line_text) is not None
    return lambda line_text, line: bool(re.match(DUNDER_VERSION, line_text))


def _in_version_files(path: str, settings: Settings) -> bool:
    if not settings.version_files:
        return False
    from hotfix_guard.globs import compile_globs

    return compile_globs(settings.version_files, "version-files", settings).match_file(path)


def _section(text: str, line: int) -> str | None:
    """The ``[section]`` (TOML table, INI section) that line ``line`` (1-based) is in."""
    section = None
    for number, piece in enumerate(text.split("\n")[:line], 1):
        match = re.match(_SECTION, piece)
        if match and number < line:
            section = match.group(1).strip().strip('"')
    return section


def _top_level_version(text: str) -> str | None:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    value = data.get("version") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
