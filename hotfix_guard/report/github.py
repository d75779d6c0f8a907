"""GitHub Actions: workflow commands that become annotations, and a job summary.

Each active finding is one ``::error`` or ``::warning`` line, with ``file=``/``line=``
when it has them (branch-level findings have neither and show on the run). Values are
escaped as the Actions toolkit does (``@actions/core``): in the message ``%``, CR and
LF; in properties also ``:`` and ``,``. Branch names, commit subjects and paths are
user input, and an unescaped newline would end the command early.

When ``$GITHUB_STEP_SUMMARY`` is set, a Markdown summary of the reports is appended to
it, suppressed findings and skipped rules included.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from hotfix_guard.report._common import clean_xml, clean, plural

if TYPE_CHECKING:
    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding


def escape_data(text: str) -> str:
    return clean(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None and value != "")
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(report: Report, finding: Finding) -> str:
    level = "error" if finding.severity == "error" else "warning"
    message = finding.message
    if finding.path is None and report.branch:
        message = f"{report.branch}: {message}"
    if finding.help:
        message += f"\nhelp: {finding.help}"
    return command(
        level,
        message,
        file=finding.path,
        line=finding.line if finding.path else None,
        title=f"{finding.code} {finding.name}",
    )


def render(reports: list[Report], out: IO[str], *, step_summary: bool = True) -> None:
    from hotfix_guard.report.text import summary_line

    for report in reports:
        for finding in report.findings:
            if not finding.suppressed:
                out.write(annotation(report, finding) + "\n")
        # Plain lines, prefixed so that no user text starts a line (it could read as a command).
        for code, why in report.skipped:
            out.write(f"hotfix-guard: skipped {code}: {clean(why)}\n")
        if report.binary:
            out.write(f"hotfix-guard: {clean(report.binary_line() or '')}\n")
        out.write(f"hotfix-guard: {clean(summary_line(report))}\n")
    if step_summary:
        append_step_summary(reports)


def append_step_summary(reports: list[Report], path: str | None = None) -> bool:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` (or ``path``). False when
    there is nowhere to write; a write error is a warning, never a failed check."""
    path = path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown(reports))
    except OSError as exc:
        print(f"hotfix-guard: warning: cannot write the job summary to {path}: {exc.strerror}", file=sys.stderr)
        return False
    return True


# What can start inline Markdown or HTML, or end a table cell, in the middle of a line
# (everything this module writes from user text is in the middle of a line).
_MD_SPECIAL = set("\\`*_[]|~")


def md(text: str | None) -> str:
    """Text safe inside a Markdown table cell: inline markup escaped, no raw HTML, one line."""
    out = []
    for ch in clean_xml(text):  # control characters out too
        if ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append("<br>")
        else:
            out.append(ch)
    return "".join(out)


def markdown(reports: list[Report]) -> str:
    lines = ["## hotfix-guard", ""]
    for report in reports:
        name = md(report.branch or "(no branch)")
        if report.note:
            lines += [f"**{name}**: {md(report.note)}", ""]
            continue
        status = md(report.status())
        icon = ":x:" if report.errors else (":warning:" if report.warnings else ":white_check_mark:")
        lines += [f"### {icon} {name}: {status}", ""]
        facts = [f"stage {md(report.stage)}"]
        if report.base:
            facts.append(f"base `{report.base[:12]}`")
        if report.head:
            facts.append(f"head `{report.head[:12]}`")
        lines += [", ".join(facts), ""]
        active = [f for f in report.findings if not f.suppressed]
        if active:
            lines += ["| | rule | where | message |", "|---|---|---|---|"]
            for f in active:
                icon = ":x:" if f.severity == "error" else ":warning:"
                message = md(f.message) + (f"<br>*help:* {md(f.help)}" if f.help else "")
                lines.append(f"| {icon} | {f.code} {md(f.name)} | {md(f.location)} | {message} |")
            lines.append("")
        suppressed = [f for f in report.findings if f.suppressed]
        if suppressed:
            lines += [f"<details><summary>{plural(len(suppressed), 'suppressed finding')}</summary>", "",
                      "| rule | where | message | why suppressed |", "|---|---|---|---|"]
            for f in suppressed:
                why = f"{md(f.suppression_source)}: {md(f.suppression_reason)}"
                lines.append(f"| {f.code} {md(f.name)} | {md(f.location)} | {md(f.message)} | {why} |")
            lines += ["", "</details>", ""]
        if report.skipped:
            lines += ["Skipped: " + "; ".join(f"{code} ({md(why)})" for code, why in report.skipped), ""]
    return "\n".join(lines) + "\n"
