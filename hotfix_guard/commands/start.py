"""``hotfix-guard start DESCRIPTION``: the seed's step 2, done right.

Computes the next patch version from the release tags on production, creates
``hotfix/vX.Y.Z-<slug>`` from production (never from the current branch) and switches
to it. Every check runs before anything is written, so a refusal changes nothing:
uncommitted changes (or a merge, rebase... in progress), another open hotfix branch
(one at a time, as git-flow; ``--allow-parallel``), a branch or tag that already exists,
local production behind its remote (``--fetch`` fetches first). It prints exactly what
it did.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import GitError, HotfixGuardError, UsageError

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Branch
    from hotfix_guard.git import Git, RepoInfo
    from hotfix_guard.history.versions import Version

# Files git leaves in the git dir while an operation waits for the user.
IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or `git am`"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("BISECT_LOG", "a bisect"),
)


class Refused(HotfixGuardError):
    """start will not create the branch; nothing was changed."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("description", nargs="+", metavar="DESCRIPTION",
                   help='what the hotfix fixes, in a few words (e.g. "fix payment crash")')
    p.add_argument("--fetch", action="store_true",
                   help="fetch the remote first, so production and the open hotfixes are up to date")
    p.add_argument("--allow-parallel", action="store_true",
                   help="start even while another hotfix branch is open (git-flow allows one at a time)")
    p.add_argument("--dry-run", action="store_true", help="run every check and say what would be done; change nothing")
    p.add_argument("--line", metavar="X.Y",
                   help="patch an older release line: cut from its branch (support/X.Y), next patch of its latest tag")
    p.add_argument("--version", metavar="X.Y.Z", dest="hotfix_version",
                   help="the version to start (it must be the next patch of production or of a release line)")
    add_config_argument(p)


def run(args: argparse.Namespace) -> int:
    description = " ".join(args.description).strip()
    start(description, config=args.config, fetch=args.fetch, allow_parallel=args.allow_parallel,
          dry_run=args.dry_run, line=args.line, version=args.hotfix_version)
    return 0


class Plan(NamedTuple):
    branch: str
    version: Version
    base: Branch  # production, as found (local branch, else remote-tracking)
    after_tag: str
    subject: str  # the base commit's subject
    previous: str  # what HEAD was: a branch name or "detached HEAD at <sha>"
    notes: tuple[str, ...]  # warnings that do not stop it


def start(description: str | None, *, config: str | None = None, fetch: bool = False,
          allow_parallel: bool = False, dry_run: bool = False, line: str | None = None,
          version: str | None = None, out: Callable[[str], None] = print) -> Plan:
    from hotfix_guard.config import find_config, load
    from hotfix_guard.git import Git

    if not description or not description.strip():
        raise UsageError("a description is needed", hint='e.g. hotfix-guard start "fix payment crash"')
    from hotfix_guard.triage.branch import has_words

    if not has_words(description):
        raise UsageError(f"the description {description!r} has no letters or digits to name the branch",
                         hint='e.g. hotfix-guard start "fix payment crash"')
    git = Git()
    info = git.info()
    if info.bare or not info.toplevel:
        raise UsageError("start needs a working tree (this repository is bare)",
                         hint="run it in a checkout")
    settings = load(config, explicit=True) if config else load(find_config(info.toplevel))
    if fetch:
        fetch_remote(git, settings, out)
    plan = make_plan(git, info, settings, description, allow_parallel=allow_parallel, line=line,
                     version=version)
    for note in plan.notes:
        out(f"warning: {note}")
    short = plan.base.sha[:10]
    where = f"{plan.base.name}" if not plan.base.remote else plan.base.ref.removeprefix("refs/remotes/")
    if dry_run:
        out(f"would create branch {plan.branch} from {where} at {short} \"{plan.subject}\" "
            f"(the next patch after {plan.after_tag})")
        out(f"would switch to {plan.branch} (from {plan.previous})")
        return plan
    git.create_branch(plan.branch, plan.base.sha, switch=True)
    out(f"created branch {plan.branch} from {where} at {short} \"{plan.subject}\" "
        f"(the next patch after {plan.after_tag})")
    out(f"switched to {plan.branch} (from {plan.previous})")
    out(f"next: make the minimal fix, mark it `HOTFIX v{plan.version}:` in a comment, "
        f"run `hotfix-guard check`; tag v{plan.version} when it ships")
    return plan


def fetch_remote(git: Git, settings: Settings, out: Callable[[str], None]) -> None:
    remote = settings.remote
    if git.config_get(f"remote.{remote}.url") is None:
        raise UsageError(f"--fetch: there is no remote '{remote}'",
                         hint="add it (git remote add), or set `remote` in the config")
    git.fetch(remote)
    out(f"fetched {remote}")


