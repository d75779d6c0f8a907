"""Text for people: plain when piped, coloured (rich) on a terminal.

Everything written comes from the repository (paths, branch names, commit subjects), so
control characters are written as escapes (``\\x1b``, ``\\n``): a subject cannot clear
the terminal or fake a line of the report. Only text escapes; the machine formats carry
the real values, in their own escaping.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing costs the every-commit path ~4 ms
if TYPE_CHECKING:
    from typing import IO

    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding


COLOR_CHOICES = ("auto", "always", "never")


def use_color(choice: str | None, stream: object) -> bool:
    """``--color``: ``always`` and ``never`` say it all; ``auto`` (the default) colours a
    terminal, unless ``NO_COLOR`` is set or ``TERM`` is ``dumb``; ``FORCE_COLOR`` colours
    even a pipe (NO_COLOR wins over it, as no-color.org asks)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def safe(text: str) -> str:
    """Text for a terminal: control characters and undecodable bytes as escapes."""
    if text.isprintable():
        return text
    from hotfix_guard.diff.hunks import display

    return display(text)


def summary_line(report: Report) -> str:
    name = safe(report.branch or "(no branch)")
    if report.ref and report.ref != f"refs/heads/{report.branch}":
        name += f" (pushed as {safe(report.ref)})"
    if report.note:
        return f"{name}: {safe(report.note)}"
    return f"{name}: {report.status(report.stage)}"


def finding_lines(f: Finding) -> tuple[str, str, str | None, str | None]:
    """(location, headline, help, suppression note), escaped for a terminal."""
    headline = f"{f.code} [{f.severity}] {safe(f.name)}: {safe(f.message)}"
    note = f"suppressed ({f.suppression_source}): {safe(f.suppression_reason or '')}" if f.suppressed else None
    return safe(f.location), headline, safe(f.help) if f.help else None, note


def statistics(reports: list[Report]) -> list[tuple[int, str, str]]:
    """``--statistics``: (count, code, name) of the active findings, most frequent first."""
    counts: dict[tuple[str, str], int] = {}
    for report in reports:
        for f in report.active:
            counts[(f.code, f.name)] = counts.get((f.code, f.name), 0) + 1
    return sorted(((n, code, name) for (code, name), n in counts.items()), key=lambda row: (-row[0], row[1]))


def render(reports: list[Report], out: IO[str], *, color: bool = False, quiet: bool = False,
           stats: bool = False) -> None:
    """The text report. ``quiet``: the active findings only, nothing when clean.
    ``stats``: one line per rule code with its count (as ruff's ``--statistics``)
    instead of the findings."""
    if stats:
        rows = statistics(reports)
        width = max((len(str(n)) for n, _, _ in rows), default=1)
        for n, code, name in rows:
            out.write(f"{n:>{width}}\t{code}\t{safe(name)}\n")
        if not quiet:
            for report in reports:
                out.write(summary_line(report) + "\n")
        return
    if color:
        _render_rich(reports, out, quiet)
        return
    for report in reports:
        for f in report.findings:
            if quiet and f.suppressed:
                continue
            location, headline, help_, note = finding_lines(f)
            out.write(f"{location}: {headline}\n")
            if note:
                out.write(f"  {note}\n")
            elif help_:
                out.write(f"  help: {help_}\n")
        if quiet:
            continue
        for code, why in report.skipped:
            out.write(f"skipped {code}: {safe(why)}\n")
        if report.binary:
            out.write(f"{safe(report.binary_line() or '')}\n")
        out.write(summary_line(report) + "\n")


def _render_rich(reports: list[Report], out: IO[str], quiet: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    # Colour was decided by the caller (--color, NO_COLOR, FORCE_COLOR): rich must not
    # decide again. The severity keeps its brackets, so it reads the same uncoloured.
    console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=True, no_color=False)
    for report in reports:
        for f in report.findings:
            if quiet and f.suppressed:
                continue
            location, headline, help_, note = finding_lines(f)
            style = "dim" if f.suppressed else ("bold red" if f.severity == "error" else "bold yellow")
            console.print(
                f"[cyan]{escape(location)}[/]: [{style}]{f.code}[/] [{style}]{escape('[' + f.severity + ']')}[/] "
                f"[bold]{escape(safe(f.name))}[/]: {escape(safe(f.message))}"
            )
            if note:
                console.print(f"  [dim]{escape(note)}[/]")
            elif help_:
                console.print(f"  [green]help:[/] {escape(help_)}")
        if quiet:
            continue
        for code, why in report.skipped:
            console.print(f"[dim]skipped {code}: {escape(safe(why))}[/]")
        if report.binary:
            console.print(f"[dim]{escape(safe(report.binary_line() or ''))}[/]")
        line = escape(summary_line(report))
        style = "bold red" if report.errors else ("bold yellow" if report.warnings else "bold green")
        console.print(f"[{style}]{line}[/]")
