"""`hotfix-guard triage` on a real pseudo-terminal of 100 and 120 columns: the verdict and
the next steps are wrapped between words, and the offer to create the branch is only
made when `start` could do it (issue #16)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Repo

pexpect = pytest.importorskip("pexpect")

from test_triage_pty import ANSI, PROMPT_END  # noqa: E402
HOTFIX_ANSWERS = ("--set", "feature_request=no", "--set", "security_breach=yes", "--set", "title=Payment crash")
TEXT_IDS_SKIPPED = ("impact", "detected", "incident_lead", "eta")


def run_on_a_pty(cwd: Path, columns: int, *args: str, answers: tuple[str, ...] = ()) -> "pexpect.spawn":
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm")
    env.pop("COLUMNS", None)
    child = pexpect.spawn(sys.executable, ["-m", "hotfix_guard", "triage", *args], cwd=str(cwd), env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, columns))
    child.logfile_read = io.StringIO()
    return child


def lines_of(child: "pexpect.spawn") -> list[str]:
    return ANSI.sub("", child.logfile_read.getvalue()).replace("\r\n", "\n").split("\n")


def words_whole(lines: list[str], text: str) -> bool:
    """Every word of ``text`` appears whole on some line."""
    joined = set(" ".join(lines).split())
    return all(word in joined for word in text.split())


@pytest.mark.parametrize("columns", [100, 120])
def test_the_report_is_wrapped_between_words_at_the_terminal_width(project: Repo, columns: int) -> None:
    child = run_on_a_pty(project.path, columns, "--no-input", *HOTFIX_ANSWERS)
    child.expect(pexpect.EOF)
    child.close()
    lines = lines_of(child)
    assert child.exitstatus == 0, lines
    assert max(len(line) for line in lines) <= columns
    step = ("Branch from main, not develop: `hotfix-guard start \"Payment crash\"` creates "
            "hotfix/v1.2.4-payment-crash from the latest production commit and switches to it.")
    assert words_whole(lines, step)
    assert "hotfix/v1.2.4-payment-crash" in " ".join(lines).split()  # never split at its hyphens
    first = next(i for i, line in enumerate(lines) if line.startswith("  2. Branch from main"))
    assert lines[first + 1].startswith("     ") and lines[first + 1].strip()  # hangs under the item's text


@pytest.mark.parametrize("columns", [100, 120])
def test_the_prompted_report_is_wrapped_too(project: Repo, columns: int) -> None:
    child = run_on_a_pty(project.path, columns, *HOTFIX_ANSWERS)
    for qid in TEXT_IDS_SKIPPED:
        child.expect(PROMPT_END)
        child.sendline("")
    child.expect_exact("now (hotfix-guard start)?")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    lines = lines_of(child)
    report = lines[next(i for i, line in enumerate(lines) if line.startswith("HOTFIX:")):]
    assert max(len(line) for line in report) <= columns, report


def test_no_offer_to_create_the_branch_while_another_hotfix_is_open(project: Repo) -> None:
    project.branch("hotfix/v1.2.4-other-crash", "main")
    child = run_on_a_pty(project.path, 120, *HOTFIX_ANSWERS)
    for qid in TEXT_IDS_SKIPPED:
        child.expect(PROMPT_END)
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    text = " ".join(" ".join(lines_of(child)).split())
    assert child.exitstatus == 0, text
    assert "[y/N]" not in text
    assert ("Not creating hotfix/v1.2.4-payment-crash now: another hotfix branch is open: "
            "hotfix/v1.2.4-other-crash") in text
    assert 'Later: hotfix-guard start "Payment crash"' in text
    assert project.git("branch", "--list", "hotfix/v1.2.4-payment*") == ""
