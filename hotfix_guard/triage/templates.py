"""The seed's words, filled in: next steps per workflow, the communication template
(the stakeholder announcement) and the incident log skeleton (the incident record).

Whatever was not given keeps the seed's own placeholder (``[Time]``, ``[Your name]``...),
so the text is always complete and plainly marks what is left to fill in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from hotfix_guard.triage.decision import Verdict
from hotfix_guard.triage.questions import QUESTIONS

if TYPE_CHECKING:
    from hotfix_guard.triage.branch import Suggestion


class Result(NamedTuple):
    """Everything triage says: the verdict, every answer, the branch, the date."""

    verdict: Verdict
    answers: dict[str, Any]  # every answer given or asked, in questionnaire order
    suggestion: Suggestion | None
    date: str  # YYYY-MM-DD, the incident's date

    def field(self, qid: str) -> str:
        """A text field as given, or the template's placeholder."""
        value = self.answers.get(qid)
        return value if isinstance(value, str) and value.strip() else QUESTIONS[qid].placeholder

    def given(self, qid: str) -> str | None:
        value = self.answers.get(qid)
        return value.strip() if isinstance(value, str) and value.strip() else None

    @property
    def branch(self) -> str | None:
        """The branch to create: for a hotfix verdict, in a repository with releases."""
        if self.verdict.workflow != "hotfix" or self.suggestion is None:
            return None
        return self.suggestion.branch

    @property
    def version(self) -> str:
        if self.verdict.workflow == "hotfix" and self.suggestion is not None:
            return f"v{self.suggestion.version}"
        return "vX.Y.Z"

    @property
    def production(self) -> str:
        return self.suggestion.production if self.suggestion else "main"

    @property
    def development(self) -> str:
        return self.suggestion.development if self.suggestion else "develop"


