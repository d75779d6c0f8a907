"""Shallow clones never pass silently: exit 2 with the CI's own fix, or --deepen fetches.

Clones go through ``file://`` URLs: a plain path ignores ``--depth``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_helpers import HOTFIX, SELECT, clone, event_file, is_shallow, no_ci, with_remote  # noqa: F401
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli

GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_REF": f"refs/heads/{HOTFIX}"}


@pytest.fixture
def remote(project: Repo, tmp_path: Path) -> str:
    hotfix_from_main(project)
    bare = with_remote(project, tmp_path, HOTFIX)
    return f"file://{bare}"


def ci_run(r: Repo, env: dict[str, str], *args: str):
    return run_cli("check", *SELECT, *args, cwd=r.path, env={"CI": "true", **env})


def state(r: Repo) -> str:
    return r.git("for-each-ref") + r.git("rev-parse", "--is-shallow-repository")


@pytest.mark.parametrize(
    "env, fix",
    [
        (GITHUB, "GitHub Actions: set `fetch-depth: 0` on actions/checkout"),
        ({"GITLAB_CI": "true", "CI_COMMIT_BRANCH": HOTFIX}, "GitLab CI: set the variable `GIT_DEPTH: 0`"),
        ({"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_BRANCH": HOTFIX}, "`clone: depth: full`"),
        ({"TF_BUILD": "True", "BUILD_SOURCEBRANCH": f"refs/heads/{HOTFIX}"}, "`fetchDepth: 0`"),
        ({"JENKINS_URL": "http://j/", "BRANCH_NAME": HOTFIX}, "untick \"Shallow clone\""),
        ({"CIRCLECI": "true", "CIRCLE_BRANCH": HOTFIX}, "CircleCI: use the built-in `checkout` step"),
    ],
)
def test_single_branch_depth_1_is_exit_2_with_the_ci_fix(remote: str, tmp_path: Path, env: dict, fix: str) -> None:
    r = clone(remote, tmp_path / "ci", "--depth", "1", "--branch", HOTFIX)
    r.git("checkout", "-q", "--detach")
    assert is_shallow(r)
    before = state(r)
    proc = ci_run(r, env)
    assert_clean_error(proc, "this is a shallow clone and", fix, "--deepen")
    assert state(r) == before  # never fetches unless asked


def test_generic_hint_outside_a_known_ci(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--depth", "1", "--branch", HOTFIX)
    proc = run_cli("check", *SELECT, cwd=r.path)
    assert_clean_error(proc, "this is a shallow clone", "git fetch --unshallow --tags")


def test_depth_1_of_every_branch_hides_the_merge_base(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--depth", "1", "--no-single-branch", "--branch", HOTFIX)
    r.git("checkout", "-q", "--detach")
    assert_clean_error(ci_run(r, GITHUB), f"it cuts off the history between {HOTFIX} and main")


@pytest.fixture
def long_history(project: Repo, tmp_path: Path) -> str:
    """main with older history below the latest release, develop and a hotfix on top:
    a clone of depth 3 is shallow, with the cut below all the check needs."""
    project.checkout("main")
    for i in range(4):
        project.commit(f"old production work {i}", {"README.md": f"# {i}\n"})
    project.tag("v1.2.5")
    project.git("branch", "-f", "develop", "main")
    project.checkout("develop")
    project.commit("dev work", {"src/dev.py": "D = 1\n"})
    project.checkout("main")
    hotfix_from_main(project, "hotfix/v1.2.6-fix-payment-crash")
    bare = with_remote(project, tmp_path, "hotfix/v1.2.6-fix-payment-crash")
    return f"file://{bare}"


LONG = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/hotfix/v1.2.6-fix-payment-crash"}


def test_shallow_but_deep_enough_passes(long_history: str, tmp_path: Path) -> None:
    """Shallow is fine when the cut lies below everything the check needs."""
    r = clone(long_history, tmp_path / "ci", "--depth", "3", "--no-single-branch",
              "--branch", "hotfix/v1.2.6-fix-payment-crash")
    r.git("checkout", "-q", "--detach")
    assert is_shallow(r)
    proc = ci_run(r, LONG)
    assert proc.returncode == 0, proc.stderr
    assert is_shallow(r)


def test_hidden_tags_are_not_a_pass(long_history: str, tmp_path: Path) -> None:
    """Every branch deep enough, but no tags fetched: HG003 would see 'no release yet'."""
    r = clone(long_history, tmp_path / "ci", "--depth", "3", "--no-single-branch", "--no-tags",
              "--branch", "hotfix/v1.2.6-fix-payment-crash")
    r.git("checkout", "-q", "--detach")
    assert is_shallow(r) and r.git("tag") == ""
    assert_clean_error(ci_run(r, LONG), "no release tag (vX.Y.Z) is visible from main")


def test_cut_development_line_is_not_a_pass(project: Repo, long_history: str, tmp_path: Path) -> None:
    """develop far ahead of production, cut short: HG001 could not see its line."""
    project.checkout("develop")
    for i in range(4):
        project.commit(f"more dev work {i}", {"src/dev.py": f"D = {i}\n"})
    project.git("push", "-q", "origin", "develop")
    r = clone(long_history, tmp_path / "ci", "--depth", "3", "--no-single-branch",
              "--branch", "hotfix/v1.2.6-fix-payment-crash")
    r.git("checkout", "-q", "--detach")
    assert_clean_error(ci_run(r, LONG), "it cuts off develop's history down to main")


def test_full_clone_passes(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--branch", HOTFIX)
    r.git("checkout", "-q", "--detach")
    assert not is_shallow(r)
    proc = ci_run(r, GITHUB, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []


def test_deepen_fetches_then_passes(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--depth", "1", "--branch", HOTFIX)
    r.git("checkout", "-q", "--detach")
    proc = ci_run(r, GITHUB, "--deepen", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "--deepen: the clone was shallow" in proc.stderr
    assert "git fetch --unshallow --tags" in proc.stderr
    assert not is_shallow(r)
    data = json.loads(proc.stdout)
    assert data["findings"] == [] and data["base"] == r.sha("origin/main")
    assert "v1.2.3" in r.git("tag")


def test_deepen_does_not_fetch_what_is_already_there(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--branch", HOTFIX)
    r.git("checkout", "-q", "--detach")
    proc = ci_run(r, GITHUB, "--deepen")
    assert proc.returncode == 0 and "--deepen" not in proc.stderr  # not shallow: nothing to do


def test_github_pull_request_checkout_depth_1_then_deepen(project: Repo, tmp_path: Path) -> None:
    """What actions/checkout does for a pull request: fetch refs/pull/N/merge, depth 1."""
    main = project.sha("main")
    fix = hotfix_from_main(project)
    project.git("checkout", "-q", "--detach", "main")
    merge = project.merge(HOTFIX, message=f"Merge {fix} into {main}")
    bare = with_remote(project, tmp_path, HOTFIX, f"{merge}:refs/pull/1/merge")
    ci = tmp_path / "ci"
    ci.mkdir()
    r = Repo(ci)
    r.git("init", "-q")
    r.git("remote", "add", "origin", f"file://{bare}")
    r.git("fetch", "-q", "--no-tags", "--depth=1", "origin", f"+{merge}:refs/remotes/pull/1/merge")
    r.git("checkout", "-q", "--detach", merge)
    payload = {"pull_request": {"base": {"sha": main}, "head": {"sha": fix}}}
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/1/merge", "GITHUB_HEAD_REF": HOTFIX,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    proc = ci_run(r, env)
    assert_clean_error(proc, "this is a shallow clone and the commit to check", "fetch-depth: 0")
    proc = ci_run(r, env, "--deepen", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["branch"], data["head"], data["base"]) == (HOTFIX, fix, main)


def test_production_missing_from_a_shallow_clone(remote: str, tmp_path: Path) -> None:
    r = clone(remote, tmp_path / "ci", "--depth", "1", "--branch", HOTFIX)
    proc = run_cli("check", *SELECT, cwd=r.path)
    assert_clean_error(proc, "this is a shallow clone and the production branch is not in it "
                             "(neither main nor origin/main) (and 1 more)")


def gitlab_like_clone(remote: str, tmp_path: Path) -> Repo:
    """A complete clone of the pipeline's own branch only (GitLab's refspecs, GIT_DEPTH: 0)."""
    ci = tmp_path / "ci"
    ci.mkdir()
    r = Repo(ci)
    r.git("init", "-q")
    r.git("remote", "add", "origin", remote)
    r.git("fetch", "-q", "--no-tags", "origin", f"+refs/heads/{HOTFIX}:refs/remotes/origin/{HOTFIX}")
    r.git("checkout", "-q", "--detach", f"origin/{HOTFIX}")
    assert not is_shallow(r)
    return r


GITLAB_MR = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": HOTFIX,
             "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}


def test_complete_clone_without_production_is_exit_2_in_ci(remote: str, tmp_path: Path) -> None:
    """Every rule would be skipped and the job pass: not in CI."""
    r = gitlab_like_clone(remote, tmp_path)
    before = state(r)
    assert_clean_error(ci_run(r, GITLAB_MR), "the production branch is not in this clone "
                                             "(neither main nor origin/main)", "--deepen")
    assert state(r) == before
    # By hand (stage manual) too (SPEC §7): a hotfix is not checked without production.
    proc = run_cli("check", *SELECT, "--branch", HOTFIX, cwd=r.path)
    assert_clean_error(proc, "production branch 'main' or 'master'", "production-branch")


def test_deepen_fetches_the_branches_of_a_complete_clone(remote: str, tmp_path: Path) -> None:
    r = gitlab_like_clone(remote, tmp_path)
    proc = ci_run(r, GITLAB_MR, "--deepen", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "--deepen: the production branch is not in this clone (neither main nor origin/main); fetched" in proc.stderr
    assert "--unshallow" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["findings"] == [] and not data.get("skipped")
