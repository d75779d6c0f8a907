"""The verdict for people (text) and for scripts (JSON)."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from hotfix_guard import __version__
from hotfix_guard.triage.questions import RULE_OF_THUMB
from hotfix_guard.triage.templates import HEADLINES, Result, announcement, next_steps, start_command

_WORKFLOW_NAME = {
    "hotfix": "the hotfix workflow",
    "expedited-bug-fix": "expedited bug fix",
    "bug-fix": "regular bug fix",
}


def text(result: Result, record: str | None = None) -> str:
    verdict = result.verdict
    lines = [f"{HEADLINES[verdict.workflow]}.", f"Severity: {verdict.severity}", "", "Why:"]
    lines += [f"  - {reason}" for reason in verdict.reasons]
    if verdict.unsure:
        lines += ["", f"Rule of thumb: {RULE_OF_THUMB}; so an unsure answer counts as no."]
    suggestion = result.suggestion
    if verdict.workflow == "hotfix" and suggestion is not None:
        lines.append("")
        name = result.branch or suggestion.pattern
        lines.append(f"Branch: {name} (from {suggestion.production}, the next patch after {suggestion.after})")
        if result.branch:
            lines.append(f"  create it: {start_command(result)}")
        else:
            lines.append("  give a title (--set title=...) to name it, or: hotfix-guard start \"<short description>\"")
    lines += ["", f"Next steps ({_WORKFLOW_NAME[verdict.workflow]}):"]
    lines += [f"  {i}. {step}" for i, step in enumerate(next_steps(result), 1)]
    if record:
        lines += ["", f"Incident record written: {record}"]
    return "\n".join(lines) + "\n"


_ITEM = re.compile(r"( *)(?:- |\d+\. )?")


def wrap(text: str, width: int) -> str:
    """The text report wrapped to a terminal's width, between words (never inside a
    word, a branch name or a command); a list item's continuation lines are indented
    under its text."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = _ITEM.match(line).group(0)  # type: ignore[union-attr]
        out.append(textwrap.fill(line, width, subsequent_indent=" " * len(lead), break_long_words=False,
                                 break_on_hyphens=False))
    return "\n".join(out)


def to_dict(result: Result, record: str | None = None) -> dict[str, Any]:
    verdict = result.verdict
    return {
        "tool": "hotfix-guard",
        "version": __version__,
        "workflow": verdict.workflow,
        "severity": verdict.severity,
        "reasons": list(verdict.reasons),
        "unsure": list(verdict.unsure),
        "answers": dict(result.answers),
        "next_steps": next_steps(result),
        "branch": result.branch,
        "announcement": announcement(result),
        "record": record,
    }


def json_text(result: Result, record: str | None = None) -> str:
    return json.dumps(to_dict(result, record), indent=2, ensure_ascii=False) + "\n"
