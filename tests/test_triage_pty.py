"""`hotfix-guard triage` on a real pseudo-terminal (pexpect): the prompts, a wrong answer
re-asked, Enter on a needed question, Ctrl-C and EOF, every leaf of the decision."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from triage_helpers import LEAVES, Leaf

pexpect = pytest.importorskip("pexpect")

from hotfix_guard.triage.questions import QUESTIONS, TEXT_IDS  # noqa: E402

TIMEOUT = 30
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROMPT_END = r"\](?:\x1b\[[0-9;]*m)* "  # the end of a prompt: "[yes/no/unsure] ", maybe coloured


def spawn(cwd: Path, *args: str) -> "pexpect.spawn":
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="200")
    child = pexpect.spawn(sys.executable, ["-m", "hotfix_guard", "triage", *args], cwd=str(cwd), env=env,
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 200))
    child.logfile_read = io.StringIO()  # the whole transcript
    return child


def transcript(child: "pexpect.spawn") -> str:
    return ANSI.sub("", child.logfile_read.getvalue())


def ask(child: "pexpect.spawn", qid: str, answer: str) -> None:
    child.expect_exact(QUESTIONS[qid].text)
    child.expect(PROMPT_END)
    child.sendline(answer)


def finish(child: "pexpect.spawn") -> str:
    """Wait for the end; the whole transcript, without colours, with plain newlines."""
    child.expect(pexpect.EOF)
    child.close()
    return transcript(child).replace("\r\n", "\n")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "nowhere"
    path.mkdir()
    return path


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda leaf: leaf.name)
def test_every_leaf_through_the_prompts(leaf: Leaf, outside: Path) -> None:
    child = spawn(outside)
    for qid, answer in leaf.asked:
        ask(child, qid, answer)
    child.expect(r"→ ")
    child.expect_exact(leaf.workflow)
    if leaf.workflow != "bug-fix":  # the announcement's details: Enter skips each
        for qid in TEXT_IDS:
            child.expect_exact(QUESTIONS[qid].text)
            child.sendline("")
    rest = finish(child)
    assert child.exitstatus == 0, rest
    # only the questions of the path were asked, each once, in the path's order
    text = transcript(child)
    asked = sorted((text.index(q.text), q.id) for q in QUESTIONS.values() if q.kind != "text" and q.text in text)
    assert [qid for _, qid in asked] == [qid for qid, _ in leaf.asked]
    assert all(text.count(QUESTIONS[qid].text) == 1 for qid, _ in leaf.asked)
    assert f"Severity: {leaf.severity}" in rest
    if "unsure" in dict(leaf.asked).values():
        assert "counted as no" in rest or "counted as under 10%" in rest


def test_full_hotfix_verdict_with_a_wrong_answer_reasked(tmp_path: Path, project: object) -> None:
    child = spawn(project.path)  # type: ignore[attr-defined]
    child.expect_exact("is this really a hotfix?")
    ask(child, "feature_request", "no")
    ask(child, "security_breach", "maybe")
    child.expect_exact("security_breach: 'maybe' is not an answer; expected yes, no or unsure")
    child.expect_exact(QUESTIONS["security_breach"].text)  # asked again
    child.sendline("unsure")
    ask(child, "data_loss", "no")
    ask(child, "production_broken", "yes")
    ask(child, "core_features_unusable", "")  # Enter is not an answer to a needed question
    child.expect_exact("An answer is needed")
    child.expect_exact(QUESTIONS["core_features_unusable"].text)
    child.sendline("no")
    ask(child, "business_critical_broken", "no")
    ask(child, "users_affected_percent", "140")
    child.expect_exact("'140' is out of range; expected a whole number from 0 to 100, or unsure")
    child.expect_exact(QUESTIONS["users_affected_percent"].text)
    child.sendline("80")
    child.expect_exact("hotfix")
    child.expect_exact("critical")
    for qid, answer in (("title", "Payment crash"), ("impact", ""), ("detected", "14:30 UTC"),
                        ("incident_lead", "Ana"), ("eta", "")):
        child.expect_exact(QUESTIONS[qid].text)
        child.sendline(answer)
    child.expect_exact("Create hotfix/v1.2.4-payment-crash from main now (hotfix-guard start)?")
    child.sendline("")  # Enter: no
    out = finish(child)
    assert child.exitstatus == 0, out
    assert "HOTFIX: use the hotfix workflow" in out
    assert "unsure whether a security vulnerability is being actively exploited: counted as no" in out
    assert "80% of users are affected: more than half of them" in out
    assert "Branch: hotfix/v1.2.4-payment-crash (from main, the next patch after v1.2.3)" in out
    assert 'Later: hotfix-guard start "Payment crash"' in out
    assert "Traceback" not in out
    assert project.git("branch", "--list", "hotfix/*") == ""  # type: ignore[attr-defined]


def test_ctrl_c_at_a_prompt_exits_130_without_a_traceback(outside: Path) -> None:
    child = spawn(outside)
    ask(child, "feature_request", "no")
    child.expect_exact(QUESTIONS["security_breach"].text)
    child.sendintr()
    out = finish(child)
    assert child.exitstatus == 130
    assert "hotfix-guard: interrupted" in out and "Traceback" not in out


def test_eof_at_a_prompt_exits_2_naming_the_question(outside: Path) -> None:
    child = spawn(outside)
    child.expect_exact(QUESTIONS["feature_request"].text)
    child.expect(PROMPT_END)
    child.sendeof()
    out = finish(child)
    assert child.exitstatus == 2
    assert "hotfix-guard: error: input ended before `feature_request` was answered" in out
    assert "Traceback" not in out


def test_given_answers_are_not_asked_again(outside: Path) -> None:
    child = spawn(outside, "--set", "feature_request=no", "--set", "security_breach=yes")
    child.expect_exact("hotfix")
    child.expect_exact(QUESTIONS["title"].text)
    assert QUESTIONS["feature_request"].text not in transcript(child)
    assert QUESTIONS["security_breach"].text not in transcript(child)
    child.sendeof()
    out = finish(child)
    assert child.exitstatus == 2 and "input ended before `title` was answered" in out


def test_no_input_on_a_terminal_does_not_prompt(outside: Path) -> None:
    child = spawn(outside, "--no-input", "--set", "feature_request=yes")
    out = finish(child)
    assert child.exitstatus == 0
    assert "BUG FIX" in out
    assert "[yes/no/unsure]" not in out and QUESTIONS["security_breach"].text not in out
