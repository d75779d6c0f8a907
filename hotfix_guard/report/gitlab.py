"""GitLab Code Quality: the JSON array of issues ``artifacts:reports:codequality`` takes.

Each active finding is one issue: ``description`` (code, rule name, the branch for a
branch-level finding, the message and the help), ``check_name`` (the code), ``fingerprint`` (stable and unique: see
:class:`~hotfix_guard.report._common.Fingerprints`), ``severity`` (error -> ``major``,
warning -> ``minor``; GitLab's scale is info, minor, major, critical, blocker) and
``location.path`` with ``location.lines.begin``. Branch-level findings point at the
pseudo path :data:`~hotfix_guard.report._common.BRANCH_LEVEL_PATH`, line 1.

Code Quality has no notion of a suppressed issue, so suppressed findings are left out
(the text and JSON reports keep them). A rule that was skipped is an issue of severity
``info`` saying why (GitLab has no other place for it): a skipped check is never silent.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from hotfix_guard.report._common import BRANCH_LEVEL_PATH, Fingerprints, all_findings, clean, location

if TYPE_CHECKING:
    from hotfix_guard.report import Report

SEVERITY = {"error": "major", "warning": "minor"}


def build(reports: list[Report]) -> list[dict[str, Any]]:
    fingerprint = Fingerprints()
    issues = []
    for report, f in all_findings(reports):
        if f.suppressed:
            continue
        path, line = location(f)
        description = f"{f.code} {f.name}: "
        if f.path is None and report.branch:
            description += f"{clean(report.branch)}: "
        description += clean(f.message)
        if f.help:
            description += f" (help: {clean(f.help)})"
        issues.append({
            "type": "issue",
            "description": description,
            "check_name": f.code,
            "fingerprint": fingerprint(f),
            "severity": SEVERITY.get(f.severity, "minor"),
            "location": {"path": clean(path), "lines": {"begin": line}},
        })
    for report in reports:  # a rule that could not decide is said, never left out (SPEC §7)
        for code, why in report.skipped:
            message = f"skipped: {why}"
            issues.append({
                "type": "issue",
                "description": f"{code} {message}" + (f" (on {clean(report.branch)})" if report.branch else ""),
                "check_name": code,
                "fingerprint": fingerprint.of(code, BRANCH_LEVEL_PATH, f"{report.branch}\0{message}"),
                "severity": "info",
                "location": {"path": BRANCH_LEVEL_PATH, "lines": {"begin": 1}},
            })
    return issues


def render(reports: list[Report], out: IO[str]) -> None:
    out.write(json.dumps(build(reports), indent=2) + "\n")
