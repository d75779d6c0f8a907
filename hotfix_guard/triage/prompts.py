"""The interactive questionnaire (rich): only imported when stdin and stdout are terminals.

One question at a time, in the order the decision needs them. A wrong answer is
re-asked with what is allowed; Enter skips an optional question and never stands for
an answer to a needed one. Ctrl-C propagates (the CLI exits 130); EOF (Ctrl-D) is a
clean exit 2 naming the question.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from hotfix_guard.errors import UsageError
from hotfix_guard.triage.decision import MISSING, Verdict
from hotfix_guard.triage.questions import RULE_OF_THUMB, Question

_VERDICT_STYLE = {"hotfix": "bold red", "expedited-bug-fix": "bold yellow", "bug-fix": "bold green"}


class Prompter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._started = False
        self._details = False

    def _intro(self) -> None:
        if self._started:
            return
        self._started = True
        self.console.print("[bold]hotfix-guard triage[/]: is this really a hotfix?")
        self.console.print(
            f"[dim]Answer yes, no or unsure. Unsure counts as no: {escape(RULE_OF_THUMB)}. "
            "Ctrl-C quits.[/]"
        )

    def _read(self, prompt: str, qid: str) -> str:
        try:
            return self.console.input(prompt)
        except EOFError:
            self.console.print()
            raise UsageError(
                f"input ended before `{qid}` was answered",
                hint="answer at the prompt, or pass the answers with --answers FILE or --set ID=VALUE",
            ) from None

    def ask(self, question: Question, required: bool) -> Any:
        """Ask until the answer is valid; MISSING when an optional question is skipped."""
        self._intro()
        if question.kind == "text" and not self._details:
            self._details = True
            self.console.print("\n[bold]Details for the announcement[/] [dim](Enter skips one)[/]")
        elif question.kind != "text":
            self.console.print()
        if question.help:
            self.console.print(f"[dim]{escape(question.help)}[/]")
        choices = question.choices if required or question.kind == "text" else question.choices + ", Enter to skip"
        prompt = f"[bold]{escape(question.text)}[/] [cyan]{escape('[' + choices + ']')}[/] "
        while True:
            raw = self._read(prompt, question.id)
            if not raw.strip():
                if not required:
                    return MISSING
                self.console.print(f"[red]An answer is needed:[/] {escape(question.allowed)}.")
                continue
            try:
                return question.parse_text(raw)
            except ValueError as exc:
                self.console.print(f"[red]✗ {escape(str(exc))}[/]")

    def verdict(self, verdict: Verdict) -> None:
        """The verdict, as soon as it is known (the full output follows)."""
        style = _VERDICT_STYLE[verdict.workflow]
        self.console.print(
            f"\n[{style}]→ {verdict.workflow}[/], severity [{style}]{verdict.severity}[/]"
        )

    def show(self, text: str, workflow: str) -> None:
        """The text report, its first line in the verdict's colour."""
        first, _, rest = text.partition("\n")
        self.console.print()
        self.console.print(first, style=_VERDICT_STYLE[workflow], markup=False, soft_wrap=True)
        self.console.print(rest, markup=False, end="", soft_wrap=True)

    def confirm(self, text: str) -> bool:
        """A yes/no question whose Enter (or the end of input) means no."""
        prompt = f"[bold]{escape(text)}[/] [cyan]{escape('[y/N]')}[/] "
        while True:
            try:
                raw = self.console.input(prompt).strip().lower()
            except EOFError:
                self.console.print()
                return False
            if raw in ("", "n", "no"):
                return False
            if raw in ("y", "yes"):
                return True
            self.console.print("[red]✗ answer y or n[/]")
