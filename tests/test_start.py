"""`hotfix-guard start DESCRIPTION`: the right name, from production, and every refusal
leaves the repository exactly as it was."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Repo, assert_clean_error, hotfix_from_main, make_repo, run_cli
from triage_helpers import snapshot

BRANCH = "hotfix/v1.2.4-fix-payment-crash"


def start(r: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("start", *args, cwd=r.path)


def refused(r: Repo, args: list[str], *fragments: str) -> None:
    """start refuses with one clear line, and changes nothing at all."""
    before = snapshot(r)
    proc = start(r, *args)
    assert_clean_error(proc, *fragments)
    assert proc.stdout == ""
    assert snapshot(r) == before


def with_remote(r: Repo, tmp_path: Path) -> Path:
    """A bare remote `origin` holding main and develop; local main tracks it."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(r.path), str(bare)], check=True, capture_output=True)
    r.git("remote", "add", "origin", str(bare))
    r.git("fetch", "-q", "origin")
    r.git("branch", "-q", "--set-upstream-to=origin/main", "main")
    return bare


def other_clone(bare: Path, tmp_path: Path, name: str = "other") -> Repo:
    path = tmp_path / name
    subprocess.run(["git", "clone", "-q", str(bare), str(path)], check=True, capture_output=True)
    return Repo(path)


# -- the branch it creates ---------------------------------------------------------------

def test_from_a_develop_checkout_it_branches_from_main_with_the_next_patch(project: Repo) -> None:
    project.checkout("develop")
    main, develop = project.sha("main"), project.sha("develop")
    proc = start(project, "Fix", "payment", "crash")
    assert proc.returncode == 0, proc.stderr
    assert project.git("branch", "--show-current") == BRANCH
    assert project.sha(BRANCH) == main != develop
    assert project.sha("develop") == develop  # untouched
    assert project.git("config", "--get", f"branch.{BRANCH}.merge", check=False) == ""  # no upstream: not main
    assert proc.stdout.splitlines() == [
        f'created branch {BRANCH} from main at {main[:10]} "Fix typo in readme" (the next patch after v1.2.3)',
        f"switched to {BRANCH} (from develop)",
        "next: make the minimal fix, mark it `HOTFIX v1.2.4:` in a comment, run `hotfix-guard check`; "
        "tag v1.2.4 when it ships",
    ]
    # and the branch satisfies the branch rules
    check = run_cli("check", "--select", "HG001,HG002,HG003", cwd=project.path)
    assert check.returncode == 0, check.stdout


def test_the_base_is_the_latest_production_commit_not_the_tag(project: Repo) -> None:
    project.commit("Docs on main", {"docs.md": "x\n"})  # after v1.2.3, still production
    proc = start(project, "fix crash")
    assert proc.returncode == 0, proc.stderr
    assert project.sha("hotfix/v1.2.4-fix-crash") == project.sha("main")


def test_from_a_detached_head(project: Repo) -> None:
    project.git("checkout", "-q", "--detach", "develop")
    proc = start(project, "fix crash")
    assert proc.returncode == 0, proc.stderr
    assert f"(from detached HEAD at {project.sha('develop')[:10]})" in proc.stdout
    assert project.git("branch", "--show-current") == "hotfix/v1.2.4-fix-crash"


def test_untracked_files_are_not_changes(project: Repo) -> None:
    project.write("notes.txt", "mine\n")
    assert start(project, "fix crash").returncode == 0
    assert (project.path / "notes.txt").read_text() == "mine\n"


def test_the_name_respects_the_branch_length_limit(project: Repo) -> None:
    project.write(".hotfix-guard.toml", "[rules.branch-name]\nmax-branch-length = 40\n")
    project.git("add", ".hotfix-guard.toml")
    project.git("commit", "-q", "-m", "config")
    proc = start(project, "Fix the payment processor crash when the amount is null")
    assert proc.returncode == 0, proc.stderr
    name = project.git("branch", "--show-current")
    assert name == "hotfix/v1.2.4-fix-the-payment-processor" and len(name) <= 40


