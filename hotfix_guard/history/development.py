"""Which commits of a hotfix are development's own (HG001; SPEC §7, "HG001, refined").

A commit of the change is development's own when development had it before this hotfix
reached development:

- it is on development's first-parent line beyond production ("line"),
- or a merge on that line brought it in from another branch, a feature or a release
  ("merge"; the merge's subject says which branch: git, GitHub, GitLab, Bitbucket),
- or it is a copy of one of those: its message says ``(cherry picked from commit X)``
  naming one, or its patch-id is one of theirs and theirs is the older ("copy").

A hotfix that reached development later, by a merge or by a fast-forward, brings its
own commits there; they are not development's own. A merge names the branch it merged;
a fast-forward records nothing in the history, so a commit on development's line counts
as the hotfix's own when its own diff adds the hotfix's marker (``HOTFIX vX.Y.Z:``) or
the hotfix branch's reflog says it was made on the branch (the reflog is local: a CI
clone has none).

Read from a bounded number of git processes whatever the size of the history: the
commits of ``production..development`` (one ``git log``), patch equivalence
(``rev-list --cherry-mark``, which reads the diff of every development commit, so the
pre-commit stage leaves it to pre-push and CI and finds copies by their ``cherry picked
from`` line only), and, only when something is found, the reflog, the marker search and
the files each commit touches.
"""

from __future__ import annotations

import re
from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable

    from hotfix_guard.git import Commit, Git

# The branch a merge commit merged, from the subjects git and the forges write:
#   Merge branch 'feature/x' [of <url>] [into develop]      (git; GitLab: 'x' into 'develop')
#   Merge remote-tracking branch 'origin/feature/x'         (git)
#   Merge pull request #12 from owner/feature/x             (GitHub)
#   Merged in feature/x (pull request #12)                  (Bitbucket)
MERGED_BRANCH = re.compile(
    r"^Merge (?:remote-tracking )?branch '(?P<git>[^']+)'"
    r"|^Merge pull request #\d+ from [^/\s]+/(?P<github>\S+)"
    r"|^Merged in (?P<bitbucket>\S+)"
)
CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


def marker_regex(tag_prefix: str, version: object) -> str:
    """A POSIX extended regex for the hotfix's marker, ``HOTFIX vX.Y.Z:``, spaced and
    prefixed as HG005 accepts it."""
    def ere(text: str) -> str:
        return "".join("\\" + ch if ch in ".[]()*+?{}|^$\\" else ch for ch in text)

    prefix = f"({ere(tag_prefix)})?" if tag_prefix else ""
    return f"HOTFIX[[:space:]]+{prefix}{ere(str(version))}[[:space:]]*:"


def merged_branch(subject: str, remote: str = "origin") -> str | None:
    """The branch a merge subject names, without ``<remote>/``; None when it names none."""
    match = MERGED_BRANCH.match(subject)
    if not match:
        return None
    name = next(g for g in match.groups() if g)
    return name.removeprefix(f"{remote}/")


class Own(namedtuple("Own", "commit how via source")):
    """A commit of the change that is development's own. ``how``: "line", "merge" or
    "copy"; ``via``: the merge on development that brought it ("merge"), else None;
    ``source``: for a copy, the development commit it copies, else None."""

    __slots__ = ()


class Origin(namedtuple("Origin", "own development_only_paths")):
    """What :func:`analyse` found: ``own`` (Own, newest first) and the paths that only
    those commits change (the content rules do not judge them again)."""

    __slots__ = ()


def analyse(git: Git, change: list[Commit], production: str, development: str, *,
            branch: str, names: Iterable[str], marker: str | None, remote: str = "origin",
            reflog_ref: str | None = None, by_patch: bool = True) -> Origin:
    """Development's own commits among ``change`` (the commits of production..head,
    newest first). ``names``: the branch names a merge of this hotfix (or of production)
    into development would carry; ``marker``: the hotfix's own marker text, if it has a
    version; ``reflog_ref``: the local branch whose reflog may say which commits were
    made on it; ``by_patch``: compare patch-ids too (they read every development commit's
    diff), not only ``cherry picked from`` lines."""
    if not change:
        return Origin((), frozenset())
    dev = git.commits(development, f"^{production}")
    if not dev:
        return Origin((), frozenset())
    owners = _owners(dev, development, set(names), remote)
    found: list[Own] = []
    in_change = {c.sha for c in change}
    same = [c for c in change if c.sha in owners]
    if same:
        made_here = _made_for_this_hotfix(git, same, marker, reflog_ref)
        for c in same:
            how, via = owners[c.sha]
            if c.sha not in made_here:
                found.append(Own(c, how, via, None))
    found += _copies(git, change, dev, owners, in_change, development, by_patch)
    order = {c.sha: i for i, c in enumerate(change)}
    found.sort(key=lambda o: order[o.commit.sha])
    paths = _only_paths(git, change, {o.commit.sha for o in found}) if found else frozenset()
    return Origin(tuple(found), paths)


