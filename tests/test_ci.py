"""`check --stage ci`: branch, base and head from each CI's variables, on real repositories
checked out the way each CI does (detached HEAD, synthetic merge commits)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ci_helpers import HOTFIX, SELECT, ci_check, event_file, no_ci  # noqa: F401 (autouse fixture)
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli

from hotfix_guard.targets.ci import PROVIDERS, read

# -- the provider table, without git ----------------------------------------------------


def test_every_provider_has_a_fix_and_a_marker() -> None:
    keys = [p.key for p in PROVIDERS]
    assert keys == ["github", "gitlab", "bitbucket", "azure", "jenkins", "circleci"]
    for p in PROVIDERS:
        assert p.detect and p.fix and p.branch and p.tag


@pytest.mark.parametrize(
    "env, branch, pr, target",
    [
        ({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/hotfix/v1.0.1-x"}, "hotfix/v1.0.1-x", False, None),
        ({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/3/merge", "GITHUB_HEAD_REF": "hotfix/v1.0.1-x",
          "GITHUB_BASE_REF": "main"}, "hotfix/v1.0.1-x", True, "main"),
        ({"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main"}, "main", False, None),
        ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "4", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "hotfix/v1.0.1-x",
          "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop"}, "hotfix/v1.0.1-x", True, "develop"),
        ({"BITBUCKET_BUILD_NUMBER": "9", "BITBUCKET_BRANCH": "hotfix/v1.0.1-x", "BITBUCKET_PR_ID": "2",
          "BITBUCKET_PR_DESTINATION_BRANCH": "main"}, "hotfix/v1.0.1-x", True, "main"),
        ({"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/heads/hotfix/v1.0.1-x",
          "BUILD_SOURCEBRANCHNAME": "v1.0.1-x"}, "hotfix/v1.0.1-x", False, None),
        ({"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/pull/8/merge",
          "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/hotfix/v1.0.1-x",
          "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main"}, "hotfix/v1.0.1-x", True, "main"),
        ({"JENKINS_URL": "http://ci/", "BRANCH_NAME": "PR-5", "CHANGE_ID": "5",
          "CHANGE_BRANCH": "hotfix/v1.0.1-x", "CHANGE_TARGET": "main"}, "hotfix/v1.0.1-x", True, "main"),
        ({"JENKINS_URL": "http://ci/", "BRANCH_NAME": "develop"}, "develop", False, None),
        ({"CIRCLECI": "true", "CIRCLE_BRANCH": "hotfix/v1.0.1-x",
          "CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/1"}, "hotfix/v1.0.1-x", True, None),
    ],
)
def test_provider_table(env: dict[str, str], branch: str, pr: bool, target: str | None) -> None:
    ctx = read(env)
    assert ctx is not None
    assert (ctx.branch, ctx.pull_request, ctx.target) == (branch, pr, target)


def test_not_a_known_ci() -> None:
    assert read({"CI": "true"}) is None


def test_github_zero_before_is_ignored(tmp_path: Path) -> None:
    path = event_file(tmp_path, {"before": "0" * 40, "after": "a" * 40})
    ctx = read({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": path})
    assert ctx is not None and ctx.before is None


def test_github_unreadable_payload_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "event.json").write_text("{not json")
    ctx = read({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main",
                "GITHUB_EVENT_PATH": str(tmp_path / "event.json")})
    assert ctx is not None and ctx.branch == "main" and ctx.before is None


# -- real repositories ----------------------------------------------------------------


@pytest.fixture
def pr(project: Repo) -> dict[str, str]:
    """A hotfix off main, and the commits a CI needs: the shas of main, the hotfix, develop."""
    main = project.sha("main")
    fix = hotfix_from_main(project)
    return {"main": main, "fix": fix, "develop": project.sha("develop")}


def ci_merge(r: Repo, into: str, other: str) -> str:
    """HEAD detached at a merge of ``other`` into ``into``, as a CI checks out a pull request."""
    r.git("checkout", "-q", "--detach", into)
    return r.merge(other, message=f"Merge {other} into {into}")


def test_github_pull_request_checks_the_pr_head_not_the_merge(project: Repo, pr: dict, tmp_path: Path) -> None:
    merge = ci_merge(project, "main", HOTFIX)
    payload = {"pull_request": {"base": {"sha": pr["main"], "ref": "main"}, "head": {"sha": pr["fix"]}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge",
           "GITHUB_HEAD_REF": HOTFIX, "GITHUB_BASE_REF": "main", "GITHUB_SHA": merge,
           "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["stage"], data["branch"]) == (0, "ci", HOTFIX)
    assert data["head"] == pr["fix"] and data["base"] == pr["main"]


def test_github_pull_request_without_payload_finds_the_head_in_the_merge(project: Repo, pr: dict) -> None:
    ci_merge(project, "main", HOTFIX)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main"}
    rc, data, _ = ci_check(project.path, env)
    assert rc == 0 and data["head"] == pr["fix"]


def test_github_pull_request_of_a_branch_cut_from_develop(project: Repo, tmp_path: Path) -> None:
    project.checkout(HOTFIX, new=True, start="develop")
    fix = project.commit("fix", {"src/app.py": "x = 1\n"})
    ci_merge(project, "main", HOTFIX)
    payload = {"pull_request": {"base": {"sha": project.sha("main")}, "head": {"sha": fix}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/2/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    rc, data, _ = ci_check(project.path, env)
    assert rc == 1
    assert [f["code"] for f in data["findings"]] == ["HG001"]
    assert "cut from develop" in data["findings"][0]["message"]


def test_github_pull_request_into_develop_is_checked_against_production(project: Repo, pr: dict,
                                                                        tmp_path: Path) -> None:
    ci_merge(project, "develop", HOTFIX)
    payload = {"pull_request": {"base": {"sha": pr["develop"]}, "head": {"sha": pr["fix"]}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/3/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "develop", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    rc, data, _ = ci_check(project.path, env)
    assert rc == 0 and data["head"] == pr["fix"] and data["base"] == pr["main"]


def test_github_pull_request_head_missing_from_the_clone(project: Repo, pr: dict, tmp_path: Path) -> None:
    project.git("checkout", "-q", "--detach", "main")
    payload = {"pull_request": {"base": {"sha": pr["main"]}, "head": {"sha": "ab" * 20}}}
    env = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    proc = run_cli("check", *SELECT, cwd=project.path, env=env)
    assert_clean_error(proc, "the pull request's head abababababab", "is not in this clone", "check out")


def test_github_push_to_main_ranges_from_before(project: Repo, pr: dict, tmp_path: Path) -> None:
    project.checkout("main")
    after = project.merge(HOTFIX)
    project.git("checkout", "-q", "--detach")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
           "GITHUB_REF_NAME": "main", "GITHUB_SHA": after,
           "GITHUB_EVENT_PATH": event_file(tmp_path, {"before": pr["main"], "after": after})}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["branch"], data["head"], data["base"]) == (0, "main", after, pr["main"])


def test_github_push_new_branch_and_force_push(project: Repo, pr: dict, tmp_path: Path) -> None:
    project.checkout("main")
    after = project.merge(HOTFIX)
    project.git("checkout", "-q", "--detach")
    base_env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main"}
    rc, data, _ = ci_check(project.path, {**base_env, "GITHUB_EVENT_PATH": event_file(tmp_path, {"before": "0" * 40})})
    assert data["base"] == after  # no range: production itself
    rc, data, err = ci_check(project.path, {**base_env,
                                            "GITHUB_EVENT_PATH": event_file(tmp_path, {"before": pr["develop"]})})
    assert data["base"] == after and "force push" in err


def test_github_push_to_a_hotfix_checks_the_whole_change(project: Repo, pr: dict, tmp_path: Path) -> None:
    second = project.commit("second fix", {"src/app.py": "# HOTFIX v1.2.4: more\n"})
    project.git("checkout", "-q", "--detach")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": f"refs/heads/{HOTFIX}",
           "GITHUB_EVENT_PATH": event_file(tmp_path, {"before": pr["fix"], "after": second})}
    rc, data, _ = ci_check(project.path, env)
    assert data["branch"] == HOTFIX and data["head"] == second and data["base"] == pr["main"]


def test_github_tag_push_is_a_clear_error(project: Repo) -> None:
    project.git("checkout", "-q", "--detach", "v1.2.3")
    proc = run_cli("check", cwd=project.path,
                   env={"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/v1.2.3"})
    assert_clean_error(proc, "GitHub Actions runs this job for the tag 'v1.2.3', not for a branch")


def test_gitlab_merge_request_uses_the_diff_base(project: Repo, pr: dict) -> None:
    project.git("checkout", "-q", "--detach", HOTFIX)
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "12", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": HOTFIX,
           "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_DIFF_BASE_SHA": pr["main"],
           "CI_COMMIT_SHA": pr["fix"], "CI_COMMIT_BEFORE_SHA": "0" * 40}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["branch"], data["head"], data["base"]) == (0, HOTFIX, pr["fix"], pr["main"])


def test_gitlab_merged_results_pipeline(project: Repo, pr: dict) -> None:
    ci_merge(project, "main", HOTFIX)
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "12", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": HOTFIX,
           "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_DIFF_BASE_SHA": pr["main"],
           "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": pr["fix"]}
    rc, data, _ = ci_check(project.path, env)
    assert data["head"] == pr["fix"]


def test_gitlab_branch_pipeline(project: Repo, pr: dict) -> None:
    project.git("checkout", "-q", "--detach", HOTFIX)
    rc, data, _ = ci_check(project.path, {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": HOTFIX,
                                          "CI_COMMIT_BEFORE_SHA": pr["main"]})
    assert (rc, data["branch"], data["head"], data["base"]) == (0, HOTFIX, pr["fix"], pr["main"])


def test_bitbucket_pull_request_merges_the_destination_into_the_source(project: Repo, pr: dict) -> None:
    ci_merge(project, HOTFIX, "main")  # Bitbucket: source checked out, destination merged in
    project.checkout("main")
    project.commit("main moved on", {"README.md": "# moved\n"})
    project.git("checkout", "-q", "--detach", "HEAD@{1}")
    env = {"BITBUCKET_BUILD_NUMBER": "31", "BITBUCKET_BRANCH": HOTFIX, "BITBUCKET_PR_ID": "7",
           "BITBUCKET_PR_DESTINATION_BRANCH": "main", "BITBUCKET_COMMIT": pr["fix"][:12]}
    rc, data, _ = ci_check(project.path, env)
    assert (data["branch"], data["head"]) == (HOTFIX, pr["fix"])


def test_azure_pull_request_and_branch(project: Repo, pr: dict) -> None:
    ci_merge(project, "main", HOTFIX)
    env = {"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/pull/8/merge", "BUILD_SOURCEBRANCHNAME": "merge",
           "SYSTEM_PULLREQUEST_PULLREQUESTID": "8", "SYSTEM_PULLREQUEST_SOURCEBRANCH": f"refs/heads/{HOTFIX}",
           "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main", "SYSTEM_PULLREQUEST_SOURCECOMMITID": pr["fix"]}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["branch"], data["head"]) == (0, HOTFIX, pr["fix"])
    project.git("checkout", "-q", "--detach", HOTFIX)
    env = {"TF_BUILD": "True", "BUILD_SOURCEBRANCH": f"refs/heads/{HOTFIX}",
           "BUILD_SOURCEBRANCHNAME": HOTFIX.rsplit("/", 1)[1]}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["branch"], data["head"]) == (0, HOTFIX, pr["fix"])


def test_jenkins_pull_request_with_the_merge_strategy(project: Repo, pr: dict) -> None:
    ci_merge(project, HOTFIX, "main")  # Jenkins: the target merged into the PR head
    env = {"JENKINS_URL": "http://jenkins/", "BRANCH_NAME": "PR-5", "CHANGE_ID": "5", "CHANGE_BRANCH": HOTFIX,
           "CHANGE_TARGET": "main"}
    rc, data, _ = ci_check(project.path, env)
    assert (rc, data["branch"], data["head"]) == (0, HOTFIX, pr["fix"])


def test_jenkins_branch_build(project: Repo, pr: dict) -> None:
    project.git("checkout", "-q", "--detach", HOTFIX)
    rc, data, _ = ci_check(project.path, {"JENKINS_URL": "http://jenkins/", "BRANCH_NAME": HOTFIX})
    assert (rc, data["branch"], data["head"]) == (0, HOTFIX, pr["fix"])


def test_circleci_pull_request_says_it_has_no_base(project: Repo, pr: dict) -> None:
    project.git("checkout", "-q", "--detach", HOTFIX)
    env = {"CIRCLECI": "true", "CIRCLE_BRANCH": HOTFIX, "CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/4"}
    rc, data, err = ci_check(project.path, env)
    assert (rc, data["branch"], data["base"]) == (0, HOTFIX, pr["main"])
    assert "CircleCI does not name a pull request's target branch" in err


# -- flags win ------------------------------------------------------------------------


def test_branch_flag_wins_and_drops_the_ci_range(project: Repo, pr: dict, tmp_path: Path) -> None:
    project.checkout("hotfix/v1.2.4-other-fix", new=True, start="main")
    other = project.commit("other", {"src/app.py": "y = 2\n"})
    project.git("checkout", "-q", "--detach")  # --branch names the detached HEAD
    payload = {"pull_request": {"base": {"sha": pr["develop"]}, "head": {"sha": pr["fix"]}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    rc, data, _ = ci_check(project.path, env, "--branch", "hotfix/v1.2.4-other-fix")
    assert (data["branch"], data["head"], data["base"]) == ("hotfix/v1.2.4-other-fix", other, pr["main"])


def test_base_and_head_flags_win(project: Repo, pr: dict, tmp_path: Path) -> None:
    ci_merge(project, "main", HOTFIX)
    payload = {"pull_request": {"base": {"sha": pr["main"]}, "head": {"sha": pr["fix"]}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    first = project.sha("main~1")
    rc, data, _ = ci_check(project.path, env, "--base", "main~1", "--head", "main")
    assert (data["branch"], data["base"], data["head"]) == (HOTFIX, first, project.sha("main"))
    rc, data, _ = ci_check(project.path, env, "--branch", HOTFIX, "--base", "main~1")
    assert (data["base"], data["head"]) == (first, pr["fix"])  # same branch: the CI's head still counts


def test_stage_flag_and_ci_variable(project: Repo, pr: dict) -> None:
    """`CI` alone means stage ci; without a provider the checked-out branch is used."""
    rc, data, _ = ci_check(project.path, {})
    assert (rc, data["stage"], data["branch"]) == (0, "ci", HOTFIX)
    project.git("checkout", "-q", "--detach")
    assert_clean_error(run_cli("check", cwd=project.path, env={"CI": "true"}),
                       "HEAD is detached and no CI variable names the branch", "--branch")
    proc = run_cli("check", "--stage", "manual", "--branch", HOTFIX, *SELECT, cwd=project.path,
                   env={"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main"})
    assert proc.returncode == 0 and "stage manual" in proc.stdout


def test_ci_non_hotfix_branch_stays_light(project: Repo) -> None:
    """At stage ci the every-commit promise holds: a non-hotfix branch imports nothing heavy."""
    project.git("checkout", "-q", "--detach")
    code = (
        "import sys\n"
        "from hotfix_guard.cli import main\n"
        "rc = main(['check'])\n"
        "heavy = sorted(m for m in ('rich', 'unidiff', 'pluggy', 'pathspec', 'importlib.metadata', 'dataclasses')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "raise SystemExit(rc)\n"
    )
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true", "GITHUB_ACTIONS": "true",
           "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": "feature/loyalty", "GITHUB_BASE_REF": "develop"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "feature/loyalty: not a hotfix" in proc.stdout and "HEAVY []" in proc.stdout


def test_other_branches_ignore_the_ci_commits(project: Repo, tmp_path: Path) -> None:
    """pull_request_target checks out the base: the head is missing, but for a branch that
    is not checked, that is no error."""
    project.git("checkout", "-q", "--detach", "main")
    payload = {"pull_request": {"base": {"sha": project.sha("main")}, "head": {"sha": "cd" * 20}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_HEAD_REF": "feature/x",
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    rc, data, _ = ci_check(project.path, env)
    assert rc == 0 and data["branch"] == "feature/x" and "nothing to check" in data["note"]