def test_dry_run_checks_everything_and_changes_nothing(project: Repo) -> None:
    before = snapshot(project)
    proc = start(project, "fix crash", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("would create branch hotfix/v1.2.4-fix-crash from main at ")
    assert snapshot(project) == before


def test_production_only_on_the_remote(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    ci = other_clone(bare, tmp_path, "ci")
    ci.git("checkout", "-q", "-b", "develop", "origin/develop")
    ci.git("branch", "-q", "-D", "main")
    proc = start(ci, "fix crash")
    assert proc.returncode == 0, proc.stderr
    assert "from origin/main at" in proc.stdout
    assert ci.sha("hotfix/v1.2.4-fix-crash") == project.sha("main")


def test_a_merged_and_released_hotfix_branch_is_not_open(project: Repo) -> None:
    hotfix_from_main(project)
    project.checkout("main")
    project.merge(BRANCH)
    project.tag("v1.2.4")  # finished, but the branch was not deleted yet
    proc = start(project, "another crash")
    assert proc.returncode == 0, proc.stderr
    assert project.git("branch", "--show-current") == "hotfix/v1.2.5-another-crash"


def test_allow_parallel(project: Repo) -> None:
    hotfix_from_main(project)
    proc = start(project, "other crash", "--allow-parallel")
    assert proc.returncode == 0, proc.stderr
    assert project.git("branch", "--show-current") == "hotfix/v1.2.4-other-crash"


def test_fetch_first(project: Repo, tmp_path: Path) -> None:
    with_remote(project, tmp_path)
    proc = start(project, "fix crash", "--fetch")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "fetched origin"


def test_local_commits_on_production_are_a_warning(project: Repo, tmp_path: Path) -> None:
    with_remote(project, tmp_path)
    project.commit("Unpushed on main", {"x.py": "X = 1\n"})
    proc = start(project, "fix crash")
    assert proc.returncode == 0, proc.stderr
    assert "warning: main has 1 commit not on origin/main" in proc.stdout


# -- refusals: nothing changes -------------------------------------------------------------

def test_refuses_unstaged_changes(project: Repo) -> None:
    project.checkout("develop")
    project.write("src/app.py", "def main():\n    return 1\n")
    refused(project, ["fix crash"], "uncommitted changes (1 file: src/app.py)", "git stash")


def test_refuses_staged_changes(project: Repo) -> None:
    project.stage({"src/new.py": "NEW = 1\n", "README.md": "# changed\n"})
    refused(project, ["fix crash"], "uncommitted changes (2 files: ")


def test_refuses_a_merge_in_progress(project: Repo) -> None:
    project.checkout("a", new=True, start="main")
    project.commit("a", {"README.md": "A\n"})
    project.checkout("b", new=True, start="main")
    project.commit("b", {"README.md": "B\n"})
    project.git("merge", "a", check=False)
    assert (project.path / ".git" / "MERGE_HEAD").exists()
    refused(project, ["fix crash"], "a merge is in progress")


def test_refuses_while_another_hotfix_is_open(project: Repo) -> None:
    hotfix_from_main(project)
    project.checkout("develop")
    refused(project, ["other crash"], f"another hotfix branch is open: {BRANCH}", "--allow-parallel")


def test_a_hotfix_branch_just_cut_is_open(project: Repo) -> None:
    project.branch(BRANCH, "main")  # no commits yet: main contains its tip, but it is not released
    refused(project, ["other crash"], f"another hotfix branch is open: {BRANCH}")


def test_refuses_while_a_hotfix_is_open_on_the_remote(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = other_clone(bare, tmp_path)
    hotfix_from_main(other, "hotfix/v1.2.4-their-fix")
    other.git("push", "-q", "origin", "hotfix/v1.2.4-their-fix")
    project.git("fetch", "-q", "origin")
    refused(project, ["fix crash"], "another hotfix branch is open: hotfix/v1.2.4-their-fix")


def test_refuses_an_existing_branch(project: Repo) -> None:
    hotfix_from_main(project)
    refused(project, ["fix payment crash"], f"branch {BRANCH} already exists", f"git switch {BRANCH}")


def test_refuses_a_branch_that_exists_on_the_remote(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = other_clone(bare, tmp_path)
    hotfix_from_main(other)
    other.git("push", "-q", "origin", BRANCH)
    project.git("fetch", "-q", "origin")
    refused(project, ["fix payment crash"], f"branch {BRANCH} already exists on origin")


def test_refuses_when_the_tag_exists(project: Repo) -> None:
    project.checkout("stray", new=True, start="main")
    project.commit("stray", {"s.py": "S = 1\n"})
    project.tag("v1.2.4")  # not on main
    project.checkout("main")
    project.git("branch", "-q", "-D", "stray")
    refused(project, ["fix crash"], "tag v1.2.4 already exists but is not on main")


def test_refuses_when_production_is_behind_its_remote(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = other_clone(bare, tmp_path)
    other.commit("Production moved on", {"p.py": "P = 1\n"})
    other.git("push", "-q", "origin", "main")
    project.git("fetch", "-q", "origin")
    refused(project, ["fix crash"], "main is 1 commit behind origin/main", "git pull --ff-only")


def test_fetch_finds_production_behind_and_still_changes_no_local_branch(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = other_clone(bare, tmp_path)
    other.commit("Production moved on", {"p.py": "P = 1\n"})
    other.commit("And again", {"p.py": "P = 2\n"})
    other.git("push", "-q", "origin", "main")
    before = snapshot(project)
    assert start(project, "fix crash").returncode == 0  # without --fetch it cannot know
    project.git("switch", "-q", "main")
    project.git("branch", "-q", "-D", "hotfix/v1.2.4-fix-crash")
    proc = start(project, "fix crash", "--fetch")
    assert_clean_error(proc, "main is 2 commits behind origin/main")
    after = snapshot(project)
    local = lambda refs: [line for line in refs.splitlines() if not line.startswith("refs/remotes/")]  # noqa: E731
    assert local(after["refs"]) == local(before["refs"])
    assert (after["head"], after["index"], after["files"]) == (before["head"], before["index"], before["files"])


def test_refuses_without_a_release_tag(repo: Repo) -> None:
    repo.commit("Initial commit", {"a.py": "A = 1\n"})
    refused(repo, ["fix crash"], "no release tag (vX.Y.Z) on main", "git tag -a v1.0.0")


def test_refuses_without_a_production_branch(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "r")
    r.git("checkout", "-q", "-b", "trunk")
    r.commit("Initial commit", {"a.py": "A = 1\n"})
    r.tag("v1.0.0")
    refused(r, ["fix crash"], "production branch 'main' not found")


@pytest.mark.parametrize("args, fragment", [
    (["!!!"], "has no letters or digits"),
    ([], "the following arguments are required: DESCRIPTION"),
])
def test_bad_descriptions(project: Repo, args: list[str], fragment: str) -> None:
    refused(project, args, fragment)


def test_outside_a_repository(tmp_path: Path) -> None:
    assert_clean_error(run_cli("start", "fix crash", cwd=tmp_path), "not a git repository")


def test_fetch_without_the_remote(project: Repo) -> None:
    refused(project, ["fix crash", "--fetch"], "--fetch: there is no remote 'origin'")


# -- triage offers it ----------------------------------------------------------------------

def test_triage_offers_start_on_a_hotfix_verdict(project: Repo) -> None:
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    from conftest import ROOT

    project.checkout("develop")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", NO_COLOR="1")
    child = pexpect.spawn(sys.executable, ["-m", "hotfix_guard", "triage", "--set", "feature_request=no",
                                           "--set", "security_breach=yes", "--set", "title=Fix payment crash"],
                          cwd=str(project.path), env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))
    for _ in range(4):  # impact, detected, incident lead, ETA: Enter skips
        child.expect_exact("[Enter to skip]")
        child.sendline("")
    child.expect_exact(f"Create {BRANCH} from main now (hotfix-guard start)?")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert f"created branch {BRANCH} from main at" in child.before
    assert project.git("branch", "--show-current") == BRANCH
    assert project.sha(BRANCH) == project.sha("main")
