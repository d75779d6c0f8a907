"""Where a hotfix comes from (HG001, SPEC §7 "HG001, refined"), and which production and
development it is judged against (stale and diverged local branches, replays)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"
FIX = {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n"}


def check(r: Repo, *args: str, cwd: Path | None = None, input: str | None = None) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", *args, cwd=cwd or r.path, input=input)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def hg001(r: Repo, *args: str) -> list[dict]:
    _, data = check(r, "--select", "HG001", *args)
    return [f for f in data["findings"] if f["code"] == "HG001"]


def with_remote(r: Repo, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    r.git("init", "-q", "--bare", str(bare))
    r.git("remote", "add", "origin", str(bare))
    r.git("push", "-q", "origin", "main", "develop", "--tags")
    return bare


def colleague(bare: Path, tmp_path: Path, branch: str) -> Repo:
    """Another clone of the remote, on ``branch``: what a colleague pushes."""
    path = tmp_path / "colleague"
    Repo(tmp_path).git("clone", "-q", "-b", branch, str(bare), str(path))
    return Repo(path)


# -- the shapes of the refined definition ------------------------------------------------


def test_hotfix_cut_from_a_feature_branch_develop_merged_with_no_ff_is_flagged(project: Repo) -> None:
    project.checkout("feature/loyalty", new=True, start="main")
    project.commit("Add loyalty tiers", {"src/tiers.py": "TIERS = 3\n"})
    project.commit("Tune loyalty tiers", {"src/tiers.py": "TIERS = 4\n"})
    project.checkout("develop")
    merge = project.merge("feature/loyalty", message="Merge branch 'feature/loyalty' into develop")
    project.checkout(HOTFIX, new=True, start="feature/loyalty")
    project.commit("Fix payment crash", FIX)
    [f] = hg001(project)
    assert "cut from a branch develop merged" in f["message"]
    assert "2 commits develop got by merging 'feature/loyalty'" in f["message"]
    assert merge[:10] in f["message"]
    assert f["help"] == f"move your commits onto main: git rebase --onto main {project.sha('feature/loyalty')[:10]} {HOTFIX}"


def test_hotfix_cut_from_a_feature_merged_by_pull_request_is_flagged(project: Repo) -> None:
    project.checkout("feature/tiers", new=True, start="main")
    project.commit("Add loyalty tiers", {"src/tiers.py": "TIERS = 3\n"})
    project.checkout("develop")
    project.merge("feature/tiers", message="Merge pull request #7 from acme/feature/tiers\n\nTiers")
    project.checkout(HOTFIX, new=True, start="feature/tiers")
    project.commit("Fix payment crash", FIX)
    [f] = hg001(project)
    assert "merging 'feature/tiers'" in f["message"]


def test_develop_commit_cherry_picked_with_x_is_flagged(project: Repo) -> None:
    hotfix_from_main(project)
    loyalty = project.sha("develop~1")
    project.git("cherry-pick", "-x", loyalty)
    [f] = hg001(project)
    assert "is a copy of develop's own" in f["message"] and "(cherry picked from it)" in f["message"]
    assert loyalty[:10] in f["message"]
    assert f["ref"] == project.sha()


def test_develop_commit_cherry_picked_without_x_is_flagged_by_patch_id(project: Repo) -> None:
    hotfix_from_main(project)
    project.git("cherry-pick", project.sha("develop"))
    [f] = hg001(project)
    assert "is a copy of develop's own" in f["message"] and "(the same patch)" in f["message"]


def test_the_hotfix_fix_cherry_picked_into_develop_does_not_make_the_hotfix_a_copy(project: Repo) -> None:
    fix = hotfix_from_main(project)
    project.checkout("develop")
    project.git("cherry-pick", fix)  # develop gets a copy of the fix, without -x: the older one is the fix
    project.checkout(HOTFIX)
    assert hg001(project) == []


def test_after_a_fast_forward_into_develop_the_next_commit_is_not_flagged(project: Repo, tmp_path: Path) -> None:
    """develop had nothing of its own: merging the hotfix fast-forwards it. The fix is
    on develop's first-parent line now; it is still the hotfix's own."""
    project.git("branch", "-f", "develop", "main")
    hotfix_from_main(project)
    project.checkout("develop")
    project.git("merge", "-q", "--ff-only", HOTFIX)
    project.checkout(HOTFIX)
    project.commit("Guard the retry too", {"src/app.py": FIX["src/app.py"] + "# HOTFIX v1.2.4: retry\n"})
    assert hg001(project) == []
    # In a clone there is no reflog of the branch: the fix's own marker says whose it is.
    clone = tmp_path / "clone"
    project.git("clone", "-q", "--no-local", str(project.path), str(clone))
    c = Repo(clone)
    c.git("branch", "-q", "develop", "origin/develop")
    c.git("checkout", "-q", HOTFIX)
    assert hg001(c) == []


def test_after_a_fast_forward_the_help_never_rebases_the_fix_away(project: Repo) -> None:
    """Without a marker and without a reflog nothing says the fix is the hotfix's own, and
    HG001 fires; its help must still not offer `rebase --onto main <the fix>`."""
    project.checkout("develop")
    project.commit("Feature after the release", {"src/feat.py": "F = 1\n"})
    project.checkout(HOTFIX, new=True, start="develop")
    project.commit("Fix one", {"src/app.py": "x = 1\n"})
    project.checkout("develop")
    project.merge(HOTFIX, message="Merge fix into develop")  # a subject that names nothing
    project.checkout(HOTFIX)
    project.commit("Fix two", {"src/app.py": "x = 2\n"})
    [f] = hg001(project)
    fix_one = project.sha("HEAD~1")
    assert f"rebase --onto main {fix_one[:10]}" not in f["help"]


def test_hotfix_merged_into_develop_by_pull_request_is_not_flagged(project: Repo) -> None:
    hotfix_from_main(project)
    project.checkout("develop")
    project.merge(HOTFIX, message=f"Merge pull request #9 from acme/{HOTFIX}")
    project.checkout(HOTFIX)
    project.commit("Second fix", {"src/app.py": FIX["src/app.py"] + "# HOTFIX v1.2.4: more\n"})
    assert hg001(project) == []


def test_interleaved_development_commits_get_a_cherry_pick_help_not_a_rebase(project: Repo) -> None:
    hotfix_from_main(project)
    mine = project.sha()
    project.merge("develop", message="Merge branch 'develop' into hotfix")
    project.commit("Second fix", {"src/app.py": "y = 1\n"})
    [f] = hg001(project)
    assert "develop was merged into this hotfix" in f["message"]
    assert "git cherry-pick" in f["help"] and mine[:10] in f["help"]
    assert "rebase --onto" not in f["help"]


def test_files_only_development_commits_touch_are_not_judged_again(project: Repo) -> None:
    """One cause, one finding: develop's src/loyalty.py and src/page.py get no HG005 or
    HG011 of their own; HG001 names them. The hotfix's own file is still judged."""
    project.checkout(HOTFIX, new=True, start="develop")
    project.commit("Fix payment crash", {"src/app.py": "def main():\n    return 1\n"})
    rc, data = check(project)
    by_path: dict[str | None, set[str]] = {}
    for f in data["findings"]:
        by_path.setdefault(f["path"], set()).add(f["code"])
    assert "src/loyalty.py" not in by_path and "src/page.py" not in by_path
    assert "HG005" in by_path["src/app.py"]
    [f] = [f for f in data["findings"] if f["code"] == "HG001"]
    assert "src/loyalty.py, src/page.py" in f["message"]


