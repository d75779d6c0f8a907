"""Config: where it is read from, how it is validated, and that flags win."""

from __future__ import annotations

import json

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli


def findings(r: Repo, *args: str) -> set[str]:
    proc = run_cli("check", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    return {f["code"] for f in json.loads(proc.stdout)["findings"]}


@pytest.fixture
def bad_hotfix(project: Repo) -> Repo:
    project.checkout("hotfix/v1.3.0-X", new=True, start="develop")
    project.commit("fix", {"src/app.py": "x\n"})
    return project


def test_pyproject_table(bad_hotfix: Repo) -> None:
    bad_hotfix.write("pyproject.toml", '[project]\nname = "app"\n\n[tool.hotfix-guard]\nselect = ["HG003"]\n')
    assert findings(bad_hotfix) == {"HG003"}


def test_pyproject_without_table_is_defaults(bad_hotfix: Repo) -> None:
    bad_hotfix.write("pyproject.toml", '[project]\nname = "app"\n')
    assert {"HG001", "HG002", "HG003"} <= findings(bad_hotfix)


def test_dot_file_wins_over_pyproject(bad_hotfix: Repo) -> None:
    bad_hotfix.write("pyproject.toml", '[tool.hotfix-guard]\nselect = ["HG003"]\n')
    bad_hotfix.write(".hotfix-guard.toml", 'select = ["HG002"]\n')
    assert findings(bad_hotfix) == {"HG002"}


def test_explicit_config_file(bad_hotfix: Repo, tmp_path) -> None:
    cfg = tmp_path / "policy.toml"
    cfg.write_text('select = ["HG001"]\n')
    assert findings(bad_hotfix, "--config", str(cfg)) == {"HG001"}
    assert_clean_error(run_cli("check", "--config", str(tmp_path / "nope.toml"), cwd=bad_hotfix.path),
                       "config file not found")


def test_branch_names_from_config(tmp_path) -> None:
    from conftest import make_repo

    r = make_repo(tmp_path / "r")
    r.git("symbolic-ref", "HEAD", "refs/heads/prod")
    r.commit("init", {"a.py": "a\n"})
    r.tag("v3.1.0")
    r.checkout("integration", new=True)
    r.commit("dev", {"b.py": "b\n"})
    r.write(".hotfix-guard.toml", 'production-branch = "prod"\ndevelopment-branch = "integration"\n'
                                  'hotfix-prefix = "fix/"\n')
    r.checkout("fix/v3.1.1-crash", new=True, start="integration")
    r.commit("fix", {"a.py": "b\n"})
    assert findings(r, "--select", "HG001,HG002,HG003") == {"HG001"}


def test_explicit_production_has_no_fallback(repo: Repo) -> None:
    repo.git("symbolic-ref", "HEAD", "refs/heads/master")
    repo.commit("init", {"a.py": "a\n"})
    repo.write(".hotfix-guard.toml", 'production-branch = "main"\n')
    repo.checkout("hotfix/v0.1.1-x", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    proc = run_cli("check", cwd=repo.path)
    assert proc.returncode == 2 and "production branch 'main' (set in .hotfix-guard.toml" in proc.stderr
    assert "master" in proc.stderr.splitlines()[1]  # the hint lists the branch that exists


@pytest.mark.parametrize(
    "content, fragments",
    [
        ("select = [", [".hotfix-guard.toml: not valid TOML"]),
        ('select = "HG001"', [".hotfix-guard.toml: select: expected a list of strings, got a string"]),
        ("production-branch = 3", ["production-branch: expected a string, got an integer"]),
        ('selct = ["HG001"]', ["unknown key `selct`", "did you mean `select`?"]),
        ("max-lines = 100", ["unknown key `max-lines`", "[rules.diff-size]"]),
        ('ticket-pattern = "([A-Z"', ["ticket-pattern: not a valid regular expression"]),
        ('per-file-ignores = { "docs/**" = "HG005" }', ["per-file-ignores: expected a table of glob"]),
        ("[rules.no-such-rule]\nx = 1", ["[rules.no-such-rule]: no rule is named 'no-such-rule'"]),
        ("[rules.HG002]\nmax-branch-length = 1", ["no rule is named 'HG002'", "[rules.branch-name]"]),
        ("[rules.branch-name]\nmax-length = 1", ["unknown option `max-length`", "max-branch-length"]),
        ('[rules.branch-name]\nmax-branch-length = "60"',
         ["[rules.branch-name] max-branch-length: expected an integer, got str"]),
        ('select = ["HG999"]', ["unknown rule selector 'HG999' in .hotfix-guard.toml: select"]),
        ('production-branch = ""', ["production-branch: expected a non-empty string"]),
    ],
)
def test_bad_config_is_exit_2(bad_hotfix: Repo, content: str, fragments: list[str]) -> None:
    bad_hotfix.write(".hotfix-guard.toml", content + "\n")
    assert_clean_error(run_cli("check", cwd=bad_hotfix.path), *fragments)


def test_bad_pyproject_names_the_table(bad_hotfix: Repo) -> None:
    bad_hotfix.write("pyproject.toml", '[tool.hotfix-guard]\nignore = "HG001"\n')
    assert_clean_error(run_cli("check", cwd=bad_hotfix.path),
                       "pyproject.toml: tool.hotfix-guard.ignore: expected a list of strings")


def test_non_utf8_config(bad_hotfix: Repo) -> None:
    bad_hotfix.write(".hotfix-guard.toml", b"select = [\"\xff\"]\n")
    assert_clean_error(run_cli("check", cwd=bad_hotfix.path), ".hotfix-guard.toml: not valid TOML")


def test_flags_win_over_config(bad_hotfix: Repo) -> None:
    bad_hotfix.write(".hotfix-guard.toml", 'select = ["HG001"]\nignore = ["HG003"]\n')
    assert findings(bad_hotfix) == {"HG001"}
    assert findings(bad_hotfix, "--select", "HG002,HG003") == {"HG002"}  # config ignore still applies
    assert findings(bad_hotfix, "--extend-select", "HG002") == {"HG001", "HG002"}
    assert findings(bad_hotfix, "--ignore", "HG001") == set()


def test_config_never_runs_code(bad_hotfix: Repo, tmp_path) -> None:
    marker = tmp_path / "pwned"
    bad_hotfix.write(".hotfix-guard.toml", f'production-branch = "$(touch {marker})"\n')
    run_cli("check", cwd=bad_hotfix.path)
    assert not marker.exists()


def test_clean_hotfix_with_config(project: Repo) -> None:
    project.write(".hotfix-guard.toml", "[rules.branch-name]\nmax-branch-length = 80\n")
    hotfix_from_main(project)
    assert findings(project, "--select", "HG001,HG002,HG003") == set()
