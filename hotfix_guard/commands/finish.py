"""``hotfix-guard finish``: land a hotfix as the workflow says, after checking it.

Refusals come first and change nothing: a finish already under way, git in the middle
of something, uncommitted changes, production or a merge-back target behind its remote
(exit 2), then ``check``'s own engine on the branch (exit 1 with the findings). Then the
steps, each printed with the exact git commands it runs: merge into production
(``--no-ff``, git's usual message), the annotated tag on that merge, merge into each
merge-back target, delete the local hotfix branch, return the checkout, and with
``--push`` one ``git push --atomic``.

Before the first step the plan and every ref it may move are written to the record
(``$GIT_DIR/hotfix-guard-finish``). A step that cannot be done -- a conflict, a hook
that says no, a tag that already exists, a branch that moved meanwhile, a rejected
push -- stops there with the record kept: ``--continue`` goes on from that step once the
cause is dealt with, ``--abort`` puts back every ref finish moved, and the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import HotfixGuardError, UsageError

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Refs
    from hotfix_guard.git import Git, RepoInfo

RECORD = "hotfix-guard-finish"
RECORD_VERSION = 1
Out = Callable[[str], None]


class Refused(HotfixGuardError):
    """finish will not start (or go on); nothing was changed."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("branch", nargs="?", metavar="BRANCH", help="the hotfix branch (default: the current branch)")
    p.add_argument("--dry-run", action="store_true",
                   help="run every check and print the git commands it would run; change nothing")
    p.add_argument("--push", action="store_true",
                   help="push production, the merge-back target and the tag in one `git push --atomic`")
    p.add_argument("--keep", action="store_true", help="keep the local hotfix branch")
    p.add_argument("--fetch", action="store_true", help="fetch the remote first")
    p.add_argument("--message", metavar="MSG", help='the tag\'s message (default: "Hotfix vX.Y.Z: <description>")')
    p.add_argument("--continue", dest="resume", action="store_true",
                   help="go on after a stop (a conflict resolved and committed, a hook fixed...)")
    p.add_argument("--abort", action="store_true", help="undo a stopped finish: every ref it moved, and the checkout")
    add_config_argument(p)


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.git import Git

    out: Out = _printer()
    if args.resume or args.abort:
        given = [flag for flag, on in (("BRANCH", args.branch), ("--dry-run", args.dry_run), ("--push", args.push),
                                       ("--keep", args.keep), ("--fetch", args.fetch),
                                       ("--message", args.message is not None)) if on]
        if args.resume and args.abort:
            raise UsageError("--continue and --abort exclude each other")
        if given:
            raise UsageError(f"{'--continue' if args.resume else '--abort'} takes no {', '.join(given)}: "
                             "what finish does was fixed when it started")
    git = Git()
    info = git.info()
    if info.bare or not info.toplevel:
        raise UsageError("finish needs a working tree (this repository is bare)", hint="run it in a checkout")
    if args.abort:
        return abort(git, info, out)
    if args.resume:
        return resume(git, info, out)
    return finish(git, info, args, out)


def _printer() -> Out:
    def out(line: str) -> None:
        print(line, flush=True)

    return out


# -- the plan ------------------------------------------------------------------------------------


class Plan(NamedTuple):
    branch: str  # the hotfix branch
    tip: str  # its commit, as checked
    tag: str  # vX.Y.Z
    message: str  # the tag's message
    lands_on: str  # where it is merged first and tagged: production, or its release line's branch
    targets: list[str]  # the merge-back branches, in order
    keep: bool
    push: bool
    remote: str
    head: str  # the checkout finish started from: "refs/heads/<name>", or a commit (detached)
    end: str  # the checkout it leaves: a branch name, or a commit (detached)
    note: str | None = None  # why there is no merge-back target, when there is none


class Step(NamedTuple):
    kind: str  # merge, tag, delete, checkout, push
    branch: str  # the branch it works on (merge: the target; delete: the hotfix; checkout: where to)


