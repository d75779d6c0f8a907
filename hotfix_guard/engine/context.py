"""What rules see: the branch, the refs, the change, the stage.

Everything costly (commit lists, the diff, tags) is computed on first use and cached, so
a rule that is not selected costs nothing.
"""

from __future__ import annotations

import os
from collections import namedtuple
from functools import cached_property

from hotfix_guard.config import candidates, classify, hotfix_prefix_as_written
from hotfix_guard.errors import GitError, UsageError
from hotfix_guard.errors import Skip
from hotfix_guard.history.versions import HotfixName, Version, parse_hotfix_branch, parse_tag
from hotfix_guard.workflow import has_merge_back, line_for, support_patterns, uses_release_branches
from hotfix_guard.workflow import lines as workflow_lines
from hotfix_guard.workflow import plan as workflow_plan

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Any, Iterable
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Commit, Git, RepoInfo
    from hotfix_guard.workflow import Line, Plan
    from hotfix_guard.history.development import Origin


LATEST_RELEASE_PROBES = 3  # is-ancestor questions before latest_release walks history instead


class Branch(namedtuple("Branch", "name ref sha")):
    """A configured branch as found: its name, the ref it resolved to, its commit."""
    # ref: refs/heads/main, or refs/remotes/origin/main in a CI clone

    __slots__ = ()

    @property
    def remote(self) -> bool:
        return self.ref.startswith("refs/remotes/")


class Refs(namedtuple("Refs", "production development releases found diverged", defaults=((),))):
    # found: every ref the lookup saw: full name -> commit
    # diverged: a Diverged per configured branch whose local and remote copies each have
    #   commits of their own (the local one is used, and the check says so)

    __slots__ = ()


class Diverged(namedtuple("Diverged", "key name local remote")):
    """Production or development (``key``) whose local branch and ``<remote>/<name>``
    have diverged: neither contains the other, so neither can be called the newer."""
    # local, remote: full ref names

    __slots__ = ()

    @property
    def remote_name(self) -> str:
        return self.remote.removeprefix("refs/remotes/")

    def message(self) -> str:
        return (f"{self.key} branch {self.name} and {self.remote_name} have diverged: each has commits "
                f"the other lacks, so it cannot be told which one {self.key} is")

    def hint(self) -> str:
        return (f"reconcile them first (git switch {self.name} && git pull --rebase, or push "
                f"what {self.name} has), then check again")


def _refs_query(settings: Settings, extra: tuple[str, ...]) -> tuple[str, ...]:
    remote = settings.remote
    names = candidates(settings, "production") + candidates(settings, "development")
    patterns = [f"refs/heads/{n}" for n in names] + [f"refs/remotes/{remote}/{n}" for n in names]
    release = settings.release_prefix.rstrip("/")
    patterns += [f"refs/heads/{release}", f"refs/remotes/{remote}/{release}", *extra]
    patterns += support_patterns(settings)  # release lines (hotfix_guard.workflow)
    return ("for-each-ref", "--format=%(refname)%00%(objectname)", *patterns)


def start_refs(git: Git, settings: Settings, extra: tuple[str, ...] = ()) -> None:
    """Start the query :func:`resolve_refs` will collect, to run while the rules load."""
    git.start(*_refs_query(settings, extra))


