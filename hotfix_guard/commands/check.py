"""``hotfix-guard check``: the linter.

The every-commit path (a branch that is not a hotfix) runs one git call and imports
neither pluggy, rich, unidiff nor GitPython -- nor argparse, typing, subprocess or re of
the standard library (see docs/performance.md): it classifies the branch by name and
stops. Everything else happens in :class:`Engine`, built only when a branch needs
checking.
"""

from __future__ import annotations

import os
import sys

from hotfix_guard.cli import add_config_argument, codes
from hotfix_guard.config import Settings, candidates, classify, find_config, load
from hotfix_guard.errors import HotfixGuardError, UsageError
from hotfix_guard.git import Git, RepoInfo
from hotfix_guard.report import FORMATS, Report, exit_code, render
from hotfix_guard.report.text import COLOR_CHOICES, use_color
from hotfix_guard.targets.target import STAGES, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from hotfix_guard.engine.rule import Rule

def add_arguments(p: argparse.ArgumentParser) -> None:  # or cli._Recorder, on the fast path
    p.add_argument("--stage", choices=STAGES,
                   help="where it runs (default: manual, or ci when $CI is set)")
    p.add_argument("--branch", metavar="NAME", help="the branch name to check under (for a detached HEAD)")
    p.add_argument("--base", metavar="REF", help="the lower bound of the change (default: production)")
    p.add_argument("--head", metavar="REF", help="the commit to check (default: the branch's tip)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--select", type=codes, action="extend", metavar="CODES",
                   help="only these rules (codes, prefixes or names, comma-separated)")
    p.add_argument("--extend-select", type=codes, action="extend", metavar="CODES",
                   help="these rules too")
    p.add_argument("--ignore", type=codes, action="extend", metavar="CODES", help="not these rules")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (2 still means could not run)")
    p.add_argument("--deepen", action="store_true",
                   help="in a shallow clone, fetch the history the check needs (never done unless asked)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print the findings only: nothing when clean, no summary line")
    p.add_argument("--color", choices=COLOR_CHOICES, default="auto",
                   help="colour the text report: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), "
                        "always, never")
    p.add_argument("--statistics", action="store_true",
                   help="one line per rule code with its count, instead of the findings (text)")
    add_config_argument(p)


def ci_detected() -> bool:
    value = os.environ.get("CI", "")
    return bool(value) and value.lower() not in ("0", "false", "no")


def load_settings(info: RepoInfo, args: argparse.Namespace) -> Settings:
    if getattr(args, "config", None):
        settings = load(args.config, explicit=True)
    else:
        settings = load(find_config(info.toplevel))
    return settings


def run(args: argparse.Namespace) -> int:
    stage = args.stage or ("ci" if ci_detected() else "manual")
    git = Git()
    info = git.info()
    settings = load_settings(info, args)
    targets = _targets(git, info, settings, args, stage)

    reports: list[Report] = []
    engine: Engine | None = None
    unverified = [t for t in targets if t.unverified]
    try:
        for target in targets:
            if target.note or target.branch is None:
                reports.append(Report(stage, target.branch, note=target.note, ref=target.ref))
                continue
            kind = classify(target.branch, settings)
            note = _nothing_to_check(kind, stage, target.branch)
            if note is None and kind != "hotfix" and target.head is None and git.rev_parse("HEAD") is None:
                note = "no commits yet: nothing to check"
            if note:
                reports.append(Report(stage, target.branch, note=note, ref=target.ref))
                continue
            if engine is None:
                from hotfix_guard.engine.context import start_refs

                start_refs(git, settings, _own_ref(target, info))  # git finds them while the rules load
                engine = Engine(git, info, settings, args)
            if unverified:
                _verify(git, unverified)
                unverified = []
            reports.append(engine.check(target, stage, kind))
        if unverified:
            _verify(git, unverified)
    finally:
        git.close()
    return emit(reports, args)


def _verify(git: Git, pushed: list[Target]) -> None:
    from hotfix_guard.targets.prepush import verify

    verify(git, pushed)


def _own_ref(target: Target, info: RepoInfo) -> tuple[str, ...]:
    """The usual case, HEAD on the branch: its tip comes with the one for-each-ref that
    finds production and development (one git process fewer than rev-parse HEAD)."""
    own = f"refs/heads/{target.branch}"
    return (own,) if target.head is None and info.head_ref == own else ()