def _owners(dev: list[Commit], development: str, foreign: set[str], remote: str
            ) -> dict[str, tuple[str, Commit | None]]:
    """Development's own commits beyond production: sha -> (how, merge that brought it).

    Walks the first-parent line oldest first; a merge brings in what its other parents
    reach that the line had not reached yet. Commits a merge of this hotfix or of
    production brought are not development's own.
    """
    by_sha = {c.sha: c for c in dev}
    line: list[Commit] = []
    sha: str | None = development
    while sha in by_sha:
        commit = by_sha[sha]  # type: ignore[index]
        line.append(commit)
        sha = commit.parents[0] if commit.parents else None
    owners: dict[str, tuple[str, Commit | None]] = {}
    reached: set[str] = set()
    for commit in reversed(line):
        reached.add(commit.sha)
        owners[commit.sha] = ("line", None)
        if len(commit.parents) < 2:
            continue
        brought = []
        stack = [p for p in commit.parents[1:] if p in by_sha and p not in reached]
        while stack:
            p = stack.pop()
            if p in reached:
                continue
            reached.add(p)
            brought.append(p)
            stack.extend(q for q in by_sha[p].parents if q in by_sha and q not in reached)
        if merged_branch(commit.subject, remote) in foreign:
            continue  # this hotfix (or production) reaching development: not its own
        for p in brought:
            owners[p] = ("merge", commit)
    for sha in _brought_by_foreign_merges(dev, by_sha, foreign, remote):
        owners.pop(sha, None)
    return owners


def _brought_by_foreign_merges(dev: list[Commit], by_sha: dict[str, Commit], foreign: set[str],
                               remote: str) -> set[str]:
    """What merges of this hotfix or of production brought, wherever they are in
    development's history (not only on its first-parent line: a hotfix merged into
    production, production merged into another branch, that branch merged into
    development). A merge's first parent had the rest already."""
    found: set[str] = set()
    for merge in dev:
        if len(merge.parents) < 2 or merged_branch(merge.subject, remote) not in foreign:
            continue
        had = _ancestors(by_sha, merge.parents[:1])
        found |= _ancestors(by_sha, merge.parents[1:], stop=had)
    return found


def _ancestors(by_sha: dict[str, Commit], heads: Iterable[str], stop: set[str] | None = None) -> set[str]:
    """The commits of ``by_sha`` that ``heads`` reach (themselves included), not going
    through ``stop``."""
    seen: set[str] = set()
    stack = [h for h in heads if h in by_sha]
    stop = stop or set()
    while stack:
        sha = stack.pop()
        if sha in seen or sha in stop:
            continue
        seen.add(sha)
        stack.extend(p for p in by_sha[sha].parents if p in by_sha and p not in seen)
    return seen


def _made_for_this_hotfix(git: Git, commits: list[Commit], marker: str | None,
                          reflog_ref: str | None) -> set[str]:
    """Commits on development's history that are this hotfix's own work, which a
    fast-forward (or a merge with a subject of its own) took there: their diff adds the
    hotfix's marker, or the hotfix branch's reflog says they were made on it."""
    shas = [c.sha for c in commits if len(c.parents) < 2]
    if not shas:
        return set()
    made = git.reflog_created(reflog_ref) & set(shas) if reflog_ref else set()
    rest = [s for s in shas if s not in made]
    if marker and rest:
        made |= git.commits_changing(marker, rest)
    return made


def _copies(git: Git, change: list[Commit], dev: list[Commit],
            owners: dict[str, tuple[str, Commit | None]], in_change: set[str], development: str,
            by_patch: bool = True) -> list[Own]:
    """Commits of the change (not development's own themselves) that copy one of
    development's own: by a ``cherry picked from`` line, or by patch-id when the
    development commit is the older of the two (the other way round, development got a
    copy of the hotfix)."""
    own_dev = {sha: c for sha, c in ((c.sha, c) for c in dev) if sha in owners and sha not in in_change}
    if not own_dev:
        return []
    copies: dict[str, Own] = {}
    candidates = [c for c in change if c.sha not in owners and len(c.parents) < 2]
    for c in candidates:
        for named in CHERRY_PICKED.findall(c.message):
            source = next((d for sha, d in own_dev.items() if sha.startswith(named)), None)
            if source is not None:
                copies[c.sha] = Own(c, "copy", None, source)
                break
    rest = [c for c in candidates if c.sha not in copies]
    if not rest or not by_patch:
        return list(copies.values())
    equal = git.equivalent_commits(development, change[0].sha)
    mine = [c for c in rest if c.sha in equal]
    theirs = [sha for sha in own_dev if sha in equal]
    if not mine or not theirs:
        return list(copies.values())
    from hotfix_guard.history.graph import patch_ids

    pids, _ = patch_ids(git, [(sha, None) for sha in [c.sha for c in mine] + theirs])
    by_pid: dict[str, str] = {}
    for sha in theirs:
        pid = pids.get((sha, None))
        if pid:
            by_pid.setdefault(pid, sha)
    dates = git.commit_dates([c.sha for c in mine] + theirs)
    for c in mine:
        source_sha = by_pid.get(pids.get((c.sha, None)) or "")
        if source_sha is None:
            continue
        source = own_dev[source_sha]
        if any(c.sha.startswith(named) for named in CHERRY_PICKED.findall(source.message)):
            continue  # development's copy names this one: the hotfix's is the original
        if dates.get(source_sha, 0) <= dates.get(c.sha, 0):
            copies[c.sha] = Own(c, "copy", None, source)
    return list(copies.values())


def _only_paths(git: Git, change: list[Commit], own: set[str]) -> frozenset[str]:
    """Paths that development's own commits in the change touch and no other commit of it."""
    touched = git.touched_paths(*(c.sha for c in change if len(c.parents) < 2))
    theirs: set[str] = set()
    mine: set[str] = set()
    for sha, paths in touched.items():
        (theirs if sha in own else mine).update(paths)
    return frozenset(theirs - mine)
