"""``hotfix-guard init``: the workflow and the keys inferred from each shape of history,
the reasons it gives, and where and how it writes them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import Repo, assert_clean_error, make_repo, run_cli
from workflow_corpus import git_flow, github_flow, gitlab_flow, release_line

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def init(r: Repo, *args: str):
    return run_cli("init", *args, cwd=r.path)


def written(r: Repo) -> dict:
    return tomllib.loads((r.path / ".hotfix-guard.toml").read_text())


@pytest.mark.parametrize("build, expected", [
    (git_flow, {"workflow": "git-flow"}),
    (github_flow, {"workflow": "github-flow"}),
    (gitlab_flow, {"workflow": "gitlab-flow"}),
    (release_line, {"workflow": "git-flow"}),
])
def test_init_infers_the_preset_of_each_corpus(tmp_path: Path, build, expected) -> None:
    r = build(tmp_path)
    proc = init(r)
    assert proc.returncode == 0, proc.stderr
    assert written(r) == expected
    assert f"looks like {expected['workflow']}" in proc.stdout


def test_init_on_git_flow_with_master_development_and_unprefixed_tags(tmp_path: Path) -> None:
    r = git_flow(tmp_path, master=True, prefix="")
    proc = init(r)
    assert proc.returncode == 0, proc.stderr
    assert written(r) == {"workflow": "git-flow", "production-branch": "master",
                          "development-branch": "development", "tag-prefix": ""}
    assert "tag-prefix = \"\" because 3 of 3 release tags have no prefix" in proc.stdout
    assert "production-branch = \"master\" because there is no main branch" in proc.stdout
    # what it wrote is what the tool then works with
    r.checkout("hotfix/1.2.3-fix-crash", new=True, start="master")
    r.commit("Fix", {"src/app.py": "def main():\n    # HOTFIX 1.2.3: fix\n    return 0\n"})
    proc = run_cli("check", "--select", "HG001,HG003,HG005", cwd=r.path)
    assert proc.returncode == 0, proc.stdout


def test_init_gives_one_reason_per_key(tmp_path: Path) -> None:
    r = git_flow(tmp_path, master=True, prefix="")
    proc = init(r, "--dry-run")
    why = proc.stdout.split("why:\n", 1)[1].splitlines()
    keys = [line.split(" = ")[0].strip() for line in why if " because " in line]
    assert keys == ["workflow", "production-branch", "development-branch", "tag-prefix"]


def test_init_reads_prefixes_from_branches_and_merges(tmp_path: Path) -> None:
    r = github_flow(tmp_path)
    r.branch("hotfixes/v1.2.4-a")
    r.branch("maint/1.1", "v1.2.2")
    r.git("tag", "-d", "v1.2.2")
    r.git("tag", "-d", "v1.2.3")
    r.tag("release-1.2.3")
    r.tag("release-1.2.2", "HEAD~1")
    proc = init(r)
    assert proc.returncode == 0, proc.stderr
    assert written(r) == {"workflow": "github-flow", "tag-prefix": "release-", "hotfix-prefix": "hotfixes/",
                          "support-prefix": "maint/"}


def test_init_workflow_flag_wins(tmp_path: Path) -> None:
    r = github_flow(tmp_path)
    proc = init(r, "--workflow", "git-flow")
    assert proc.returncode == 0
    assert written(r) == {"workflow": "git-flow"}
    assert "workflow = \"git-flow\" because as --workflow says" in proc.stdout
    assert "no development branch (develop or development) was found" in proc.stdout


def test_init_dry_run_writes_nothing(tmp_path: Path) -> None:
    r = gitlab_flow(tmp_path)
    before = r.git("status", "--porcelain", "--ignored")
    proc = init(r, "--dry-run")
    assert proc.returncode == 0 and "dry run" in proc.stdout
    assert r.git("status", "--porcelain", "--ignored") == before


def test_init_writes_into_pyproject_when_there_is_one(tmp_path: Path) -> None:
    r = gitlab_flow(tmp_path)
    (r.path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert init(r).returncode == 0
    data = tomllib.loads((r.path / "pyproject.toml").read_text())
    assert data == {"project": {"name": "app"}, "tool": {"hotfix-guard": {"workflow": "gitlab-flow"}}}
    assert not (r.path / ".hotfix-guard.toml").exists()


def test_init_never_overwrites_an_existing_table(tmp_path: Path) -> None:
    r = gitlab_flow(tmp_path)
    text = '[project]\nname = "app"\n\n[tool.hotfix-guard]\nworkflow = "git-flow"\n'
    (r.path / "pyproject.toml").write_text(text)
    assert_clean_error(init(r), "pyproject.toml already has a [tool.hotfix-guard] table", "--force")
    assert (r.path / "pyproject.toml").read_text() == text
    (r.path / "pyproject.toml").unlink()
    (r.path / ".hotfix-guard.toml").write_text('tag-prefix = "x"\n')
    assert_clean_error(init(r), ".hotfix-guard.toml already has the config")


def test_init_force_replaces_the_keys_and_keeps_rule_tables(tmp_path: Path) -> None:
    r = gitlab_flow(tmp_path)
    (r.path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.hotfix-guard]\nworkflow = "git-flow"\ntag-prefix = "x"\n\n'
        '[tool.hotfix-guard.rules.diff-size]\nmax-lines = 80\n\n[tool.other]\na = 1\n')
    proc = init(r, "--force")
    assert proc.returncode == 0, proc.stderr
    data = tomllib.loads((r.path / "pyproject.toml").read_text())
    assert data["tool"]["hotfix-guard"] == {"workflow": "gitlab-flow", "rules": {"diff-size": {"max-lines": 80}}}
    assert data["tool"]["other"] == {"a": 1} and data["project"] == {"name": "app"}


def test_init_force_refuses_a_table_written_as_dotted_keys(tmp_path: Path) -> None:
    r = gitlab_flow(tmp_path)
    text = '[tool]\nhotfix-guard.workflow = "git-flow"\n'
    (r.path / "pyproject.toml").write_text(text)
    assert_clean_error(init(r, "--force"), "not written under a [tool.hotfix-guard] header")
    assert (r.path / "pyproject.toml").read_text() == text


def test_init_names_the_only_remote_when_there_is_no_origin(tmp_path: Path) -> None:
    r = git_flow(tmp_path)
    r.git("remote", "add", "upstream", str(tmp_path / "nowhere"))
    proc = init(r)
    assert written(r) == {"workflow": "git-flow", "remote": "upstream"}, proc.stdout


def test_init_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_init_on_an_empty_repository(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "empty")
    proc = init(r)
    assert proc.returncode == 0, proc.stderr
    assert written(r) == {"workflow": "github-flow"}


def test_init_force_on_its_own_file_keeps_comments_and_rule_tables(tmp_path: Path) -> None:
    r = github_flow(tmp_path)
    (r.path / ".hotfix-guard.toml").write_text(
        '# ours\nworkflow = "git-flow"\nselect = ["HG001"]\n\n[rules.diff-size]\nmax-lines = 80\n')
    assert init(r, "--force").returncode == 0
    text = (r.path / ".hotfix-guard.toml").read_text()
    assert "# ours" in text
    assert tomllib.loads(text) == {"workflow": "github-flow", "rules": {"diff-size": {"max-lines": 80}}}


def test_init_under_gitlab_flow_takes_the_branch_that_feeds_production_when_main_is_stale(tmp_path: Path) -> None:
    import os
    import subprocess

    r = gitlab_flow(tmp_path)
    r.checkout("staging", new=True, start="main")
    r.commit("Staged work", {"src/staged.py": "S = 1\n"})
    r.checkout("production")
    later = "1710000000 +0000"  # about 110 days after the corpus's commits
    env = {**os.environ, "GIT_AUTHOR_DATE": later, "GIT_COMMITTER_DATE": later}
    for n in (11, 12):
        subprocess.run(["git", "merge", "-q", "--no-ff", "-m", f"Merge pull request #{n} from acme/staging",
                        "staging"], cwd=r.path, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=r.path, env=env, check=True,
                       capture_output=True)
    subprocess.run(["git", "merge", "-q", "--no-ff", "-m", "Merge pull request #13 from someone/main",
                    "main"], cwd=r.path, env=env, check=True)
    proc = init(r, "--dry-run")
    why = next(line for line in proc.stdout.splitlines() if line.strip().startswith("development-branch") and " because " in line)
    assert "= \"staging\" because" in why and "came from staging, and main has had no commit for months" in why
