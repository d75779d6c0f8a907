"""`hotfix-guard demo`: the first thing a newcomer runs."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from conftest import Repo, run_cli


def _demo_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("hotfix-guard-demo-*")}


def test_demo_shows_the_flawed_and_the_clean_hotfix(tmp_path: Path) -> None:
    before = _demo_dirs()
    proc = run_cli("demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    flawed, clean = proc.stdout.split("2. The same fix done right")
    for code in ("HG001", "HG002", "HG003"):
        assert code in flawed
    assert re.search(r"hotfix/v1\.3\.0-Quick_Fix: \d+ errors", flawed)
    assert "hotfix/v1.2.4-fix-payment-crash: all checks passed" in clean
    assert "[error]" not in clean and "[warning]" not in clean
    landed = clean.split("3. Land the good one")[1]
    assert "$ git merge --no-ff --no-edit hotfix/v1.2.4-fix-payment-crash" in landed
    assert "finished v1.2.4: merged into main and develop, tagged v1.2.4" in landed
    assert _demo_dirs() == before  # removed afterwards


def test_demo_is_not_misled_by_hook_variables(project: Repo, tmp_path: Path) -> None:
    """Run from inside a hook of another repository: GIT_DIR and GIT_INDEX_FILE point there."""
    before = project.git("for-each-ref")
    env = {"GIT_DIR": str(project.path / ".git"), "GIT_INDEX_FILE": str(project.path / ".git" / "index"),
           "GIT_WORK_TREE": str(project.path)}
    proc = run_cli("demo", cwd=project.path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "all checks passed" in proc.stdout
    assert project.git("for-each-ref") == before


def test_demo_keep(tmp_path: Path) -> None:
    proc = run_cli("demo", "--keep", cwd=tmp_path)
    kept = Path(proc.stdout.strip().splitlines()[-1].split(" at ")[-1])
    try:
        assert (kept / ".git").is_dir()
    finally:
        import shutil

        shutil.rmtree(kept, ignore_errors=True)