def _nothing_to_check(kind: str, stage: str, branch: str) -> str | None:
    if kind in ("other", "release"):
        return "not a hotfix, production or development branch: nothing to check"
    if kind != "hotfix" and stage == "pre-commit":
        return f"{kind} branch: the merge-back rules run at pre-push, in CI or by hand, not on each commit"
    return None


def _targets(git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace, stage: str) -> list[Target]:
    if stage == "pre-push" and not (args.branch or args.head):
        from hotfix_guard.targets.prepush import targets

        pushed = targets(git, info, settings, sys.stdin)
        if pushed is not None:
            return pushed
        # no push input at all (run by hand): the current branch, as at the manual stage
    if stage == "ci":
        from hotfix_guard.targets.ci import target

        return [target(git, info, settings, args)]
    if info.bare and not (args.branch or args.head):
        raise UsageError(
            "this is a bare repository: there is no checked-out branch to check",
            hint="run hotfix-guard in a clone, or pass --branch NAME (and --head REF)",
        )
    branch = args.branch
    if not branch:
        head_ref = info.head_ref or git.rebasing_branch(info)
        if head_ref is not None:
            branch = head_ref.removeprefix("refs/heads/")
            return [Target(branch, args.head, args.base, explicit_branch=info.head_ref is None)]
        if stage == "pre-commit":
            # a commit on a detached HEAD (bisect, a checkout of a tag): no branch yet; the
            # push is checked under the name it gets on the remote
            return [Target(None, note="HEAD is detached: no branch to check at pre-commit "
                                      "(a push is checked under its name on the remote)")]
        raise UsageError(
            "HEAD is detached, so there is no branch name to check",
            hint="pass --branch NAME (the name the branch has, or will have, on the remote)",
        )
    return [Target(branch, args.head, args.base, explicit_branch=bool(args.branch))]


class Engine:
    """Plugins, selection and options: loaded once per run, used for every target."""

    def __init__(self, git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace,
                 extra_plugins: tuple[Any, ...] = ()) -> None:
        from hotfix_guard.engine.plugins import Plugins
        from hotfix_guard.engine.selection import check_selectors, select_rules

        self.git, self.info, self.settings = git, info, settings
        self.debug = bool(getattr(args, "debug", False))
        self.plugins = Plugins(extra=extra_plugins)
        self.options = self.plugins.validate_options(settings)
        where = settings.where
        select = getattr(args, "select", None) or (list(settings.select) if settings.select is not None else None)
        self.rules: list[type[Rule]] = select_rules(
            self.plugins.rules,
            select,
            list(settings.extend_select) + list(getattr(args, "extend_select", None) or []),
            list(settings.ignore) + list(getattr(args, "ignore", None) or []),
            where={k: ("--" + k if getattr(args, k.replace("-", "_"), None) else where(k))
                   for k in ("select", "extend-select", "ignore")},
        )
        for glob, selectors in (settings.per_file_ignores or {}).items():  # a typo would suppress nothing, silently
            check_selectors(selectors, self.plugins.rules, f"{where('per-file-ignores')} \"{glob}\"")
        self._refs: Any = None
        self.deepen = bool(getattr(args, "deepen", False))

    def check(self, target: Target, stage: str, kind: str) -> Report:
        from hotfix_guard.engine.context import Context, resolve_head, resolve_refs
        from hotfix_guard.engine.runner import run_rules

        extra = _own_ref(target, self.info)
        own = extra[0] if extra else ""
        if self._refs is None:
            self._refs = resolve_refs(self.git, self.settings, extra)
        if self.info.shallow or stage == "ci":
            from hotfix_guard.targets.shallow import prepare

            if prepare(self.git, self.info, self.settings, self._refs, target, deepen=self.deepen, stage=stage):
                self.info = self.git.info()
                self._refs = resolve_refs(self.git, self.settings, extra)
        head = self._refs.found.get(own) if own else None
        if head is None:
            head = resolve_head(self.git, self.info, self.settings, target.branch, target.head,
                                target.explicit_branch)
        if kind == "hotfix":
            self._require_production(stage)
        base = None
        if target.base:
            base = self.git.rev_parse(target.base)
            if base is None:
                raise UsageError(f"--base: cannot resolve '{target.base}' to a commit")
        refs = self._refs
        if kind == "production" and target.branch not in candidates(self.settings, "production"):
            refs = _line_refs(refs, target.branch, self.settings, head)
        ctx = Context(self.git, self.info, self.settings, stage=stage, branch=target.branch, kind=kind,
                      head=head, refs=refs, base=base, options=self.options,
                      pushed_from=target.pushed_from)
        try:
            ctx.prefetch({q for rule in self.rules if rule.applies(stage, kind) for q in _queries(rule)})
            report = run_rules(ctx, self.rules, debug=self.debug)
        finally:
            self.git.close()  # what a rule that crashed or skipped never collected
        report.ref = target.ref
        return report

    def _require_production(self, stage: str) -> None:
        """A hotfix is judged against production: one that resolves nowhere is exit 2 at
        every stage, and one whose local and remote copies have diverged is exit 2 where
        a person is at hand (HG001 reports it as a finding at pre-push and in CI)."""
        from hotfix_guard.engine.context import production_not_found

        if self._refs.production is None:
            raise production_not_found(self.git, self.settings)
        if stage not in ("ci", "pre-push"):
            for diverged in self._refs.diverged:
                if diverged.key == "production":
                    from hotfix_guard.errors import GitError

                    raise GitError(diverged.message(), hint=diverged.hint())


