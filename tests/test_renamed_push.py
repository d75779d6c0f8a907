"""A hotfix pushed under another name (``git push origin hotfix/v1.2.4-ok:hotfix/v9.9.9-x``):
the findings say that the pushed name and the local one disagree and suggest the push
that uses the right name, not a rename of the local branch (issue #16)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, Repo, run_cli

LOCAL = "hotfix/v1.2.4-ok"
RENAMED = "hotfix/v9.9.9-renamed"


@pytest.fixture
def pushed(project: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A good hotfix (v1.2.4 after v1.2.3, with its marker), a bare remote, the hooks."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.git("push", "-q", "origin", "main", "develop", "--tags")
    project.checkout(LOCAL, new=True, start="main")
    project.commit("Fix the crash", {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard\n    return 0\n",
                                     "tests/test_app.py": "def test_main():\n    assert True\n"})
    assert run_cli("install", cwd=project.path).returncode == 0
    return project


def test_the_push_under_another_name_is_refused_with_the_push_to_use(pushed: Repo) -> None:
    proc = subprocess.run(["git", "push", "origin", f"{LOCAL}:{RENAMED}"], cwd=pushed.path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    assert proc.returncode != 0
    out = proc.stdout
    assert f"the push names the branch {RENAMED}, but the local branch is {LOCAL}" in out
    assert f"help: push it under the right name: git push origin {LOCAL}\n" in out
    assert "git branch -m" not in out
    assert "write `HOTFIX v9.9.9:`" not in out  # the marker is right for the local name
    assert f"help: push the branch under its own name: git push origin {LOCAL}\n" in out


def test_the_suggested_push_goes_through(pushed: Repo) -> None:
    proc = subprocess.run(["git", "push", "origin", LOCAL], cwd=pushed.path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    assert proc.returncode == 0, proc.stdout


def test_a_wrong_local_name_pushed_under_another_gets_the_expected_name(pushed: Repo) -> None:
    pushed.git("branch", "-m", "hotfix/v1.2.7-ok")
    sha = pushed.sha()
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", "--select", "HG003", cwd=pushed.path,
                   input=f"refs/heads/hotfix/v1.2.7-ok {sha} refs/heads/{RENAMED} {'0' * 40}\n")
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["help"] == f"push it under the right name: git push origin hotfix/v1.2.7-ok:hotfix/v1.2.4-renamed"
    assert "but the local branch is hotfix/v1.2.7-ok" in finding["message"]


def test_the_framework_names_the_remote(pushed: Repo) -> None:
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", "--select", "HG003", cwd=pushed.path,
                   env={"PRE_COMMIT_REMOTE_BRANCH": f"refs/heads/{RENAMED}", "PRE_COMMIT_LOCAL_BRANCH": f"refs/heads/{LOCAL}",
                        "PRE_COMMIT_TO_REF": pushed.sha(), "PRE_COMMIT_FROM_REF": "0" * 40,
                        "PRE_COMMIT_REMOTE_NAME": "upstream"})
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["help"] == f"push it under the right name: git push upstream {LOCAL}"