def test_a_development_file_the_hotfix_also_edits_is_judged(project: Repo) -> None:
    project.checkout(HOTFIX, new=True, start="develop")
    project.commit("Fix payment crash", {"src/loyalty.py": "POINTS = 11\n"})
    _, data = check(project)
    assert any(f["code"] == "HG005" and f["path"] == "src/loyalty.py" for f in data["findings"])


# -- replays ---------------------------------------------------------------------------


def test_a_replay_judges_against_the_history_as_it_stood(project: Repo) -> None:
    """The hotfix was cut from develop; production later merged develop. Today's
    production contains develop's commits, but a replay with --base is judged against
    production as it was (the base) and develop as it was when the hotfix was made."""
    base = project.sha("main")
    project.checkout(HOTFIX, new=True, start="develop")
    head = project.commit("Fix payment crash", FIX)
    project.checkout("main")
    project.merge(HOTFIX, message=f"Merge branch '{HOTFIX}'")
    project.checkout("develop")
    project.commit("Later develop work", {"src/later.py": "L = 1\n"})
    project.checkout("main")
    project.merge("develop", message="Merge branch 'release/1.3.0'")  # production caught up with develop
    project.git("branch", "-D", HOTFIX)
    assert hg001(project, "--branch", HOTFIX, "--head", head) == []  # today's production has it all
    [f] = hg001(project, "--branch", HOTFIX, "--base", base, "--head", head)
    assert "cut from develop" in f["message"] and "2 commits" in f["message"]


