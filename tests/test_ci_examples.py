"""The CI examples parse and carry the settings docs/ci.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent


def load(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text())


def test_github_actions_example() -> None:
    wf = load("examples/github-actions/hotfix-guard.yml")
    jobs = wf["jobs"]
    pr, after = jobs["pull-request"], jobs["after-merge"]
    for job in (pr, after):
        checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0
    action = next(s for s in pr["steps"] if str(s.get("uses", "")).startswith("OWNER/hotfix-guard@"))
    assert action["with"]["sarif-file"] == "hotfix-guard.sarif"  # the action writes it (tests/test_action.py)
    upload = next(s for s in pr["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "code-scanning.sarif"
    assert pr["permissions"]["security-events"] == "write"
    assert any(s.get("with", {}).get("args") == "--branch main" for s in after["steps"])
    assert wf[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True


def test_gitlab_ci_example() -> None:
    ci = load("examples/gitlab-ci/.gitlab-ci.yml")
    template = ci[".hotfix-guard"]
    assert template["variables"]["GIT_DEPTH"] == "0"
    assert any("refs/heads/*:refs/remotes/origin/*" in line for line in template["before_script"])
    mr = ci["hotfix-guard:merge-request"]
    assert mr["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json",
                                         "junit": "hotfix-guard-junit.xml"}
    assert mr["artifacts"]["when"] == "always"
    assert mr["script"][-1] == "hotfix-guard check --format gitlab --output gl-code-quality-report.json"
    after = ci["hotfix-guard:after-merge"]
    assert after["script"] == ['hotfix-guard check --branch "$CI_COMMIT_BRANCH"']
