"""``hotfix-guard audit``: every hotfix in the repository's history.

For each hotfix (recognised as :mod:`hotfix_guard.history.hotfixes` says: its merge,
its branch, its squash commit, its patch-release tag): its version, its tag (annotated?), when and how it reached production and
development (or the open release branch), whether its branch is deleted, and the days
between the two merges. Exit 1 when any hotfix breaks HG008 merged-into-both or HG009
hotfix-tagged (as selected in config), 0 otherwise, 2 when it cannot run.

The findings are ordinary :class:`~hotfix_guard.engine.rule.Finding` objects in a
:class:`~hotfix_guard.report.Report` (stage ``audit``, ``ref`` = the hotfix), so every
report format renders them; text and JSON add the per-hotfix table.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from typing import IO, TYPE_CHECKING, Any

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import GitError, HotfixGuardError, UsageError

if TYPE_CHECKING:
    from hotfix_guard.history.hotfixes import History, Hotfix, Landing
    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding

FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")
CODES = ("HG008", "HG009")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--since", metavar="TAG|DATE",
                   help="only hotfixes that reached production after this tag (or commit), or on or "
                        "after this date (YYYY-MM-DD)")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--line", metavar="X.Y",
                   help="audit a release line: the hotfixes landed on its support branch (support/X.Y)")
    add_config_argument(p)


class Audit:
    """The audit's outcome: the hotfixes, each one's findings, and the report."""

    def __init__(self, history: History, hotfixes: list[Hotfix], findings: dict[int, list[Finding]],
                 skipped: list[tuple[str, str]], since: str | None) -> None:
        self.history = history
        self.hotfixes = hotfixes
        self.findings = findings  # id(hotfix) -> its findings
        self.skipped = skipped
        self.since = since

    def of(self, h: Hotfix) -> list[Finding]:
        return self.findings.get(id(h), [])

    def reports(self) -> list[Report]:
        """One :class:`Report` (stage ``audit``, branch = production) for any renderer."""
        from hotfix_guard.report import Report

        history = self.history
        findings = [f for h in self.hotfixes for f in self.of(h)]
        return [Report("audit", history.prod.name, head=history.prod.head, findings=findings,
                       skipped=list(self.skipped), checked=len(CODES) - len(self.skipped))]


def audit(git: Any, settings: Any, *, since: str | None = None,
          enabled: tuple[str, ...] = CODES, line: str | None = None) -> Audit:
    """Build the history and judge every hotfix in it (or since ``since``); of a release
    line's branch with ``line`` (``1.1``)."""
    from hotfix_guard.engine.context import resolve_refs
    from hotfix_guard.history.hotfixes import History
    from hotfix_guard.rules.mergeback import HotfixTagged, MergedIntoBoth, no_merge_back

    refs = resolve_refs(git, settings)
    if line is not None:
        refs = _line_refs(refs, settings, line)
    if refs.production is None:
        names = " or ".join(_candidates(settings))
        raise GitError(f"production branch ({names}) not found locally or on '{settings.remote}'",
                       hint="set production-branch in config, or fetch it")
    history = History(git, settings, refs.production, refs.development, refs.releases)
    hotfixes = _since(git, history, since) if since else list(history.hotfixes)
    skipped: list[tuple[str, str]] = []
    rules = {"HG008": MergedIntoBoth(), "HG009": HotfixTagged()}
    if "HG008" in enabled and history.dev is None and not history.releases:
        names = " or ".join(_candidates(settings, "development"))
        reason = no_merge_back(settings, refs.production.name)
        skipped.append(("HG008", reason or f"development branch ({names}) not found locally or on '{settings.remote}'"))
        enabled = tuple(c for c in enabled if c != "HG008")
    history.resolve(h for h in hotfixes if h.production is not None)
    findings: dict[int, list[Finding]] = {}
    for h in hotfixes:
        verdict = history.verdict(h, codes=enabled)
        found = [rules[code].finding(verdict.problems[code].message, ref=h.name, help=verdict.problems[code].help)
                 for code in CODES if code in verdict.problems]
        if found:
            findings[id(h)] = found
    return Audit(history, hotfixes, findings, skipped, since)


def _line_refs(refs: Any, settings: Any, line: str) -> Any:
    """The refs with the release line's branch as production (engine.context.for_line)."""
    from hotfix_guard.engine.context import for_line
    from hotfix_guard.workflow import lines

    found = lines(settings, refs)
    key = None
    parts = line.removeprefix(settings.tag_prefix).split(".")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        key = (int(parts[0]), int(parts[1]))
    if key is None or key not in found:
        known = ", ".join(f"{k[0]}.{k[1]} ({v.name})" for k, v in sorted(found.items())) or "none"
        raise UsageError(f"--line {line}: no release line {line} ({settings.support_prefix}{line}) found",
                         hint=f"the release lines found: {known}")
    return for_line(refs, found[key], settings)


def _candidates(settings: Any, key: str = "production") -> list[str]:
    from hotfix_guard.config import candidates

    return candidates(settings, key)


