"""`hotfix-guard finish`: the hotfix lands as the workflow says, every refusal changes
nothing, and a stop at any step can be continued or undone to the byte."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli
from finish_helpers import HOTFIX, RECORD, clean_hotfix, hook, remote_refs, state, with_remote
from triage_helpers import snapshot


def finish(r: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("finish", *args, cwd=r.path)


def refused(r: Repo, args: list[str], code: int, *fragments: str) -> subprocess.CompletedProcess[str]:
    """finish refuses, and nothing at all changes: refs, HEAD, index, files, the git dir."""
    before = snapshot(r)
    proc = finish(r, *args)
    if code == 2:
        assert_clean_error(proc, *fragments)
    else:
        assert proc.returncode == code, (proc.stdout, proc.stderr)
        for fragment in fragments:
            assert fragment in proc.stdout, proc.stdout
    assert snapshot(r) == before
    return proc


def conflict_on(r: Repo, branch: str) -> None:
    """``branch`` changes the line the hotfix changes, so merging the hotfix there conflicts."""
    r.checkout(branch)
    r.commit(f"Rework main on {branch}", {"src/app.py": f"def main():\n    return '{branch}'\n"})
    r.checkout(HOTFIX)


# -- a clean finish ---------------------------------------------------------------------------------

def test_a_clean_finish_merges_tags_merges_back_and_deletes_the_branch(project: Repo) -> None:
    main, develop = project.sha("main"), project.sha("develop")
    tip = clean_hotfix(project)
    proc = finish(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    merge = project.sha("main")
    assert project.git("rev-list", "--parents", "-n1", merge).split()[1:] == [main, tip]
    assert project.git("log", "-1", "--format=%s", merge) == f"Merge branch '{HOTFIX}'"
    assert project.git("cat-file", "-t", "v1.2.4") == "tag"  # annotated
    assert project.sha("v1.2.4^{commit}") == merge
    assert project.git("tag", "-l", "--format=%(contents:subject)", "v1.2.4") == "Hotfix v1.2.4: fix payment crash"
    assert project.git("rev-list", "--parents", "-n1", "develop").split()[1:] == [develop, tip]
    assert project.git("branch", "--list", HOTFIX) == ""
    assert project.git("branch", "--show-current") == "develop"  # as git-flow leaves you
    assert not (project.path / RECORD).exists()
    for line in ("$ git switch main", f"$ git merge --no-ff --no-edit {HOTFIX}",
                 "$ git tag -a v1.2.4 -m 'Hotfix v1.2.4: fix payment crash' main",
                 "$ git switch develop", f"$ git branch -D {HOTFIX}"):
        assert line in [ln.strip() for ln in proc.stdout.splitlines()], (line, proc.stdout)
    assert "nothing was pushed" in proc.stdout
    audit = run_cli("audit", cwd=project.path)
    assert audit.returncode == 0 and "no problems" in audit.stdout, audit.stdout


def test_status_and_audit_show_the_finished_hotfix_as_complete(project: Repo) -> None:
    clean_hotfix(project)
    assert finish(project).returncode == 0
    status = json.loads(run_cli("status", "--branch", HOTFIX, "--format", "json", cwd=project.path).stdout)
    assert status["complete"] is True, [i for i in status["items"] if i["state"] == "not-done"]
    states = {i["id"]: i["state"] for i in status["items"]}
    for item in ("tagged", "merged-production", "merged-development", "branch-deleted"):
        assert states[item] == "done", item
    audit = json.loads(run_cli("audit", "--format", "json", cwd=project.path).stdout)
    assert audit["findings"] == []


def test_message_sets_the_tag_message(project: Repo) -> None:
    clean_hotfix(project)
    assert finish(project, "--message", "Payments no longer crash").returncode == 0
    assert project.git("tag", "-l", "--format=%(contents:subject)", "v1.2.4") == "Payments no longer crash"


def test_keep_keeps_the_branch_and_the_checkout_on_it(project: Repo) -> None:
    tip = clean_hotfix(project)
    assert finish(project, "--keep").returncode == 0
    assert project.sha(HOTFIX) == tip
    assert project.git("branch", "--show-current") == HOTFIX


def test_named_from_another_branch_it_returns_to_that_branch(project: Repo) -> None:
    clean_hotfix(project)
    project.checkout("feature/loyalty", new=True, start="develop")
    proc = finish(project, HOTFIX)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert project.git("branch", "--show-current") == "feature/loyalty"
    assert project.git("branch", "--list", HOTFIX) == ""


def test_an_open_release_branch_gets_the_hotfix_instead_of_development(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    develop = project.sha("develop")
    tip = clean_hotfix(project)
    proc = finish(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert project.git("merge-base", "--is-ancestor", tip, "release/1.3.0", check=False) == ""
    assert project.sha("develop") == develop
    assert project.git("branch", "--show-current") == "release/1.3.0"


# -- refusals: nothing changes ----------------------------------------------------------------------

def test_findings_refuse_with_the_report_and_change_nothing(project: Repo) -> None:
    project.checkout(HOTFIX, new=True, start="main")
    project.commit("Fix crash", {"src/app.py": "def main():\n    return 1\n"})  # no HOTFIX marker
    proc = refused(project, [], 1, "HG005", "finish refused")
    assert "$ git" not in proc.stdout


def test_a_dirty_tree_refuses(project: Repo) -> None:
    clean_hotfix(project)
    project.write("src/app.py", "changed\n")
    refused(project, [], 2, "uncommitted changes", "src/app.py")


def test_a_merge_in_progress_refuses(project: Repo) -> None:
    clean_hotfix(project)
    project.checkout("develop")
    project.git("merge", "--no-ff", "--no-commit", HOTFIX)
    refused(project, [HOTFIX], 2, "a merge is in progress")


def test_production_behind_its_remote_refuses(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    project.checkout("main")
    project.commit("Released meanwhile", {"NEWS": "x\n"})
    project.git("push", "-q", "origin", "main")
    project.git("reset", "-q", "--hard", "HEAD~1")
    clean_hotfix(project)
    refused(project, [], 2, "main is 1 commit behind origin/main")
    assert "Released meanwhile" in subprocess.run(["git", "log", "-1", "main"], cwd=bare, capture_output=True,
                                                  text=True).stdout


def test_development_behind_its_remote_refuses_once_fetched(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", "-b", "develop", str(bare), str(other)], check=True, capture_output=True)
    Repo(other).commit("A feature elsewhere", {"f.txt": "x\n"})
    Repo(other).git("push", "-q", "origin", "develop")
    clean_hotfix(project)
    # Without --fetch the remote-tracking ref is old: finish cannot know. With it, it refuses.
    before = state(project)
    proc = finish(project, "--fetch")
    assert_clean_error(proc, "develop is 1 commit behind origin/develop")
    assert state(project)[1] == before[1]
    assert project.sha("develop") == project.sha("develop@{0}")
    assert project.git("branch", "--list", HOTFIX) != ""
    assert not (project.path / RECORD).exists()


def test_not_a_hotfix_branch_refuses(project: Repo) -> None:
    refused(project, [], 2, "'main' is not a hotfix branch")


def test_an_existing_tag_refuses(project: Repo) -> None:
    clean_hotfix(project)
    project.tag("v1.2.4", "develop")
    proc = finish(project)
    assert proc.returncode in (1, 2)  # HG003 sees the taken version first
    assert project.git("branch", "--list", HOTFIX) != "" and not (project.path / RECORD).exists()


def test_dry_run_prints_the_commands_and_changes_nothing(project: Repo, tmp_path: Path) -> None:
    with_remote(project, tmp_path)
    clean_hotfix(project)
    before = snapshot(project)
    proc = finish(project, "--dry-run", "--push")
    assert proc.returncode == 0, proc.stderr
    assert snapshot(project) == before
    commands = [line.strip()[2:] for line in proc.stdout.splitlines() if line.strip().startswith("$ ")]
    assert commands == [
        "git switch main", f"git merge --no-ff --no-edit {HOTFIX}",
        "git tag -a v1.2.4 -m 'Hotfix v1.2.4: fix payment crash' main",
        "git switch develop", f"git merge --no-ff --no-edit {HOTFIX}", f"git branch -D {HOTFIX}",
        "git push --atomic origin refs/heads/main refs/heads/develop refs/tags/v1.2.4",
    ]


# -- conflicts: --continue and --abort ---------------------------------------------------------------

def test_a_conflict_into_production_stops_then_continue_finishes(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "main")
    proc = finish(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (project.path / ".git" / "MERGE_HEAD").exists()
    assert (project.path / RECORD).exists()
    stopped = [line for line in proc.stdout.splitlines() if line.startswith("stopped: ")]
    assert len(stopped) == 1 and "finish --continue" in stopped[0], proc.stdout
    assert "conflict merging" in proc.stdout and "src/app.py" in proc.stdout
    early = finish(project, "--continue")
    assert_clean_error(early, "the merge is still in progress")
    project.write("src/app.py", FIXED := "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 'main'\n")
    project.git("add", "src/app.py")
    project.git("commit", "-q", "--no-edit")
    proc = finish(project, "--continue")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "done already (by you): main is now" in proc.stdout
    assert project.sha("v1.2.4^{commit}") == project.sha("main")
    assert (project.path / "src" / "app.py").read_text() != FIXED  # on develop now
    assert project.git("branch", "--show-current") == "develop"
    assert project.git("branch", "--list", HOTFIX) == ""
    assert run_cli("audit", cwd=project.path).returncode == 0


def test_a_conflict_into_production_then_abort_restores_every_ref(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "main")
    before = state(project)
    assert finish(project).returncode == 1
    proc = finish(project, "--abort")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert state(project) == before
    assert not (project.path / ".git" / "MERGE_HEAD").exists() and not (project.path / RECORD).exists()
    assert project.git("status", "--porcelain") == ""


def test_a_conflict_into_development_then_continue(project: Repo) -> None:
    tip = clean_hotfix(project)
    conflict_on(project, "develop")
    proc = finish(project)
    assert proc.returncode == 1 and "into develop" in proc.stdout, proc.stdout
    assert project.sha("v1.2.4^{commit}") == project.sha("main")  # the steps before it stand
    project.write("src/app.py", "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 'develop'\n")
    project.git("add", "src/app.py")
    project.git("commit", "-q", "--no-edit")
    assert finish(project, "--continue").returncode == 0
    assert project.git("merge-base", "--is-ancestor", tip, "develop", check=False) == ""
    assert project.git("branch", "--list", HOTFIX) == ""


def test_a_conflict_into_development_then_abort_undoes_the_merge_and_the_tag(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "develop")
    before = state(project)
    assert finish(project).returncode == 1
    proc = finish(project, "--abort")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert state(project) == before
    assert "refs/tags/v1.2.4" not in project.git("for-each-ref")


def test_abort_after_the_user_committed_the_merge_undoes_it_too(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "develop")
    before = state(project)
    assert finish(project).returncode == 1
    project.write("src/app.py", "resolved\n")
    project.git("commit", "-q", "-a", "--no-edit")
    assert finish(project, "--abort").returncode == 0
    assert state(project) == before


# -- other stops ------------------------------------------------------------------------------------

def test_a_hook_that_rejects_the_merge_is_a_clean_stop(project: Repo) -> None:
    clean_hotfix(project)
    hook(project, "pre-merge-commit", "echo 'no merges on Fridays' >&2\nexit 1\n")
    before = state(project)
    proc = finish(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no merges on Fridays" in proc.stdout and "stopped: " in proc.stdout
    (project.path / ".git" / "hooks" / "pre-merge-commit").unlink()
    project.git("merge", "--abort")
    proc = finish(project, "--continue")  # the merge is run again
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert project.sha("v1.2.4^{commit}") == project.sha("main") != before[0]


def test_a_tag_made_meanwhile_stops_and_abort_leaves_it_alone(project: Repo) -> None:
    clean_hotfix(project)
    before = state(project)
    # someone tags v1.2.4 elsewhere the moment the merge into main is made
    hook(project, "post-merge", "git tag -a v1.2.4 -m other develop 2>/dev/null\nexit 0\n")
    proc = finish(project)
    assert proc.returncode == 1 and "tag v1.2.4 already exists" in proc.stdout, proc.stdout
    (project.path / ".git" / "hooks" / "post-merge").unlink()
    foreign = project.git("rev-parse", "v1.2.4")
    assert finish(project, "--abort").returncode == 0
    refs, head = state(project)
    assert head == before[1]
    assert refs.splitlines() == sorted(before[0].splitlines() + [f"refs/tags/v1.2.4 {foreign}"])


def test_a_tag_made_meanwhile_deleted_then_continue(project: Repo) -> None:
    clean_hotfix(project)
    hook(project, "post-merge", "git tag -a v1.2.4 -m other develop 2>/dev/null\nexit 0\n")
    assert finish(project).returncode == 1
    (project.path / ".git" / "hooks" / "post-merge").unlink()
    project.git("tag", "-d", "v1.2.4")
    assert finish(project, "--continue").returncode == 0
    assert project.sha("v1.2.4^{commit}") == project.sha("main")


def test_a_branch_moved_meanwhile_stops_and_abort_leaves_it(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "main")
    before = state(project)
    assert finish(project).returncode == 1
    project.write("src/app.py", "resolved\n")
    project.git("commit", "-q", "-a", "--no-edit")
    moved = project.git("commit-tree", "-p", "develop", "-m", "Someone else's work", "develop^{tree}")
    project.git("update-ref", "refs/heads/develop", moved)
    proc = finish(project, "--continue")
    assert proc.returncode == 1 and "develop moved while finish was under way" in proc.stdout, proc.stdout
    proc = finish(project, "--abort")
    assert proc.returncode == 0 and "left refs/heads/develop alone" in proc.stdout, proc.stdout
    assert state(project)[0] == before[0].replace(before_develop := _ref(before[0], "refs/heads/develop"), moved)
    assert before_develop != moved


def _ref(refs: str, name: str) -> str:
    return next(line.split()[1] for line in refs.splitlines() if line.split()[0] == name)


def test_continue_or_abort_with_nothing_under_way(project: Repo) -> None:
    for flag in ("--continue", "--abort"):
        assert_clean_error(finish(project, flag), "no finish is under way")


def test_a_second_finish_while_one_is_stopped_refuses(project: Repo) -> None:
    clean_hotfix(project)
    conflict_on(project, "main")
    assert finish(project).returncode == 1
    project.git("merge", "--abort")
    assert_clean_error(finish(project, HOTFIX), "a finish of", "under way")


def test_continue_takes_no_other_options(project: Repo) -> None:
    assert_clean_error(finish(project, "--continue", "--push"), "--continue takes no --push")


def test_the_record_is_in_the_git_dir_before_the_first_step(project: Repo) -> None:
    clean_hotfix(project)
    main = project.sha("main")
    hook(project, "pre-merge-commit", "exit 1\n")
    assert finish(project).returncode == 1
    record = json.loads((project.path / RECORD).read_text())
    assert record["before"]["refs/heads/main"] == main
    assert record["before"]["refs/tags/v1.2.4"] is None
    assert record["done"] == 0
    assert "hotfix-guard-finish" not in project.git("status", "--porcelain", "--ignored", "-uall")


# -- --push -----------------------------------------------------------------------------------------

def test_push_sends_production_development_and_the_tag(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    clean_hotfix(project)
    proc = finish(project, "--push")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pushed = remote_refs(bare)
    assert f"refs/heads/main {project.sha('main')}" in pushed
    assert f"refs/heads/develop {project.sha('develop')}" in pushed
    assert f"refs/tags/v1.2.4 {project.git('rev-parse', 'v1.2.4')}" in pushed


def test_without_push_nothing_is_pushed(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    clean_hotfix(project)
    before = remote_refs(bare)
    assert finish(project).returncode == 0
    assert remote_refs(bare) == before


def test_push_is_atomic_a_rejected_ref_pushes_nothing(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    clean_hotfix(project)
    hook(bare, "pre-receive", "while read old new ref; do\n"
                              "  case $ref in refs/tags/*) echo \"tags need a review\" >&2; exit 1;; esac\n"
                              "done\nexit 0\n")
    before = remote_refs(bare)
    proc = finish(project, "--push")
    assert proc.returncode == 1 and "nothing was pushed" in proc.stdout, proc.stdout
    assert remote_refs(bare) == before
    assert (project.path / RECORD).exists()
    (bare / "hooks" / "pre-receive").unlink()
    proc = finish(project, "--continue")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "refs/tags/v1.2.4" in remote_refs(bare)


def test_abort_after_a_rejected_push_restores_the_local_refs(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    clean_hotfix(project)
    hook(bare, "pre-receive", "exit 1\n")
    before = state(project)
    assert finish(project, "--push").returncode == 1
    assert finish(project, "--abort").returncode == 0
    assert state(project) == before


def test_an_unchecked_hotfix_branch_from_the_fixture_is_refused_for_its_warnings_only_if_errors(project: Repo) -> None:
    """Warnings (no test touched, no ticket) do not stop a finish; they are shown."""
    hotfix_from_main(project)
    proc = finish(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HG010 [warning]" in proc.stdout


# -- workflows (hotfix_guard.workflow) -----------------------------------------------------------

def test_github_flow_has_no_merge_back_and_leaves_you_on_main(project: Repo) -> None:
    (project.path / ".hotfix-guard.toml").write_text('workflow = "github-flow"\n')
    develop = project.sha("develop")
    tip = clean_hotfix(project)
    proc = finish(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no merge-back (github-flow has no merge-back target" in proc.stdout
    assert project.sha("v1.2.4^{commit}") == project.sha("main")
    assert project.git("merge-base", "--is-ancestor", tip, "main", check=False) == ""
    assert project.sha("develop") == develop
    assert project.git("branch", "--show-current") == "main"


def release_line(repo: Repo) -> None:
    """main at v1.2.0 with develop beside it, and the older line support/1.1 at v1.1.4."""
    repo.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n"})
    repo.tag("v1.1.4")
    repo.branch("support/1.1")
    repo.commit("Next minor", {"src/other.py": "X = 1\n"})
    repo.tag("v1.2.0")
    repo.branch("develop")


def line_hotfix(repo: Repo) -> str:
    """A clean hotfix of the 1.1 line, v1.1.5: its tip."""
    repo.checkout("hotfix/v1.1.5-fix-crash", new=True, start="support/1.1")
    tip = repo.commit("Fix crash\n\nFollow-up: PAY-1", {
        "src/app.py": "def main():\n    # HOTFIX v1.1.5: guard the crash\n    return 0\n",
        "tests/test_app.py": "def test_main():\n    assert True\n"})
    return tip


def test_a_release_line_hotfix_lands_and_is_tagged_on_the_line(repo: Repo) -> None:
    release_line(repo)
    develop, main = repo.sha("develop"), repo.sha("main")
    tip = line_hotfix(repo)
    proc = finish(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert repo.sha("v1.1.5^{commit}") == repo.sha("support/1.1")
    assert repo.git("merge-base", "--is-ancestor", tip, "support/1.1", check=False) == ""
    assert (repo.sha("main"), repo.sha("develop")) == (main, develop)  # forward-port is off
    assert repo.git("branch", "--show-current") == "support/1.1"


def test_gitlab_flow_lands_on_production_and_merges_back_into_main(repo: Repo) -> None:
    repo.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n"})
    repo.tag("v1.2.3")
    repo.branch("production")
    repo.commit("Work on main, not deployed yet", {"src/other.py": "X = 1\n"})
    (repo.path / ".hotfix-guard.toml").write_text('workflow = "gitlab-flow"\n')
    repo.checkout(HOTFIX, new=True, start="production")
    tip = repo.commit("Fix payment crash\n\nFollow-up: PAY-1", {
        "src/app.py": "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n",
        "tests/test_app.py": "def test_main():\n    assert True\n"})
    proc = finish(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert repo.sha("v1.2.4^{commit}") == repo.sha("production")
    assert repo.git("merge-base", "--is-ancestor", tip, "main", check=False) == ""
    assert repo.git("branch", "--show-current") == "main"


def test_a_release_line_with_forward_port_goes_on_into_development(repo: Repo) -> None:
    release_line(repo)
    main = repo.sha("main")
    (repo.path / ".hotfix-guard.toml").write_text("forward-port = true\n")
    tip = line_hotfix(repo)
    proc = finish(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert repo.sha("v1.1.5^{commit}") == repo.sha("support/1.1")
    assert repo.git("merge-base", "--is-ancestor", tip, "develop", check=False) == ""
    assert repo.sha("main") == main  # the line's fix goes into development, not production


def test_push_without_a_remote_refuses(project: Repo) -> None:
    clean_hotfix(project)
    refused(project, ["--push"], 2, "--push: there is no remote 'origin'")