def make_plan(git: Git, info: RepoInfo, settings: Settings, description: str, *,
              allow_parallel: bool = False, line: str | None = None, version: str | None = None) -> Plan:
    """Every check, no writes. Raises :class:`Refused` (or another error) when it must not start."""
    from hotfix_guard.engine.context import resolve_refs
    from hotfix_guard.triage.branch import branch_name, latest_release_on

    refs = resolve_refs(git, settings, newest=False)  # a stale local production is refused below
    production = refs.production
    if production is None:
        raise GitError(f"production branch '{settings.production_branch}' not found "
                       f"locally or on '{settings.remote}'",
                       hint="set `production-branch` in the config, or fetch it (--fetch)")
    release = latest_release_on(git, settings, production)
    wanted = _parse_version(version) if version else None
    cut = _release_line(settings, refs, line, wanted, release.version)
    if cut is not None:
        production = cut  # the line's branch: cut from it, next patch of its latest tag
        release = latest_release_on(git, settings, cut)
    if release.next is None or release.tag is None:
        raise Refused(
            f"no release tag ({settings.tag_prefix}X.Y.Z) on {production.name}: "
            "cannot compute the next patch version",
            hint=f"tag the release production runs (git tag -a {settings.tag_prefix}1.0.0 -m ... "
                 f"{production.name}), then run start again",
        )
    version = release.next
    if wanted is not None and wanted != version:
        raise Refused(
            f"--version {wanted} is not the next patch of {production.name}: that is {version} "
            f"(after {release.tag})",
            hint=(f"start {version}, or patch an older line with --line X.Y "
                  f"(its branch {settings.support_prefix}X.Y must exist)"),
        )
    name = branch_name(version, description, settings)
    tag = f"{settings.tag_prefix}{version}"
    remote = settings.remote

    branch_refs = [f"refs/heads/{name}", f"refs/remotes/{remote}/{name}", f"refs/tags/{tag}"]
    existing = git.list_refs(*branch_refs)
    if f"refs/heads/{name}" in existing:
        raise Refused(f"branch {name} already exists",
                      hint=f"switch to it (git switch {name}), or describe this hotfix differently")
    if f"refs/remotes/{remote}/{name}" in existing:
        raise Refused(f"branch {name} already exists on {remote}",
                      hint=f"check it out (git switch {name}), or describe this hotfix differently")
    if f"refs/tags/{tag}" in existing:
        raise Refused(
            f"tag {tag} already exists but is not on {production.name}, so {tag} is taken",
            hint=f"finish the hotfix tagged {tag} (merge it into {production.name}), "
                 "or delete the tag if it was a mistake",
        )

    if not allow_parallel:
        open_hotfixes = _open_hotfixes(git, settings, production.sha, release.version)
        if open_hotfixes:
            shown = ", ".join(open_hotfixes[:3]) + (f" and {len(open_hotfixes) - 3} more" if len(open_hotfixes) > 3 else "")
            raise Refused(
                f"another hotfix branch is open: {shown}",
                hint="one hotfix at a time, as git-flow: finish it (merge into production and "
                     "development, delete the branch), or pass --allow-parallel",
            )

    refuse_unclean(git, info, "start")

    notes: list[str] = []
    if not production.remote:
        compared = compare_with_remote(git, production.name, remote)
        if compared is not None:
            upstream, ahead, behind = compared
            up = upstream.removeprefix("refs/remotes/")
            if behind and ahead:
                from hotfix_guard.engine.context import Diverged

                diverged = Diverged("production", production.name, production.ref, upstream)
                raise Refused(diverged.message(), hint=diverged.hint())  # what check says too
            if behind:
                raise Refused(
                    f"{production.name} is {behind} commit{'s' if behind != 1 else ''} behind {up}: "
                    "the hotfix would miss what production runs",
                    hint=f"update it first (git switch {production.name} && git pull --ff-only), "
                         "then run start again",
                )
            if ahead:
                notes.append(f"{production.name} has {ahead} commit{'s' if ahead != 1 else ''} not on {up}; "
                             "the hotfix branch starts after them")

    subject = git.commits("-1", production.sha)[0].subject
    if info.head_ref and info.head_ref.startswith("refs/heads/"):
        previous = info.head_ref.removeprefix("refs/heads/")
    else:
        head = git.rev_parse("HEAD")
        previous = f"detached HEAD at {head[:10]}" if head else "an unborn branch"
    return Plan(name, version, production, release.tag, subject, previous, tuple(notes))


