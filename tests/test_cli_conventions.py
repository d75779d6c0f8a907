"""The conventions ruff and pre-commit users expect of `check` (SPEC §10, issue #16):
-q/--quiet, --color with NO_COLOR/FORCE_COLOR, --statistics, TERM=dumb, the hint of an
unknown option, a bare `hotfix-guard`, and a report that cannot be written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli

ESC = "\x1b["


@pytest.fixture
def clean(project: Repo) -> Repo:
    hotfix_from_main(project)
    (project.path / ".hotfix-guard.toml").write_text('select = ["HG001", "HG002", "HG003"]\n')
    return project


@pytest.fixture
def dirty(project: Repo) -> Repo:
    """A skipped patch (HG003), and two changed files without a marker (HG005)."""
    project.checkout("hotfix/v1.2.9-fix-crash", new=True, start="main")
    project.commit("fix", {"src/app.py": "def main():\n    return 1\n", "src/page.py": "PAGE = 'x'\n"})
    (project.path / ".hotfix-guard.toml").write_text('select = ["HG003", "HG005"]\n')
    return project


def on_a_pty(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    pexpect = pytest.importorskip("pexpect")
    full = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", **(env or {})}
    child = pexpect.spawn(sys.executable, ["-m", "hotfix_guard", *args], cwd=str(cwd), env=full,
                          encoding="utf-8", timeout=60, dimensions=(50, 200))
    child.logfile_read = io.StringIO()
    child.expect(pexpect.EOF)
    child.close()
    return child.logfile_read.getvalue()


# -- -q/--quiet ---------------------------------------------------------------------------


def test_quiet_prints_nothing_when_clean(clean: Repo) -> None:
    for flag in ("-q", "--quiet"):
        proc = run_cli("check", flag, cwd=clean.path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_quiet_prints_the_findings_only(dirty: Repo) -> None:
    loud = run_cli("check", cwd=dirty.path).stdout.splitlines()
    proc = run_cli("check", "-q", cwd=dirty.path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines and all(line in loud for line in lines)
    assert not any("(stage manual)" in line for line in lines)  # no summary line
    assert len(lines) == len(loud) - 1


def test_quiet_on_a_non_hotfix_branch_says_nothing(project: Repo) -> None:
    project.checkout("feature/x", new=True)
    proc = run_cli("check", "--stage", "pre-commit", "-q", cwd=project.path)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_quiet_keeps_the_machine_formats_whole(dirty: Repo, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_cli("check", "-q", "--format", "json", "--output", str(out), cwd=dirty.path)
    assert proc.stderr == ""  # no summary on stderr either
    assert '"summary"' in out.read_text()


# -- --color ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, env, coloured", [
    (["--color", "always"], {}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ([], {}, False),  # auto, piped
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag wins over the environment
])
def test_color_on_a_pipe(dirty: Repo, args: list[str], env: dict[str, str], coloured: bool) -> None:
    proc = run_cli("check", *args, cwd=dirty.path, env=env)
    assert proc.returncode == 1
    assert (ESC in proc.stdout) is coloured, proc.stdout
    assert "[error]" in proc.stdout  # coloured or not, the severity reads the same


@pytest.mark.parametrize("args, env, coloured", [
    ([], {}, True),  # auto, a terminal
    ([], {"NO_COLOR": "1"}, False),
    (["--color", "never"], {}, False),
    ([], {"TERM": "dumb"}, False),
])
def test_color_on_a_terminal(dirty: Repo, args: list[str], env: dict[str, str], coloured: bool) -> None:
    out = on_a_pty(dirty.path, "check", *args, env=env)
    assert (ESC in out) is coloured, out


def test_term_dumb_keeps_the_brackets(dirty: Repo) -> None:
    out = on_a_pty(dirty.path, "check", env={"TERM": "dumb"})
    assert "HG003 [error] next-patch-version:" in out
    assert ESC not in out


def test_color_rejects_other_values(dirty: Repo) -> None:
    proc = run_cli("check", "--color", "sometimes", cwd=dirty.path)
    assert_clean_error(proc, "invalid choice: 'sometimes'", "hotfix-guard check --help")


# -- --statistics -------------------------------------------------------------------------


def test_statistics_one_line_per_code(dirty: Repo) -> None:
    proc = run_cli("check", "--statistics", cwd=dirty.path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "2\tHG005\thotfix-comment",
        "1\tHG003\tnext-patch-version",
        "hotfix/v1.2.9-fix-crash: 3 errors (stage manual)",
    ]
    quiet = run_cli("check", "--statistics", "-q", cwd=dirty.path)
    assert quiet.stdout.splitlines() == proc.stdout.splitlines()[:2]


def test_statistics_is_a_text_report(dirty: Repo) -> None:
    proc = run_cli("check", "--statistics", "--format", "json", cwd=dirty.path)
    assert_clean_error(proc, "--statistics is a text report")


# -- usage errors -------------------------------------------------------------------------


def test_unknown_option_of_check_hints_checks_help(project: Repo) -> None:
    proc = run_cli("check", "--frobnicate", cwd=project.path)
    assert_clean_error(proc, "unrecognized arguments: --frobnicate", "see `hotfix-guard check --help`")


def test_bare_hotfix_guard_is_a_usage_error(project: Repo) -> None:
    proc = run_cli(cwd=project.path)
    assert_clean_error(proc, "no command given", "see `hotfix-guard --help`")
    assert proc.stdout == ""


# -- a report that cannot be written ------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("branch", ["hotfix", "feature/x"])
def test_a_full_disk_is_exit_2_with_the_reason(clean: Repo, branch: str) -> None:
    if branch != "hotfix":
        clean.checkout(branch, new=True)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check"], cwd=clean.path, stdout=full,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 2
    assert proc.stderr.startswith("hotfix-guard: error: cannot write the report: No space left on device\n")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
