"""Run the selected rules on a context; a crashing rule becomes an HG000 finding."""

from __future__ import annotations

import os
import sys

from hotfix_guard.errors import HotfixGuardError
from hotfix_guard.report import Report
from hotfix_guard.engine.rule import SEVERITIES, Finding, Rule, Skip

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from hotfix_guard.engine.context import Context

INTERNAL_ERROR = ("HG000", "internal-error")


def run_rules(ctx: Context, rules: list[type[Rule]], debug: bool = False) -> Report:
    report = Report(ctx.stage, ctx.branch, head=ctx.head)
    ran: list[type[Rule]] = []  # the rules that ran to the end (suppressions are judged against them)
    for rule_cls in rules:
        if rule_cls.code == INTERNAL_ERROR[0] or not rule_cls.applies(ctx.stage, ctx.kind):
            continue
        report.checked += 1
        report.rules.append((rule_cls.code, rule_cls.name))
        rule = rule_cls(ctx.options.get(rule_cls.code))
        try:
            # a plugin's print() goes to stderr: stdout carries the report (JSON, SARIF...).
            # (By hand: contextlib costs the hotfix path a millisecond of imports.)
            stdout, sys.stdout = sys.stdout, sys.stderr
            try:
                produced = list(rule.check(ctx) or ())
            finally:
                sys.stdout = stdout
            for item in produced:
                _validate(item)
            report.findings.extend(produced)
            ran.append(rule_cls)
        except Skip as skip:
            report.skipped.append((rule_cls.code, str(skip)))
        except HotfixGuardError:
            raise  # could not run at all (a git failure, a shallow clone): exit 2
        except (Exception, SystemExit) as exc:  # sys.exit() in a plugin must not end the run with its code
            if debug or os.environ.get("HOTFIX_GUARD_DEBUG"):
                import traceback  # only here: it costs every run ~2 ms of imports

                traceback.print_exc()
            report.findings.append(internal_error(rule_cls, exc))
    if "diff" in ctx.__dict__:  # a rule read the change: say which of its files it could not read
        report.binary = [f.shown for f in ctx.diff.binary_files()]
    try:
        report.base = ctx.base
    except (Skip, HotfixGuardError):
        report.base = None
    if ctx.explained:  # one cause, one finding: what a branch-level finding explains already
        report.findings = [f for f in report.findings
                           if f.path is None or ctx.explained.get(f.path, f.code) == f.code]
    from hotfix_guard.engine.suppress import apply_suppressions

    report.findings = sorted(apply_suppressions(ctx, report.findings, ran), key=Finding.sort_key)
    return report


def _validate(item: object) -> None:
    """A Finding whose fields the reports can count and render, else TypeError (HG000)."""
    if not isinstance(item, Finding):
        raise TypeError(f"check() produced {type(item).__name__}, not a Finding")
    problems = [
        name for name, ok in (
            ("message", isinstance(item.message, str)),
            ("severity", item.severity in SEVERITIES),
            ("path", item.path is None or isinstance(item.path, str)),
            ("line", item.line is None or (isinstance(item.line, int) and not isinstance(item.line, bool))),
            ("ref", item.ref is None or isinstance(item.ref, str)),
            ("help", item.help is None or isinstance(item.help, str)),
        ) if not ok
    ]
    if problems:
        raise TypeError("check() produced a Finding with an invalid "
                        + ", ".join(f"{name} {getattr(item, name)!r}" for name in problems))


def internal_error(rule: type[Rule], exc: BaseException) -> Finding:
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    return Finding(
        code=INTERNAL_ERROR[0],
        name=INTERNAL_ERROR[1],
        severity="error",
        message=(
            f"rule {rule.code} ({rule.name}) from plugin '{rule.plugin}' crashed: "
            f"{type(exc).__name__}: {exc}{where}"
        ),
        help="the other rules still ran; report this to the plugin's authors (rerun with --debug for the traceback)",
    )