def test_a_replay_of_a_clean_hotfix_merged_into_develop_later_passes(project: Repo) -> None:
    base = project.sha("main")
    head = hotfix_from_main(project)
    project.checkout("main")
    project.merge(HOTFIX, message=f"Merge branch '{HOTFIX}'")
    project.checkout("develop")
    project.merge(HOTFIX, message=f"Merge branch '{HOTFIX}' into develop")
    assert hg001(project, "--branch", HOTFIX, "--base", base, "--head", head) == []


# -- which production and development: stale and diverged local branches ---------------


def test_local_develop_behind_origin_uses_origin_develop(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = colleague(bare, tmp_path, "develop")
    other.commit("Colleague's feature", {"src/colleague.py": "C = 1\n"})
    other.git("push", "-q", str(bare), "develop")
    project.git("fetch", "-q", "origin")  # local develop is behind origin/develop now
    project.checkout(HOTFIX, new=True, start="origin/develop")
    project.commit("Fix payment crash", FIX)
    [f] = hg001(project)
    assert "cut from develop" in f["message"] and "3 commits" in f["message"]


def test_local_main_behind_origin_after_a_release(project: Repo, tmp_path: Path) -> None:
    """v1.3.0 was released on the remote; local main is stale. A hotfix cut from origin/main
    is right (no HG001, HG003, HG005); v1.2.4 from the stale main is not the next patch."""
    bare = with_remote(project, tmp_path)
    other = colleague(bare, tmp_path, "main")
    other.merge("origin/develop", message="Merge branch 'release/1.3.0'")
    other.tag("v1.3.0")
    other.git("push", "-q", str(bare), "main", "--tags")
    project.git("fetch", "-q", "--tags", "origin")
    project.checkout("hotfix/v1.3.1-fix-payment-crash", new=True, start="origin/main")
    project.commit("Fix payment crash", {"src/app.py": "def main():\n    # HOTFIX v1.3.1: guard\n    return 0\n"})
    _, data = check(project, "--select", "HG001,HG003,HG005")
    assert data["findings"] == []
    project.checkout(HOTFIX, new=True, start="main")
    project.commit("Fix payment crash", FIX)
    _, data = check(project, "--select", "HG001,HG003")
    [f] = data["findings"]
    assert f["code"] == "HG003" and "expected hotfix/v1.3.1-fix-payment-crash" in f["message"]


def diverge_main(project: Repo, tmp_path: Path) -> None:
    bare = with_remote(project, tmp_path)
    other = colleague(bare, tmp_path, "main")
    other.commit("Remote production fix", {"README.md": "# remote\n"})
    other.git("push", "-q", str(bare), "main")
    project.checkout("main")
    project.commit("Local production commit", {"NOTES.md": "local\n"})
    project.git("fetch", "-q", "origin")
    hotfix_from_main(project)


def test_diverged_production_is_refused_by_hand_and_at_pre_commit(project: Repo, tmp_path: Path) -> None:
    diverge_main(project, tmp_path)
    for stage in ("manual", "pre-commit"):
        proc = run_cli("check", "--stage", stage, cwd=project.path)
        assert_clean_error(proc, "production branch main and origin/main have diverged", "git pull --rebase")


def test_diverged_production_is_a_finding_at_pre_push_and_in_ci(project: Repo, tmp_path: Path) -> None:
    diverge_main(project, tmp_path)
    sha = project.sha()
    line = f"refs/heads/{HOTFIX} {sha} refs/heads/{HOTFIX} {'0' * 40}\n"
    for args, stdin in ((["--stage", "pre-push"], line), (["--stage", "ci", "--branch", HOTFIX], None)):
        rc, data = check(project, "--select", "HG001", *args, input=stdin)
        if "refs" in data:
            data = data["refs"][0]
        assert rc == 1
        [f] = data["findings"]
        assert "have diverged" in f["message"] and f["severity"] == "error"


def test_start_refuses_what_check_refuses(project: Repo, tmp_path: Path) -> None:
    diverge_main(project, tmp_path)
    project.checkout("develop")
    proc = run_cli("start", "--allow-parallel", "fix crash", cwd=project.path)
    check_proc = run_cli("check", "--branch", HOTFIX, cwd=project.path)
    assert_clean_error(proc, "production branch main and origin/main have diverged")
    assert proc.stderr.replace("hotfix-guard: error: ", "") == check_proc.stderr.replace("hotfix-guard: error: ", "")


# -- production that resolves nowhere ------------------------------------------------------


@pytest.mark.parametrize("stage", ["pre-commit", "pre-push", "manual", "ci"])
def test_unresolvable_production_on_a_hotfix_is_exit_2_at_every_stage(project: Repo, stage: str) -> None:
    project.write(".hotfix-guard.toml", 'production-branch = "mian"\n')
    hotfix_from_main(project)
    args = ["check", "--stage", stage] + (["--branch", HOTFIX] if stage == "ci" else [])
    proc = run_cli(*args, cwd=project.path, input="" if stage == "pre-push" else None)
    if stage == "ci":  # a CI clone is told how to fetch it
        assert_clean_error(proc, "neither mian nor origin/mian", "production-branch")
    else:
        assert_clean_error(proc, "production branch 'mian'", "production-branch",
                           "branches here: ", "main", "develop")


def test_renamed_production_is_exit_2_naming_the_default(repo: Repo) -> None:
    repo.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    repo.commit("init", {"a.py": "a\n"})
    repo.checkout("hotfix/v1.0.1-fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    assert_clean_error(run_cli("check", cwd=repo.path), "production branch 'main' or 'master'",
                       "the default of `production-branch`", "branches here: ", "trunk")


def test_missing_production_off_hotfix_branches_is_not_an_error(repo: Repo) -> None:
    repo.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    repo.commit("init", {"a.py": "a\n"})
    repo.checkout("feature/x", new=True)
    proc = run_cli("check", cwd=repo.path)
    assert proc.returncode == 0 and "nothing to check" in proc.stdout


if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is needed", allow_module_level=True)


# -- HG003: a version that is taken, and a rule that cannot decide ----------------------


def hg003(r: Repo, *args: str) -> tuple[list[dict], list[dict]]:
    _, data = check(r, "--select", "HG003", *args)
    return data["findings"], data.get("skipped", [])


def test_a_version_whose_tag_exists_off_production_is_taken(project: Repo) -> None:
    """v1.2.4 tags a squash-merged hotfix's own branch, which production cannot reach."""
    project.checkout("hotfix/v1.2.4-old-fix", new=True, start="main")
    project.commit("Old fix", {"src/app.py": "old = 1\n"})
    project.tag("v1.2.4")
    project.checkout("main")
    project.git("merge", "-q", "--squash", "hotfix/v1.2.4-old-fix")
    project.git("commit", "-q", "-m", "Hotfix v1.2.4: old fix (#12)")
    project.git("branch", "-D", "hotfix/v1.2.4-old-fix")
    hotfix_from_main(project)
    [f], _ = hg003(project)
    assert "v1.2.4 is taken: tag v1.2.4 exists on" in f["message"] and "which main does not contain" in f["message"]
    assert f["message"].endswith("expected hotfix/v1.2.5-fix-payment-crash")
    project.git("branch", "-m", "hotfix/v1.2.5-fix-payment-crash")
    assert hg003(project) == ([], [])


def test_a_tag_on_the_hotfix_own_commit_is_its_own_release(project: Repo) -> None:
    hotfix_from_main(project)
    project.tag("v1.2.4")
    assert hg003(project) == ([], [])


@pytest.mark.parametrize("tags", [["1.2.3"], ["release-1.2.3", "1.2.2"]])
def test_tags_without_the_prefix_make_hg003_say_it_is_skipped(repo: Repo, tags: list[str]) -> None:
    repo.commit("init", {"a.py": "a\n"})
    for tag in tags:
        repo.tag(tag)
    repo.branch("develop")
    repo.checkout("hotfix/v1.2.4-fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    findings, [skipped] = hg003(repo)
    assert findings == [] and skipped["code"] == "HG003"
    assert "no tag matches tag-prefix 'v'" in skipped["reason"] and tags[0] in skipped["reason"]
    text = run_cli("check", "--select", "HG003", cwd=repo.path).stdout
    assert "all checks passed" not in text
    assert "no problems found by 0 of 1 rule; 1 rule skipped (HG003)" in text


def test_a_no_tags_clone_makes_hg003_say_it_is_skipped(project: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    project.git("clone", "-q", "--no-tags", "--no-local", str(project.path), str(clone))
    c = Repo(clone)
    c.git("branch", "-q", "develop", "origin/develop")
    hotfix_from_main(c)
    findings, [skipped] = hg003(c)
    assert findings == [] and "--no-tags" in skipped["reason"] and "git fetch --tags" in skipped["reason"]


def test_skipped_rules_are_in_every_format(repo: Repo) -> None:
    repo.commit("init", {"a.py": "a\n"})
    repo.tag("1.2.3")
    repo.branch("develop")
    repo.checkout("hotfix/v1.2.4-fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    out = {fmt: run_cli("check", "--select", "HG003", "--format", fmt, cwd=repo.path).stdout
           for fmt in ("gitlab", "sarif", "junit", "github", "json")}
    [issue] = json.loads(out["gitlab"])
    assert issue["severity"] == "info" and issue["check_name"] == "HG003" and "skipped" in issue["description"]
    assert "HG003 skipped" in out["sarif"]
    assert "<skipped" in out["junit"] and "no tag matches" in out["junit"]
    assert "skipped HG003" in out["github"]
    assert json.loads(out["json"])["skipped"][0]["code"] == "HG003"


def test_the_summary_line_counts_skipped_rules_beside_findings(repo: Repo) -> None:
    repo.commit("init", {"a.py": "a\n"})
    repo.tag("1.2.3")
    repo.branch("develop")
    repo.checkout("hotfix/v1.2.4-Fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    text = run_cli("check", "--select", "HG002,HG003", cwd=repo.path).stdout
    assert text.rstrip().endswith("1 error; 1 rule skipped (HG003) (stage manual)")


# -- HG002: names evidently meant as a hotfix ----------------------------------------------


@pytest.mark.parametrize("name, written", [
    ("Hotfix/v1.2.4-fix-payment-crash", "Hotfix/"),
    ("HOTFIX/v1.2.4-fix-payment-crash", "HOTFIX/"),
    ("hotfix-v1.2.4-fix-payment-crash", "hotfix-"),
    ("hotfix_v1.2.4-fix-payment-crash", "hotfix_"),
    ("hotfixes/v1.2.4-fix-payment-crash", "hotfixes/"),
])
def test_near_miss_names_are_checked_as_hotfixes_and_named_right(project: Repo, name: str, written: str) -> None:
    project.checkout(name, new=True, start="develop")  # cut from develop, too: HG001 must see it
    project.commit("Fix payment crash", FIX)
    proc = run_cli("check", "--format", "json", "--select", "HG001,HG002,HG003", cwd=project.path)
    data = json.loads(proc.stdout)
    by_code = {f["code"]: f for f in data["findings"]}
    assert set(by_code) == {"HG001", "HG002"}, data
    assert f"`{written}` is not the hotfix prefix `hotfix/`" in by_code["HG002"]["message"]
    assert by_code["HG002"]["help"] == f"rename it: git branch -m {HOTFIX}"


def test_a_name_that_only_starts_with_the_word_is_not_a_hotfix(project: Repo) -> None:
    for name in ("hotfixing-notes", "hotfix", "shotfix/v1.2.4-x"):
        project.checkout(name, new=True, start="main")
        proc = run_cli("check", "--stage", "pre-commit", cwd=project.path)
        assert "nothing to check" in proc.stdout, name


def test_a_replay_of_a_hotfix_that_reached_develop_through_production_passes(project: Repo) -> None:
    """diaspora's shape: the hotfix merge M is off production's first-parent line (it
    reached production through a release), production was merged into an integration
    branch and that into develop, and develop was fast-forwarded onto production later:
    develop's first-parent line runs through the release merge that brought the fix, not
    through M. M's subject still says the fix is the hotfix's own (no marker needed)."""
    base = project.sha("main")
    project.checkout(HOTFIX, new=True, start="main")
    head = project.commit("Fix notifications without a birthday", {"src/app.py": "x = 1\n"})
    project.checkout("old-main", new=True, start="main")
    merge = project.merge(HOTFIX, message=f"Merge branch '{HOTFIX}'")
    project.checkout("next-minor", new=True, start="develop")
    project.merge("old-main", message="Merge branch 'master' into next-minor")
    project.checkout("develop")
    project.merge("next-minor", message="Merge branch 'next-minor' into develop")
    project.checkout("main")
    project.merge("develop", message="Merge branch 'release/1.3.0'")  # first parent: main before M
    project.checkout("develop")
    project.git("merge", "-q", "--ff-only", "main")  # develop's first-parent line is main's now
    project.git("branch", "-D", HOTFIX, "old-main", "next-minor")
    assert project.git("merge-base", "--is-ancestor", merge, "main", check=False) == ""
    assert hg001(project, "--branch", HOTFIX, "--base", base, "--head", head) == []


def test_diverged_development_is_said_and_does_not_block(project: Repo, tmp_path: Path) -> None:
    """Local develop with work not pushed while a colleague pushed to origin/develop is
    everyday life: a warning that says so, not a refusal."""
    bare = with_remote(project, tmp_path)
    other = colleague(bare, tmp_path, "develop")
    other.commit("Colleague's feature", {"src/colleague.py": "C = 1\n"})
    other.git("push", "-q", str(bare), "develop")
    project.checkout("develop")
    project.commit("My unpushed feature", {"src/mine.py": "M = 1\n"})
    project.git("fetch", "-q", "origin")
    hotfix_from_main(project)
    rc, data = check(project, "--select", "HG001", "--stage", "pre-push",
                     input=f"refs/heads/{HOTFIX} {project.sha()} refs/heads/{HOTFIX} {'0' * 40}\n")
    if "refs" in data:
        data = data["refs"][0]
    [f] = data["findings"]
    assert rc == 0 and f["severity"] == "warning"
    assert "development branch develop and origin/develop have diverged" in f["message"]
