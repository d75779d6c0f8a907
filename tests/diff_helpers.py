"""Helpers for the diff-rule tests: hotfix repositories built from data, checks run in-process.

A *case* is a TOML file (tests/data/corpus/...): a description and a list of
``[[file]]`` tables, each with ``path`` and optionally ``before`` (content on main),
``after`` (content on the hotfix branch; absent means deleted), ``from`` (the path on
main, for a rename or move) and ``crlf = true`` (write the ``after`` side with CRLF line
endings; ``crlf = "before"`` for the ``before`` side). The replay makes main with the
``before`` side and release tag v1.2.3, then the hotfix branch
``hotfix/v1.2.4-<case name>`` with one commit of the ``after`` side (``message`` sets it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo, make_repo

DATA = Path(__file__).resolve().parent / "data"
HOTFIX = "hotfix/v1.2.4-fix-crash"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def load_case(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        case = tomllib.load(fh)
    case.setdefault("name", path.stem)
    return case


def cases(kind: str) -> list[Path]:
    return sorted((DATA / "corpus" / kind).glob("*.toml"))


def _content(text: str, crlf: bool) -> bytes:
    data = text.encode("utf-8")
    return data.replace(b"\n", b"\r\n") if crlf else data


def replay(case: dict[str, Any], root: Path, *, branch: str | None = None) -> Repo:
    """Build the case's repository: main + v1.2.3 with ``before``, the hotfix on top."""
    r = make_repo(root)
    r.write("README.md", "# service\n")
    r.git("add", "README.md")
    for spec in case["file"]:
        before = spec.get("before")
        if before is not None:
            name = spec.get("from", spec["path"])
            r.write(name, _content(before, spec.get("crlf") == "before"))
            r.git("add", "--", name)
    r.git("commit", "-q", "-m", "Release 1.2.3")
    r.tag("v1.2.3")
    r.checkout(branch or f"hotfix/v1.2.4-{case['name']}", new=True)
    for spec in case["file"]:
        path = spec["path"]
        if "from" in spec:
            (r.path / path).parent.mkdir(parents=True, exist_ok=True)
            r.git("mv", spec["from"], path)
        after = spec.get("after")
        if after is None:
            r.git("rm", "-q", "--", path)
            continue
        r.write(path, _content(after, spec.get("crlf") is True))
        r.git("add", "--", path)
    r.git("commit", "-q", "-m", case.get("message", f"Hotfix: {case.get('description', case['name'])}"))
    return r


def check_json(r: Repo, *args: str, capsys: Any, monkeypatch: Any) -> tuple[int, dict[str, Any]]:
    """``hotfix-guard check --format json`` in-process (fast), in the repo."""
    from hotfix_guard.cli import main

    monkeypatch.chdir(r.path)
    monkeypatch.setenv("HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD", "1")
    capsys.readouterr()
    rc = main(["check", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert rc in (0, 1), (rc, out, err)
    return rc, json.loads(out)


@pytest.fixture
def check(capsys: Any, monkeypatch: Any) -> Any:
    """:func:`check_json` with the test's own capsys and monkeypatch: ``check(repo, *args)``."""
    def run(r: Repo, *args: str) -> tuple[int, dict[str, Any]]:
        return check_json(r, *args, capsys=capsys, monkeypatch=monkeypatch)

    return run


def active(data: dict[str, Any], code: str | None = None) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if not f["suppressed"] and (code is None or f["code"] == code)]


def messages(data: dict[str, Any], code: str) -> list[str]:
    """The messages of the active findings of ``code``."""
    return [f["message"] for f in active(data, code)]


def load_diff_of(r: Repo, *args: str) -> Any:
    """The parsed diff of ``args`` (default: main...HEAD) through the real gateway."""
    from hotfix_guard.config import Settings
    from hotfix_guard.diff.hunks import DIFF_CONFIG, DIFF_FLAGS, parse
    from hotfix_guard.git import Git

    git = Git(str(r.path))
    rng = list(args) or [r.git("merge-base", "main", "HEAD"), "HEAD"]
    raw = git.diff(*DIFF_FLAGS, *rng, "--", config=DIFF_CONFIG)
    return parse(raw, git=git, settings=Settings())


def numstat(r: Repo, *args: str) -> list[tuple[str, str]]:
    """git's own ``--numstat`` (added, deleted) per file, in order."""
    out = r.git("diff", "--numstat", "-M", "-C", *args)
    return [tuple(line.split("\t")[:2]) for line in out.splitlines()]  # type: ignore[misc]


def hotfix_repo(tmp_path: Path, before: dict[str, str | bytes], after: dict[str, str | bytes | None],
                *, message: str = "Fix the crash", branch: str = HOTFIX) -> Repo:
    """main (tag v1.2.3) with ``before``; the hotfix branch with one commit of ``after``
    (None deletes a file)."""
    r = make_repo(tmp_path / "repo")
    r.commit("Release 1.2.3", {"README.md": "# service\n", **before})
    r.tag("v1.2.3")
    r.checkout(branch, new=True)
    for name, content in after.items():
        if content is None:
            r.git("rm", "-q", "--", name)
        else:
            r.write(name, content)
            r.git("add", "--", name)
    r.git("commit", "-q", "-m", message)
    return r