def steps_of(plan: Plan) -> list[Step]:
    steps = [Step("merge", plan.lands_on), Step("tag", plan.lands_on)]
    steps += [Step("merge", target) for target in plan.targets]
    if not plan.keep:
        steps.append(Step("delete", plan.branch))
    if plan.end != (plan.targets[-1] if plan.targets else plan.lands_on):  # where the last merge leaves you
        steps.append(Step("checkout", plan.end))
    if plan.push:
        steps.append(Step("push", plan.remote))
    return steps


def landing(git: Git, info: RepoInfo, settings: Settings, refs: Refs, branch: str, tip: str,
            version: Any) -> tuple[str, list[str], str | None]:
    """Where the hotfix lands (and is tagged), where it is merged back after that, and why
    there is nowhere to merge back when there is not -- as the workflow says
    (:func:`hotfix_guard.workflow.plan`): production, or the release line's branch for a
    patch of an older line; development, or the open release branch (git-flow: a
    ``release/*`` branch production does not contain), or nothing (github-flow, a line
    without ``forward-port``). Every branch must be here, as a local branch."""
    from hotfix_guard.engine.context import Context
    from hotfix_guard.workflow import plan as workflow_plan
    from hotfix_guard.workflow import uses_release_branches

    ctx = Context(git, info, settings, stage="manual", branch=branch, kind="hotfix", head=tip, refs=refs)
    production = refs.production
    open_releases = [r for r in refs.releases if production is None or not git.is_ancestor(r.sha, production.sha)]
    if uses_release_branches(settings) and len(open_releases) > 1 and ctx.line is None:
        names = ", ".join(r.name for r in open_releases)
        raise Refused(f"more than one release branch is open ({names}): which one the hotfix goes into is unclear",
                      hint="git-flow keeps one release open at a time: finish or delete the others")
    found = workflow_plan(settings, refs, version, line=ctx.line, releases=open_releases)
    if found.missing or found.lands_on is None:
        raise Refused(f"{' and '.join(found.missing)} not found locally or on '{settings.remote}'",
                      hint=f"the {settings.workflow} workflow needs {'them' if len(found.missing) > 1 else 'it'}: "
                           "create it, or set the branch keys in the config (`hotfix-guard init` infers them)")
    lands_on = _local(refs, found.lands_on, "the line's branch" if found.line else "production")
    targets = [_local(refs, target, "the merge-back target") for target in found.merge_back]
    return lands_on, targets, found.note


def _local(refs: Refs, branch: Any, what: str) -> str:
    """The local branch of that name (the one finish merges into; ``resolve_refs`` may have
    picked the remote-tracking one as the newer: the remote check says so next)."""
    if f"refs/heads/{branch.name}" not in refs.found:
        raise Refused(f"{what} {branch.name} exists only as {branch.ref.removeprefix('refs/remotes/')}",
                      hint=f"create it here first (git switch {branch.name}); nothing was changed")
    return str(branch.name)