def resolve_refs(git: Git, settings: Settings, extra: tuple[str, ...] = (), *, newest: bool = True) -> Refs:
    """Production, development and open release branches, in one git call.

    The local branch, else ``<remote>/<name>`` (CI clones have no local branches). With
    both, and ``newest``: the newer of the two when one contains the other (a local
    branch behind its remote is stale; one ahead has work not pushed yet); when they
    have diverged, the local one, listed in ``Refs.diverged``. ``newest=False`` keeps
    the local branch whatever the remote has (``start`` refuses a stale one itself).
    """
    remote = settings.remote
    from hotfix_guard.git import records

    out = git.run(*_refs_query(settings, extra))
    found: dict[str, str] = {}
    for line in records(out):
        name, sha = line.split("\0")
        found[name] = sha
    diverged: list[Diverged] = []

    def pick(key: str) -> Branch | None:
        for name in candidates(settings, key):
            local, remote_ref = f"refs/heads/{name}", f"refs/remotes/{remote}/{name}"
            if newest and local in found and remote_ref in found and found[local] != found[remote_ref]:
                if git.is_ancestor(found[local], found[remote_ref]):
                    return Branch(name, remote_ref, found[remote_ref])  # local is behind: stale
                if not git.is_ancestor(found[remote_ref], found[local]):
                    diverged.append(Diverged(key, name, local, remote_ref))
                return Branch(name, local, found[local])
            for ref in (local, remote_ref):
                if ref in found:
                    return Branch(name, ref, found[ref])
        return None

    releases: dict[str, Branch] = {}
    for ref, sha in (found.items() if uses_release_branches(settings) else ()):
        for base in ("refs/heads/", f"refs/remotes/{remote}/"):
            if ref.startswith(base + settings.release_prefix):
                name = ref[len(base):]
                releases.setdefault(name, Branch(name, ref, sha))
    production, development = pick("production"), pick("development")
    return Refs(production, development, tuple(releases.values()), found, tuple(diverged))


def production_not_found(git: Git, settings: Settings) -> GitError:
    """The exit-2 error for a hotfix whose production branch resolves nowhere: it names
    the configured name and its key, and the branches that do exist."""
    remote = settings.remote
    names: list[str] = []
    for ref in git.list_refs("refs/heads/", f"refs/remotes/{remote}/"):
        name = ref.removeprefix("refs/heads/").removeprefix(f"refs/remotes/{remote}/")
        if name != "HEAD" and name not in names:
            names.append(name)
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    tried = " or ".join(f"'{n}'" for n in candidates(settings, "production"))
    key = (f"set in {settings.where('production-branch')}"
           if "production-branch" in settings.explicit else "the default of `production-branch`")
    return GitError(
        f"production branch {tried} ({key}) not found locally or on '{remote}': "
        "a hotfix cannot be checked without it",
        hint=(f"branches here: {shown}; set `production-branch` to the one that holds released code, "
              f"or fetch it (git fetch {remote})") if names else
             f"there are no branches here; fetch production (git fetch {remote})",
    )


