"""Every hotfix in the repository's history, and where each one went.

Shared by HG008 merged-into-both, HG009 hotfix-tagged, ``hotfix-guard status`` and
``hotfix-guard audit``: each hotfix gets one :meth:`History.verdict`, whoever asks.

How a hotfix is recognised (SPEC §8), in this order
---------------------------------------------------
1. by a merge of a ``hotfix/…`` branch into production (or into development or a
   release branch): any merge commit whose subject names a hotfix branch as the branch
   merged (``Merge branch 'hotfix/v1.2.4-…'``, ``Merge pull request #12 from
   org/hotfix/…``, GitLab's ``… into 'main'``, Bitbucket's ``Merged in hotfix/…``), or
   whose second parent is the tip of a hotfix branch that still exists. Merges off
   production's first-parent line count (production fast-forwarded onto develop later);
2. by its branch: ``hotfix/*``, local or remote-tracking, merged or not yet;
3. by a squash or rebase commit on production's first-parent line that names a hotfix
   branch, or the word hotfix and a version, in its subject, or whose change adds
   ``HOTFIX vX.Y.Z:`` markers;
4. by a patch-release tag that none of those explains, that does not sit on a release
   (a merge of a branch that is not a hotfix branch, a commit of development or of an
   open release branch) and that is not the repository's first release tag.

Tags join hotfixes by commit first (the tag is on the hotfix's merge, tip or squash
commit, or on a later production commit that contains it with no other release in
between), by version second. A hotfix branch whose tip is a commit production already
had, and that carries neither its own tag nor its own markers, has landed nothing.

How many git processes
----------------------
A fixed number, whatever the number of commits, tags or hotfixes: one ``for-each-ref``
for tags and hotfix branches, one ``rev-list`` for the whole graph (parents, dates and
subjects), one ``git log -G`` for the ``HOTFIX`` markers on production's first-parent
line, and, only when some hotfix left no ancestry, one ``diff-tree --stdin`` (patches and
full messages of the candidates) piped into one ``patch-id`` per round: at most two
rounds, one for hotfixes whose branch is not in production (did it land by squash or
rebase?), one for landed hotfixes not in development by ancestry. (An object git cannot
read costs a few more ``diff-tree`` runs to find it.) Ancestry questions are answered in
Python from the graph: each branch's first-parent line is walked once and every commit
is labelled with the first first-parent commit that contains it, so "is X in develop"
is a dict lookup and "when did X reach develop" an index.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from hotfix_guard.config import hotfix_prefix_as_written
from hotfix_guard.errors import GitError
from hotfix_guard.git import records
from hotfix_guard.history.graph import Graph, Line, patch_ids
from hotfix_guard.history.versions import VERSION_PATTERN, Version, parse_hotfix_branch, parse_tag

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Branch, Context
    from hotfix_guard.git import Git

DAY = 86_400
# A copy (cherry-pick, rebase, squash) is committed after its original: candidates are
# commits dated from the original's commit date on, less this much for clocks that
# disagree.
CLOCK_SKEW = 3_600
LANDING_WINDOW = 90 * DAY  # how long after its last commit a hotfix is looked for in production
SEGMENT_LIMIT = 100  # the most first-parent commits one rebased hotfix is taken to span
ANCESTRY_LIMIT = 50_000  # the most commits walked to tell the history of one commit off production
SHORT = 7
CODES = ("HG008", "HG009")
_CHERRY_RE = re.compile(r"\(cherry picked from commit ([0-9a-f]{40})\)")
_HOTFIX_WORD = re.compile(r"\bhot[-_ ]?fix(?:es)?\b", re.IGNORECASE)
# the branch a merge subject says it merges: git, GitHub, Bitbucket
_SOURCE_RES = (
    re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'"),
    re.compile(r"^Merge (?:remote-tracking )?branch \"([^\"]+)\""),
    re.compile(r"^Merge pull request #\d+ from ([^\s/]+/)?(\S+)"),
    re.compile(r"^Merged in (\S+)"),
    re.compile(r"^Merge branch (\S+)"),
)
_TARGET_RE = re.compile(r"\binto\s+['\"]?([^\s'\"]+)['\"]?\s*$")
# "merged hotfix-1.2.4 to dev": heeded only when it names a branch the history knows
# ("… to fix the crash" names none)
_TO_RE = re.compile(r"\bto\s+['\"]?([^\s'\"]+)['\"]?\s*$")


def short(sha: str | None) -> str:
    return sha[:SHORT] if sha else "-"


def is_patch(version: Version | None) -> bool:
    """A patch release: the last part of the version is not 0 (``1.2.4``, ``0.1.7.1``)."""
    return version is not None and version[-1] > 0


# -- refs ------------------------------------------------------------------------------


class Tag(NamedTuple):
    name: str
    commit: str  # the commit it points at (peeled)
    annotated: bool
    version: Version | None
    date: int  # tagger date (annotated) or commit date (lightweight)


def load_refs(git: Git, settings: Settings) -> tuple[dict[str, Tag], dict[str, dict[str, str]]]:
    """Version tags, and hotfix branches (name -> {"local": sha, "remote": sha}): one call."""
    hotfix_prefix, remote = settings.hotfix_prefix, settings.remote
    patterns = [f"refs/tags/{settings.tag_prefix}*"]
    for base in ("refs/heads/", f"refs/remotes/{remote}/"):
        if hotfix_prefix.endswith("/"):
            patterns.append(base + hotfix_prefix.rstrip("/"))
        else:
            patterns.append(f"{base}{hotfix_prefix}*")
    out = git.run(
        "for-each-ref",
        "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(*objecttype)"
        "%00%(creatordate:unix)",
        *patterns,
    )
    tags: dict[str, Tag] = {}
    branches: dict[str, dict[str, str]] = {}
    remote_base = f"refs/remotes/{remote}/"
    for line in records(out):
        refname, kind, obj, peeled, peeled_kind, date = line.split("\0")
        if refname.startswith("refs/tags/"):
            name = refname[len("refs/tags/"):]
            commit = peeled or obj
            if (peeled_kind or kind) != "commit":
                continue  # a tag of a tree or blob names no release
            tags[name] = Tag(name, commit, kind == "tag", parse_tag(name, settings.tag_prefix),
                             int(date or 0))
        elif refname.startswith("refs/heads/"):
            name = refname[len("refs/heads/"):]
            if name.startswith(hotfix_prefix):
                branches.setdefault(name, {})["local"] = obj
        elif refname.startswith(remote_base):
            name = refname[len(remote_base):]
            if name.startswith(hotfix_prefix):
                branches.setdefault(name, {})["remote"] = obj
    return tags, branches


# -- hotfixes ----------------------------------------------------------------------------


class Landing(NamedTuple):
    """Where and how a hotfix reached a branch."""

    branch: str
    commit: str  # the commit of that branch that brought it (its merge, or a first-parent commit)
    index: int  # the position on the first-parent line of the commit that brought it
    date: int  # that first-parent commit's date
    how: str  # merge | fast-forward | commit | squash | cherry-pick


@dataclass
class Hotfix:
    branch: str | None  # hotfix/v1.2.4-fix-payment-crash; None when its branch name is not known
    version: Version | None
    found_by: list[str] = field(default_factory=list)  # "merge", "branch", "squash", "tag"
    merges: list[str] = field(default_factory=list)  # merges of it into production, newest first
    back_merges: list[str] = field(default_factory=list)  # merges of it into development/release
    squashes: list[str] = field(default_factory=list)  # production commits naming it, newest first
    tag: Tag | None = None
    local: str | None = None  # tip of the local branch, if it exists
    remote: str | None = None  # tip of the remote-tracking branch, if it exists
    tip: str | None = None  # the hotfix's newest commit
    change: list[str] = field(default_factory=list)  # its own commits (no merges), newest first
    base: str | None = None  # the commit the change applies to (for its combined patch)
    production: Landing | None = None
    production_change: list[str] = field(default_factory=list)  # production-side copies (squash/rebase)
    development: Landing | None = None
    release: Landing | None = None  # the open release branch it reached
    partial: dict[str, tuple[int, int]] = field(default_factory=dict)  # branch -> (copied, total)
    missing: dict[str, list[str]] = field(default_factory=dict)  # branch -> commits not copied there
    unreadable: str | None = None  # why git could not read what judging it needs
    resolved: bool = False
    label: str | None = None  # the name of a hotfix known by neither branch nor tag

    @property
    def name(self) -> str:
        if self.branch:
            return self.branch
        if self.tag:
            return self.tag.name
        if self.label:
            return self.label
        return str(self.version) if self.version else "?"

    @property
    def exists(self) -> bool:
        return bool(self.local or self.remote)

    @property
    def sides(self) -> list[list[str]]:
        return [side for side in (self.change, self.production_change) if side]


class _Problem(NamedTuple):
    message: str
    help: str


class Verdict(NamedTuple):
    """HG008's and HG009's word on one hotfix: a problem, or None; a rule that cannot
    tell is in ``skipped`` with its reason. ``audit``, ``status`` and ``check`` all ask
    :meth:`History.verdict` for it."""

    problems: dict[str, _Problem]  # code -> problem
    skipped: dict[str, str]  # code -> why it cannot be told

    @property
    def judged(self) -> bool:
        return not self.skipped


class History:
    """Hotfixes, production, development and open release branches, as git shows them."""

    def __init__(
        self,
        git: Git,
        settings: Settings,
        production: Branch,
        development: Branch | None,
        releases: Iterable[Branch] = (),
        *,
        production_head: str | None = None,
        development_head: str | None = None,
        extra: Iterable[str] = (),
        bound: str | None = None,
        refs: tuple[dict[str, Tag], dict[str, dict[str, str]]] | None = None,
        patches: tuple[dict[tuple[str, str | None], str | None], dict[str, str]] | None = None,
    ) -> None:
        """``bound``: leave out the history of this commit (its ancestors and itself).
        ``check`` bounds by the latest X.Y.0 release, or the pushed range's base: what it
        judges lies after, and whatever the bounded graph proves (an ancestry, a patch
        copy, a tag on production) is true of the whole history too. ``patches``: patch
        ids and messages already read (shared by a bounded and a whole history)."""
        self.git = git
        self.settings = settings
        self.production_branch = production
        self.development_branch = development
        self.bound = bound
        self.tags, self.branch_refs = refs if refs is not None else load_refs(git, settings)
        releases = list(releases)
        prod_head = production_head or production.sha
        dev_head = development_head or (development.sha if development else None)
        heads = [prod_head, dev_head, *(r.sha for r in releases), *extra]
        heads += [t.commit for t in self.tags.values()]
        heads += [sha for refs in self.branch_refs.values() for sha in refs.values()]
        if bound:
            heads.append(f"^{bound}")
        self.graph = Graph.load(git, heads)
        self.prod = Line(self.graph, production.name, prod_head)
        self.dev = Line(self.graph, development.name, dev_head) if development and dev_head else None
        # open: it has commits of its own that production does not (SPEC: a release branch
        # merged long ago and never deleted is finished)
        self.releases = [Line(self.graph, r.name, r.sha) for r in releases if self._has_own_commits(r.sha)]
        # the lines a landed hotfix must also reach (HG008): the open release branches, then development
        self.targets: list[Line] = [t for t in (*self.releases, self.dev) if t is not None]
        # what could not be read for every row alike (each row's own trouble is its ``unreadable``)
        self.notes: list[str] = []
        if git.try_run("config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$"):
            self.markers: dict[str, tuple[Version, ...]] = {}
            self.notes.append("HOTFIX markers not read: this is a partial clone, and reading them would "
                              "fetch every blob of production's history")
        else:
            self.markers, why = _markers(git, prod_head, bound, settings.tag_prefix)
            if why:
                self.notes.append(f"HOTFIX markers not read: {why}")
        # patch ids by (commit, None) or (top, base), and full messages, read with the patches
        self._pids, self._bodies = patches if patches is not None else ({}, {})
        self._unreadable: dict[str, str] = {}  # commit -> why git could not read it
        self.hotfixes = self._discover()

    def _has_own_commits(self, head: str) -> bool:
        """Does ``head`` hold a commit (not a merge) that production does not?"""
        graph, prod = self.graph, self.prod
        stack, seen = [head], {head}
        while stack:
            sha = stack.pop()
            if sha in prod or sha not in graph.parents:
                continue
            if not graph.is_merge(sha):
                return True
            for p in graph.parents[sha]:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return False

    # -- discovery -------------------------------------------------------------------------

    def _discover(self) -> list[Hotfix]:
        settings, graph, prod = self.settings, self.graph, self.prod
        prefix, tag_prefix = settings.hotfix_prefix, settings.tag_prefix
        by_branch: dict[str, Hotfix] = {}
        result: list[Hotfix] = []

        def entry(branch: str) -> Hotfix:
            h = by_branch.get(branch)
            if h is None:
                h = by_branch[branch] = Hotfix(branch, _parse_branch(branch, prefix, tag_prefix))
                result.append(h)
            return h

        tips: dict[str, list[str]] = {}
        for name, refs in self.branch_refs.items():
            for sha in refs.values():
                tips.setdefault(sha, []).append(name)

        # 1. merges of hotfix branches, wherever they are (newest first); two names merged
        # from one tip commit ("Merge branch 'hotfix/x'", "merged hotfix-1.2.4 to dev") are one hotfix
        by_tip: dict[str, Hotfix] = {}
        merges = [sha for sha, ps in graph.parents.items() if len(ps) > 1]
        merges.sort(key=lambda m: (prod.label.get(m, len(prod.fp)), graph.commit_date.get(m, 0)), reverse=True)
        for sha in merges:
            subject = graph.subject(sha)
            name = branch_in_message(subject, prefix)
            if name is None:
                named = tips.get(graph.parents[sha][1])
                name = named[0] if named else None
            if name is None:
                continue
            into = self._merge_target(sha, subject)
            if into is None:
                continue  # into a feature branch, or another hotfix branch
            tip = graph.parents[sha][1]
            h = by_branch.get(name) or by_tip.get(tip) or entry(name)
            if name not in by_branch:  # a second name of the same tip
                by_branch[name] = h
                if h.branch and not h.branch.startswith(prefix) and name.startswith(prefix):
                    h.branch = name  # the name with the hotfix prefix itself, not its near miss
            by_tip.setdefault(tip, h)
            if "merge" not in h.found_by:
                h.found_by.append("merge")
            (h.merges if into == "production" else h.back_merges).append(sha)
            if h.version is None:
                h.version = version_in_message(subject, tag_prefix)

        # 2. branches that still exist
        for name, refs in self.branch_refs.items():
            h = entry(name)
            h.local, h.remote = refs.get("local"), refs.get("remote")
            h.found_by.append("branch")

        # 3. squash and rebase commits on production that name a hotfix or carry its markers
        by_version: dict[Version, Hotfix] = {}
        for h in result:
            if h.version is not None:
                by_version.setdefault(h.version, h)
        for sha in reversed(prod.fp):
            if graph.is_merge(sha):
                continue
            subject = graph.subject(sha)
            name = branch_in_message(subject, prefix)
            if name is not None and name not in by_branch and _parse_branch(name, prefix, tag_prefix) is None:
                name = None  # prose ("… when starting a hotfix/support/release"), not a branch
            version = subject_version(subject, tag_prefix) if name is None else None
            if name is None and version is None:
                found = self.markers.get(sha, ())
                version = found[0] if len(found) == 1 else None
            if name is not None:
                h = entry(name)
            elif version is not None:
                h = by_version.get(version) or Hotfix(None, version, label=f"{tag_prefix}{version}")
                if h not in result:
                    result.append(h)
                    by_version[version] = h
            else:
                continue
            h.squashes.append(sha)
            if "squash" not in h.found_by:
                h.found_by.append("squash")

        for h in result:
            self._place(h)

        # 4. tags: by commit, by version, by containment; what is left, and is no
        # release, is a hotfix of its own
        result += self._join_tags(result)

        self._boundaries = {prod.label[t.commit] for t in self.tags.values()
                            if t.version is not None and t.commit in prod}
        self._boundaries |= {h.production.index for h in result if h.production}
        for h in result:
            if h.production and h.production.how == "commit" and not h.merges and not h.squashes \
                    and h.production.commit in prod.index:
                self._segment(h)  # now that every landing is known
        waiting = [h for h in result if h.production is None and h.tip]
        if waiting:
            self._land_by_patch(waiting)
        result.sort(key=self._order)
        return result

    def _merge_target(self, merge: str, subject: str) -> str | None:
        """Where a hotfix merge went: "production", "back" (development, a release
        branch), or None (anything else). A subject that names no target (a pull
        request's) went where the merge is."""
        match = _TARGET_RE.search(subject)
        if match is not None:
            return self._named_target(match.group(1))
        match = _TO_RE.search(subject)
        if match is not None and (into := self._named_target(match.group(1))) is not None:
            return into
        # on development's first-parent line and not production's: into development
        dev = self.dev
        if dev is not None and merge in dev.index and merge not in self.prod.index \
                or dev is not None and merge in dev and merge not in self.prod:
            return "back"
        return "production"

    def _named_target(self, name: str) -> str | None:
        """Where a merge went, by the branch its subject names: "production", "back" or None."""
        settings = self.settings
        target = name.removeprefix("refs/heads/")
        if target in (self.prod.name, settings.production_branch, "main", "master"):
            return "production"
        if (self.dev is not None and target == self.dev.name) or target == settings.development_branch \
                or target.startswith(settings.release_prefix) or target in ("develop", "development"):
            return "back"
        return None

    def _order(self, h: Hotfix) -> tuple:
        """Oldest landing first (by the date it reached production), then the ones still on their way."""
        if h.production is None:
            return (1, 0, 0, tuple(h.version or ()), h.name)
        return (0, h.production.date, h.production.index, tuple(h.version or ()), h.name)

    def _place(self, h: Hotfix) -> None:
        """Tip, own commits and production landing, from ancestry alone."""
        prod, graph = self.prod, self.graph
        if any(m in prod for m in h.merges):
            self._place_merged(h)
            return
        if h.squashes and not self._own_tip(h):
            top = h.squashes[0]
            i = prod.index[top]
            how = "squash" if len(h.squashes) == 1 else "commit"
            h.production = Landing(prod.name, top, i, prod.date(i), how)
            merged = h.merges or h.back_merges
            tip = graph.parents[merged[0]][1] if merged else h.local or h.remote
            if tip is not None and tip not in prod:
                h.tip = tip
                h.change, h.base = self._outside(tip, prod)
                h.production_change = list(h.squashes)
            else:
                h.tip, h.change = top, list(h.squashes)
                h.base = (graph.parents.get(h.squashes[-1]) or (None,))[0]
            return
        if h.merges or h.back_merges:
            self._place_merged(h)
            return
        tip = h.local or h.remote or (h.tag.commit if h.tag else None)
        if tip is None or tip not in graph.parents:
            return  # only behind the bound: older than anything judged
        h.tip = tip
        if tip in prod and h.exists and not self._own_tip(h):
            return  # a branch just cut from production: nothing of its own yet
        if tip in prod:
            i = prod.label[tip]
            top = prod.fp[i]
            if top != tip and tip not in prod.index and graph.parents[top][-1] != tip:
                # off the first-parent line, not what the merge there merged: production
                # was fast-forwarded past it; it landed as itself
                h.production = Landing(prod.name, tip, i, graph.commit_date.get(tip, prod.date(i)), "commit")
                h.change, h.base = [tip], (graph.parents[tip] or (None,))[0]
            elif graph.is_merge(top) and top != tip:
                h.change = self._own(prod.newly(i), exclude=top)
                h.base = graph.parents[top][0]
                h.production = Landing(prod.name, top, i, prod.date(i), "merge")
            elif graph.is_merge(top):  # the tag is on an unnamed merge: the hotfix is its side
                h.tip = graph.parents[top][1]
                h.change = self._own(prod.newly(i), exclude=top)
                h.base = graph.parents[top][0]
                h.production = Landing(prod.name, top, i, prod.date(i), "merge")
            else:
                how = "fast-forward" if h.exists else "commit"
                h.production = Landing(prod.name, top, i, prod.date(i), how)
                h.change, h.base = [tip], (graph.parents[tip] or (None,))[0]
        else:
            h.change, h.base = self._outside(tip, prod)

    def _place_merged(self, h: Hotfix) -> None:
        """A hotfix with merges: its tip is what its newest merge into production merged
        (else its newest merge into development); it reached production where that tip
        did, through the merge itself when the merge is in production."""
        prod, graph = self.prod, self.graph
        in_prod = [m for m in h.merges if m in prod]
        merge = in_prod[0] if in_prod else (h.merges or h.back_merges)[0]
        h.tip, h.base = graph.parents[merge][1], graph.parents[merge][0]
        if in_prod:
            i = prod.label[merge]
            if prod.index.get(merge) == i:
                h.change = self._own(prod.newly(i), exclude=merge)
            else:  # off the first-parent line: production was fast-forwarded past it
                h.change = self._between(h.tip, h.base)
            h.production = Landing(prod.name, merge, i, graph.commit_date.get(merge, prod.date(i)), "merge")
        elif h.tip in prod:  # production got it another way (its merge into development)
            i = prod.label[h.tip]
            top = prod.fp[i]
            h.change = self._between(h.tip, h.base)
            h.production = Landing(prod.name, top, i, prod.date(i), "fast-forward" if top == h.tip else "merge")
        else:
            h.change, _ = self._outside(h.tip, prod)

    def _own_tip(self, h: Hotfix) -> bool:
        """Is the branch's tip a commit of the hotfix's own? A branch that points at a
        commit production already had is a hotfix just begun, unless that commit carries
        the hotfix's own tag or ``HOTFIX`` marker, or names it (a fast-forward)."""
        tip = h.local or h.remote
        if tip is None:
            return False
        if tip in h.squashes:
            return True
        if h.version is None or self.graph.is_merge(tip):
            return False
        if any(t.commit == tip and t.version == h.version for t in self.tags.values()):
            return True
        return h.version in self.markers.get(tip, ())

    def _between(self, tip: str, base: str | None) -> list[str]:
        """The commits (no merges) of ``tip`` that ``base`` does not have, newest first."""
        graph, prod = self.graph, self.prod
        if base is None:
            below: set[str] | None = set()
        elif base in prod:
            below = None  # asked of production's labels
        else:
            below = self._ancestors(base)
        own: list[str] = []
        stack, seen = [tip], {tip}
        while stack and len(own) < 10 * SEGMENT_LIMIT:
            sha = stack.pop()
            if sha == base or (below is not None and sha in below) or (
                    below is None and sha in prod and prod.contains(base, sha)):  # type: ignore[arg-type]
                continue
            if not graph.is_merge(sha):
                own.append(sha)
            for p in graph.parents.get(sha, ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        own.sort(key=lambda c: graph.commit_date.get(c, 0), reverse=True)
        return own

    def _ancestors(self, sha: str) -> set[str]:
        parents = self.graph.parents
        seen = {sha}
        stack = [sha]
        while stack and len(seen) < ANCESTRY_LIMIT:
            for p in parents.get(stack.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    # -- tags ------------------------------------------------------------------------------

    def _join_tags(self, hotfixes: list[Hotfix]) -> list[Hotfix]:
        """Give each hotfix its tag: by commit first, by version second, then a patch tag
        on a later production commit that contains a hotfix with no tag of its own.
        Returns the hotfixes known by their tag alone."""
        tags = sorted((t for t in self.tags.values() if t.version is not None),
                      key=lambda t: (self.graph.commit_date.get(t.commit, t.date), t.name))
        if not tags:
            return []
        at: dict[str, Hotfix] = {}
        for h in hotfixes:
            for sha in (*h.merges, *h.squashes, h.tip):  # not a release merge that carried it
                if sha:
                    at.setdefault(sha, h)
        by_version: dict[Version, list[Hotfix]] = {}
        for h in hotfixes:
            if h.version is not None:
                by_version.setdefault(h.version, []).append(h)
        left: list[Tag] = []
        first = tags[0].version  # the oldest release: never a hotfix
        for tag in tags:
            owner = at.get(tag.commit)
            if owner is not None and owner.version is None and (tag.version == first or not is_patch(tag.version)):
                continue  # a release on a hotfix's merge: the release's, not the hotfix's
            if owner is not None and (owner.version is None or owner.version == tag.version):
                self._give(owner, tag)
            elif tag.version in by_version:
                for h in by_version[tag.version]:
                    if h.tag is None:
                        self._give(h, tag)
            elif owner is None:
                left.append(tag)
        own: list[Hotfix] = []
        for tag in left:
            if not is_patch(tag.version) or tag.version == first or self._is_release(tag.commit):
                continue
            h = self._container(hotfixes, tag)
            if h is not None:
                self._give(h, tag)
                continue
            h = Hotfix(None, tag.version, ["tag"], tag=tag)
            self._place(h)
            own.append(h)
        return own

    def _give(self, h: Hotfix, tag: Tag) -> None:
        if h.tag is None:
            h.tag = tag
        if h.version is None:
            h.version = tag.version
        if "tag" not in h.found_by:
            h.found_by.append("tag")

    def _container(self, hotfixes: list[Hotfix], tag: Tag) -> Hotfix | None:
        """The hotfix with no tag of its own that ``tag`` was put on later: the newest one
        landed in production before the tagged commit, with no release tag in between."""
        prod = self.prod
        if tag.commit not in prod:
            return None
        at = prod.label[tag.commit]
        best: Hotfix | None = None  # the newest hotfix landed before the tagged commit
        for h in hotfixes:
            p = h.production
            if p is None or p.index > at:
                continue
            if best is None or p.index > best.production.index:  # type: ignore[union-attr]
                best = h
        if best is None or best.tag is not None or best.version not in (None, tag.version):
            return None
        since = best.production.index  # type: ignore[union-attr]
        for other in self.tags.values():
            if other is not tag and other.version is not None and other.commit in prod \
                    and since <= prod.label[other.commit] <= at and other.commit != tag.commit:
                return None
        if not prod.contains(tag.commit, self._landed_tip(best)):
            return None
        return best

    def _is_release(self, commit: str) -> bool:
        """Does a tag on ``commit`` mark a regular release: a merge of a branch that is
        not a hotfix branch (``release/…``, development, …), a commit that production got
        through such a merge, or a commit of development or an open release branch that
        production does not have?"""
        prod = self.prod
        if self._release_merge(commit):
            return True
        if commit not in prod:
            return any(commit in line for line in self.targets)
        top = prod.fp[prod.label[commit]]
        return top != commit and self._release_merge(top)

    def _release_merge(self, sha: str) -> bool:
        graph = self.graph
        if not graph.is_merge(sha):
            return False
        subject = graph.subject(sha)
        source = merge_source(subject)
        if source is not None:
            return not _is_hotfix_name(source, self.settings)
        if _says_release(subject):
            return True
        side = graph.parents[sha][1]
        return self.dev is not None and side in self.dev.index  # development's own line

    def _own(self, commits: list[str], exclude: str) -> list[str]:
        graph = self.graph
        own = [c for c in commits if c != exclude and not graph.is_merge(c)]
        own.sort(key=lambda c: graph.commit_date.get(c, 0), reverse=True)
        return own

    def _segment(self, h: Hotfix) -> None:
        """A hotfix that arrived as plain commits on production's first-parent line (fast-
        forward, rebase, squash, or commits made on production) leaves no record of where
        it began. Its commits are taken to be its tip and the commits just before it that
        were committed in the same second (a rebase or GitHub's "rebase and merge" writes
        them together), never past a merge, a release tag or another hotfix. Taking more
        would blame the hotfix for unrelated commits made on production."""
        prod, graph = self.prod, self.graph
        assert h.production is not None
        i = h.production.index
        top = prod.fp[i]
        when = graph.commit_date.get(top)
        change = [top]
        j = i - 1
        while j >= 0 and len(change) < SEGMENT_LIMIT:
            sha = prod.fp[j]
            if j in self._boundaries or graph.is_merge(sha) or graph.commit_date.get(sha) != when:
                break
            change.append(sha)
            j -= 1
        h.change = change
        h.base = prod.fp[j] if j >= 0 else None

    def _outside(self, tip: str, line: Line) -> tuple[list[str], str | None]:
        """Commits of ``tip`` not in ``line`` (newest first), and where they fork from it."""
        graph = self.graph
        own: list[str] = []
        stack, seen = [tip], {tip}
        while stack and len(own) < 10 * SEGMENT_LIMIT:
            sha = stack.pop()
            if not graph.is_merge(sha):
                own.append(sha)
            for p in graph.parents.get(sha, ()):
                if p not in seen and p not in line:
                    seen.add(p)
                    stack.append(p)
        own.sort(key=lambda c: graph.commit_date.get(c, 0), reverse=True)
        base: str | None = None
        sha = tip
        while sha in graph.parents and sha not in line:
            ps = graph.parents[sha]
            if not ps:
                break
            sha = ps[0]
        if sha in line:
            base = sha
        return own, base

    def _land_by_patch(self, hotfixes: list[Hotfix]) -> None:
        """Hotfixes whose commits are not in production, but whose patches may be (squash,
        rebase, cherry-pick). A hotfix is small and urgent: only changes of at most
        SEGMENT_LIMIT commits are looked for, among production's commits dated from their
        first commit to LANDING_WINDOW after their last (a maintenance branch's release
        tag, hundreds of commits off production, is not a hotfix to look for)."""
        prod, graph = self.prod, self.graph
        hotfixes = [h for h in hotfixes if 0 < len(h.change) <= SEGMENT_LIMIT]
        if not hotfixes:
            return
        windows = []
        for h in hotfixes:
            dates = [graph.commit_date.get(c, 0) for c in h.change]
            windows.append((min(dates) - CLOCK_SKEW, max(dates) + LANDING_WINDOW))
        starts, ends = _merge_windows(windows)
        candidates = [c for c in prod.label if not graph.is_merge(c)
                      and _in_windows(graph.commit_date.get(c, 0), starts, ends)]
        self._patch_ids(hotfixes, candidates)
        index = self._index(candidates)
        for h in hotfixes:
            combined = (h.tip, h.base) if h.tip and h.base else None
            found = self._match(h.change, combined, prod, index)
            if found is None:
                self._note_unreadable(h, candidates)
                continue
            how, commits = found
            i = max(prod.label[c] for c in commits)
            h.production = Landing(prod.name, prod.fp[i], i, prod.date(i), how)
            h.production_change = sorted(commits, key=lambda c: graph.commit_date.get(c, 0), reverse=True)

    # -- patch equivalence -------------------------------------------------------------------

    def _patch_ids(self, hotfixes: Iterable[Hotfix], candidates: Iterable[str]) -> None:
        """Patch ids of the hotfixes' commits, their combined changes and the candidates:
        one ``diff-tree --stdin`` into one ``patch-id``."""
        wanted: list[tuple[str, str | None]] = []
        for h in hotfixes:
            for side in h.sides:
                wanted += [(c, None) for c in side]
            if h.tip and h.base and len(h.change) > 1:
                wanted.append((h.tip, h.base))
        wanted += [(c, None) for c in candidates]
        wanted = [w for w in dict.fromkeys(wanted) if w not in self._pids]
        if not wanted:
            return
        pids, bodies = patch_ids(self.git, wanted, self._unreadable)
        self._pids.update((w, pid) for w, pid in pids.items() if w[0] not in self._unreadable)
        self._bodies.update(bodies)

    def _note_unreadable(self, h: Hotfix, candidates: Iterable[str]) -> None:
        """A hotfix whose copy was not found, when git could not read one of its own
        commits or of the commits its copy could be: it cannot be told."""
        if not self._unreadable or h.unreadable:
            return
        own = [c for side in h.sides for c in side]
        dates = [self.graph.commit_date.get(c, 0) for c in own] or [0]
        start, end = min(dates) - CLOCK_SKEW, max(dates) + LANDING_WINDOW
        near = (c for c in candidates if start <= self.graph.commit_date.get(c, 0) <= end)
        for c in (*own, *near):
            why = self._unreadable.get(c)
            if why:
                h.unreadable = f"git could not read commit {short(c)}: {why}"
                return

    def _index(self, candidates: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Candidates by patch id, and by the commit their ``cherry-pick -x`` line names."""
        by_pid: dict[str, list[str]] = {}
        by_origin: dict[str, list[str]] = {}
        candidates = list(candidates)
        for c in candidates:
            pid = self._pids.get((c, None))
            if pid:
                by_pid.setdefault(pid, []).append(c)
        for c in candidates:
            for origin in _CHERRY_RE.findall(self._bodies.get(c, "")):
                by_origin.setdefault(origin, []).append(c)
        return by_pid, by_origin

    def _match(self, change: list[str], combined: tuple[str, str] | None, line: Line,
               index: tuple[dict[str, list[str]], dict[str, list[str]]]) -> tuple[str, list[str]] | None:
        """How ``change`` reached ``line`` by patch equivalence, with the commits of ``line``
        that carry it: ("squash", [one commit]) when one commit carries the whole change,
        ("cherry-pick", [...]) when each commit has its copy (cherry-pick or rebase)."""
        by_pid, by_origin = index
        if not change:
            return None
        if combined is not None and len(change) > 1:
            pid = self._pids.get(combined)
            hits = [c for c in by_pid.get(pid, ()) if c in line] if pid else []
            if hits:
                return "squash", hits[:1]
        found: list[str] = []
        for c in change:
            if c in line:
                found.append(c)
                continue
            pid = self._pids.get((c, None))
            hits = [x for x in by_pid.get(pid, ()) if x in line and x != c] if pid else []
            hits = hits or [x for x in by_origin.get(c, ()) if x in line]
            if not hits:
                return None
            found.append(hits[0])
        return "cherry-pick", found

    def _missing(self, change: list[str], line: Line,
                 index: tuple[dict[str, list[str]], dict[str, list[str]]]) -> list[str]:
        """The commits of ``change`` with no copy in ``line``."""
        by_pid, by_origin = index
        missing = []
        for c in change:
            pid = self._pids.get((c, None))
            if c in line or (pid and any(x in line for x in by_pid.get(pid, ()))) or any(
                    x in line for x in by_origin.get(c, ())):
                continue
            missing.append(c)
        return missing

    # -- merge-back ----------------------------------------------------------------------

    def resolve(self, hotfixes: Iterable[Hotfix], targets: Sequence[Line] | None = None) -> None:
        """Where the landed ``hotfixes`` went besides production: the merge-back
        ``targets`` (default: development and the open release branches). Ancestry
        first; patch equivalence in one batch for the rest."""
        pending: list[Hotfix] = []
        targets = list(self.targets if targets is None else targets)
        for h in hotfixes:
            if h.resolved or h.tip is None:
                continue
            h.resolved = True
            for line in targets:
                reach = self._reach_by_ancestry(h, line)
                if reach:
                    self._set(h, line, reach)
            if h.development is None and h.release is None:
                pending.append(h)
        if not pending or not targets:
            return
        graph = self.graph
        since = min((graph.commit_date.get(c, 0) for h in pending for side in h.sides for c in side),
                    default=0) - CLOCK_SKEW
        exclude = {c for h in pending for side in h.sides for c in side}
        candidates: list[str] = []
        for line in targets:
            candidates += [c for c in line.label if graph.commit_date.get(c, 0) >= since
                           and c not in exclude and not graph.is_merge(c)]
        candidates = list(dict.fromkeys(candidates))
        self._patch_ids(pending, candidates)
        index = self._index(candidates)
        for h in pending:
            for line in targets:
                if self._reached(h, line):
                    continue
                for side in h.sides:
                    combined = (h.tip, h.base) if side is h.change and h.tip and h.base else None
                    found = self._match(side, combined, line, index)
                    if found:
                        how, commits = found
                        i = max(line.label[c] for c in commits)
                        self._set(h, line, Landing(line.name, line.fp[i], i, line.date(i), how))
                        break
                else:
                    if not h.sides:
                        continue  # nothing of its own yet
                    side = h.sides[0]
                    missing = self._missing(side, line, index)
                    if len(missing) < len(side):
                        h.partial[line.name] = (len(side) - len(missing), len(side))
                        h.missing[line.name] = missing
            if h.development is None and h.release is None:
                self._note_unreadable(h, candidates)

    def _reached(self, h: Hotfix, line: Line) -> bool:
        got = h.development if line is self.dev else h.release
        return got is not None and got.branch == line.name

    def _set(self, h: Hotfix, line: Line, reach: Landing) -> None:
        if line is self.dev:
            h.development = reach
        elif h.release is None:
            h.release = reach

    def _reach_by_ancestry(self, h: Hotfix, line: Line) -> Landing | None:
        for side in ([h.tip] if h.tip else [], *h.sides):
            if side and all(c in line for c in side):
                i = max(line.label[c] for c in side)
                how = "fast-forward" if line.fp[i] in side else "merge"
                return Landing(line.name, line.fp[i], i, line.date(i), how)
        return None

    # -- questions -------------------------------------------------------------------------

    def find(self, branch: str) -> Hotfix | None:
        for h in self.hotfixes:
            if h.branch == branch:
                return h
        return None

    def landed(self) -> list[Hotfix]:
        return [h for h in self.hotfixes if h.production is not None]

    def latest_minor(self) -> Tag | None:
        """The newest release that is not a patch (X.Y.0) on production."""
        best: Tag | None = None
        for tag in self.tags.values():
            if tag.version is not None and not is_patch(tag.version) and tag.commit in self.prod:
                if best is None or tag.version > best.version:  # type: ignore[operator]
                    best = tag
        return best

    def recent(self) -> list[Hotfix]:
        """Hotfixes that reached production after its latest X.Y.0 release (all, without one)."""
        tag = self.latest_minor()
        floor = self.prod.label[tag.commit] if tag else -1
        return [h for h in self.landed() if h.production.index > floor]  # type: ignore[union-attr]

    def landed_between(self, base: str) -> list[Hotfix]:
        """Hotfixes whose production landing is in ``base..head``."""
        if base in self.prod.index:
            floor = self.prod.index[base]
            return [h for h in self.landed() if h.production.index > floor]  # type: ignore[union-attr]
        if base in self.graph.parents:
            below = Line(self.graph, "base", base)
            return [h for h in self.landed() if h.production.commit not in below]  # type: ignore[union-attr]
        return self.landed()

    def days_to_development(self, h: Hotfix) -> float | None:
        target = h.development or h.release
        if h.production is None or target is None:
            return None
        return round((target.date - h.production.date) / DAY, 1)

    # -- the two rules' verdicts -------------------------------------------------------------

    def verdict(self, h: Hotfix, *, production: Line | None = None,
                targets: Sequence[Line] | None = None, codes: Iterable[str] = CODES) -> Verdict:
        """HG008's and HG009's word on one hotfix: the one answer ``audit``, ``status``
        and ``check`` give. ``production`` is the line it must be tagged on (default:
        production), ``targets`` the lines it must also reach (default: the open release
        branches and development; none at all: HG008 cannot be told). A hotfix that has
        not reached production is not judged (no problem, nothing skipped)."""
        production = self.prod if production is None else production
        targets = list(self.targets if targets is None else targets)
        problems: dict[str, _Problem] = {}
        skipped: dict[str, str] = {}
        codes = tuple(codes)
        if h.unreadable:
            return Verdict({}, {code: h.unreadable for code in codes})
        if h.production is None:
            return Verdict({}, {})
        if "HG008" in codes:
            if not targets:
                skipped["HG008"] = "no merge-back target (no development branch, no open release branch)"
            else:
                self.resolve([h], targets)
                problem = self._merge_problem(h, production, targets) if not h.unreadable else None
                if h.unreadable:
                    return Verdict({}, {code: h.unreadable for code in codes})
                if problem:
                    problems["HG008"] = problem
        if "HG009" in codes:
            problem = self._tag_problem(h, production)
            if problem:
                problems["HG009"] = problem
        return Verdict(problems, skipped)

    def merged_into_both(self, h: Hotfix) -> _Problem | None:
        """HG008's problem with one hotfix, if any (see :meth:`verdict`)."""
        return self.verdict(h, codes=("HG008",)).problems.get("HG008")

    def tagged(self, h: Hotfix) -> _Problem | None:
        """HG009's problem with one hotfix, if any (see :meth:`verdict`)."""
        return self.verdict(h, codes=("HG009",)).problems.get("HG009")

    def _merge_problem(self, h: Hotfix, production: Line, targets: list[Line]) -> _Problem | None:
        if h.development is not None or h.release is not None:
            return None
        remote = self.settings.remote
        releases = [t for t in targets if t is not self.dev]
        dev = next((t.name for t in targets if t is self.dev), None)
        target = targets[0].name
        if releases:
            names = ", ".join(r.name for r in releases)
            where = (f"neither {dev} nor the open release branch {names}" if dev
                     else f"not the open release branch {names}")
        else:
            where = f"not {dev}"
        partial = h.partial.get(target)
        command = f"git checkout {target} && {self._bring(h, target, bool(partial))}"
        what = f"{h.name} ({short(h.tip)})"
        message = f"{what} reached {production.name} but {where}: run `{command}`"
        if partial:
            message = (f"{what} reached {production.name} but only {partial[0]} of its {partial[1]} commits "
                       f"are in {target}: run `{command}`")
        help_ = (f"then push it: git push {remote} {target}. A fix that is only in {production.name} comes "
                 f"back as a regression with the next release from {target}")
        return _Problem(message, help_)

    def _bring(self, h: Hotfix, target: str, partial: bool) -> str:
        """The git command that brings a hotfix into ``target``: merge its branch while it
        exists, else cherry-pick what is missing or what production got as plain commits,
        else merge its last commit."""
        if not partial and h.local:
            return f"git merge --no-ff {h.branch}"
        if not partial and h.remote:
            return f"git merge --no-ff {self.settings.remote}/{h.branch}"
        assert h.production is not None
        if partial or h.production.how != "merge":
            commits = h.missing.get(target) or h.production_change or h.change
            return f"git cherry-pick -x {_pick_list(commits)}"
        return f"git merge --no-ff {short(h.tip)}"

    def tag_state(self, h: Hotfix, production: Line | None = None) -> str:
        """ok | missing | lightweight | not-on-production | misplaced | none (no version)."""
        production = self.prod if production is None else production
        tag = h.tag
        if tag is None:
            return "none" if h.version is None else "missing"
        if tag.commit not in production:
            return "not-on-production"
        if h.production is not None and tag.commit not in h.merges \
                and not production.contains(tag.commit, self._landed_tip(h)):
            return "misplaced"  # (a tag on one of its merges marks that landing: a branch merged twice)
        return "ok" if tag.annotated else "lightweight"

    def _landed_tip(self, h: Hotfix) -> str:
        """The newest commit of the hotfix as production has it."""
        assert h.production is not None
        if h.production_change:
            return h.production_change[0]
        return h.tip if h.tip in self.prod else h.production.commit  # type: ignore[return-value]

    def _tag_problem(self, h: Hotfix, production: Line) -> _Problem | None:
        """HG009's verdict on one landed hotfix."""
        if h.production is None:
            return None
        prod, remote, p = production.name, self.settings.remote, self.settings.tag_prefix
        at = short(h.production.commit)
        state = self.tag_state(h, production)
        if state == "ok":
            return None
        if state == "none":
            return _Problem(
                f"{h.name} reached {prod} at {at} but names no version, so its release tag cannot be told",
                f"name hotfix branches {self.settings.hotfix_prefix}{p}X.Y.Z-<description>, and tag the "
                f"release: git tag -a {p}X.Y.Z {at} -m \"Hotfix {p}X.Y.Z\"",
            )
        if state == "missing":
            name = f"{p}{h.version}"
            return _Problem(
                f"{h.name} reached {prod} at {at} but is not tagged: there is no tag {name}: "
                f"run `git tag -a {name} {at} -m \"Hotfix {name}\" && git push {remote} {name}`",
                "the tag is what gets deployed and what the next hotfix's version counts from",
            )
        tag = h.tag
        assert tag is not None
        name = tag.name
        problems: list[str] = []
        if state == "not-on-production":
            problems.append(f"tag {name} is on {short(tag.commit)}, which is not on {prod}")
        elif state == "misplaced":
            problems.append(f"tag {name} is on {short(tag.commit)}, which does not contain {h.name} "
                            f"({short(self._landed_tip(h))}, reached {prod} at {at})")
        if not tag.annotated:
            problems.append(f"tag {name} is a lightweight tag; release tags are annotated")
        target = tag.commit if state == "lightweight" else h.production.commit
        taken = sorted(t.name for t in self.tags.values()
                       if t.commit == target and t.name != name and t.version is not None)
        if taken:
            # Moving the tag there would give one commit two releases' names: no command is safe.
            return _Problem("; ".join(problems) + f"; {short(target)}, where {h.name} reached {prod}, is "
                            f"already the release {', '.join(taken)}, so moving {name} there is no fix",
                            f"leave {name} where it is if that is what was deployed, or tag a production "
                            f"commit of the hotfix's own; check with `git tag --contains {short(target)}`")
        fix = f"git tag -a -f {name} {short(target)} -m \"Hotfix {name}\" && git push -f {remote} {name}"
        return _Problem("; ".join(problems) + f": run `{fix}`",
                        "replacing a published tag: tell whoever deploys from it; "
                        "`git fetch --tags --force` updates other clones")


def _merge_windows(windows: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Overlapping (start, end) intervals merged, as sorted starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(windows):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _in_windows(when: int, starts: list[int], ends: list[int]) -> bool:
    k = bisect.bisect_right(starts, when) - 1
    return k >= 0 and when <= ends[k]


def _pick_list(commits: list[str]) -> str:
    ordered = list(reversed(commits))  # oldest first
    if len(ordered) > 3:
        return f"{short(ordered[0])}^..{short(ordered[-1])}"
    return " ".join(short(c) for c in ordered)


# -- messages --------------------------------------------------------------------------------


def branch_in_message(subject: str, prefix: str) -> str | None:
    """The hotfix branch a merge subject says it merges, if any.

    ``Merge branch 'hotfix/v1.2.4-x'``, ``Merge branch 'hotfix/v1.2.4-x' into 'main'``,
    ``Merge pull request #12 from org/hotfix/v1.2.4-x``, ``Merge remote-tracking branch
    'origin/hotfix/v1.2.4-x'``, ``Merged in hotfix/v1.2.4-x (pull request #5)``; not
    ``Merge branch 'main' into hotfix/v1.2.4-x`` (that merges *into* the hotfix). A near
    miss of the prefix counts too (SPEC §7: ``Merge pull request #3701 from
    org/Hotfix-3.4.14``, ``hotfixes/…``).
    """
    word = prefix.rstrip("/-_")
    near = rf"|(?i:{re.escape(word)}(?:es|s)?)[/_-]" if word else ""
    pattern = re.compile(r"(?:^|(?<=[\s'\"/:(]))(?:" + re.escape(prefix) + near + r")[^\s'\"]+")
    for match in pattern.finditer(subject):
        before = subject[: match.start()].rstrip("'\" ").lower()
        if before.endswith(" into") or before == "into":
            continue
        name = match.group(0).rstrip(".,;:)")
        if hotfix_prefix_as_written(name, prefix):
            return name
    return None


def _parse_branch(branch: str, prefix: str, tag_prefix: str) -> Version | None:
    """The version a hotfix branch's name carries, near misses of the prefix too."""
    return parse_hotfix_branch(branch, hotfix_prefix_as_written(branch, prefix) or prefix, tag_prefix).version


def version_in_message(subject: str, tag_prefix: str, *, prefix_optional: bool = False) -> Version | None:
    """The release version a message names: ``v1.2.4`` (``1.2.4`` too when the prefix is
    optional), four parts too; never a pre-release (``v1.2.4-rc1``)."""
    prefix = f"(?:{re.escape(tag_prefix)})?" if prefix_optional else re.escape(tag_prefix)
    match = re.search(r"(?<![\w.])" + prefix + "(" + VERSION_PATTERN + r")(?![\w.])(?![-+][0-9A-Za-z])",
                      subject, re.IGNORECASE)
    return Version.parse(match.group(1)) if match else None


def subject_version(subject: str, tag_prefix: str) -> Version | None:
    """The version of a squash or rebase commit whose subject says it is a hotfix:
    ``Hotfix v1.2.4: fix pay crash (#12)``."""
    if not _HOTFIX_WORD.search(subject):
        return None
    return version_in_message(subject, tag_prefix, prefix_optional=True)


def merge_source(subject: str) -> str | None:
    """The branch a merge subject says it merges (``Merge branch 'release/1.4'``,
    ``Merge pull request #5 from org/develop``), without a remote's name; None when it
    names none (``Merge commit 'abc'``, a message of one's own)."""
    for pattern in _SOURCE_RES:
        match = pattern.match(subject)
        if match:
            name = match.group(match.lastindex or 1)
            return name.removeprefix("origin/").rstrip(".,;:)")
    return None


_RELEASE_WORD = re.compile(r"\brelease\b", re.IGNORECASE)


def _says_release(subject: str) -> bool:
    """``Release 1.4.2`` (a merge with a message of its own): it says it is a release, not a hotfix."""
    return bool(_RELEASE_WORD.search(subject)) and not _HOTFIX_WORD.search(subject)


def _is_hotfix_name(name: str, settings: Settings) -> bool:
    return hotfix_prefix_as_written(name, settings.hotfix_prefix) is not None


MARKER_PATHS = 500  # past this many files with markers, the marker log reads every commit's change


def _markers(git: Git, head: str, bound: str | None, tag_prefix: str
             ) -> tuple[dict[str, tuple[Version, ...]], str | None]:
    """The ``HOTFIX vX.Y.Z:`` markers each commit on ``head``'s first-parent line adds
    (merges left out), with git's reason when it could not read them.

    Reading every commit's change costs seconds on a long history, so ``git grep`` first
    names the files of ``head`` that hold a marker, and ``git log -G`` reads only the
    commits that touched those files: two processes, the second one skipped when no file
    has a marker. A marker that is no longer in production's tree is not found."""
    optional = f"({_ere(tag_prefix)})?" if tag_prefix else ""
    grep = ["grep", "-l", "-I", "-i", "-E", f"HOTFIX[[:space:]]+{optional}[0-9]", head, "--"]
    code, out, err = git.run_bytes(grep, ok=range(256))
    if code not in (0, 1):
        from hotfix_guard.history.graph import unreadable_reason

        return {}, unreadable_reason(err)
    paths = [line.partition(":")[2] for line in out.decode("utf-8", "surrogateescape").splitlines() if line]
    if not paths:
        return {}, None
    args = ["log", "--first-parent", "--no-merges", "-G[Hh][Oo][Tt][Ff][Ii][Xx]", "-p", "-U0",
            "--no-color", "--no-renames", "--no-ext-diff", "--format=%x01%H", head]
    if bound:
        args.append(f"^{bound}")
    args.append("--")
    if len(paths) <= MARKER_PATHS:
        args += [f":(literal){path}" for path in paths]
    marker = re.compile(r"\bHOTFIX\s+(?:" + re.escape(tag_prefix) + ")?(" + VERSION_PATTERN + r")\s*:", re.IGNORECASE)
    found: dict[str, tuple[Version, ...]] = {}
    code, out, err = git.run_bytes(args, ok=range(256))
    if code != 0:
        from hotfix_guard.history.graph import unreadable_reason

        return found, unreadable_reason(err)
    for record in out.decode("utf-8", "replace").split("\x01")[1:]:
        sha, _, patch = record.partition("\n")
        versions: list[Version] = []
        for line in patch.split("\n"):
            if line.startswith("+") and not line.startswith("+++"):
                for match in marker.finditer(line):
                    version = Version.parse(match.group(1))
                    if version is not None and version not in versions:
                        versions.append(version)
        if versions:
            found[sha.strip()] = tuple(versions)
    return found, None


def _ere(text: str) -> str:
    """``text`` as a POSIX extended regular expression that matches it literally."""
    return re.sub(r"([.[\]()*+?{}|^$\\])", r"\\\1", text)


# -- for rules -------------------------------------------------------------------------------


def verdicts(ctx: Context, code: str) -> list[tuple[Hotfix, _Problem]]:
    """HG008's or HG009's problems with the hotfixes ``check`` judges (see :func:`judged`).

    First on the history bounded by the latest X.Y.0 release (or the checked range's
    base), which is small; only when that finds a problem, again on the whole history,
    so that a commit or a copy from before the bound can still clear the hotfix. Both
    rules share the histories (cached on the context).
    """
    cache = ctx.__dict__.setdefault("_hotfix_verdicts", {})
    if code in cache:
        return cache[code]
    history = _history(ctx, bounded=True)
    result = _judge(ctx, history, code)
    if result and history.bound is not None:
        result = _judge(ctx, _history(ctx, bounded=False), code)
    if result and ctx.info.shallow:
        raise shallow_error()  # the missing history may hold the merge or the copy
    cache[code] = result
    return result


def shallow_error() -> GitError:
    return GitError(
        "this is a shallow clone: it hides the history that shows where each hotfix was merged",
        hint="fetch the full history: `git fetch --unshallow` (actions/checkout: fetch-depth: 0)",
    )


def _judge(ctx: Context, history: History, code: str) -> list[tuple[Hotfix, _Problem]]:
    hotfixes = judged(ctx, history)
    if code == "HG008":
        history.resolve(hotfixes)
    result = []
    skipped: list[str] = []
    for h in hotfixes:
        verdict = history.verdict(h, codes=(code,))
        if code in verdict.problems:
            result.append((h, verdict.problems[code]))
        elif code in verdict.skipped and h.unreadable:
            skipped.append(f"{h.name}: {verdict.skipped[code]}")
    if skipped and not result:
        from hotfix_guard.errors import Skip

        raise Skip("cannot tell " + "; ".join(skipped))
    return result


def _history(ctx: Context, *, bounded: bool) -> History:
    """The history as ``check`` sees it: on production the checked commit is
    production's head, on development development's."""
    key = "_hotfix_history_bounded" if bounded else "_hotfix_history"
    cached = ctx.__dict__.get(key)
    if cached is not None:
        return cached
    production = ctx.require_production()
    development = ctx.development
    extra: list[str] = []
    if ctx.kind == "production":
        prod_head, dev_head = ctx.head, None
        base = _base(ctx)
        if base:
            extra.append(base)
    else:
        prod_head, dev_head = production.sha, ctx.head
        if development is None:  # checked under its name, not found as a ref (yet)
            from hotfix_guard.engine.context import Branch

            development = Branch(ctx.branch, f"refs/heads/{ctx.branch}", ctx.head)
    refs = ctx.__dict__.get("_hotfix_refs")
    if refs is None:
        refs = ctx.__dict__["_hotfix_refs"] = load_refs(ctx.git, ctx.settings)
    bound = _bound(ctx, refs[0], prod_head) if bounded else None
    if bounded and bound is None and "_hotfix_history" in ctx.__dict__:
        return ctx.__dict__["_hotfix_history"]
    patches = ctx.__dict__.setdefault("_hotfix_patches", ({}, {}))
    history = History(ctx.git, ctx.settings, production, development, ctx.releases,
                      production_head=prod_head, development_head=dev_head, extra=extra,
                      bound=bound, refs=refs, patches=patches)
    ctx.__dict__[key] = history
    if bound is None:
        ctx.__dict__["_hotfix_history"] = ctx.__dict__["_hotfix_history_bounded"] = history
    return history


def _bound(ctx: Context, tags: dict[str, Tag], prod_head: str) -> str | None:
    """Where ``check`` may stop reading history: the range's base on production, else the
    latest X.Y.0 release in production (a few ``merge-base --is-ancestor`` at most)."""
    if ctx.kind == "production":
        base = _base(ctx)
        if base and base != ctx.head:
            return base
    minors = sorted((t for t in tags.values() if t.version is not None and not is_patch(t.version)),
                    key=lambda t: t.version, reverse=True)  # type: ignore[arg-type,return-value]
    for tag in minors[:3]:
        if ctx.git.is_ancestor(tag.commit, prod_head):
            return tag.commit
    return None


def judged(ctx: Context, history: History) -> list[Hotfix]:
    """Which hotfixes ``check`` judges (see HG008's documentation).

    On production with a range (``--base``, CI's before..after, a push): the hotfixes
    that reached production in that range. Otherwise the recent ones: those that reached
    production after its latest X.Y.0 release.
    """
    if ctx.kind == "production":
        base = _base(ctx)
        if base and base != ctx.head:
            return history.landed_between(base)
    return history.recent()


def _base(ctx: Context) -> str | None:
    from hotfix_guard.errors import Skip

    try:
        return ctx.base
    except Skip:
        return None
