"""Text for people: plain when piped, coloured (rich) on a terminal."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs the every-commit path ~4 ms
if TYPE_CHECKING:
    from typing import IO

    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    name = report.branch or "(no branch)"
    if report.ref and report.ref != f"refs/heads/{report.branch}":
        name += f" (pushed as {report.ref})"
    if report.note:
        return f"{name}: {report.note}"
    tally = report.tally()
    if not tally:
        return f"{name}: all checks passed ({_plural(report.checked, 'rule')}, stage {report.stage})"
    return f"{name}: {tally} (stage {report.stage})"


def finding_lines(f: Finding) -> tuple[str, str, str | None, str | None]:
    """(location, headline, help, suppression note)."""
    headline = f"{f.code} [{f.severity}] {f.name}: {f.message}"
    note = f"suppressed ({f.suppression_source}): {f.suppression_reason}" if f.suppressed else None
    return f.location, headline, f.help, note


def render(reports: list[Report], out: IO[str], *, color: bool = False) -> None:
    if color:
        _render_rich(reports, out)
        return
    for report in reports:
        for f in report.findings:
            location, headline, help_, note = finding_lines(f)
            out.write(f"{location}: {headline}\n")
            if note:
                out.write(f"  {note}\n")
            elif help_:
                out.write(f"  help: {help_}\n")
        for code, why in report.skipped:
            out.write(f"skipped {code}: {why}\n")
        if report.binary:
            out.write(f"{report.binary_line()}\n")
        out.write(summary_line(report) + "\n")


def _render_rich(reports: list[Report], out: IO[str]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=out, highlight=False, soft_wrap=True)
    for report in reports:
        for f in report.findings:
            location, headline, help_, note = finding_lines(f)
            style = "dim" if f.suppressed else ("bold red" if f.severity == "error" else "bold yellow")
            console.print(
                f"[cyan]{escape(location)}[/]: [{style}]{f.code}[/] [{style}]{f.severity}[/] "
                f"[bold]{escape(f.name)}[/]: {escape(f.message)}"
            )
            if note:
                console.print(f"  [dim]{escape(note)}[/]")
            elif help_:
                console.print(f"  [green]help:[/] {escape(help_)}")
        for code, why in report.skipped:
            console.print(f"[dim]skipped {code}: {escape(why)}[/]")
        if report.binary:
            console.print(f"[dim]{escape(report.binary_line() or '')}[/]")
        line = escape(summary_line(report))
        style = "bold red" if report.errors else ("bold yellow" if report.warnings else "bold green")
        console.print(f"[{style}]{line}[/]")