def _since(git: Any, history: History, value: str) -> list[Hotfix]:
    """Hotfixes that reached production after a tag/commit, or on or after a date; plus
    those still on their way (not in production yet)."""
    moment = _parse_date(value)
    if moment is None:
        sha = git.rev_parse(value)
        if sha is None:
            raise UsageError(f"--since: '{value}' is neither a tag, a commit nor a date",
                             hint="give a tag such as v1.2.0, or a date such as 2024-01-31")
        if sha not in history.prod:
            raise UsageError(f"--since: {value} is not on {history.prod.name}",
                             hint=f"give a tag or commit of {history.prod.name}'s history")
        floor = history.prod.label[sha]
        return [h for h in history.hotfixes if h.production is None or h.production.index > floor]
    return [h for h in history.hotfixes if h.production is None or h.production.date >= moment]


def _parse_date(value: str) -> int | None:
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return int(moment.timestamp())


def _enabled(settings: Any) -> tuple[str, ...]:
    """HG008/HG009 as the config's select/extend-select/ignore leave them."""
    if settings.select is None and not settings.ignore:
        return CODES
    from hotfix_guard.engine.plugins import Plugins
    from hotfix_guard.engine.selection import select_rules

    where = settings.where
    rules = select_rules(Plugins().rules, list(settings.select) if settings.select is not None else None,
                         list(settings.extend_select), list(settings.ignore),
                         where={k: where(k) for k in ("select", "extend-select", "ignore")})
    return tuple(r.code for r in rules if r.code in CODES)


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.commands.check import load_settings
    from hotfix_guard.git import Git

    git = Git()
    info = git.info()
    settings = load_settings(info, args)
    if info.shallow:
        from hotfix_guard.history.hotfixes import shallow_error

        raise shallow_error()
    result = audit(git, settings, since=args.since, enabled=_enabled(settings), line=args.line)
    fmt = args.format
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                _render(result, fmt, fh, color=False)
        except OSError as exc:
            raise HotfixGuardError(f"cannot write --output {args.output}: {exc.strerror}") from None
    else:
        color = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        _render(result, fmt, sys.stdout, color=color)
        sys.stdout.flush()
    return 1 if any(f.severity == "error" for fs in result.findings.values() for f in fs) else 0