class Context:
    """The run's view of the repository, for one branch (one pushed ref)."""

    def __init__(
        self,
        git: Git,
        info: RepoInfo,
        settings: Settings,
        *,
        stage: str,
        branch: str,
        kind: str,
        head: str,
        refs: Refs,
        base: str | None = None,
        options: dict[str, dict[str, Any]] | None = None,
        pushed_from: str | None = None,
    ) -> None:
        self.git = git
        self.info = info
        self.settings = settings
        self.stage = stage
        self.branch = branch
        self.kind = kind
        self.head = head
        self.refs = refs
        self.production = refs.production
        self.development = refs.development
        self.releases = refs.releases
        self._base = base
        self.options = options or {}
        self.staged = stage == "pre-commit"
        self.pushed_from = pushed_from  # the local branch, when a push gives it another name
        # path -> code of the rule whose finding explains the path already (HG001: files
        # that only development's commits touch); the runner drops other rules' findings there
        self.explained: dict[str, str] = {}

    # -- the branch --------------------------------------------------------------

    @cached_property
    def hotfix(self) -> HotfixName | None:
        """The parsed hotfix branch name (None off hotfix branches)."""
        if self.kind != "hotfix":
            return None
        max_length = self.options.get("HG002", {}).get("max-branch-length", 60)
        prefix = self.settings.hotfix_prefix
        return parse_hotfix_branch(
            self.branch, prefix, self.settings.tag_prefix, max_length,
            written_prefix=hotfix_prefix_as_written(self.branch, prefix),
        )

    @property
    def version(self) -> Version | None:
        return self.hotfix.version if self.hotfix else None

    @cached_property
    def local_version(self) -> Version | None:
        """The version in the name of the local branch a push sends under another name
        (``git push origin hotfix/v1.2.5-x:hotfix/v9.9.9-y``); None otherwise."""
        if self.pushed_from is None:
            return None
        max_length = self.options.get("HG002", {}).get("max-branch-length", 60)
        local = parse_hotfix_branch(self.pushed_from, self.settings.hotfix_prefix, self.settings.tag_prefix,
                                    max_length)
        return local.version if local is not None else None

    def push_command(self, name: str) -> str:
        """The push that sends this branch's commits to the remote as ``name``."""

        remote = os.environ.get("PRE_COMMIT_REMOTE_NAME") or self.settings.remote
        source = self.pushed_from or self.branch
        return f"git push {remote} {source}" if source == name else f"git push {remote} {source}:{name}"

    def renamed_push(self) -> str:
        """What to say first when a push sends the branch under another name."""
        return f"the push names the branch {self.branch}, but the local branch is {self.pushed_from}: "

    def require_production(self) -> Branch:
        if self.production is None:
            raise Skip(f"production branch '{self.settings.production_branch}' not found")
        return self.production

    def require_development(self) -> Branch:
        if self.development is None:
            names = " or ".join(candidates(self.settings, "development"))
            raise Skip(f"development branch ({names}) not found locally or on '{self.settings.remote}'")
        return self.development

    # -- the change --------------------------------------------------------------

    @cached_property
    def base(self) -> str:
        """The lower bound of the change: ``--base``, else the cut branch (production, or
        the hotfix's release line)."""
        if self._base:
            return self._base
        return self.cut_from.sha

    @cached_property
    def merge_base(self) -> str:
        mb = self._merge_base_from_commits()
        if mb is None:
            mb = self.git.merge_base(self.base, self.head)
        if mb is None:
            if self.info.shallow:
                raise GitError(
                    "the clone is shallow and hides the merge base of the change",
                    hint="fetch the full history (e.g. `git fetch --unshallow`, or fetch-depth: 0 in CI)",
                )
            raise GitError(f"{self.branch} has no common history with {self.base[:10]}")
        return mb

    def _merge_base_from_commits(self) -> str | None:
        """The merge base read off ``base..head`` when a rule has listed it already: one
        git process fewer. No commits: head is in base, so head is the merge base. One
        commit outside the range that range commits have as parent (the boundary): every
        path from head out of the range goes through it, so it is the merge base. Several
        boundary commits (merges from elsewhere), or a shallow clone, whose cut-off
        parents are hidden: ask git."""
        if self.info.shallow:
            return None
        commits = self.__dict__.get("commits")
        if commits is None:
            commits = self.git.listed_commits(self.head, f"^{self.base}")
        if commits is None:
            return None
        if not commits:
            return self.head
        inside = {c.sha for c in commits}
        boundary = {p for c in commits for p in c.parents if p not in inside}
        return boundary.pop() if len(boundary) == 1 else None

    @cached_property
    def commits(self) -> list[Commit]:
        """The change's commits (``base..head``), newest first."""
        return self.git.commits(self.head, f"^{self.base}")

    def prefetch(self, queries: Iterable[str]) -> None:
        """Start the git queries the rules about to run will make (``Rule.queries``), side
        by side, before the first of them runs: each is collected by the call that would
        have started it, so no answer changes; only the waiting overlaps. The diff needs
        the merge base, read off the range's commits, so those are collected here."""
        queries = set(queries)
        production = self.production
        if not queries or production is None or self.kind != "hotfix":
            return
        git = self.git
        if queries & {"commits", "diff"}:
            git.start_commits(self.head, f"^{self.base}")
        if "first-parent" in queries and self.development is not None:
            git.start_rev_list("--first-parent", self.development.sha, f"^{production.sha}")
        if "development" in queries and self.development is not None:
            git.start_commits(self.development.sha, f"^{self.base}")  # what ctx.origin reads
        if "tags" in queries:
            git.start_tags(f"{self.settings.tag_prefix}*")
        if "diff" in queries:
            from hotfix_guard.diff.hunks import start_diff  # imported while git lists the commits
            from hotfix_guard.errors import HotfixGuardError

            try:
                self.commits
                self.merge_base
            except (HotfixGuardError, Skip):
                return  # the rules that need them ask again, and say why
            start_diff(self.git, tuple(self.diff_args()))

    def diff_args(self) -> list[str]:
        """Arguments to ``git diff`` for the change: merge base to head, or to the index
        at the pre-commit stage (committed and staged work together)."""
        if self.staged:
            return ["--cached", self.merge_base]
        return [self.merge_base, self.head]

    @cached_property
    def diff(self) -> Any:
        """The change's parsed diff (see :mod:`hotfix_guard.diff.hunks`)."""
        from hotfix_guard.diff.hunks import load_diff

        return load_diff(self.git, self.settings, tuple(self.diff_args()))

    # -- where the change comes from ----------------------------------------------

    @cached_property
    def origin(self) -> Origin:
        """Development's own commits in the change (HG001's question; see
        :mod:`hotfix_guard.history.development`). With ``--base`` (a replay, or a CI pull
        request) the change starts at the base, so commits production got later still
        count: production is the base, and development is what git records of it (its
        commits, minus what merges of this hotfix or of production brought it)."""
        from hotfix_guard.history.development import analyse, marker_regex

        self.require_production()
        development = self.require_development().sha
        version = self.version
        return analyse(
            self.git, self.commits, self.base, development, branch=self.branch,
            names={self.branch, *candidates(self.settings, "production")},
            marker=marker_regex(self.settings.tag_prefix, version) if version else None,
            remote=self.settings.remote, reflog_ref=f"refs/heads/{self.pushed_from or self.branch}",
            by_patch=not self.staged,  # patch-ids read all of development's diffs: pre-push and CI do
        )

    # -- releases ----------------------------------------------------------------

    @cached_property
    def release_tags(self) -> list[tuple[Version, str, str, bool]]:
        """Release tags reachable from the cut branch (production, or the hotfix's release
        line): (version, tag, commit, annotated). In a replay (``--base``), production is
        the base."""
        return self._tags_on(self.cut_from.sha if self.line is not None else self._release_point)

    @property
    def replaying(self) -> bool:
        """``--base`` was given (a replay, or a CI pull request): the history is judged as
        it stood at the base, not today."""
        return bool(self._base)

    @property
    def _release_point(self) -> str:
        return self.base if self._base else self.require_production().sha

    def _tags_on(self, sha: str) -> list[tuple[Version, str, str, bool]]:
        prefix = self.settings.tag_prefix
        result = []
        for name, tag_sha, annotated in self.git.tags(f"{prefix}*", merged=sha):
            version = parse_tag(name, prefix)
            if version is not None:
                result.append((version, name, tag_sha, annotated))
        return sorted(result, reverse=True)

    @cached_property
    def latest_release(self) -> tuple[Version, str] | None:
        """The highest release tag reachable from the cut branch (production, or the
        hotfix's release line), as (version, tag).

        Asked the commit-graph-friendly way: the release tags by version, highest first
        (``for-each-ref``, no history walk), and ``merge-base --is-ancestor`` for the
        first few until one is on the branch -- usually the first. ``release_tags``'
        ``--merged`` walks the whole history: 1.3 s on git.git without a commit-graph
        (0.27 s with one), against 0.35 s (5 ms) this way. Same answer: the first
        reachable tag in version order is the highest reachable one.
        """
        if "release_tags" in self.__dict__:  # known already: free
            tags = self.release_tags
            return (tags[0][0], tags[0][1]) if tags else None
        line = self.line
        if line is None:
            return self._production_latest
        found = self._latest_on(line.sha, [c for c in self._tag_candidates
                                           if (c[0].major, c[0].minor) <= line.key])
        if found is _WALK:
            tags = self.release_tags
            return (tags[0][0], tags[0][1]) if tags else None
        return found  # type: ignore[return-value]

    @property
    def every_release_tag(self) -> list[tuple[Version, str, str]]:
        """Every release tag in the repository, reachable or not: (version, tag, commit),
        highest first. (One ``for-each-ref``, shared with ``latest_release``.)"""
        return self._tag_candidates

    @cached_property
    def _tag_candidates(self) -> list[tuple[Version, str, str]]:
        prefix = self.settings.tag_prefix
        candidates = []
        for name, sha, _annotated in self.git.tags(f"{prefix}*"):
            version = parse_tag(name, prefix)
            if version is not None:
                candidates.append((version, name, sha))
        return sorted(candidates, reverse=True)

    @cached_property
    def _production_latest(self) -> tuple[Version, str] | None:
        point = self._release_point  # production, or the base of a replay
        found = self._latest_on(point, self._tag_candidates)
        if found is not _WALK:
            return found  # type: ignore[return-value]
        tags = self._tags_on(point)  # the newest tags are elsewhere (another branch): walk
        return (tags[0][0], tags[0][1]) if tags else None

    def _latest_on(self, sha: str, candidates: list[tuple[Version, str, str]]) -> Any:
        """The first of ``candidates`` (highest first) that ``sha`` contains, among the
        first few; None without candidates; _WALK when the few were all elsewhere."""
        if not candidates:
            return None
        for version, name, tag_sha in candidates[:LATEST_RELEASE_PROBES]:
            if self.git.is_ancestor(tag_sha, sha):
                return version, name
        return _WALK

    # -- the workflow ------------------------------------------------------------

    @cached_property
    def line(self) -> Line | None:
        """The release line this hotfix patches (``support/1.1`` for ``hotfix/v1.1.5-…``
        while production is at 1.2.x), or None. No git call unless a support branch of
        the version's minor exists."""
        version = self.version
        if version is None:
            return None
        found = workflow_lines(self.settings, self.refs).get((version.major, version.minor))
        if found is None:
            return None
        try:
            current = self._production_latest
        except Skip:
            current = None
        return line_for(self.settings, self.refs, version, current[0] if current else None)

    @property
    def cut_from(self) -> Branch | Line:
        """The branch a hotfix is cut from and lands on: its release line, else production."""
        return self.line or self.require_production()

    @cached_property
    def plan(self) -> Plan:
        """What the workflow says of this hotfix (see :func:`hotfix_guard.workflow.plan`)."""
        return workflow_plan(self.settings, self.refs, self.version, line=self.line)


