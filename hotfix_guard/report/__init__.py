"""Reports and their renderers: one module per output format.

:class:`Report` is a plain class (no dataclasses) because the every-commit path builds
one for "nothing to check" and must stay cheap to import.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs the every-commit path ~4 ms
if TYPE_CHECKING:
    from typing import IO, Any

    from hotfix_guard.engine.rule import Finding

FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


class Report:
    """The outcome for one branch (one pushed ref)."""

    def __init__(
        self,
        stage: str,
        branch: str | None,
        *,
        base: str | None = None,
        head: str | None = None,
        findings: list[Finding] | None = None,
        skipped: list[tuple[str, str]] | None = None,
        note: str | None = None,
        ref: str | None = None,
        checked: int = 0,
        rules: list[tuple[str, str]] | None = None,
        binary: list[str] | None = None,
    ) -> None:
        self.stage = stage
        self.branch = branch
        self.base = base
        self.head = head
        self.findings = findings or []
        self.skipped = skipped or []  # (code, why)
        self.note = note  # "nothing to check" and the like
        self.ref = ref  # the remote ref, at pre-push
        self.checked = checked  # how many rules ran
        self.rules = rules or []  # (code, name) of each rule that ran, skipped ones included
        self.binary = binary or []  # the change's binary files (shown paths): counted, never read as lines

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.active if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.active if f.severity == "warning")

    @property
    def suppressed(self) -> int:
        return sum(1 for f in self.findings if f.suppressed)

    def tally(self) -> str:
        """``2 errors, 1 warning, 1 suppressed``; empty when there is nothing to count."""
        parts = []
        for n, word in ((self.errors, "error"), (self.warnings, "warning")):
            if n:
                parts.append(f"{n} {word}{'' if n == 1 else 's'}")
        if self.suppressed:
            parts.append(f"{self.suppressed} suppressed")
        return ", ".join(parts)

    def skipped_text(self) -> str:
        """``2 rules skipped (HG001, HG003)``; empty when every rule decided."""
        n = len(self.skipped)
        if not n:
            return ""
        return f"{n} rule{'' if n == 1 else 's'} skipped ({', '.join(code for code, _ in self.skipped)})"

    def status(self, stage: str | None = None) -> str:
        """The outcome in words: the tally, or "all checks passed", which it never says
        alone when a rule was skipped (SPEC §7). ``stage``: named at the end."""
        tally, skipped = self.tally(), self.skipped_text()
        n = self.checked
        rules = f"{n} rule{'' if n == 1 else 's'}"
        where = f", stage {stage}" if stage else ""
        if not tally and not skipped:
            return f"all checks passed ({rules}{where})"
        if tally:
            text = f"{tally}; {skipped}" if skipped else tally
        else:
            text = f"no problems found by {n - len(self.skipped)} of {rules}; {skipped}"
        return f"{text} (stage {stage})" if stage else text

    def summary(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings, "suppressed": self.suppressed}

    def to_dict(self) -> dict[str, Any]:
        from hotfix_guard import __version__

        data: dict[str, Any] = {
            "tool": "hotfix-guard",
            "version": __version__,
            "stage": self.stage,
            "branch": self.branch,
            "base": self.base,
            "head": self.head,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
        }
        if self.ref is not None:
            data["ref"] = self.ref
        if self.skipped:
            data["skipped"] = [{"code": c, "reason": r} for c, r in self.skipped]
        if self.binary:
            data["binary"] = list(self.binary)
        if self.note:
            data["note"] = self.note
        return data

    def binary_line(self) -> str | None:
        """``not read as text (binary): a.png, b.bin``, when the change has binary files."""
        if not self.binary:
            return None
        return "not read as text (binary content): " + ", ".join(self.binary)


def exit_code(reports: list[Report]) -> int:
    return 1 if any(r.errors for r in reports) else 0


def render(reports: list[Report], fmt: str, out: IO[str], *, color: bool = False, quiet: bool = False,
           stats: bool = False) -> None:
    """Write the reports in a format. ``color``, ``quiet`` and ``stats`` (``--statistics``)
    shape the text; the machine formats are always whole."""
    if fmt == "text":
        from hotfix_guard.report import text

        text.render(reports, out, color=color, quiet=quiet, stats=stats)
    elif fmt == "json":
        import json

        data: Any = reports[0].to_dict() if len(reports) == 1 else _multi(reports)
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        import importlib

        module = importlib.import_module(f"hotfix_guard.report.{fmt}")
        module.render(reports, out)


def _multi(reports: list[Report]) -> dict[str, Any]:
    from hotfix_guard import __version__

    errors = sum(r.errors for r in reports)
    return {
        "tool": "hotfix-guard",
        "version": __version__,
        "stage": reports[0].stage if reports else None,
        "refs": [r.to_dict() for r in reports],
        "summary": {
            "errors": errors,
            "warnings": sum(r.warnings for r in reports),
            "suppressed": sum(r.suppressed for r in reports),
        },
    }