HEADLINES = {
    "hotfix": "HOTFIX: use the hotfix workflow, this is a production emergency",
    "expedited-bug-fix": "EXPEDITED BUG FIX: not a hotfix, but fix it with priority",
    "bug-fix": "BUG FIX: not a hotfix; use the regular bug-fix workflow",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def start_command(result: Result) -> str:
    title = result.given("title")
    return f"hotfix-guard start {_quote(title) if title else '<short description>'}"


def next_steps(result: Result) -> list[str]:
    """The seed's steps for the verdict's workflow, with the names filled in."""
    verdict = result.verdict
    main, develop, version = result.production, result.development, result.version
    if verdict.workflow == "hotfix":
        branch = result.branch or (result.suggestion.pattern if result.suggestion
                                   else "hotfix/vX.Y.Z-<short-description>")
        return [
            "Notify stakeholders now (team lead, product owner, users if applicable): "
            "`--format markdown` fills in the announcement.",
            f"Branch from {main}, not {develop}: `{start_command(result)}` creates {branch} "
            "from the latest production commit and switches to it.",
            "Reproduce the bug quickly: time-box it to 15-30 minutes; if you cannot, consider a rollback.",
            "Write a minimal failing test if time permits; if not, leave a TODO with a ticket.",
            f"Make the minimal fix, marked `HOTFIX {version}:` in a comment; "
            "don't refactor, don't add features.",
            "Test in staging: the broken scenario, then a smoke test of normal operation.",
            f"Tag {version} (annotated), deploy, and monitor for 30-60 minutes with the rollback plan ready.",
            f"Merge the hotfix into {main} and into {develop} (or the open release branch), "
            "then delete the branch.",
            "Document the incident and create the follow-up tickets: `--write DIR` starts the record.",
        ]
    if verdict.workflow == "expedited-bug-fix":
        workaround = result.answers.get("workaround_exists")
        if workaround is True:
            tell = "Tell the affected users the workaround, and that a fix is coming."
        else:
            tell = "Tell the affected users the problem is known and a fix is coming."
        return [
            f"Not a hotfix: use the expedited bug-fix workflow (branch from {develop}, not {main}).",
            tell,
            "Notify the team lead and product owner; it can wait a few hours, not a release cycle.",
            "Write a test that reproduces the bug, fix it, and have it reviewed as usual.",
            "Ship it with priority: in the next release, or an early one.",
            "If it gets worse (core features, critical business functions, more than half "
            "of users, data loss), run `hotfix-guard triage` again.",
        ]
    if verdict.step == 1:
        first = ("Not a hotfix: plan it through the normal backlog; feature requests and "
                 "non-critical UI issues wait for the release cycle, even urgent ones.")
    else:
        first = f"Not a hotfix: use the regular bug-fix workflow (branch from {develop}; it ships with the next release)."
    return [
        first,
        "File a ticket with the impact and the steps to reproduce.",
        "If it gets worse (production breaks, data loss, more users affected), run "
        "`hotfix-guard triage` again.",
    ]


# -- the communication template ----------------------------------------------------

_HEADER = {
    "hotfix": "🚨 PRODUCTION INCIDENT",
    "expedited-bug-fix": "⚠️ PRODUCTION INCIDENT",
    "bug-fix": "ℹ️ BUG",
}
_STATUS = {
    "hotfix": "Hotfix in progress",
    "expedited-bug-fix": "Expedited bug fix in progress (not a hotfix)",
    "bug-fix": "Scheduled as a regular bug fix (not a hotfix)",
}
_STARTED = {
    "hotfix": "Hotfix started",
    "expedited-bug-fix": "Fix started",
    "bug-fix": "Fix scheduled",
}


def announcement(result: Result) -> str:
    """The seed's communication template, filled in (Markdown)."""
    workflow = result.verdict.workflow
    lines = [
        f"{_HEADER[workflow]} - {result.verdict.severity.upper()}",
        "",
        f"**Issue**: {result.field('title')}",
        f"**Impact**: {result.field('impact')}",
        f"**Detected**: {result.field('detected')}",
        f"**Status**: {_STATUS[workflow]}",
    ]
    if result.branch:
        lines.append(f"**Branch**: `{result.branch}`")
    lines += [
        f"**ETA**: {result.field('eta')}",
        f"**Incident Lead**: {result.field('incident_lead')}",
        "",
        "**Updates**:",
        f"- {result.field('detected')} Issue detected and confirmed",
        f"- [Time] {_STARTED[workflow]}",
        "- [Time] Fix deployed (when completed)",
    ]
    return "\n".join(lines) + "\n"


# -- the incident log skeleton -----------------------------------------------------

def incident_record(result: Result) -> str:
    """The seed's incident log skeleton, as a record to complete after the incident."""
    verdict = result.verdict
    hotfix = verdict.workflow == "hotfix"
    deployed = f"Deployed to production ({result.version})" if hotfix else "Deployed to production"
    lines = [
        f"# Incident: {result.field('title')} ({result.date})",
        "",
        f"**Severity**: {verdict.severity.upper()}",
        f"**Workflow**: {verdict.workflow}",
        "**Duration**: [Duration] ([Start]-[End] UTC)",
        f"**Impact**: {result.field('impact')}",
        f"**Incident Lead**: {result.field('incident_lead')}",
    ]
    if result.branch:
        lines.append(f"**Branch**: `{result.branch}`")
    lines += ["", "**Triage** (`hotfix-guard triage`):"]
    lines += [f"- {reason}" for reason in verdict.reasons]
    if verdict.unsure:
        lines.append("- rule of thumb: if you're unsure whether it's a hotfix, it's probably a regular bug fix")
    lines += [
        "",
        "**Timeline**:",
        f"- {result.field('detected')} - Issue detected",
        f"- [Time] - Incident confirmed, {'hotfix' if hotfix else 'fix'} started",
        "- [Time] - Root cause identified",
        "- [Time] - Fix implemented and tested in staging",
        f"- [Time] - {deployed}",
        "- [Time] - Verified fix working, incident resolved",
        "",
        "**Root Cause**:",
        "[What broke, and why]",
        "",
        "**Fix**:",
        f"[What changed{f' ({result.version})' if hotfix else ''}]",
        "",
        "**Follow-Up**:",
        "- [TICKET-1]: [Follow-up work, e.g. the tests or the proper fix the emergency skipped]",
        "",
        "**Prevention**:",
        "- [What keeps it from happening again]",
        "",
        "**Lessons Learned**:",
        "- What went well: [...]",
        "- What could improve: [...]",
        "- Action items: [...]",
    ]
    return "\n".join(lines) + "\n"