_WALK = object()


def for_line(refs: Refs, line: Line, settings: Settings) -> Refs:
    """The refs as a check on a release line's branch sees them: the line plays
    production; development is where the line's hotfixes are forward-ported
    (``forward-port``), else nothing."""
    development = None
    if settings.forward_port:
        development = refs.development if has_merge_back(settings) else refs.production
    production = Branch(line.name, line.ref, line.sha)
    return Refs(production, development, (), refs.found)


def resolve_head(git: Git, info: RepoInfo, settings: Settings, branch: str, head: str | None,
                 explicit_branch: bool) -> str:
    """The commit to check for ``branch``: ``--head``, else HEAD when it is the branch (or
    detached, as in CI), else the branch's local or remote-tracking ref."""
    if head:
        sha = git.rev_parse(head)
        if sha is None:
            raise UsageError(f"--head: cannot resolve '{head}' to a commit")
        return sha
    head_is_branch = info.head_ref == f"refs/heads/{branch}"
    if head_is_branch or (explicit_branch and info.head_ref is None):
        sha = git.rev_parse("HEAD")
        if sha is None:
            raise GitError(f"{branch} has no commits yet, so no history shared with production",
                           hint=f"a hotfix branch starts from production: `git switch -c {branch} "
                                f"{settings.production_branch}`, or `hotfix-guard start DESCRIPTION`")
        return sha
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{settings.remote}/{branch}"):
        sha = git.rev_parse(ref)
        if sha:
            return sha
    raise GitError(f"branch '{branch}' not found locally or on '{settings.remote}'",
                   hint="check the name, or pass --head REF")
