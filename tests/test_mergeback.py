"""HG008 merged-into-both and HG009 hotfix-tagged, through `check`, on real repositories."""

from __future__ import annotations

import subprocess

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli
from mergeback_helpers import HOTFIX, audit_json, by_name, check, codes, landed, merge_into

from hotfix_guard.history.hotfixes import branch_in_message, version_in_message

# -- HG008 ------------------------------------------------------------------------------------


def test_merged_into_production_only_names_the_missing_merge(project: Repo) -> None:
    landed(project)
    tip = project.sha(HOTFIX)
    rc, findings, _ = check(project)
    assert rc == 1
    [f] = findings
    assert f["code"] == "HG008"
    assert f["ref"] == HOTFIX
    assert f["message"] == (
        f"{HOTFIX} ({tip[:7]}) reached main but not develop: "
        f"run `git checkout develop && git merge --no-ff {HOTFIX}`"
    )
    assert "git push origin develop" in f["help"]


def test_check_on_develop_reports_it_too(project: Repo) -> None:
    landed(project)
    rc, findings, _ = check(project, branch="develop")
    assert rc == 1
    assert codes(findings) == ["HG008"]


def test_merged_into_both_is_clean(project: Repo) -> None:
    landed(project, develop=True, delete=True)
    assert check(project)[:2] == (0, [])
    assert check(project, branch="develop")[:2] == (0, [])


def test_main_merged_into_develop_counts(project: Repo) -> None:
    landed(project)
    project.checkout("develop")
    project.merge("main", message="Merge branch 'main' into develop")
    assert check(project)[:2] == (0, [])


def test_branch_deleted_suggests_merging_the_commit(project: Repo) -> None:
    landed(project, delete=True)
    tip = project.git("rev-parse", "main^2")
    [f] = check(project)[1]
    assert f["message"].endswith(f"run `git checkout develop && git merge --no-ff {tip[:7]}`")


def test_remote_only_branch_suggests_the_remote_ref(project: Repo, tmp_path) -> None:
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    landed(project)
    project.git("push", "-q", "origin", HOTFIX)
    project.git("branch", "-D", HOTFIX)
    [f] = check(project)[1]
    assert f"git merge --no-ff origin/{HOTFIX}`" in f["message"]


