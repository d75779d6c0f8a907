"""``hotfix-guard status``: the workflow's hotfix checklist for one hotfix.

Each item of the seed's "Hotfix Checklist" is *done*, *not done* or *not checkable*
(git cannot show that stakeholders were notified or that staging is green). What git
can show is read from the repository: the rules' own checks (HG001 branch-from-main,
HG004 diff-size, HG010 tests-touched, HG012 follow-up-ticket, through the plugin
registry; an item whose rule is not installed or is turned off is not checkable), and
the merge-back facts :mod:`hotfix_guard.history.hotfixes` finds (tagged, merged into production
and development, branch deleted).

Exit code: 0 whenever the checklist could be drawn, whatever it shows: ``status`` is
asked in the middle of a hotfix, when items are expected to be open, and the gates are
``check`` and ``audit``. ``--exit-code`` makes it 1 when any checkable item is not done
(as ``git diff --exit-code`` does). 2 when it cannot run.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import GitError, HotfixGuardError, Skip, UsageError

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context
    from hotfix_guard.git import Git
    from hotfix_guard.history.hotfixes import History, Hotfix, Verdict

DONE, NOT_DONE, NOT_CHECKABLE = "done", "not-done", "not-checkable"


class Item(NamedTuple):
    section: str
    id: str
    text: str
    state: str
    detail: str = ""
    rule: str | None = None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--branch", metavar="NAME",
                   help="the hotfix (branch name, or its version such as v1.2.4; default: the current branch)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--exit-code", action="store_true",
                   help="exit 1 when a checkable item is not done (default: 0 whenever it ran)")
    add_config_argument(p)


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.commands.check import load_settings
    from hotfix_guard.git import Git

    git = Git()
    info = git.info()
    settings = load_settings(info, args)
    if info.shallow:
        from hotfix_guard.history.hotfixes import shallow_error

        raise shallow_error()
    hotfix, items, history = checklist(git, info, settings, args.branch)
    if args.format == "json":
        import json

        print(json.dumps(to_dict(history, hotfix, items), indent=2, ensure_ascii=False))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        render_text(history, hotfix, items, sys.stdout, color=bool(color))
    sys.stdout.flush()
    if args.exit_code and any(i.state == NOT_DONE for i in items):
        return 1
    return 0


# -- which hotfix ------------------------------------------------------------------------------


def _pick(git: Git, info: Any, settings: Settings, history: History, name: str | None) -> Hotfix:
    from hotfix_guard.config import classify
    from hotfix_guard.history.versions import parse_tag

    if name is None:
        if info.head_ref is None:
            raise UsageError("HEAD is detached, so there is no current hotfix",
                             hint="pass --branch hotfix/vX.Y.Z-<description>")
        name = info.head_ref.removeprefix("refs/heads/")
        if classify(name, settings) != "hotfix":
            open_ = [h.branch for h in history.hotfixes if h.branch and h.exists and h.production is None]
            hint = (f"pass --branch NAME (open hotfixes: {', '.join(open_[:5])})" if open_
                    else "pass --branch NAME, or see `hotfix-guard audit` for every hotfix")
            raise UsageError(f"'{name}' is not a hotfix branch (they start with '{settings.hotfix_prefix}')",
                             hint=hint)
    found = history.find(name)
    if found is None:
        version = parse_tag(name, settings.tag_prefix)
        matches = [h for h in history.hotfixes if version is not None and h.version == version]
        if matches:
            found = matches[-1]
    if found is None:
        raise UsageError(f"no hotfix '{name}': no such branch, no merge of it into "
                         f"{history.prod.name} and no tag for it",
                         hint="see `hotfix-guard audit` for every hotfix in history")
    return found


# -- the checklist ---------------------------------------------------------------------------


def checklist(git: Git, info: Any, settings: Settings, name: str | None,
              extra_plugins: tuple[Any, ...] = ()) -> tuple[Hotfix, list[Item], History]:
    from hotfix_guard.engine.context import Branch, resolve_refs
    from hotfix_guard.history.hotfixes import History, short

    refs = resolve_refs(git, settings)
    if refs.production is None:
        raise GitError(f"production branch '{settings.production_branch}' not found locally or on "
                       f"'{settings.remote}'", hint="set production-branch in config, or fetch it")
    whole = refs
    refs = _line_refs(git, info, settings, refs, name)
    history = History(git, settings, refs.production, refs.development, refs.releases)
    h = _pick(git, info, settings, history, name)
    history.resolve([h])
    verdict = history.verdict(h)  # the same verdict audit gives
    prod = history.prod.name
    from hotfix_guard.rules.mergeback import no_merge_back

    no_target = no_merge_back(settings, prod)  # github-flow, or a release line without forward-port
    dev = history.dev.name if history.dev else settings.development_branch
    remote = settings.remote

    # The rules see the hotfix as it was before it landed: production where it stood.
    head = h.local or h.remote or h.tip
    rule_refs = refs
    if refs is not whole:  # a release line: the rules find the line themselves (Context.line)
        rule_refs = whole
    elif h.production is not None:
        before = h.base if h.production.how == "merge" else _before(history, h)
        if before:
            rule_refs = refs._replace(production=Branch(refs.production.name, refs.production.ref, before))
    ctx = None
    if head and h.branch:
        from hotfix_guard.engine.context import Context

        ctx = Context(git, info, settings, stage="manual", branch=h.branch, kind="hotfix", head=head,
                      refs=rule_refs, options={})
    rules: _Rules | _NothingYet = _Rules(settings, ctx, extra_plugins)
    fresh = ctx is not None and h.production is None and not _has_commits(ctx)
    if fresh:  # just started: nothing is done, whatever the rules would say of an empty change
        rules = _NothingYet(prod)
    has_remote = git.config_get(f"remote.{remote}.url") is not None

    items: list[Item] = []

    def add(section: str, id_: str, text: str, state: str, detail: str = "", rule: str | None = None) -> None:
        items.append(Item(section, id_, text, state, detail, rule))

    never = "git cannot show this"
    s = "Investigation"
    add(s, "issue-confirmed", "Production issue confirmed", NOT_CHECKABLE, never)
    add(s, "severity-justified", "Severity justified hotfix process", NOT_CHECKABLE,
        "`hotfix-guard triage` walks the workflow's decision tree")
    add(s, "stakeholders-notified", "Stakeholders notified", NOT_CHECKABLE,
        "`hotfix-guard triage --format markdown` fills the communication template")
    add(s, "root-cause", "Root cause identified (or symptom understood)", NOT_CHECKABLE, never)

    s = "Development"
    add(s, "branched-from-main", f"Branched from `{prod}` (not development)", *rules.run("HG001"))
    add(s, "minimal-fix", "Minimal fix implemented", *rules.run("HG004"))
    add(s, "tests-touched", "Minimal test written (if time permits)", *rules.run("HG010", fallback=_tests_touched))
    add(s, "manual-testing", "Manual testing completed", NOT_CHECKABLE, never)
    add(s, "staging-deployed", "Staging deployment successful", NOT_CHECKABLE, never)
    add(s, "smoke-tests", "Smoke tests passed", NOT_CHECKABLE, never)

    s = "Deployment"
    add(s, "tagged", f"Tagged {settings.tag_prefix}{h.version or 'X.Y.Z'} (annotated)", *_tagged(history, h, verdict),
        rule="HG009")
    add(s, "production-deployed", "Production deployment successful", NOT_CHECKABLE, never)
    add(s, "monitoring", "Monitoring shows issue resolved", NOT_CHECKABLE, never)
    add(s, "no-new-errors", "No new errors introduced", NOT_CHECKABLE, never)
    add(s, "users-notified", "Users/stakeholders notified of fix", NOT_CHECKABLE, never)

    s = "Post-Deployment"
    if h.production is not None:
        p = h.production
        add(s, "merged-production", f"Merged to {prod}", DONE,
            f"{p.how} {short(p.commit)} on {_day(p.date)}")
    else:
        ref = h.branch or short(h.tip)
        add(s, "merged-production", f"Merged to {prod}", NOT_DONE,
            f"run `git checkout {prod} && git merge --no-ff {ref}`")
    merged_back = rules.run("HG008")[:2] if fresh else _merged_back(history, h, verdict)
    if no_target and not history.targets:
        add(s, "merged-development", "Merged back", DONE, f"nothing to merge back into: {no_target}", rule="HG008")
    else:
        add(s, "merged-development", f"Merged to {dev}" + (" (or the open release branch)" if history.releases else ""),
            *merged_back, rule="HG008")
    add(s, "branch-deleted", "Hotfix branch deleted",
        *_deleted(h, prod, None if no_target and not history.targets else dev, remote, has_remote))
    add(s, "incident-documented", "Incident documented", NOT_CHECKABLE,
        "`hotfix-guard triage --write DIR` writes the incident record skeleton")
    add(s, "follow-up-tickets", "Follow-up tickets created", *rules.run("HG012", fallback=_tickets))
    add(s, "lessons-learned", "Lessons learned documented", NOT_CHECKABLE, never)
    return h, items, history


def _line_refs(git: Git, info: Any, settings: Settings, refs: Any, name: str | None) -> Any:
    """A hotfix of a release line is followed on the line's branch (engine.context.for_line)."""
    from hotfix_guard.engine.context import for_line
    from hotfix_guard.history.versions import parse_hotfix_branch
    from hotfix_guard.triage.branch import latest_release_on
    from hotfix_guard.workflow import line_for, lines

    branch = name or (info.head_ref or "").removeprefix("refs/heads/")
    version = parse_hotfix_branch(branch, settings.hotfix_prefix, settings.tag_prefix).version if branch else None
    if version is None or (version.major, version.minor) not in lines(settings, refs):
        return refs
    current = latest_release_on(git, settings, refs.production).version
    line = line_for(settings, refs, version, current)
    return for_line(refs, line, settings) if line is not None else refs


