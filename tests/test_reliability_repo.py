"""Repository states not covered elsewhere (issue #8): a merge, cherry-pick or revert in
progress, a real submodule, an unborn hotfix branch in a repository that has history,
production missing for every rule, GIT_DIR pointing nowhere.

(Bare, no commits, unborn in an empty repository, SHA-256, rebase in progress, detached
HEAD, linked worktree, hook variables: tests/test_repo_states.py and tests/test_cli.py;
shallow clones: tests/test_ci_shallow.py; development missing: tests/test_branch_rules.py.)
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, make_repo, run_cli

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"
FIXED = "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n"


def check(r: Repo, *args: str, cwd: Path | None = None, input: str | None = None) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", *args, cwd=cwd or r.path, input=input)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    data = json.loads(proc.stdout)
    assert not [f for f in data["findings"] if f["code"] == "HG000"], data["findings"]
    return proc.returncode, data


def codes(data: dict) -> set[str]:
    return {f["code"] for f in data["findings"] if not f["suppressed"]}


# -- an operation in progress ----------------------------------------------------------------


@pytest.fixture
def conflicted(project: Repo) -> Repo:
    """The hotfix branch, and a branch off main that changes the same line."""
    hotfix_from_main(project)
    project.checkout("other", new=True, start="main")
    project.commit("Other change", {"src/app.py": "def main():\n    return 2\n"})
    project.checkout(HOTFIX)
    return project


@pytest.mark.parametrize("operation", ["merge", "cherry-pick", "revert"])
def test_operation_in_progress_with_a_conflict(conflicted: Repo, operation: str) -> None:
    r = conflicted
    if operation == "revert":
        r.commit("Another fix", {"src/app.py": FIXED.replace("return 0", "return 3")})
        args = ["revert", "--no-edit", "HEAD~1"]
    else:
        args = [operation, "other"] if operation == "merge" else ["cherry-pick", "other"]
    assert r.git(*args, check=False) is not None
    state = {"merge": "MERGE_HEAD", "cherry-pick": "CHERRY_PICK_HEAD", "revert": "REVERT_HEAD"}[operation]
    assert (r.path / ".git" / state).exists()
    assert r.git("ls-files", "-u")  # unmerged entries in the index
    # every stage runs and reads the branch; the unmerged path is not a crash
    for stage in ("pre-commit", "pre-push", "manual"):
        rc, data = check(r, "--stage", stage, input="")
        assert data["branch"] == HOTFIX
    # resolved and staged: pre-commit checks what the commit will hold
    r.stage({"src/app.py": "def main():\n    return 2\n"})
    rc, data = check(r, "--stage", "pre-commit")
    assert "HG005" in codes(data)  # the staged resolution dropped the HOTFIX marker
    r.stage({"src/app.py": FIXED.replace("return 0", "return 2")})
    rc, data = check(r, "--stage", "pre-commit", "--select", "HG005")
    assert rc == 0 and codes(data) == set()
    r.git(operation, "--abort")


def test_merge_of_development_in_progress_is_already_flagged(project: Repo) -> None:
    """A merge of develop into the hotfix, stopped for the message: the commits are in
    MERGE_HEAD, not yet on the branch; after the commit HG001 sees them (pre-push)."""
    hotfix_from_main(project)
    project.git("merge", "--no-ff", "--no-commit", "develop")
    rc, data = check(project, "--stage", "pre-commit", "--select", "HG001")
    assert rc == 0  # nothing committed yet: the branch's history is still clean
    project.git("commit", "-q", "--no-edit")
    rc, data = check(project, "--stage", "pre-push", "--select", "HG001", input="")
    assert rc == 1 and codes(data) == {"HG001"}


# -- a real submodule ------------------------------------------------------------------------


@pytest.fixture
def with_submodule(tmp_path: Path) -> Repo:
    lib = make_repo(tmp_path / "lib")
    lib.commit("lib v1", {"lib.py": "VALUE = 1\n"})
    r = make_repo(tmp_path / "app")
    r.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n"})
    r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", f"file://{lib.path}", "deps/lib")
    r.git("commit", "-q", "-m", "Add the lib submodule")
    r.tag("v1.2.3")
    r.checkout("develop", new=True)
    r.commit("dev", {"src/dev.py": "X = 1\n"})
    r.checkout(HOTFIX, new=True, start="main")
    return r


def test_submodule_pointer_change(with_submodule: Repo) -> None:
    r = with_submodule
    sub = Repo(r.path / "deps" / "lib")
    sub.commit("lib v2", {"lib.py": "VALUE = 2\n"})
    r.git("add", "deps/lib")
    r.git("commit", "-q", "-m", "Bump lib")
    r.commit("Fix", {"src/app.py": FIXED})
    for stage in ("pre-push", "manual", "ci"):
        rc, data = check(r, "--stage", stage, "--branch", HOTFIX, input="")
        assert not [f for f in data["findings"] if f["path"] == "deps/lib" and f["code"] == "HG005"]
    # changed files count the submodule as one file with no lines
    rc, data = check(r, "--select", "HG004")
    assert codes(data) == set()
    # staged pointer change at pre-commit
    sub.commit("lib v3", {"lib.py": "VALUE = 3\n"})
    r.git("add", "deps/lib")
    check(r, "--stage", "pre-commit")


def test_submodule_added_and_removed_by_a_hotfix(with_submodule: Repo, tmp_path: Path) -> None:
    r = with_submodule
    other = make_repo(tmp_path / "other")
    other.commit("other", {"o.py": "O = 1\n"})
    r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", f"file://{other.path}", "deps/other")
    r.git("rm", "-q", "deps/lib")
    r.git("commit", "-q", "-m", "Swap submodules")
    rc, data = check(r)
    messages = [f["message"] for f in data["findings"] if f["code"] == "HG007"]
    assert "file deleted: deps/lib (1 line)" in messages  # removing a dependency is a deletion
    assert not [f for f in data["findings"] if f["path"] == "deps/other" and f["code"] != "HG007"]


def test_check_inside_the_submodule_checkout(with_submodule: Repo) -> None:
    """The submodule is its own repository (on its main, or detached after an update)."""
    sub = with_submodule.path / "deps" / "lib"
    proc = run_cli("check", "--stage", "pre-commit", cwd=sub)
    assert proc.returncode == 0 and proc.stdout.startswith("main: production branch"), proc.stdout
    Repo(sub).git("checkout", "-q", "--detach")
    proc = run_cli("check", "--stage", "pre-commit", cwd=sub)
    assert proc.returncode == 0 and "HEAD is detached" in proc.stdout
    assert_clean_error(run_cli("check", cwd=sub), "HEAD is detached")


# -- unborn and missing ----------------------------------------------------------------------


def test_unborn_hotfix_branch_in_a_repository_with_history(project: Repo) -> None:
    """`git checkout --orphan hotfix/...`: no history shared with production. Exit 2 at
    every stage, and the hint is one that can be followed from a pre-commit hook (it
    used to say "commit something first")."""
    project.git("checkout", "-q", "--orphan", "hotfix/v1.2.4-orphan")
    for stage in ("pre-commit", "manual", "pre-push"):
        proc = run_cli("check", "--stage", stage, cwd=project.path, input="")
        assert_clean_error(proc, "hotfix/v1.2.4-orphan has no commits yet",
                           "git switch -c hotfix/v1.2.4-orphan main")
        assert "commit something first" not in proc.stderr
    project.git("checkout", "-q", "--orphan", "feature/orphan")
    proc = run_cli("check", "--stage", "pre-commit", cwd=project.path)
    assert proc.returncode == 0 and "nothing to check" in proc.stdout


def test_production_missing_on_a_hotfix_is_exit_2_at_every_stage(repo: Repo) -> None:
    """Nine rules skipped and "all checks passed" was a silent pass (SPEC §7): exit 2."""
    repo.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    repo.commit("init", {"src/a.py": "a = 1\n"})
    repo.checkout("hotfix/v1.0.1-fix", new=True)
    repo.commit("fix", {"src/a.py": "a = 2\n"})
    for stage in ("pre-commit", "pre-push", "manual"):
        proc = run_cli("check", "--stage", stage, "--format", "gitlab", cwd=repo.path, input="")
        assert_clean_error(proc, "production branch 'main' or 'master'", "production-branch", "trunk")
        assert proc.stdout == ""


def test_git_dir_pointing_nowhere(project: Repo, tmp_path: Path) -> None:
    assert_clean_error(run_cli("check", cwd=project.path, env={"GIT_DIR": str(tmp_path / "nope")}),
                       "not a git repository")


def test_index_lock_held_by_another_git(project: Repo) -> None:
    """Another git process is committing (index.lock exists): reading is still fine."""
    hotfix_from_main(project)
    lock = project.path / ".git" / "index.lock"
    lock.write_bytes(b"")
    try:
        for stage in ("pre-commit", "manual"):
            check(project, "--stage", stage)
    finally:
        lock.unlink()


def test_corrupt_development_ref_is_reported_as_missing(project: Repo) -> None:
    """git itself ignores a broken ref; the rule that needs it says it was skipped."""
    hotfix_from_main(project)
    (project.path / ".git" / "refs" / "heads" / "develop").write_text("not a sha\n")
    proc = run_cli("check", "--select", "HG001", cwd=project.path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "skipped HG001: development branch (develop or development) not found" in proc.stdout


def test_subprocess_git_never_prompts(project: Repo) -> None:
    """No editor, pager or credential prompt can stop a hook: stdin is not a terminal and
    git is told not to prompt."""
    hotfix_from_main(project)
    env = {"GIT_EDITOR": "false", "GIT_PAGER": "false", "PAGER": "false", "GIT_ASKPASS": "false"}
    proc = run_cli("check", "--format", "json", cwd=project.path, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    subprocess.run(["git", "status"], cwd=project.path, check=True, capture_output=True)


# -- every command where it cannot run ----------------------------------------------------------

COMMANDS = [
    ["check"], ["check", "--stage", "pre-commit"], ["check", "--stage", "pre-push"], ["check", "--stage", "ci"],
    ["install"], ["uninstall"], ["start", "fix it"], ["start", "fix it", "--dry-run"], ["finish"], ["finish", "--dry-run"],
    ["finish", "--continue"], ["finish", "--abort"], ["status"], ["audit"],
    ["triage", "--set", "production_broken=no", "--set", "feature_request=yes"], ["rules"], ["explain", "HG001"],
    ["demo"],
]


@pytest.mark.parametrize("where", ["not-a-repository", "bare", "no-commits", "no-git-on-path"])
def test_every_command_either_runs_or_says_why_in_one_line(tmp_path: Path, where: str) -> None:
    """Exit 0 (triage, rules, explain and demo need no repository of yours), or exit 2
    with one clear line and a hint; never a traceback."""
    import os
    import sys

    from conftest import ROOT

    cwd = tmp_path / "here"
    env = {}
    if where == "bare":
        subprocess.run(["git", "init", "-q", "--bare", str(cwd)], check=True)
    elif where == "no-commits":
        make_repo(cwd)
    else:
        cwd.mkdir()
    if where == "no-git-on-path":
        env = {"PATH": str(tmp_path / "empty-bin")}
    for args in COMMANDS:
        proc = subprocess.run([sys.executable, "-m", "hotfix_guard", *args], cwd=cwd, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        if proc.returncode != 0:
            assert_clean_error(proc)
        if args[0] in ("rules", "explain", "triage"):
            assert proc.returncode == 0, (args, proc.stderr)
        if args[0] in ("check", "install", "uninstall", "start", "finish") and where in ("not-a-repository", "no-git-on-path"):
            assert proc.returncode == 2, (args, proc.stdout)