def _render(result: Audit, fmt: str, out: IO[str], *, color: bool) -> None:
    if fmt == "text":
        render_text(result, out, color=color)
    elif fmt == "json":
        import json

        out.write(json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n")
    else:
        import importlib.util

        from hotfix_guard.report import render

        if importlib.util.find_spec(f"hotfix_guard.report.{fmt}") is None:
            raise UsageError(f"--format {fmt} is not available in this build of hotfix-guard",
                             hint="use --format text or json")
        render(result.reports(), fmt, out)


# -- JSON ------------------------------------------------------------------------------------


def _iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _landing(landing: Landing | None) -> dict[str, Any] | None:
    if landing is None:
        return None
    return {"branch": landing.branch, "commit": landing.commit, "date": _iso(landing.date), "how": landing.how}


def hotfix_dict(result: Audit, h: Hotfix) -> dict[str, Any]:
    history = result.history
    tag = h.tag
    has_targets = history.dev is not None or bool(history.releases)
    return {
        "name": h.name,
        "branch": h.branch,
        "version": str(h.version) if h.version else None,
        "found_by": sorted(h.found_by),
        "tip": h.tip,
        "tag": None if tag is None else {
            "name": tag.name, "commit": tag.commit, "annotated": tag.annotated,
            "state": history.tag_state(h),
        },
        "production": _landing(h.production),
        "development": _landing(h.development),
        "release": _landing(h.release),
        "merged_into_production": h.production is not None,
        "merged_into_development": (h.development is not None or h.release is not None) if has_targets else None,
        "branch_deleted": not h.exists if h.branch else None,
        "branch_exists": {"local": bool(h.local), "remote": bool(h.remote)},
        "days_to_development": history.days_to_development(h),
        "findings": [f.code for f in result.of(h)],
        "unreadable": h.unreadable,
    }


def to_dict(result: Audit) -> dict[str, Any]:
    from hotfix_guard import __version__

    history = result.history
    report = result.reports()[0]
    data: dict[str, Any] = {
        "tool": "hotfix-guard",
        "version": __version__,
        "stage": "audit",
        "branch": history.prod.name,
        "head": history.prod.head,
        "production": history.prod.name,
        "development": history.dev.name if history.dev else None,
        "releases": [r.name for r in history.releases],
        "since": result.since,
        "hotfixes": [hotfix_dict(result, h) for h in result.hotfixes],
        "findings": [f.to_dict() for f in report.findings],
        "summary": {**report.summary(), "hotfixes": len(result.hotfixes)},
    }
    if history.notes:
        data["notes"] = list(history.notes)
    if result.skipped:
        data["skipped"] = [{"code": c, "reason": r} for c, r in result.skipped]
    return data


# -- text ------------------------------------------------------------------------------------


def _day(ts: int | None) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%d") if ts else "-"


def rows(result: Audit) -> tuple[list[str], list[list[str]]]:
    from hotfix_guard.history.hotfixes import short

    history = result.history
    dev_name = history.dev.name if history.dev else "development"
    header = ["hotfix", "version", "tag", history.prod.name, dev_name + (" / release" if history.releases else ""),
              "branch", "days", "issues"]
    table = []
    for h in result.hotfixes:
        state = history.tag_state(h)
        tag_name = h.tag.name if h.tag else f"{history.settings.tag_prefix}{h.version}" if h.version else "-"
        tag = {"ok": tag_name, "none": "-", "missing": "missing"}.get(state, f"{tag_name} ({state})")
        prod = (f"{_day(h.production.date)} {short(h.production.commit)} {h.production.how}"
                if h.production else "not merged")
        target = h.development or h.release
        if target is not None:
            dev = f"{_day(target.date)} {short(target.commit)} {target.how}"
            if target is h.release:
                dev = f"{target.branch}: {dev}"
        elif h.production is None:
            dev = "-"
        elif history.dev is None and not history.releases:
            dev = "n/a"
        else:
            part = next(iter(h.partial.values()), None)
            dev = f"missing ({part[0]}/{part[1]} commits)" if part else "missing"
        if not h.branch:
            branch = "-"
        elif not h.exists:
            branch = "deleted"
        else:
            where = [w for w, sha in (("local", h.local), (history.settings.remote, h.remote)) if sha]
            branch = "exists (" + ", ".join(where) + ")"
        days = history.days_to_development(h)
        issues = " ".join(f.code for f in result.of(h)) or ("unreadable" if h.unreadable else "-")
        table.append([h.name, str(h.version) if h.version else "-", tag, prod, dev, branch,
                      "-" if days is None else f"{days:g}", issues])
    return header, table


def summary(result: Audit) -> str:
    history = result.history
    n = len(result.hotfixes)
    landed = sum(1 for h in result.hotfixes if h.production)
    both = sum(1 for h in result.hotfixes if h.production and (h.development or h.release))
    problems = sum(len(result.of(h)) for h in result.hotfixes)
    bad = sum(1 for h in result.hotfixes if result.of(h))
    unreadable = sum(1 for h in result.hotfixes if h.unreadable)
    text = (f"{n} hotfix{'es' if n != 1 else ''}"
            f"{' since ' + result.since if result.since else ''}: {landed} in {history.prod.name}, "
            f"{both} also in {history.dev.name if history.dev else 'development'}")
    if unreadable:
        text += f"; {unreadable} could not be read, so not judged"
    if problems:
        return text + f"; {problems} problem{'s' if problems != 1 else ''} in {bad} hotfix{'es' if bad != 1 else ''}"
    return text + "; no problems" + (" among the others" if unreadable else "")


def render_text(result: Audit, out: IO[str], *, color: bool = False) -> None:
    from hotfix_guard.report.text import finding_lines

    header, table = rows(result)
    findings = [f for h in result.hotfixes for f in result.of(h)]
    widths = [max(len(r[k]) for r in [header, *table]) for k in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    if color:  # the same table, coloured; never wrapped, never cut
        from rich.console import Console
        from rich.markup import escape

        console = Console(file=out, highlight=False, soft_wrap=True)
        if table:
            console.print(f"[bold]{escape(line(header))}[/]")
            for row in table:
                style = "red" if row[-1] != "-" else ("dim" if row[3] == "not merged" else "")
                console.print(f"[{style}]{escape(line(row))}[/]" if style else escape(line(row)))
            console.print()
        for f in findings:
            _, headline, help_, _ = finding_lines(f)
            console.print(f"[cyan]{escape(f.ref or '')}[/]: [bold red]{escape(headline)}[/]")
            if help_:
                console.print(f"  [green]help:[/] {escape(help_)}")
        for h in result.hotfixes:
            if h.unreadable:
                console.print(f"[cyan]{escape(h.name)}[/]: [yellow]not judged: {escape(h.unreadable)}[/]")
        for note in result.history.notes:
            console.print(f"[yellow]note: {escape(note)}[/]")
        for code, why in result.skipped:
            console.print(f"[dim]skipped {code}: {escape(why)}[/]")
        console.print(f"[{'bold red' if findings else 'bold green'}]{escape(summary(result))}[/]")
        return
    if table:
        for row in [header, *table]:
            out.write(line(row) + "\n")
        out.write("\n")
    for f in findings:
        _, headline, help_, _ = finding_lines(f)
        out.write(f"{f.ref}: {headline}\n")
        if help_:
            out.write(f"  help: {help_}\n")
    for h in result.hotfixes:
        if h.unreadable:
            out.write(f"{h.name}: not judged: {h.unreadable}\n")
    for note in result.history.notes:
        out.write(f"note: {note}\n")
    for code, why in result.skipped:
        out.write(f"skipped {code}: {why}\n")
    out.write(summary(result) + "\n")