def make_plan(git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace) -> Plan:
    """Every refusal that is not ``check``'s, in order; no writes."""
    from hotfix_guard.commands.start import compare_with_remote, refuse_unclean
    from hotfix_guard.config import classify
    from hotfix_guard.engine.context import resolve_refs
    from hotfix_guard.history.versions import parse_hotfix_branch

    branch = args.branch
    if branch is None:
        if info.head_ref is None:
            raise UsageError("HEAD is detached, so there is no current hotfix branch",
                             hint="pass the branch: hotfix-guard finish hotfix/vX.Y.Z-<description>")
        branch = info.head_ref.removeprefix("refs/heads/")
    if classify(branch, settings) != "hotfix":
        raise UsageError(f"'{branch}' is not a hotfix branch (they start with '{settings.hotfix_prefix}')",
                         hint="pass the hotfix branch: hotfix-guard finish hotfix/vX.Y.Z-<description>")
    hotfix = parse_hotfix_branch(branch, settings.hotfix_prefix, settings.tag_prefix)
    if hotfix.version is None:
        raise UsageError(f"'{branch}' names no version, so there is no tag to make",
                         hint=f"hotfix branches are {settings.hotfix_prefix}vX.Y.Z-<description> "
                              "(`hotfix-guard check` says what is wrong with the name)")
    refuse_unclean(git, info, "finish")

    refs = resolve_refs(git, settings, (f"refs/heads/{branch}",))
    tip = refs.found.get(f"refs/heads/{branch}")
    if tip is None:
        raise Refused(f"there is no local branch {branch}",
                      hint=f"check it out first (git switch {branch}); finish merges the local branch")
    lands_on, targets, note = landing(git, info, settings, refs, branch, tip, hotfix.version)
    if git.is_ancestor(tip, refs.found.get(f"refs/heads/{lands_on}", "")):
        raise Refused(f"{branch} is already in {lands_on}: nothing to land",
                      hint="see `hotfix-guard status --branch " + branch + "` for what is left to do")
    for name in [lands_on, *targets]:
        compared = compare_with_remote(git, name, settings.remote)
        if compared is not None and compared[2]:
            upstream, _, behind = compared
            up = upstream.removeprefix("refs/remotes/")
            raise Refused(f"{name} is {behind} commit{'s' if behind != 1 else ''} behind {up}: "
                          "the hotfix would land on an old copy of it",
                          hint=f"update it first (git switch {name} && git pull --ff-only), or pass --fetch "
                               "to see the remote as it is now; nothing was changed")

    if args.push and git.config_get(f"remote.{settings.remote}.url") is None:
        raise Refused(f"--push: there is no remote '{settings.remote}'",
                      hint="add it (git remote add), or set `remote` in the config")
    tag = f"{settings.tag_prefix}{hotfix.version}"
    if git.ref_objects([f"refs/tags/{tag}"]):
        raise Refused(f"tag {tag} already exists", hint="a released version is not released again: "
                      "`hotfix-guard check` names the version this hotfix should have")
    message = args.message if args.message is not None else \
        f"Hotfix {tag}: {hotfix.description.replace('-', ' ')}".rstrip(": ")
    if not message.strip():
        raise UsageError("--message is empty", hint="an annotated tag says what it releases")

    if info.head_ref is not None:
        head = info.head_ref
    else:
        head = git.rev_parse("HEAD") or ""
    if head == f"refs/heads/{branch}" and not args.keep:
        end = targets[-1] if targets else lands_on  # git-flow leaves you on development
    else:
        end = head.removeprefix("refs/heads/")
    return Plan(branch, tip, tag, message, lands_on, targets, bool(args.keep), bool(args.push),
                settings.remote, head, end, note)


# -- the record ----------------------------------------------------------------------------------