def _parse_version(text: str) -> Version:
    from hotfix_guard.history.versions import Version

    parsed = Version.parse(text.removeprefix("v"))
    if parsed is None:
        raise UsageError(f"--version {text}: not a version X.Y.Z", hint="e.g. --version 1.2.4")
    return parsed


def _release_line(settings: Settings, refs: Any, line: str | None, wanted: Version | None,
                  current: Version | None) -> Any:
    """The release line to cut from: ``--line X.Y``, else the line ``--version`` patches
    (hotfix_guard.workflow.line_for); None for production's own line."""
    from hotfix_guard.workflow import line_for, lines

    found = lines(settings, refs)
    if line is None:
        return line_for(settings, refs, wanted, current) if wanted is not None else None
    parts = line.removeprefix("v").split(".")
    key = (int(parts[0]), int(parts[1])) if len(parts) == 2 and all(p.isdigit() for p in parts) else None
    if key is None:
        raise UsageError(f"--line {line}: not a release line X.Y", hint="e.g. --line 1.1")
    if wanted is not None and (wanted.major, wanted.minor) != key:
        raise UsageError(f"--version {wanted} is not a patch of the {line} line",
                         hint=f"give a version {line}.N, or leave --version out")
    if key not in found:
        branch = f"{settings.support_prefix}{key[0]}.{key[1]}"
        raise Refused(f"there is no release line {key[0]}.{key[1]}: no branch {branch}, locally or on "
                      f"'{settings.remote}'",
                      hint=f"create it from the line's latest tag (git branch {branch} "
                           f"{settings.tag_prefix}{key[0]}.{key[1]}.N), then run start again")
    return found[key]


def refuse_unclean(git: Git, info: RepoInfo, command: str) -> None:
    """Raise :class:`Refused` when git is in the middle of something (a merge, a rebase...)
    or tracked files have uncommitted changes: a writing command starts from a clean checkout."""
    for marker, what in IN_PROGRESS:
        if os.path.exists(os.path.join(info.git_dir, marker)):
            raise Refused(f"{what} is in progress in this checkout",
                          hint="finish or abort it first; nothing was changed")
    changes = git.status_porcelain()
    if changes:
        paths = [path for _, path in changes]
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        raise Refused(
            f"the working tree has uncommitted changes ({len(paths)} "
            f"file{'s' if len(paths) != 1 else ''}: {shown})",
            hint=f"commit or stash them first (git stash), then run {command} again; nothing was changed",
        )


def compare_with_remote(git: Git, name: str, remote: str) -> tuple[str, int, int] | None:
    """For local branch ``name``: (the remote-tracking ref it is compared with, commits
    ahead, commits behind), that ref being its upstream, else ``<remote>/<name>``. None
    when there is neither."""
    ref = f"refs/heads/{name}"
    upstream = git.upstream(ref)
    if upstream is None:
        candidate = f"refs/remotes/{remote}/{name}"
        upstream = candidate if git.list_refs(candidate) else None
    if upstream is None:
        return None
    ahead, behind = git.ahead_behind(ref, upstream)
    return upstream, ahead, behind


def _open_hotfixes(git: Git, settings: Settings, production_sha: str, released: Version) -> list[str]:
    """Hotfix branches, local or on the remote, that are not finished.

    A hotfix branch is finished once production contains its tip *and* its version has
    been released (it is at or below the latest release on production). So a branch
    just cut (no commits yet: production contains its tip, its version is the next one)
    is open, and one merged and tagged but not yet deleted is not.
    """
    from hotfix_guard.history.versions import parse_hotfix_branch

    prefix, remote = settings.hotfix_prefix, settings.remote
    if prefix.endswith("/"):
        patterns = [f"refs/heads/{prefix}", f"refs/remotes/{remote}/{prefix}"]
    else:
        patterns = [f"refs/heads/{prefix}*", f"refs/heads/{prefix}*/**",
                    f"refs/remotes/{remote}/{prefix}*", f"refs/remotes/{remote}/{prefix}*/**"]
    every = git.list_refs(*patterns)
    if not every:
        return []
    unmerged = git.list_refs(*patterns, no_merged=production_sha)
    names: list[str] = []
    for ref in every:
        name = next((ref[len(b):] for b in ("refs/heads/", f"refs/remotes/{remote}/") if ref.startswith(b)), ref)
        if ref not in unmerged:
            version = parse_hotfix_branch(name, prefix, settings.tag_prefix).version
            if version is None or version <= released:
                continue
        if name not in names:
            names.append(name)
    return names
