"""Shared by the finish tests: a hotfix that passes every check, a local bare remote,
the refs-and-HEAD state finish must put back, and finish run in-process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path

from conftest import Repo

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"
RECORD = Path(".git") / "hotfix-guard-finish"

FIXED_APP = "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n"


def clean_hotfix(r: Repo, name: str = HOTFIX) -> str:
    """A hotfix off main that every rule accepts (marker, test, follow-up ticket); HEAD on it."""
    r.checkout(name, new=True, start="main")
    return r.commit("Fix payment crash on empty amount\n\nFollow-up: PAY-12",
                    {"src/app.py": FIXED_APP, "tests/test_app.py": "def test_main():\n    assert True\n"})


def state(r: Repo) -> tuple[str, str]:
    """Every ref with its object, and HEAD as the file says it: what --abort must restore."""
    return r.git("for-each-ref", "--format=%(refname) %(objectname)"), (r.path / ".git" / "HEAD").read_text()


def with_remote(r: Repo, tmp_path: Path) -> Path:
    """A bare remote `origin` holding main and develop, which the local ones track."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, capture_output=True)
    r.git("remote", "add", "origin", str(bare))
    r.git("push", "-q", "origin", "main", "develop")
    r.git("branch", "-q", "--set-upstream-to=origin/main", "main")
    r.git("branch", "-q", "--set-upstream-to=origin/develop", "develop")
    return bare


def remote_refs(bare: Path) -> str:
    return subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)"], cwd=bare,
                          capture_output=True, text=True, check=True).stdout


def hook(r: Repo | Path, name: str, script: str) -> None:
    """An executable git hook (in a repository's .git/hooks, or a bare remote's hooks)."""
    base = r.path / ".git" if isinstance(r, Repo) else r
    path = base / "hooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def finish_in_process(r: Repo, *args: str) -> tuple[int, str, str]:
    """``hotfix-guard finish ARGS`` through main(), in the repository: (exit, stdout, stderr)."""
    from hotfix_guard.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(r.path)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["finish", *args])
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()
