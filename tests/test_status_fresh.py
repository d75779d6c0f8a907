"""`hotfix-guard status` right after `hotfix-guard start`: the branch has no commits of its
own, so nothing on the checklist is done yet (issue #16)."""

from __future__ import annotations

import json

from conftest import Repo, run_cli


def test_nothing_is_ticked_right_after_start(project: Repo) -> None:
    proc = run_cli("start", "fix payment crash", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("status", "--format", "json", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    done = [i["id"] for i in data["items"] if i["state"] == "done"]
    assert done == []
    states = {i["id"]: (i["state"], i["detail"]) for i in data["items"]}
    for item in ("minimal-fix", "tests-touched", "follow-up-tickets", "merged-development"):
        assert states[item] == ("not-done", "no commits yet: the branch is where main is"), item


def test_the_first_commit_is_judged_again(project: Repo) -> None:
    run_cli("start", "fix payment crash", cwd=project.path)
    project.commit("Fix it\n\nFollow-up: PROJ-1", {"src/app.py": "def main():\n    # HOTFIX v1.2.4: x\n    return 0\n"})
    proc = run_cli("status", "--format", "json", cwd=project.path)
    states = {i["id"]: i["state"] for i in json.loads(proc.stdout)["items"]}
    assert states["branched-from-main"] == states["minimal-fix"] == states["follow-up-tickets"] == "done"
    assert states["merged-development"] == "not-done"