class Record:
    """What finish writes in the git directory before its first step: the plan, every
    ref it may move with its value before (None: absent), the hotfix branch's config
    (``git branch -D`` removes it), how many steps are done, and the ref values those
    steps left."""

    def __init__(self, path: str, plan: Plan, before: dict[str, str | None], config: dict[str, str],
                 done: int = 0, after: dict[str, str | None] | None = None) -> None:
        self.path = path
        self.plan = plan
        self.before = before
        self.config = config
        self.done = done
        self.after = dict(after or {})

    def expected(self, ref: str) -> str | None:
        return self.after[ref] if ref in self.after else self.before[ref]

    def save(self) -> None:
        data = {"version": RECORD_VERSION, "plan": self.plan._asdict(), "before": self.before,
                "config": self.config, "done": self.done, "after": self.after}
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
        os.replace(temporary, self.path)

    def remove(self) -> None:
        os.remove(self.path)

    @classmethod
    def load(cls, info: RepoInfo) -> Record | None:
        path = record_path(info)
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("version") != RECORD_VERSION:
                raise ValueError("another version")
            return cls(path, Plan(**data["plan"]), data["before"], data["config"], data["done"], data["after"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise HotfixGuardError(f"the finish record {path} cannot be read ({exc})",
                                   hint="finish the steps by hand (see `hotfix-guard status`), then delete "
                                        "that file") from None


def record_path(info: RepoInfo) -> str:
    return os.path.join(info.git_dir, RECORD)


def _refs_of(plan: Plan) -> list[str]:
    return [f"refs/heads/{plan.lands_on}", *(f"refs/heads/{t}" for t in plan.targets),
            f"refs/heads/{plan.branch}", f"refs/tags/{plan.tag}"]


# -- finish, --continue ----------------------------------------------------------------------------


def finish(git: Git, info: RepoInfo, args: argparse.Namespace, out: Out) -> int:
    from hotfix_guard.commands.check import load_settings

    _refuse_if_under_way(info)
    settings = load_settings(info, args)
    if args.fetch:
        from hotfix_guard.commands.start import fetch_remote

        fetch_remote(git, settings, out)
    plan = make_plan(git, info, settings, args)
    if not _checked(git, info, settings, args, plan, out):
        out(f"finish refused: {plan.branch} has findings at error severity; nothing was changed")
        return 1
    steps = steps_of(plan)
    if args.dry_run:
        out(f"would finish {_what(plan)}")
        current = plan.head.removeprefix("refs/heads/")
        for number, step in enumerate(steps, 1):
            out(f"{number}. {_title(step, plan)}")
            commands = _commands(step, plan, current)
            if not commands:
                out("   nothing to do: already there")
            for command in commands:
                out(f"   $ {_shown(command)}")
            if step.kind in ("merge", "checkout"):
                current = step.branch
        out("dry run: nothing was changed")
        return 0
    refs = _refs_of(plan)
    objects = git.ref_objects(refs)
    record = Record(record_path(info), plan, {ref: objects.get(ref) for ref in refs},
                    git.local_config(f"branch.{plan.branch}."))
    record.save()
    out(f"finishing {_what(plan)}")
    return _go(git, info, record, out)


def _what(plan: Plan) -> str:
    back = f"merge into {' and '.join(plan.targets)}" if plan.targets else f"no merge-back ({plan.note})"
    return f"{plan.branch}: merge into {plan.lands_on}, tag {plan.tag}, {back}"


def resume(git: Git, info: RepoInfo, out: Out) -> int:
    record = Record.load(info)
    if record is None:
        raise Refused("no finish is under way here", hint="start one: hotfix-guard finish [BRANCH]")
    if os.path.exists(os.path.join(info.git_dir, "MERGE_HEAD")):
        conflicted = git.unmerged_paths()
        what = f"conflicts in {_listed(conflicted)}" if conflicted else "resolved, not committed yet"
        raise Refused(f"the merge is still in progress ({what})",
                      hint="resolve it, `git commit`, then run `hotfix-guard finish --continue` again")
    if git.status_porcelain():
        from hotfix_guard.commands.start import refuse_unclean

        refuse_unclean(git, info, "finish --continue")
    out(f"continuing the finish of {record.plan.branch} at step {record.done + 1}")
    return _go(git, info, record, out)


def _refuse_if_under_way(info: RepoInfo) -> None:
    record = Record.load(info)
    if record is not None:
        raise Refused(f"a finish of {record.plan.branch} is under way (stopped at step {record.done + 1})",
                      hint="go on with `hotfix-guard finish --continue`, or undo it with `hotfix-guard finish --abort`")


def _checked(git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace, plan: Plan, out: Out) -> bool:
    """``check`` on the branch's tip, with check's own engine; the report is shown."""
    import io

    from hotfix_guard.commands.check import Engine
    from hotfix_guard.report import exit_code, render
    from hotfix_guard.targets.target import Target

    engine = Engine(git, info, settings, args)
    report = engine.check(Target(plan.branch, plan.tip, explicit_branch=True), "manual", "hotfix")
    text = io.StringIO()
    render([report], "text", text)
    for line in text.getvalue().splitlines():
        out(line)
    return exit_code([report]) == 0


class _Stop(Exception):
    """A step could not be done: ``what`` happened, ``todo`` is the one line saying what to do."""

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what)
        self.what = what
        self.todo = todo


def _go(git: Git, info: RepoInfo, record: Record, out: Out) -> int:
    plan = record.plan
    steps = steps_of(plan)
    try:
        while record.done < len(steps):
            step = steps[record.done]
            out(f"{record.done + 1}. {_title(step, plan)}")
            _do(git, info, record, step, out)
            record.done += 1
            record.save()
    except _Stop as stop:
        for line in stop.what.splitlines():
            out(f"   {line}")
        out(f"stopped: {stop.todo}")
        return 1
    record.remove()
    _summary(git, plan, out)
    return 0


def _title(step: Step, plan: Plan) -> str:
    return {
        "merge": f"merge {plan.branch} into {step.branch}",
        "tag": f"tag {plan.tag} on the merge into {plan.lands_on}",
        "delete": f"delete the local branch {plan.branch}",
        "checkout": f"check out {_checkout_name(step.branch)}",
        "push": f"push {', '.join([plan.lands_on, *plan.targets, plan.tag])} to {plan.remote}, atomically",
    }[step.kind]


def _checkout_name(end: str) -> str:
    return f"the detached commit {end[:10]}" if _is_sha(end) else end


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in "0123456789abcdef" for c in value)