def _has_commits(ctx: Context) -> bool:
    """Whether the hotfix has a commit of its own beyond production."""
    try:
        return bool(ctx.commits)
    except (HotfixGuardError, Skip):
        return True  # cannot tell: the rules say what they can


class _NothingYet:
    """Stands in for :class:`_Rules` on a hotfix branch with no commits beyond production
    (right after ``start``): every item the change would decide is not done yet."""

    def __init__(self, production: str) -> None:
        self.detail = f"no commits yet: the branch is where {production} is"

    def run(self, code: str, fallback: Any = None) -> tuple[str, str, str | None]:
        return NOT_DONE, self.detail, code


def _before(history: History, h: Hotfix) -> str | None:
    """Production as it stood just before the hotfix landed."""
    assert h.production is not None
    if h.base and h.base in history.prod:
        return h.base
    i = h.production.index
    return history.prod.fp[i - 1] if i > 0 else None


def _day(ts: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d")


def _tagged(history: History, h: Hotfix, verdict: Verdict) -> tuple[str, str]:
    from hotfix_guard.history.hotfixes import short

    p = history.settings.tag_prefix
    if h.production is not None:
        if "HG009" in verdict.skipped:
            return NOT_CHECKABLE, verdict.skipped["HG009"]
        problem = verdict.problems.get("HG009")
        if problem:
            return NOT_DONE, problem.message
        assert h.tag is not None
        return DONE, f"{h.tag.name} on {short(h.tag.commit)}"
    if h.version is None:
        return NOT_CHECKABLE, "the branch name has no version"
    tag = h.tag
    if tag is None:
        return NOT_DONE, (f"no tag {p}{h.version} yet: tag what you deploy, "
                          f"git tag -a {p}{h.version} -m \"Hotfix {p}{h.version}: <what it fixes>\"")
    if not tag.annotated:
        return NOT_DONE, f"{tag.name} is a lightweight tag: recreate it with `git tag -a -f`"
    if h.tip and tag.commit != h.tip and not _contains(history, tag.commit, h.tip):
        return NOT_DONE, f"{tag.name} is on {short(tag.commit)}, which does not contain the hotfix's tip {short(h.tip)}"
    return DONE, f"{tag.name} on {short(tag.commit)} (not in {history.prod.name} yet)"


def _contains(history: History, outer: str, inner: str) -> bool:
    graph = history.graph
    stack, seen = [outer], {outer}
    while stack:
        sha = stack.pop()
        if sha == inner:
            return True
        for p in graph.parents.get(sha, ()):
            if p not in seen and p not in history.prod:
                seen.add(p)
                stack.append(p)
    return False


def _merged_back(history: History, h: Hotfix, verdict: Verdict) -> tuple[str, str]:
    from hotfix_guard.history.hotfixes import short

    if "HG008" in verdict.skipped:
        return NOT_CHECKABLE, verdict.skipped["HG008"]
    if not history.targets:
        return NOT_CHECKABLE, "no development branch found"
    problem = verdict.problems.get("HG008")
    if problem:
        return NOT_DONE, problem.message
    got = h.development or h.release
    if got is not None:
        return DONE, f"{got.branch}: {got.how} {short(got.commit)} on {_day(got.date)}"
    target = history.targets[0].name
    return NOT_DONE, (f"not yet; once it is in {history.prod.name}: git checkout {target} && "
                      f"git merge --no-ff {h.branch or short(h.tip)}")


def _deleted(h: Hotfix, prod: str, dev: str | None, remote: str, has_remote: bool) -> tuple[str, str]:
    """``dev`` None: the workflow has no merge-back target (github-flow, a release line)."""
    if not h.branch:
        return NOT_CHECKABLE, "found by its tag alone"
    if not h.exists:
        if not has_remote:
            return DONE, "gone locally (no remote configured)"
        return DONE, f"gone locally and from {remote} (as far as `git fetch --prune` last saw)"
    where = [w for w, sha in (("locally", h.local), (f"on {remote}", h.remote)) if sha]
    commands = []
    if h.local:
        commands.append(f"git branch -d {h.branch}")
    if h.remote:
        commands.append(f"git push {remote} --delete {h.branch}")
    if h.production is None or (dev is not None and h.development is None and h.release is None):
        into = f"{prod} and {dev}" if dev else prod
        return NOT_DONE, f"still exists {' and '.join(where)}; delete it once merged into {into}"
    return NOT_DONE, f"still exists {' and '.join(where)}: run `{' && '.join(commands)}`"


# -- rules through the plugin registry --------------------------------------------------------


class _Rules:
    """Runs one rule's check on the hotfix, if a plugin provides it and config keeps it on."""

    def __init__(self, settings: Settings, ctx: Context | None, extra: tuple[Any, ...] = ()) -> None:
        self.ctx = ctx
        self.settings = settings
        from hotfix_guard.engine.plugins import Plugins
        from hotfix_guard.engine.selection import select_rules

        self.plugins = Plugins(extra=extra)
        self.options = self.plugins.validate_options(settings)
        if ctx is not None:
            ctx.options = self.options
        where = settings.where
        self.enabled = {r.code for r in select_rules(
            self.plugins.rules, list(settings.select) if settings.select is not None else None,
            list(settings.extend_select), list(settings.ignore),
            where={k: where(k) for k in ("select", "extend-select", "ignore")})}

    def run(self, code: str, fallback: Any = None) -> tuple[str, str, str | None]:
        from hotfix_guard.engine.rule import Skip

        rule_cls = self.plugins.rules.rules.get(code)
        if self.ctx is None:
            return NOT_CHECKABLE, "the hotfix's commits are not known", code
        if rule_cls is None:
            if fallback is not None:
                return (*fallback(self.ctx), None)
            return NOT_CHECKABLE, f"rule {code} is not installed", code
        if code not in self.enabled:
            return NOT_CHECKABLE, f"{code} ({rule_cls.name}) is turned off in config", code
        try:
            findings = list(rule_cls(self.options.get(code)).check(self.ctx) or ())
            from hotfix_guard.engine.suppress import apply_suppressions

            findings = apply_suppressions(self.ctx, findings)
        except Skip as skip:
            return NOT_CHECKABLE, f"{code}: {skip}", code
        except HotfixGuardError as exc:
            return NOT_CHECKABLE, f"{code} could not run: {exc.message}", code
        except Exception as exc:  # noqa: BLE001 - a rule of a plugin may raise anything
            return NOT_CHECKABLE, f"{code} ({rule_cls.name}) could not run: {type(exc).__name__}: {exc}", code
        errors = [f for f in findings if not f.suppressed and f.severity == "error"]
        warnings = [f for f in findings if not f.suppressed and f.severity == "warning"]
        suppressed = [f for f in findings if f.suppressed]
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return NOT_DONE, f"{code}: {errors[0].message}{more}", code
        if warnings and rule_cls.severity == "warning":
            return NOT_DONE, f"{code}: {warnings[0].message}", code
        if warnings:
            return DONE, f"{code} warns: {warnings[0].message}", code
        if suppressed:
            return DONE, f"{code} suppressed: {suppressed[0].suppression_reason}", code
        return DONE, "", code


def _tests_touched(ctx: Context) -> tuple[str, str]:
    """Fallback without HG010: did the change touch a file matching the test globs?"""
    import pathspec

    names = ctx.git.run("diff", "--name-only", "-z", "--no-renames", ctx.merge_base, ctx.head).split("\0")
    names = [n for n in names if n]
    spec = pathspec.GitIgnoreSpec.from_lines(ctx.settings.test_patterns)

    def is_test(path: str) -> bool:
        return spec.match_file(path)

    tests = [n for n in names if is_test(n)]
    if tests:
        return DONE, f"{len(tests)} test file{'s' if len(tests) != 1 else ''} changed ({tests[0]}…)"
    if not names:
        return NOT_DONE, "the hotfix changes no files yet"
    return NOT_DONE, "no test file changed (the workflow: write a minimal failing test if time permits)"


def _tickets(ctx: Context) -> tuple[str, str]:
    """Fallback without HG012: does a commit message of the change reference a ticket?"""
    from hotfix_guard.patterns import ticket_pattern

    pattern = ticket_pattern(ctx.settings)
    for commit in ctx.git.commits(ctx.head, f"^{ctx.merge_base}"):
        match = pattern.search(commit.message)
        if match:
            return DONE, f"{match.group(0)} in {commit.short} \"{commit.subject}\""
    return NOT_DONE, "no commit of the hotfix references a ticket (add a `Follow-up: PROJ-123` trailer)"


# -- output ----------------------------------------------------------------------------------


def to_dict(history: History, h: Hotfix, items: list[Item]) -> dict[str, Any]:
    from hotfix_guard import __version__

    counts = {state: sum(1 for i in items if i.state == state) for state in (DONE, NOT_DONE, NOT_CHECKABLE)}
    return {
        "tool": "hotfix-guard",
        "version": __version__,
        "hotfix": {
            "branch": h.branch,
            "version": str(h.version) if h.version else None,
            "tip": h.tip,
            "production": history.prod.name,
            "development": history.dev.name if history.dev else None,
        },
        "items": [
            {"section": i.section, "id": i.id, "item": i.text, "state": i.state, "detail": i.detail or None,
             "rule": i.rule}
            for i in items
        ],
        "summary": {"done": counts[DONE], "not_done": counts[NOT_DONE], "not_checkable": counts[NOT_CHECKABLE]},
        "complete": counts[NOT_DONE] == 0,
    }


_MARK = {DONE: "[x]", NOT_DONE: "[ ]", NOT_CHECKABLE: "[?]"}


def render_text(history: History, h: Hotfix, items: list[Item], out: IO[str], *, color: bool = False) -> None:
    from hotfix_guard.history.hotfixes import short

    title = f"{h.name}" + (f"  v{h.version}" if h.version and h.branch else "") + f"  (tip {short(h.tip)})"
    counts = {state: sum(1 for i in items if i.state == state) for state in (DONE, NOT_DONE, NOT_CHECKABLE)}
    foot = (f"{counts[DONE]} done, {counts[NOT_DONE]} not done, "
            f"{counts[NOT_CHECKABLE]} not checkable from git")
    if color:
        from rich.console import Console
        from rich.markup import escape

        console = Console(file=out, highlight=False, soft_wrap=True)
        console.print(f"[bold]{escape(title)}[/]")
        marks = {DONE: "[green]✔[/]", NOT_DONE: "[red]✘[/]", NOT_CHECKABLE: "[dim]?[/]"}
        section = None
        for i in items:
            if i.section != section:
                section = i.section
                console.print(f"\n[bold]{escape(section)}[/]")
            text = escape(i.text) if i.state != NOT_CHECKABLE else f"[dim]{escape(i.text)}[/]"
            detail = f"  [dim]{escape(i.detail)}[/]" if i.detail else ""
            console.print(f"  {marks[i.state]} {text}{detail}")
        console.print(f"\n[{'bold red' if counts[NOT_DONE] else 'bold green'}]{escape(foot)}[/]")
        return
    out.write(f"{title}\n")
    section = None
    for i in items:
        if i.section != section:
            section = i.section
            out.write(f"\n{section}\n")
        out.write(f"- {_MARK[i.state]} {i.text}")
        out.write(f" — {i.detail}\n" if i.detail else "\n")
    out.write(f"\n{foot}\n")
