"""The workflow model (hotfix_guard.workflow): presets, release lines, and the plan for
one hotfix that the rules, start, finish, status and audit share."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Repo, assert_clean_error, make_repo, run_cli

from hotfix_guard.config import Settings, classify, validate
from hotfix_guard.engine.context import resolve_refs
from hotfix_guard.errors import ConfigError
from hotfix_guard.git import Git
from hotfix_guard.history.versions import Version
from hotfix_guard.workflow import NO_MERGE_BACK, lines, parse_line, plan


def refs_of(r: Repo, settings: Settings):
    import os

    cwd = os.getcwd()
    os.chdir(r.path)
    try:
        git = Git()
        return resolve_refs(git, settings)
    finally:
        os.chdir(cwd)


# -- presets ---------------------------------------------------------------------------


@pytest.mark.parametrize("workflow, production, development, other", [
    ("git-flow", "main", "develop", "production"),
    ("github-flow", "main", None, "develop"),
    ("gitlab-flow", "production", "main", "develop"),
])
def test_each_preset_names_production_and_development(workflow, production, development, other) -> None:
    settings = Settings({"workflow": workflow})
    assert classify(production, settings) == "production"
    if development:
        assert classify(development, settings) == "development"
    assert classify(other, settings) == "other"


def test_git_flow_is_the_default_and_keeps_its_fallbacks() -> None:
    settings = Settings()
    assert settings.workflow == "git-flow"
    assert classify("master", settings) == "production"
    assert classify("development", settings) == "development"


def test_a_key_overrides_its_preset() -> None:
    settings = Settings({"workflow": "gitlab-flow", "production-branch": "live", "development-branch": "trunk"})
    assert classify("live", settings) == "production"
    assert classify("production", settings) == "other"
    assert classify("trunk", settings) == "development"
    assert classify("main", settings) == "other"


def test_an_unknown_workflow_is_a_config_error_naming_the_presets() -> None:
    with pytest.raises(ConfigError) as err:
        validate({"workflow": "github_flow"}, "/x/.hotfix-guard.toml")
    assert "workflow" in err.value.message and "gitlab-flow" in err.value.message
    assert 'did you mean "github-flow"' in (err.value.hint or "")


def test_forward_port_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError, match="forward-port: expected a boolean"):
        validate({"forward-port": "yes"}, "/x/.hotfix-guard.toml")


def test_a_bad_workflow_key_in_a_file_is_exit_2(project: Repo) -> None:
    (project.path / ".hotfix-guard.toml").write_text('workflow = "trunk"\n')
    project.checkout("hotfix/v1.2.4-x", new=True)
    assert_clean_error(run_cli("check", cwd=project.path), "workflow")


# -- release lines ---------------------------------------------------------------------


@pytest.mark.parametrize("name, key", [
    ("support/1.1", (1, 1)), ("support/v1.1", (1, 1)), ("support/1.1.x", (1, 1)),
    ("support/10.0", (10, 0)), ("support/1", None), ("support/1.1.2", None),
    ("support/01.1", None), ("support/next", None), ("release/1.1", None),
])
def test_support_branch_names(name, key) -> None:
    assert parse_line(name, Settings()) == key


def lined(tmp_path: Path) -> Repo:
    """main at v1.2.3, develop ahead, support/1.1 from v1.1.4 with one backport."""
    r = make_repo(tmp_path / "lined")
    r.commit("Initial commit", {"src/app.py": "A = 1\n"})
    r.tag("v1.1.4")
    r.branch("support/1.1")
    r.commit("Release 1.2", {"src/app.py": "A = 2\n"})
    r.tag("v1.2.3")
    r.branch("develop")
    r.checkout("support/1.1")
    r.commit("Backport a fix", {"src/b.py": "B = 1\n"})
    r.checkout("main")
    return r


def test_a_hotfix_of_an_older_line_lands_on_the_line(tmp_path: Path) -> None:
    r = lined(tmp_path)
    settings = Settings()
    refs = refs_of(r, settings)
    assert list(lines(settings, refs)) == [(1, 1)]
    p = plan(settings, refs, Version(1, 1, 5), current=Version(1, 2, 3))
    assert p.line is not None and p.line.label == "1.1"
    assert p.lands_on.name == "support/1.1" and p.lands_on.sha == r.sha("support/1.1")
    assert p.merge_back == ()
    assert "forward-port" in (p.note or "")


def test_forward_port_adds_development(tmp_path: Path) -> None:
    r = lined(tmp_path)
    settings = Settings({"forward-port": True})
    p = plan(settings, refs_of(r, settings), Version(1, 1, 5), current=Version(1, 2, 3))
    assert [b.name for b in p.targets] == ["support/1.1", "develop"]


def test_forward_port_under_github_flow_goes_to_main(tmp_path: Path) -> None:
    r = lined(tmp_path)
    settings = Settings({"workflow": "github-flow", "forward-port": True})
    p = plan(settings, refs_of(r, settings), Version(1, 1, 5), current=Version(1, 2, 3))
    assert [b.name for b in p.targets] == ["support/1.1", "main"]


def test_a_patch_of_productions_own_minor_is_productions(tmp_path: Path) -> None:
    r = lined(tmp_path)
    r.branch("support/1.2")
    settings = Settings()
    p = plan(settings, refs_of(r, settings), Version(1, 2, 4), current=Version(1, 2, 3))
    assert p.line is None and p.lands_on.name == "main"


def test_a_line_on_the_remote_only_is_found(tmp_path: Path) -> None:
    r = lined(tmp_path)
    r.git("update-ref", "refs/remotes/origin/support/1.1", "support/1.1")
    r.git("branch", "-D", "support/1.1")
    settings = Settings()
    p = plan(settings, refs_of(r, settings), Version(1, 1, 5), current=Version(1, 2, 3))
    assert p.lands_on.ref == "refs/remotes/origin/support/1.1" and p.lands_on.remote


# -- the plan per preset -----------------------------------------------------------------


def test_git_flow_merges_back_into_develop(project: Repo) -> None:
    settings = Settings()
    p = plan(settings, refs_of(project, settings), Version(1, 2, 4))
    assert [b.name for b in p.targets] == ["main", "develop"] and p.note is None


def test_git_flow_merges_back_into_the_open_release_branch(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    settings = Settings()
    p = plan(settings, refs_of(project, settings), Version(1, 2, 4))
    assert [b.name for b in p.merge_back] == ["release/1.3.0"]


def test_github_flow_has_no_merge_back_target(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    settings = Settings({"workflow": "github-flow"})
    p = plan(settings, refs_of(project, settings), Version(1, 2, 4))
    assert [b.name for b in p.targets] == ["main"]
    assert p.note == NO_MERGE_BACK and not p.missing


def test_gitlab_flow_lands_on_production_and_must_reach_main(project: Repo) -> None:
    project.branch("production", "main")
    project.commit("Unreleased work on main")
    settings = Settings({"workflow": "gitlab-flow"})
    p = plan(settings, refs_of(project, settings), Version(1, 2, 4))
    assert [b.name for b in p.targets] == ["production", "main"]


def test_a_missing_merge_back_target_is_named(project: Repo) -> None:
    project.git("branch", "-D", "develop")
    settings = Settings()
    p = plan(settings, refs_of(project, settings), Version(1, 2, 4))
    assert p.merge_back == () and p.missing == ("develop or development",)
