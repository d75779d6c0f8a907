"""Each workflow preset, and a release line, on a history of its shape: a clean hotfix
passes (exit 0), each mistake the preset's rules catch fails with its code (exit 1), and
audit reads the history the way the preset says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Repo, run_cli
from workflow_corpus import configure, git_flow, github_flow, gitlab_flow, hotfix, land, release_line

from hotfix_guard.workflow import NO_MERGE_BACK

BRANCH_AND_MARKER = 'select = ["HG001", "HG002", "HG003", "HG005", "HG008", "HG009"]\n'


def check(r: Repo, *args: str) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    return proc.returncode, data


def codes(data: dict) -> set[str]:
    return {f["code"] for f in data["findings"] if not f["suppressed"] and f["severity"] == "error"}


def cut_wrong(data: dict) -> set[str]:
    """The codes of a hotfix cut from the wrong branch: HG001, and HG005 for the other
    branch's files that carry no marker."""
    return codes(data) - {"HG005"}


def audit(r: Repo, *args: str) -> tuple[int, dict]:
    """audit's JSON, with the hotfixes found by branch or merge (which patch tags count as
    hotfixes of their own is the history's business, tests/test_audit.py)."""
    proc = run_cli("audit", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    data["hotfixes"] = [h for h in data["hotfixes"] if h["branch"]]
    return proc.returncode, data


# -- git-flow: today's behaviour ---------------------------------------------------------


@pytest.fixture
def gitflow(tmp_path: Path) -> Repo:
    r = git_flow(tmp_path)
    configure(r, BRANCH_AND_MARKER)
    return r


def test_git_flow_clean_hotfix_passes(gitflow: Repo) -> None:
    hotfix(gitflow, "hotfix/v1.2.3-fix-crash", "main", "1.2.3")
    assert check(gitflow)[0] == 0


@pytest.mark.parametrize("name, start, version, code", [
    ("hotfix/v1.2.3-fix-crash", "develop", "1.2.3", "HG001"),
    ("hotfix/fix-crash", "main", "1.2.3", "HG002"),
    ("hotfix/v1.2.5-fix-crash", "main", "1.2.5", "HG003"),
    ("hotfix/v1.2.3-fix-crash", "main", "9.9.9", "HG005"),
])
def test_git_flow_mistakes(gitflow: Repo, name: str, start: str, version: str, code: str) -> None:
    hotfix(gitflow, name, start, version)
    rc, data = check(gitflow)
    assert (rc, codes(data) if code != "HG001" else cut_wrong(data)) == (1, {code})


def test_git_flow_landed_only_in_main_is_hg008(gitflow: Repo) -> None:
    hotfix(gitflow, "hotfix/v1.2.3-fix-crash", "main", "1.2.3")
    land(gitflow, "hotfix/v1.2.3-fix-crash", "main", tag="v1.2.3")
    rc, data = check(gitflow, "--branch", "main")
    assert (rc, codes(data)) == (1, {"HG008"})
    land(gitflow, "hotfix/v1.2.3-fix-crash", "develop")
    gitflow.checkout("main")
    assert check(gitflow)[0] == 0


def test_git_flow_audit(gitflow: Repo) -> None:
    rc, data = audit(gitflow)
    assert rc == 0 and data["development"] == "develop"
    assert [h["name"] for h in data["hotfixes"]] == ["hotfix/v1.2.2-fix-login"]
    assert data["hotfixes"][0]["merged_into_development"] is True


# -- github-flow ------------------------------------------------------------------------------


@pytest.fixture
def github(tmp_path: Path) -> Repo:
    r = github_flow(tmp_path)
    configure(r, 'workflow = "github-flow"\n' + BRANCH_AND_MARKER)
    return r


@pytest.mark.parametrize("start", ["main", "v1.2.3"])
def test_github_flow_clean_hotfix_from_main_or_its_latest_tag_passes(github: Repo, start: str) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", start, "1.2.4")
    rc, data = check(github)
    assert (rc, codes(data)) == (0, set()), data


def test_github_flow_hotfix_cut_from_a_feature_branch_is_hg001(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "feature/pdf", "1.2.4")
    rc, data = check(github)
    assert (rc, cut_wrong(data)) == (1, {"HG001"})
    message = next(f["message"] for f in data["findings"] if f["code"] == "HG001")
    assert "cut from feature/pdf" in message and "WIP: pdf export" in message


def test_github_flow_feature_merged_into_the_hotfix_is_hg001(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    github.git("branch", "-m", "feature/pdf", "old/pdf")  # so the merge, not the branch, tells
    github.merge("old/pdf", message="Merge branch 'old/pdf' into hotfix/v1.2.4-fix-crash")
    github.git("branch", "-D", "old/pdf")
    rc, data = check(github)
    assert (rc, cut_wrong(data)) == (1, {"HG001"})
    assert "merged into this hotfix" in next(f["message"] for f in data["findings"] if f["code"] == "HG001")


def test_github_flow_branch_built_on_the_hotfix_is_not_hg001(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    github.branch("review/fix-crash")
    github.commit("Reviewer's suggestion", {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard it\n    return 0\n"})
    github.checkout("review/fix-crash")
    github.checkout("hotfix/v1.2.4-fix-crash")
    github.git("branch", "-f", "review/fix-crash", "HEAD")  # the review branch contains the hotfix
    assert check(github)[0] == 0


@pytest.mark.parametrize("name, version, code", [
    ("hotfix/fix-crash", "1.2.4", "HG002"),
    ("hotfix/v1.3.0-fix-crash", "1.3.0", "HG003"),
    ("hotfix/v1.2.4-fix-crash", "9.9.9", "HG005"),
])
def test_github_flow_mistakes(github: Repo, name: str, version: str, code: str) -> None:
    hotfix(github, name, "main", version)
    rc, data = check(github)
    assert (rc, codes(data)) == (1, {code})


def test_github_flow_landed_hotfix_has_no_merge_back_target_said_once(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    land(github, "hotfix/v1.2.4-fix-crash", "main", tag="v1.2.4",
         message="Merge pull request #7 from acme/hotfix/v1.2.4-fix-crash")
    github.git("branch", "-D", "hotfix/v1.2.4-fix-crash")
    rc, data = check(github)
    assert (rc, codes(data)) == (0, set())
    assert data["skipped"] == [{"code": "HG008", "reason": NO_MERGE_BACK}]


def test_github_flow_landed_hotfix_without_tag_is_hg009(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    land(github, "hotfix/v1.2.4-fix-crash", "main",
         message="Merge pull request #7 from acme/hotfix/v1.2.4-fix-crash")
    rc, data = check(github)
    assert (rc, codes(data)) == (1, {"HG009"})


def test_github_flow_audit(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    land(github, "hotfix/v1.2.4-fix-crash", "main", tag="v1.2.4",
         message="Merge pull request #7 from acme/hotfix/v1.2.4-fix-crash")
    github.git("branch", "-D", "hotfix/v1.2.4-fix-crash")
    rc, data = audit(github)
    assert rc == 0 and data["development"] is None
    assert [h["name"] for h in data["hotfixes"]] == ["hotfix/v1.2.4-fix-crash"]
    assert data["hotfixes"][0]["merged_into_development"] is None
    assert data["skipped"] == [{"code": "HG008", "reason": NO_MERGE_BACK}]


# -- gitlab-flow ------------------------------------------------------------------------------


@pytest.fixture
def gitlab(tmp_path: Path) -> Repo:
    r = gitlab_flow(tmp_path)
    configure(r, 'workflow = "gitlab-flow"\n' + BRANCH_AND_MARKER)
    return r


def test_gitlab_flow_clean_hotfix_from_production_passes(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "production", "1.2.4")
    rc, data = check(gitlab)
    assert (rc, codes(data)) == (0, set()), data


def test_gitlab_flow_hotfix_cut_from_main_is_hg001(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    rc, data = check(gitlab)
    assert (rc, cut_wrong(data)) == (1, {"HG001"})
    assert "Add export" in next(f["message"] for f in data["findings"] if f["code"] == "HG001")


@pytest.mark.parametrize("name, version, code", [
    ("hotfix/fix-crash", "1.2.4", "HG002"),
    ("hotfix/v1.2.3-fix-crash", "1.2.3", "HG003"),
    ("hotfix/v1.2.4-fix-crash", "9.9.9", "HG005"),
])
def test_gitlab_flow_mistakes(gitlab: Repo, name: str, version: str, code: str) -> None:
    hotfix(gitlab, name, "production", version)
    rc, data = check(gitlab)
    assert (rc, codes(data)) == (1, {code})


def test_gitlab_flow_hotfix_must_reach_main(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "production", "1.2.4")
    land(gitlab, "hotfix/v1.2.4-fix-crash", "production", tag="v1.2.4")
    rc, data = check(gitlab)
    assert (rc, codes(data)) == (1, {"HG008"})
    assert "reached production but not main" in next(f["message"] for f in data["findings"])
    land(gitlab, "hotfix/v1.2.4-fix-crash", "main")
    assert check(gitlab, "--branch", "main")[0] == 0
    gitlab.checkout("production")
    assert check(gitlab)[0] == 0


def test_gitlab_flow_landed_hotfix_without_tag_is_hg009(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "production", "1.2.4")
    land(gitlab, "hotfix/v1.2.4-fix-crash", "production")
    land(gitlab, "hotfix/v1.2.4-fix-crash", "main")
    gitlab.checkout("production")
    rc, data = check(gitlab)
    assert (rc, codes(data)) == (1, {"HG009"})


def test_gitlab_flow_audit(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "production", "1.2.4")
    land(gitlab, "hotfix/v1.2.4-fix-crash", "production", tag="v1.2.4")
    rc, data = audit(gitlab)
    assert (rc, data["production"], data["development"]) == (1, "production", "main")
    assert [(h["name"], h["findings"]) for h in data["hotfixes"]] == [("hotfix/v1.2.4-fix-crash", ["HG008"])]


# -- a release line ---------------------------------------------------------------------------


@pytest.fixture
def lined(tmp_path: Path) -> Repo:
    r = release_line(tmp_path)
    configure(r, BRANCH_AND_MARKER)
    return r


def test_line_clean_hotfix_from_the_line_passes(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "support/1.1", "1.1.5")
    rc, data = check(lined)
    assert (rc, codes(data)) == (0, set()), data


def test_line_clean_hotfix_from_the_lines_latest_tag_passes(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "v1.1.4", "1.1.5")
    assert check(lined)[0] == 0


def test_line_hotfix_cut_from_main_is_hg001(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "main", "1.1.5")
    rc, data = check(lined)
    assert (rc, cut_wrong(data)) == (1, {"HG001"})
    message = next(f["message"] for f in data["findings"] if f["code"] == "HG001")
    assert "patches the 1.1 line but was cut from main" in message


def test_line_hotfix_skipping_a_patch_is_hg003_naming_the_line(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.6-fix-crash", "support/1.1", "1.1.6")
    rc, data = check(lined)
    assert (rc, codes(data)) == (1, {"HG003"})
    message = next(f["message"] for f in data["findings"] if f["code"] == "HG003")
    assert "skips v1.1.5" in message and "v1.1.4 on the 1.1 line (support/1.1)" in message
    assert "hotfix/v1.1.5-fix-crash" in message


def test_an_old_version_without_a_line_says_how_to_make_one(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.0.1-fix-crash", "main", "1.0.1")
    rc, data = check(lined)
    finding = next(f for f in data["findings"] if f["code"] == "HG003")
    assert "older than the latest release v1.2.3" in finding["message"]
    assert "git branch support/1.0" in finding["help"]


def test_line_landed_without_tag_is_hg009_on_the_lines_branch(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "support/1.1", "1.1.5")
    land(lined, "hotfix/v1.1.5-fix-crash", "support/1.1")
    rc, data = check(lined)
    assert (rc, codes(data)) == (1, {"HG009"})
    assert any(s["code"] == "HG008" and "forward-port is off" in s["reason"] for s in data["skipped"])


def test_line_with_forward_port_must_reach_development(lined: Repo) -> None:
    configure(lined, "forward-port = true\n" + BRANCH_AND_MARKER)
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "support/1.1", "1.1.5")
    land(lined, "hotfix/v1.1.5-fix-crash", "support/1.1", tag="v1.1.5")
    rc, data = check(lined)
    assert (rc, codes(data)) == (1, {"HG008"})
    assert "reached support/1.1 but not develop" in data["findings"][0]["message"]
    land(lined, "hotfix/v1.1.5-fix-crash", "develop")
    lined.checkout("support/1.1")
    assert check(lined)[0] == 0


def test_line_hotfixes_do_not_trouble_main(lined: Repo) -> None:
    assert check(lined, "--branch", "main")[0] == 0


def test_line_audit(lined: Repo) -> None:
    rc, data = audit(lined, "--line", "1.1")
    assert (rc, data["production"]) == (0, "support/1.1")
    assert [(h["name"], h["tag"]["state"]) for h in data["hotfixes"]] == [("hotfix/v1.1.4-fix-login", "ok")]
    rc, data = audit(lined)
    assert rc == 0 and "hotfix/v1.1.4-fix-login" not in [h["name"] for h in data["hotfixes"]]


def test_audit_of_a_line_that_does_not_exist_is_exit_2(lined: Repo) -> None:
    proc = run_cli("audit", "--line", "1.0", cwd=lined.path)
    assert proc.returncode == 2 and "1.1 (support/1.1)" in proc.stderr


# -- start on a release line ------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--line", "1.1"], ["--version", "1.1.5"], ["--line", "1.1", "--version", "1.1.5"]])
def test_start_cuts_a_line_hotfix_from_the_lines_branch(lined: Repo, args: list[str]) -> None:
    proc = run_cli("start", "fix crash", *args, cwd=lined.path)
    assert proc.returncode == 0, proc.stderr
    assert "created branch hotfix/v1.1.5-fix-crash from support/1.1" in proc.stdout
    assert "(the next patch after v1.1.4)" in proc.stdout
    assert lined.sha("HEAD") == lined.sha("support/1.1")
    assert lined.git("branch", "--show-current") == "hotfix/v1.1.5-fix-crash"


def test_start_with_the_productions_next_version_cuts_from_production(lined: Repo) -> None:
    proc = run_cli("start", "fix crash", "--version", "1.2.4", cwd=lined.path)
    assert proc.returncode == 0, proc.stderr
    assert lined.sha("HEAD") == lined.sha("main")


def test_start_refuses_a_version_that_is_not_the_lines_next_patch(lined: Repo) -> None:
    before = lined.git("for-each-ref")
    proc = run_cli("start", "fix crash", "--version", "1.1.7", cwd=lined.path)
    assert proc.returncode == 2 and "not the next patch of support/1.1: that is 1.1.5" in proc.stderr
    assert lined.git("for-each-ref") == before


def test_start_refuses_a_line_without_its_branch(lined: Repo) -> None:
    proc = run_cli("start", "fix crash", "--line", "1.0", cwd=lined.path)
    assert proc.returncode == 2 and "no branch support/1.0" in proc.stderr
    assert "git branch support/1.0" in proc.stderr


# -- the demo ---------------------------------------------------------------------------------


def test_demo_github_flow(tmp_path: Path) -> None:
    proc = run_cli("demo", "--workflow", "github-flow", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "HG001 [error] branch-from-main: this hotfix was cut from feature/loyalty" in proc.stdout
    assert "hotfix/v1.2.4-fix-payment-crash: all checks passed" in proc.stdout
    assert proc.stdout.count(f"skipped HG008: {NO_MERGE_BACK}") == 1


def test_demo_gitlab_flow(tmp_path: Path) -> None:
    proc = run_cli("demo", "--workflow", "gitlab-flow", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "HG001 [error] branch-from-main: this hotfix was cut from main" in proc.stdout
    assert "hotfix/v1.2.4-fix-payment-crash: all checks passed" in proc.stdout
    assert "reached production but not main" in proc.stdout


def squash_land(r: Repo, name: str, subject: str) -> str:
    r.checkout("main")
    r.git("merge", "-q", "--squash", name)
    r.git("commit", "-q", "-m", subject)
    r.git("branch", "-D", name)
    return r.sha()


def test_github_flow_squash_merged_hotfix_is_judged_and_must_be_tagged(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    squash_land(github, "hotfix/v1.2.4-fix-crash", "Hotfix v1.2.4: fix crash (#7)")
    rc, data = check(github)
    assert (rc, codes(data)) == (1, {"HG009"}), data
    github.tag("v1.2.4")
    rc, data = check(github)
    assert (rc, codes(data)) == (0, set())
    assert data["skipped"] == [{"code": "HG008", "reason": NO_MERGE_BACK}]
    rc, data = audit(github)
    assert rc == 0 and data["skipped"] == [{"code": "HG008", "reason": NO_MERGE_BACK}]


# -- status -----------------------------------------------------------------------------------


def status_items(r: Repo, *args: str) -> dict[str, tuple[str, str]]:
    proc = run_cli("status", "--format", "json", *args, cwd=r.path)
    assert proc.returncode == 0, proc.stderr
    return {i["id"]: (i["state"], i["detail"]) for i in json.loads(proc.stdout)["items"]}


def test_status_under_github_flow_needs_no_merge_back(github: Repo) -> None:
    hotfix(github, "hotfix/v1.2.4-fix-crash", "main", "1.2.4")
    items = status_items(github)
    assert items["merged-development"] == ("done", f"nothing to merge back into: {NO_MERGE_BACK}")
    assert items["branch-deleted"][1].endswith("delete it once merged into main")


def test_status_of_a_line_hotfix_follows_the_line(lined: Repo) -> None:
    hotfix(lined, "hotfix/v1.1.5-fix-crash", "support/1.1", "1.1.5")
    items = status_items(lined)
    assert items["branched-from-main"][0] == "done"
    assert "git checkout support/1.1 && git merge --no-ff" in items["merged-production"][1]
    assert items["merged-development"][0] == "done" and "forward-port is off" in items["merged-development"][1]


def test_status_under_gitlab_flow_asks_for_main(gitlab: Repo) -> None:
    hotfix(gitlab, "hotfix/v1.2.4-fix-crash", "production", "1.2.4")
    land(gitlab, "hotfix/v1.2.4-fix-crash", "production", tag="v1.2.4")
    items = status_items(gitlab, "--branch", "hotfix/v1.2.4-fix-crash")
    assert items["merged-production"][0] == "done"
    assert items["merged-development"][0] == "not-done" and "reached production but not main" in items["merged-development"][1]