def _line_refs(refs: Any, branch: str, settings: Settings, head: str) -> Any:
    """On a release line's branch, the line plays production (see engine.context.for_line)."""
    from hotfix_guard.engine.context import for_line
    from hotfix_guard.workflow import Line, lines, parse_line

    key = parse_line(branch, settings)
    line = lines(settings, refs).get(key) if key else None
    if line is None or line.name != branch:  # checked by name before the branch exists
        line = Line(key, branch, f"refs/heads/{branch}", head) if key else None
    if line is None:
        return refs
    return for_line(refs, line, settings)


def _queries(rule: type[Rule]) -> tuple[str, ...]:
    """What a rule says it will ask (``Rule.queries``); nothing when a plugin's class uses
    the name for something else."""
    value = getattr(rule, "queries", ())
    if not isinstance(value, (set, frozenset, tuple, list)):
        return ()
    return tuple(q for q in value if isinstance(q, str))


def _is_utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding in ("utf-8", "utf8") or not hasattr(stream, "buffer")


def emit(reports: list[Report], args: argparse.Namespace) -> int:
    fmt = args.format
    quiet = bool(getattr(args, "quiet", False))
    stats = bool(getattr(args, "statistics", False))
    if stats and fmt != "text":
        raise UsageError(f"--statistics is a text report; it does not go with --format {fmt}",
                         hint="drop --format, or drop --statistics")
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", errors="backslashreplace") as fh:
                render(reports, fmt, fh, quiet=quiet, stats=stats)
        except OSError as exc:
            raise HotfixGuardError(f"cannot write --output {args.output}: {exc.strerror}") from None
        if fmt != "text" and not quiet:  # still tell the person at the terminal how it went
            from hotfix_guard.report.text import summary_line

            for report in reports:
                print(summary_line(report), file=sys.stderr)
    else:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise HotfixGuardError("standard output is closed: nowhere to write the report",
                                   hint="give --output FILE")
        try:
            _write_stdout(reports, fmt, use_color(getattr(args, "color", None), sys.stdout) and fmt == "text",
                          quiet, stats)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk (`> /dev/full`), a closed terminal
            raise HotfixGuardError(f"cannot write the report: {exc.strerror or exc}",
                                   hint="give --output FILE on a disk with room") from None
    if args.exit_zero:
        return 0
    return exit_code(reports)


def _write_stdout(reports: list[Report], fmt: str, color: bool, quiet: bool, stats: bool) -> None:
    if fmt == "text" or _is_utf8(sys.stdout):
        render(reports, fmt, sys.stdout, color=color, quiet=quiet, stats=stats)
        sys.stdout.flush()
        return
    # machine formats are UTF-8 (JSON: RFC 8259) whatever the console's encoding
    import io

    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="backslashreplace")
    try:
        render(reports, fmt, out)
        out.flush()
    finally:
        out.detach()  # sys.stdout keeps its buffer