def _commands(step: Step, plan: Plan, current: str | None) -> list[list[str]]:
    """The git commands of a step (``current``: the branch checked out now, if known)."""
    if step.kind == "merge":
        switch = [] if current == step.branch else [["switch", step.branch]]
        return [*switch, ["merge", "--no-ff", "--no-edit", plan.branch]]
    if step.kind == "tag":
        return [["tag", "-a", plan.tag, "-m", plan.message, plan.lands_on]]
    if step.kind == "delete":
        return [["branch", "-D", plan.branch]]
    if step.kind == "checkout":
        if current == step.branch:
            return []
        return [["switch", "--detach", step.branch] if _is_sha(step.branch) else ["switch", step.branch]]
    refspecs = [f"refs/heads/{b}" for b in (plan.lands_on, *plan.targets)] + [f"refs/tags/{plan.tag}"]
    return [["push", "--atomic", plan.remote, *refspecs]]


def _shown(command: list[str]) -> str:
    return "git " + " ".join(shlex.quote(arg) for arg in command)


def _listed(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _current(git: Git) -> str | None:
    info = git.info()
    return info.head_ref.removeprefix("refs/heads/") if info.head_ref else None


def _now(git: Git, record: Record) -> dict[str, str | None]:
    objects = git.ref_objects(record.before)
    return {ref: objects.get(ref) for ref in record.before}


def _moved(ref: str, expected: str | None, found: str | None) -> _Stop:
    name = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
    was = expected[:10] if expected else "absent"
    now = found[:10] if found else "gone"
    return _Stop(f"{name} moved while finish was under way (expected {was}, found {now})",
                 f"put {name} back, then `hotfix-guard finish --continue`; or undo the finish with "
                 "`hotfix-guard finish --abort`")


def _do(git: Git, info: RepoInfo, record: Record, step: Step, out: Out) -> None:
    """One step: done already (a --continue after the user completed it), or checked
    against the record and run."""
    plan = record.plan
    now = _now(git, record)
    own = _own_ref(step, plan)
    if own is not None and _done_already(git, record, step, now):
        out(f"   done already (by you): {_describe(own, now[own])}")
        record.after[own] = now[own]
        return
    tag_ref = f"refs/tags/{plan.tag}"
    for ref, found in now.items():  # everything where the record says it is
        if (ref != tag_ref or ref in record.after) and found != record.expected(ref):
            raise _moved(ref, record.expected(ref), found)
    if step.kind == "tag" and now[tag_ref] is not None:
        raise _Stop(f"tag {plan.tag} already exists ({_describe(tag_ref, now[tag_ref])}), not made by finish",
                    f"delete it if it is a mistake (git tag -d {plan.tag}) and `hotfix-guard finish --continue`; "
                    "or `hotfix-guard finish --abort`")
    commands = _commands(step, plan, _current(git))
    if not commands:
        out("   nothing to do: already there")
    for command in commands:
        out(f"   $ {_shown(command)}")
        code, output = git.write(*command)
        if code != 0:
            _put_back_files(git, info, out)
            raise _failed(git, info, step, plan, command, output)
    if own is not None:
        found = git.ref_objects([own]).get(own)
        record.after[own] = found
        if found is not None and step.kind == "merge":
            out(f"   {_describe(own, found)}")


def _put_back_files(git: Git, info: RepoInfo, out: Out) -> None:
    """A git command that failed half-way (a checkout whose HEAD update was refused) can
    leave files that match no commit. Every step starts from a clean tree (finish and
    --continue refuse any other), so what differs from HEAD now is git's half-done work,
    not the user's: it is put back, so that the stop leaves a consistent checkout. A
    merge in progress is the user's to resolve and is left as it is."""
    if os.path.exists(os.path.join(info.git_dir, "MERGE_HEAD")) or not git.status_porcelain():
        return
    command = ["reset", "--hard", "--quiet"]
    out(f"   $ {_shown(command)}  (the files the failed command left half-changed)")
    git.write(*command)


def _own_ref(step: Step, plan: Plan) -> str | None:
    """The ref a step moves (None: it moves none of the recorded refs)."""
    if step.kind == "merge":
        return f"refs/heads/{step.branch}"
    if step.kind == "tag":
        return f"refs/tags/{plan.tag}"
    if step.kind == "delete":
        return f"refs/heads/{plan.branch}"
    return None


def _done_already(git: Git, record: Record, step: Step, now: dict[str, str | None]) -> bool:
    """Whether the user did this step's work after a stop: committed the merge, made the
    tag on the merge, deleted the branch."""
    plan = record.plan
    own = _own_ref(step, plan)
    assert own is not None
    found, before = now[own], record.before[own]
    if step.kind == "merge":
        return (found is not None and found != before and before is not None
                and git.is_ancestor(plan.tip, found) and git.is_ancestor(before, found))
    if step.kind == "tag":
        merged = record.after.get(f"refs/heads/{plan.lands_on}")
        tags = git.tags(plan.tag) if found else []
        return any(name == plan.tag and commit == merged and annotated for name, commit, annotated in tags)
    return found is None and record.expected(own) == plan.tip  # deleted by hand


def _describe(ref: str, sha: str | None) -> str:
    name = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
    return f"{name} is now {sha[:10]}" if sha else f"{name} is gone"


def _failed(git: Git, info: RepoInfo, step: Step, plan: Plan, command: list[str], output: str) -> _Stop:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    said = "\n".join(lines[-6:]) or "no message"
    again = "then `hotfix-guard finish --continue`; or undo the finish with `hotfix-guard finish --abort`"
    if step.kind == "merge" and os.path.exists(os.path.join(info.git_dir, "MERGE_HEAD")):
        conflicted = git.unmerged_paths()
        if conflicted:
            return _Stop(f"conflict merging {plan.branch} into {step.branch}: {_listed(conflicted)}",
                         f"resolve the conflicts and `git commit`, {again}")
        return _Stop(f"git stopped the merge into {step.branch} before committing it:\n{said}",
                     f"deal with what it says and `git commit` (or `git merge --abort`), {again}")
    if step.kind == "push":
        return _Stop(f"the push was refused; nothing was pushed (it is atomic):\n{said}",
                     f"deal with what the remote says, {again}")
    return _Stop(f"{_shown(command[:3])}{' ...' if len(command) > 3 else ''} failed:\n{said}",
                 f"deal with what git says, {again}")


def _summary(git: Git, plan: Plan, out: Out) -> None:
    merged = " and ".join([plan.lands_on, *plan.targets])
    kept = "kept" if plan.keep else "deleted"
    out(f"finished {plan.tag}: merged into {merged}, tagged {plan.tag}, local branch {kept}; "
        f"you are on {_checkout_name(plan.end)}")
    if not plan.push and git.config_get(f"remote.{plan.remote}.url") is None:
        out(f"nothing was pushed (there is no remote '{plan.remote}')")
    elif not plan.push:
        push = steps_of(plan._replace(push=True))[-1]
        out(f"nothing was pushed; to publish: {_shown(_commands(push, plan, None)[0])}")
    remote_branch = f"refs/remotes/{plan.remote}/{plan.branch}"
    if not plan.keep and git.ref_objects([remote_branch]):
        out(f"the branch is still on {plan.remote}: git push {plan.remote} --delete {plan.branch}")


# -- --abort ---------------------------------------------------------------------------------------


def abort(git: Git, info: RepoInfo, out: Out) -> int:
    from hotfix_guard.commands.start import refuse_unclean

    record = Record.load(info)
    if record is None:
        raise Refused("no finish is under way here: nothing to abort")
    plan = record.plan
    out(f"aborting the finish of {plan.branch}")
    if os.path.exists(os.path.join(info.git_dir, "MERGE_HEAD")):
        _write(git, out, ["merge", "--abort"])
    refuse_unclean(git, git.info(), "finish --abort")
    now = _now(git, record)
    restore = _finish_moved(git, record, now)
    for ref, found in now.items():
        if ref not in restore and found != record.before[ref]:
            out(f"left {ref} alone: it moved, but not by finish")
    if restore:
        _write(git, out, ["switch", "--detach"])  # no branch checked out while refs are put back
    for ref in restore:
        old = record.before[ref]
        if old is None:
            _write(git, out, ["update-ref", "-d", ref, now[ref] or ""])
        else:
            _write(git, out, ["update-ref", ref, old, now[ref] or "0" * len(old)])
    branch_ref = f"refs/heads/{plan.branch}"
    if branch_ref in restore:
        for key, value in record.config.items():
            _write(git, out, ["config", "--local", key, value])
    head = plan.head
    if _is_sha(head):
        if git.rev_parse("HEAD") != head or git.info().head_ref is not None:
            _write(git, out, ["switch", "--detach", head])
    elif git.info().head_ref != head:
        _write(git, out, ["switch", head.removeprefix("refs/heads/")])
    record.remove()
    out(f"aborted: {len(restore)} ref{'s' if len(restore) != 1 else ''} put back; "
        f"you are on {_checkout_name(head.removeprefix('refs/heads/'))}")
    return 0


def _finish_moved(git: Git, record: Record, now: dict[str, str | None]) -> list[str]:
    """The recorded refs that are not as they were and that finish moved: by a step it
    completed, or by the step it stopped at, when what is there now is that step's work
    (a merge the user committed, the tag on finish's merge, the deleted branch)."""
    plan = record.plan
    steps = steps_of(plan)
    moved: list[str] = []
    for ref in record.before:
        if now[ref] == record.before[ref]:
            continue
        if ref in record.after:
            moved.append(ref)
            continue
        current = steps[record.done] if record.done < len(steps) else None
        if current is not None and _own_ref(current, plan) == ref and _done_already(git, record, current, now):
            moved.append(ref)
    return moved


def _write(git: Git, out: Out, command: list[str]) -> None:
    out(f"   $ {_shown(command)}")
    code, output = git.write(*command)
    if code != 0:
        lines = [ln for ln in output.splitlines() if ln.strip()]
        raise HotfixGuardError(f"{_shown(command[:3])} failed: {lines[-1] if lines else 'no message'}",
                               hint="the record is kept: deal with that, then run `hotfix-guard finish --abort` again")
