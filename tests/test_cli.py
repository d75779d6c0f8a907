"""The command line: exit codes, every could-not-run path, selection, the fast path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli


def test_version_and_help(tmp_path) -> None:
    proc = run_cli("--version", cwd=tmp_path)
    assert proc.returncode == 0 and "hotfix-guard 0.1.0" in proc.stdout
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0 and "check" in proc.stdout and "triage" in proc.stdout
    proc = run_cli("check", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "--stage" in proc.stdout


def test_python_dash_m_and_console_script_agree(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-c", "import hotfix_guard.cli as c; raise SystemExit(c.main(['--version']))"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0


def test_not_a_repository(tmp_path) -> None:
    assert_clean_error(run_cli("check", cwd=tmp_path), "not a git repository")


def test_detached_head_without_branch(project: Repo) -> None:
    project.git("checkout", "-q", "--detach")
    assert_clean_error(run_cli("check", cwd=project.path), "HEAD is detached", "--branch")


def test_detached_head_with_branch(project: Repo) -> None:
    hotfix_from_main(project)
    project.git("checkout", "-q", "--detach")
    proc = run_cli("check", "--branch", "hotfix/v1.2.4-fix-payment-crash", "--select", "HG001,HG002,HG003",
                   cwd=project.path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unknown_branch(project: Repo) -> None:
    assert_clean_error(run_cli("check", "--branch", "hotfix/v1.2.4-nope", cwd=project.path),
                       "branch 'hotfix/v1.2.4-nope' not found")


def test_unresolvable_head_and_base(project: Repo) -> None:
    hotfix_from_main(project)
    assert_clean_error(run_cli("check", "--head", "nope", cwd=project.path), "--head: cannot resolve 'nope'")
    assert_clean_error(run_cli("check", "--base", "nope", cwd=project.path), "--base: cannot resolve 'nope'")


def test_missing_production(repo: Repo) -> None:
    repo.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    repo.commit("init", {"a.py": "a\n"})
    repo.checkout("hotfix/v1.0.1-fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    proc = run_cli("check", "--select", "HG001,HG002,HG003", cwd=repo.path)
    assert_clean_error(proc, "production branch 'main' or 'master'", "production-branch", "trunk")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--select", "HG999"], "unknown rule selector 'HG999' in --select"),
        (["--ignore", "XY"], "unknown rule selector 'XY' in --ignore"),
        (["--extend-select", "no-such-rule"], "unknown rule selector 'no-such-rule'"),
        (["--stage", "nightly"], "invalid choice: 'nightly'"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_errors(project: Repo, args: list[str], fragment: str) -> None:
    hotfix_from_main(project)
    assert_clean_error(run_cli("check", *args, cwd=project.path), fragment)


def test_unknown_command(tmp_path) -> None:
    assert_clean_error(run_cli("frobnicate", cwd=tmp_path), "invalid choice")


def test_explain_unknown_rule(tmp_path) -> None:
    assert_clean_error(run_cli("explain", "HG999", cwd=tmp_path), "no rule is called 'HG999'")


def test_rules_and_explain(tmp_path) -> None:
    proc = run_cli("rules", cwd=tmp_path)
    assert proc.returncode == 0
    assert "HG001  branch-from-main" in proc.stdout
    by_name = run_cli("explain", "branch-name", cwd=tmp_path)
    by_code = run_cli("explain", "hg002", cwd=tmp_path)
    assert by_name.stdout == by_code.stdout
    assert by_name.stdout.startswith("# HG002 branch-name")
    assert "max-branch-length" in by_name.stdout
    data = json.loads(run_cli("rules", "--format", "json", cwd=tmp_path).stdout)
    assert {"HG001", "HG002", "HG003"} <= {r["code"] for r in data}


def test_exit_codes_and_exit_zero(project: Repo) -> None:
    project.checkout("hotfix/oops", new=True, start="main")
    project.commit("fix", {"src/app.py": "x\n"})
    proc = run_cli("check", "--select", "HG002", cwd=project.path)
    assert proc.returncode == 1
    assert "HG002 [error] branch-name" in proc.stdout
    assert "help: rename it" in proc.stdout
    assert run_cli("check", "--select", "HG002", "--exit-zero", cwd=project.path).returncode == 0


def test_selection_by_prefix_name_and_ignore(project: Repo) -> None:
    project.checkout("hotfix/v1.3.0-X", new=True, start="develop")
    project.commit("fix", {"src/app.py": "x\n"})

    def found(*args: str) -> set[str]:
        proc = run_cli("check", "--format", "json", *args, cwd=project.path)
        return {f["code"] for f in json.loads(proc.stdout)["findings"]}

    assert found("--select", "HG00") >= {"HG001", "HG002", "HG003"}
    assert found("--select", "branch-name") == {"HG002"}
    assert found("--select", "HG00", "--ignore", "HG002") >= {"HG001", "HG003"}
    assert "HG002" not in found("--select", "HG00", "--ignore", "HG002")
    assert found("--select", "HG001", "--extend-select", "next-patch-version") == {"HG001", "HG003"}
    # the more specific selector wins: ignore a prefix, keep one code
    assert found("--select", "HG", "--ignore", "HG0", "--extend-select", "HG002") == {"HG002"}


def test_config_selection_and_cli_override(project: Repo) -> None:
    project.write(".hotfix-guard.toml", 'select = ["HG002"]\n')
    project.checkout("hotfix/v1.3.0-X", new=True, start="develop")
    project.commit("fix", {"src/app.py": "x\n"})
    data = json.loads(run_cli("check", "--format", "json", cwd=project.path).stdout)
    assert {f["code"] for f in data["findings"]} == {"HG002"}
    data = json.loads(run_cli("check", "--format", "json", "--select", "HG003", cwd=project.path).stdout)
    assert {f["code"] for f in data["findings"]} == {"HG003"}


def test_non_hotfix_branch_says_so(project: Repo) -> None:
    project.checkout("feature/loyalty", new=True)
    proc = run_cli("check", cwd=project.path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "feature/loyalty: not a hotfix, production or development branch: nothing to check"
    data = json.loads(run_cli("check", "--format", "json", cwd=project.path).stdout)
    assert data["findings"] == [] and data["summary"]["errors"] == 0 and "nothing to check" in data["note"]


def test_non_hotfix_path_imports_nothing_heavy(project: Repo) -> None:
    project.checkout("feature/loyalty", new=True)
    code = (
        "import sys\n"
        "from hotfix_guard.cli import main\n"
        "rc = main(['check', '--stage', 'pre-commit'])\n"
        "heavy = sorted(m for m in ('git', 'rich', 'unidiff', 'pluggy', 'pathspec', 'importlib.metadata', 'dataclasses')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "raise SystemExit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True,
                          env={**__import__('os').environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout


def test_output_file(project: Repo, tmp_path) -> None:
    hotfix_from_main(project)
    out = tmp_path / "report.json"
    proc = run_cli("check", "--format", "json", "--output", str(out), "--select", "HG002", cwd=project.path)
    assert proc.returncode == 0
    assert json.loads(out.read_text())["branch"] == "hotfix/v1.2.4-fix-payment-crash"
    assert_clean_error(run_cli("check", "--output", str(tmp_path / "no" / "dir" / "x.txt"), cwd=project.path),
                       "cannot write --output")


def test_runs_from_a_subdirectory(project: Repo) -> None:
    hotfix_from_main(project)
    project.write(".hotfix-guard.toml", 'select = ["HG002"]\n')
    proc = run_cli("check", "--format", "json", cwd=project.path / "src")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["findings"] == []