def test_open_release_branch_counts_instead_of_develop(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    landed(project)
    rc, findings, _ = check(project)
    [f] = findings
    assert "reached main but neither develop nor the open release branch release/1.3.0" in f["message"]
    assert f"git checkout release/1.3.0 && git merge --no-ff {HOTFIX}" in f["message"]
    merge_into(project, "release/1.3.0")
    assert check(project)[:2] == (0, [])
    assert check(project, branch="develop")[:2] == (0, [])


def test_finished_release_branch_is_not_open(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    project.checkout("main")
    project.merge("release/1.3.0", message="Merge branch 'release/1.3.0'")
    project.tag("v1.3.0")
    hotfix_from_main(project, "hotfix/v1.3.1-fix-login")
    merge_into(project, "main", "hotfix/v1.3.1-fix-login")
    project.tag("v1.3.1")
    rc, findings, _ = check(project)
    [f] = findings
    assert "reached main but not develop" in f["message"]


def test_squash_merged_into_develop(project: Repo) -> None:
    hotfix_from_main(project)
    project.commit("Guard the other path", {"src/pay.py": "# HOTFIX v1.2.4: other path\n"})
    merge_into(project, "main")
    project.tag("v1.2.4")
    project.checkout("develop")
    project.git("merge", "--squash", HOTFIX)
    project.git("commit", "-q", "-m", "Hotfix v1.2.4 (squashed)")
    project.git("branch", "-D", HOTFIX)
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    assert by_name(data, HOTFIX)["development"]["how"] == "squash"


@pytest.mark.parametrize("x", [True, False], ids=["with-x", "without-x"])
def test_cherry_picked_into_develop(project: Repo, x: bool) -> None:
    fix = hotfix_from_main(project)
    merge_into(project, "main")
    project.tag("v1.2.4")
    project.checkout("develop")
    project.git("cherry-pick", *(["-x"] if x else []), fix)
    project.git("branch", "-D", HOTFIX)
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    assert by_name(data, HOTFIX)["development"]["how"] == "cherry-pick"


def test_cherry_pick_with_conflict_resolution_is_recognised_by_its_x_line(project: Repo) -> None:
    fix = hotfix_from_main(project)
    merge_into(project, "main")
    project.tag("v1.2.4")
    project.checkout("develop")
    project.commit("Develop reworks the app", {"src/app.py": "def main():\n    return 1\n"})
    # the copy differs from the original (resolved differently), but names it
    project.commit(f"Fix payment crash on empty amount\n\n(cherry picked from commit {fix})",
                   {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 1\n"})
    assert check(project)[:2] == (0, [])


def test_partly_cherry_picked_says_what_is_missing(project: Repo) -> None:
    first = hotfix_from_main(project)
    second = project.commit("Guard the other path", {"src/pay.py": "# HOTFIX v1.2.4: other path\n"})
    merge_into(project, "main")
    project.tag("v1.2.4")
    project.checkout("develop")
    project.git("cherry-pick", first)
    project.git("branch", "-D", HOTFIX)
    [f] = check(project)[1]
    assert "only 1 of its 2 commits are in develop" in f["message"]
    assert f"git cherry-pick -x {second[:7]}`" in f["message"]


def test_fast_forward_into_main(project: Repo) -> None:
    hotfix_from_main(project)
    merge_into(project, "main", ff=True)
    project.tag("v1.2.4")
    rc, findings, _ = check(project)
    [f] = findings
    assert f"git merge --no-ff {HOTFIX}`" in f["message"]
    merge_into(project, "develop")
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    assert by_name(data, HOTFIX)["production"]["how"] == "fast-forward"


def test_fast_forward_then_branch_deleted_is_found_by_its_tag(project: Repo) -> None:
    fix = hotfix_from_main(project)
    merge_into(project, "main", ff=True)
    project.tag("v1.2.4")
    project.git("branch", "-D", HOTFIX)
    [f] = check(project)[1]
    assert f["ref"] == "v1.2.4"
    assert f["message"] == (f"v1.2.4 ({fix[:7]}) reached main but not develop: "
                            f"run `git checkout develop && git cherry-pick -x {fix[:7]}`")


def test_rebase_merged_into_main(project: Repo) -> None:
    """GitHub's "rebase and merge": new commits on main, no merge, branch deleted."""
    hotfix_from_main(project)
    project.commit("Guard the other path", {"src/pay.py": "# HOTFIX v1.2.4: other path\n"})
    merge_into(project, "develop")  # develop took the original commits
    project.checkout("main")
    project.commit("Unrelated production fix", {"README.md": "# app!\n"})
    project.checkout(HOTFIX)
    project.git("rebase", "-q", "main")
    project.checkout("main")
    project.merge(HOTFIX, ff=True)
    project.tag("v1.2.4")
    project.git("branch", "-D", HOTFIX)
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    # known by its merge into develop, which names it; production has its rebased copies
    h = by_name(data, HOTFIX)
    assert h["found_by"] == ["merge", "squash", "tag"]
    assert h["production"]["how"] == "commit" and h["tag"]["state"] == "ok"
    assert h["development"]["how"] == "merge"
    assert [x["name"] for x in data["hotfixes"]] == ["v1.2.3", HOTFIX]


def test_rebase_merged_into_develop(project: Repo) -> None:
    landed(project)
    project.checkout("copy", new=True, start=HOTFIX)
    project.git("rebase", "-q", "develop")
    project.checkout("develop")
    project.merge("copy", ff=True)
    project.git("branch", "-D", "copy", HOTFIX)
    assert check(project)[:2] == (0, [])


def test_squash_merged_into_main_with_branch_kept(project: Repo) -> None:
    hotfix_from_main(project)
    project.commit("Guard the other path", {"src/pay.py": "# HOTFIX v1.2.4: other path\n"})
    project.checkout("main")
    project.git("merge", "--squash", HOTFIX)
    project.git("commit", "-q", "-m", "Fix payment crash (#12)")
    project.tag("v1.2.4")
    rc, findings, _ = check(project)
    [f] = findings  # not in develop yet
    assert f["code"] == "HG008" and f["ref"] == HOTFIX
    merge_into(project, "develop")
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    h = by_name(data, HOTFIX)
    assert h["production"]["how"] == "squash"
    assert h["development"]["how"] == "merge"


def test_merge_message_forms(project: Repo) -> None:
    hotfix_from_main(project)
    merge_into(project, "main", message=f"Merge pull request #12 from acme/{HOTFIX}\n\nFix the crash")
    project.tag("v1.2.4")
    project.git("branch", "-D", HOTFIX)
    [f] = check(project)[1]
    assert f["ref"] == HOTFIX


# -- HG009 ------------------------------------------------------------------------------------


def test_merged_but_untagged(project: Repo) -> None:
    merge = landed(project, tag=None, develop=True)
    rc, findings, _ = check(project)
    [f] = findings
    assert f["code"] == "HG009"
    assert f["message"] == (f"{HOTFIX} reached main at {merge[:7]} but is not tagged: there is no tag v1.2.4: "
                            f"run `git tag -a v1.2.4 {merge[:7]} -m \"Hotfix v1.2.4\" && git push origin v1.2.4`")


def test_lightweight_tag(project: Repo) -> None:
    merge = landed(project, tag="lightweight", develop=True)
    [f] = check(project)[1]
    assert f["code"] == "HG009"
    assert "tag v1.2.4 is a lightweight tag; release tags are annotated" in f["message"]
    assert f"git tag -a -f v1.2.4 {merge[:7]}" in f["message"]


def test_tag_on_a_commit_that_does_not_contain_the_hotfix(project: Repo) -> None:
    landed(project, tag=None, develop=True)
    before = project.git("rev-parse", "main^1")
    project.tag("v1.2.4", before)
    [f] = check(project)[1]
    assert f["code"] == "HG009"
    assert f"tag v1.2.4 is on {before[:7]}, which does not contain {HOTFIX}" in f["message"]


def test_tag_off_production(project: Repo) -> None:
    landed(project, tag=None, develop=True)
    project.tag("v1.2.4", "develop~1")
    [f] = check(project)[1]
    assert "which is not on main" in f["message"]


def test_tag_on_the_hotfix_tip_before_the_merge_is_fine(project: Repo) -> None:
    """The workflow tags, deploys, then merges: the tag is on the branch's tip."""
    hotfix_from_main(project)
    project.tag("v1.2.4")
    merge_into(project, "main")
    merge_into(project, "develop")
    assert check(project)[:2] == (0, [])


def test_tag_on_a_hotfix_commit_before_its_last(project: Repo) -> None:
    hotfix_from_main(project)
    project.tag("v1.2.4")
    project.commit("One more guard", {"src/pay.py": "# HOTFIX v1.2.4: more\n"})
    merge_into(project, "main")
    merge_into(project, "develop")
    [f] = check(project)[1]
    assert "which does not contain" in f["message"]


def test_hotfix_without_version_in_its_name(project: Repo) -> None:
    hotfix_from_main(project, "hotfix/fix-crash")
    merge_into(project, "main", "hotfix/fix-crash")
    merge_into(project, "develop", "hotfix/fix-crash")
    [f] = check(project)[1]
    assert f["code"] == "HG009" and "names no version" in f["message"]


def test_version_from_the_merge_message(project: Repo) -> None:
    hotfix_from_main(project, "hotfix/fix-crash")
    merge_into(project, "main", "hotfix/fix-crash", message="Merge branch 'hotfix/fix-crash' (v1.2.4)")
    project.tag("v1.2.4")
    merge_into(project, "develop", "hotfix/fix-crash")
    assert check(project)[:2] == (0, [])


# -- which hotfixes `check` judges ------------------------------------------------------------


def test_range_judges_the_hotfixes_landed_in_it(project: Repo) -> None:
    before = project.sha("main")
    merge = landed(project)
    assert codes(check(project, "--base", before)[1]) == ["HG008"]
    project.commit("Later production commit", {"README.md": "later\n"})
    assert check(project, "--base", merge)[:2] == (0, [])  # the push adds no hotfix


def test_hotfixes_before_the_latest_release_are_left_to_audit(project: Repo) -> None:
    landed(project)  # never merged into develop
    project.checkout("main")
    project.merge("develop", message="Merge branch 'release/1.3.0'")
    project.tag("v1.3.0")
    assert check(project)[:2] == (0, [])
    rc, data = audit_json(project)
    assert rc == 1 and [f["code"] for f in data["findings"]] == ["HG008"]


def test_pre_push_of_main_uses_local_develop(project: Repo) -> None:
    landed(project)
    main = project.sha("main")
    line = f"refs/heads/main {main} refs/heads/main {'0' * 40}\n"
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", cwd=project.path, input=line)
    assert proc.returncode == 1 and "HG008" in proc.stdout
    merge_into(project, "develop")
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", cwd=project.path, input=line)
    assert proc.returncode == 0, proc.stdout


def test_not_at_pre_commit(project: Repo) -> None:
    landed(project)
    proc = run_cli("check", "--stage", "pre-commit", cwd=project.path)
    assert proc.returncode == 0 and "not on each commit" in proc.stdout


def test_not_on_hotfix_branches(project: Repo) -> None:
    landed(project)
    project.checkout(HOTFIX)
    proc = run_cli("check", "--format", "json", "--select", "HG008,HG009", cwd=project.path)
    assert proc.returncode == 0 and '"findings": []' in proc.stdout


def test_no_development_branch_skips_hg008(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    repo.tag("v1.0.0")
    hotfix_from_main(repo, "hotfix/v1.0.1-fix")
    merge_into(repo, "main", "hotfix/v1.0.1-fix")
    repo.tag("v1.0.1")
    rc, findings, data = check(repo)
    assert (rc, findings) == (0, [])
    assert [s["code"] for s in data["skipped"]] == ["HG008"]


def test_check_never_writes(project: Repo) -> None:
    landed(project)
    before = project.git("for-each-ref")
    status = project.git("status", "--porcelain")
    check(project)
    check(project, branch="develop")
    run_cli("audit", cwd=project.path)
    assert project.git("for-each-ref") == before
    assert project.git("status", "--porcelain") == status


# -- merge messages ---------------------------------------------------------------------------


@pytest.mark.parametrize("subject, branch", [
    ("Merge branch 'hotfix/v1.2.4-fix-crash'", "hotfix/v1.2.4-fix-crash"),
    ("Merge branch 'hotfix/v1.2.4-fix-crash' into 'main'", "hotfix/v1.2.4-fix-crash"),
    ("Merge branch 'hotfix/v1.2.4-fix-crash' into main", "hotfix/v1.2.4-fix-crash"),
    ("Merge pull request #12 from acme/hotfix/v1.2.4-fix-crash", "hotfix/v1.2.4-fix-crash"),
    ("Merge remote-tracking branch 'origin/hotfix/v1.2.4-fix-crash'", "hotfix/v1.2.4-fix-crash"),
    ("Merged in hotfix/v1.2.4-fix-crash (pull request #5)", "hotfix/v1.2.4-fix-crash"),
    ("Merge hotfix/v1.2.4-fix-crash", "hotfix/v1.2.4-fix-crash"),
    ("Merge branch 'main' into hotfix/v1.2.4-fix-crash", None),
    ("Merge branch 'main' into 'hotfix/v1.2.4-fix-crash'", None),
    ("Merge branch 'release/1.3.0'", None),
    ("Merge branch 'myhotfix/v1'", None),
])
def test_branch_in_message(subject: str, branch: str | None) -> None:
    assert branch_in_message(subject, "hotfix/") == branch


def test_version_in_message() -> None:
    assert str(version_in_message("Merge branch 'hotfix/fix' (v1.2.4)", "v")) == "1.2.4"
    assert version_in_message("Merge branch 'hotfix/fix' (v1.2.4-rc1)", "v") is None
    assert version_in_message("no version here", "v") is None


def test_rules_are_listed_and_documented(tmp_path) -> None:
    proc = run_cli("explain", "HG008", cwd=tmp_path)
    assert proc.returncode == 0
    for section in ("## What it does", "## Why", "## Example", "## How to fix"):
        assert section in proc.stdout
    assert "(not documented)" not in proc.stdout
    assert "Runs on: development, production branches; stages: pre-push, ci, manual" in proc.stdout
    assert "(not documented)" not in run_cli("explain", "hotfix-tagged", cwd=tmp_path).stdout


def test_a_fresh_hotfix_branch_is_not_taken_for_landed(project: Repo) -> None:
    landed(project, develop=True, delete=True)
    project.checkout("hotfix/v1.2.5-fix-login", new=True, start="main")  # main ends on a merge
    project.checkout("hotfix/v1.2.6-fix-search", new=True, start="v1.2.4")
    project.checkout("hotfix/v1.2.7-fix-cart", new=True, start="v1.2.3")  # a plain tagged commit
    project.checkout("main")
    assert check(project)[:2] == (0, [])
    _, data = audit_json(project)
    for name in ("hotfix/v1.2.5-fix-login", "hotfix/v1.2.6-fix-search", "hotfix/v1.2.7-fix-cart"):
        assert by_name(data, name)["production"] is None


def test_a_copy_from_before_the_latest_release_still_counts(project: Repo) -> None:
    """check reads history after the latest X.Y.0 release first; a cherry-pick into
    develop that the release already carried must still clear the hotfix."""
    fix = hotfix_from_main(project)
    project.checkout("develop")
    project.git("cherry-pick", fix)
    project.checkout("main")
    project.merge("develop", message="Merge branch 'release/1.3.0'")
    project.tag("v1.3.0")
    merge_into(project, "main")  # the hotfix reaches main only after the release
    project.tag("v1.2.4")
    assert check(project)[:2] == (0, [])
    assert check(project, branch="develop")[:2] == (0, [])


def test_shallow_clone_is_no_false_alarm(project: Repo, tmp_path) -> None:
    landed(project, develop=True)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{project.path}",
                    str(clone)], check=True)
    proc = run_cli("check", "--branch", "main", "--select", "HG008,HG009", cwd=clone)
    if proc.returncode != 0:  # could not see the merge into develop: say so, never flag it
        assert_clean_error(proc, "shallow")
