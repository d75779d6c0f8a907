"""Shallow clones: never pass silently when history the checks need is missing (issue #5).

CI systems clone shallow by default (GitHub's actions/checkout fetches one commit,
GitLab 20 or 50, Bitbucket 50, new Azure pipelines 1). A check that cannot see the
merge base, the release tags or development's history would find nothing and pass:
the worst outcome for a policy check. So in a shallow clone, before any rule runs,
:func:`prepare` makes sure what the run needs is here:

- the commit to check (and ``--base``, or the pull request's base);
- the production and development branches (a single-branch clone has neither);
- the change down to its merge base with production (and with the base): no commit of
  ``head ^production`` / ``head ^base`` may be a shallow boundary, where history is cut;
- development's first-parent line down to production (what HG001 compares with);
- at least one release tag visible from production (a shallow clone fetches few or
  none, and HG003 would silently see "no release yet").

When something is missing: exit 2, naming what and the fix for the CI in use. With
``check --deepen`` it fetches the whole history instead (the only time hotfix-guard
fetches), says so on stderr, and checks again.

In CI, a complete clone is checked for the production branch too (:func:`ensure_production`):
a CI that fetches only the pipeline's own ref would otherwise skip every rule and pass.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from hotfix_guard.errors import GitError, HotfixGuardError

if TYPE_CHECKING:
    from hotfix_guard.targets.target import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git, RepoInfo


def hint() -> str:
    from hotfix_guard.targets.ci import shallow_fix

    return f"{shallow_fix()}; or rerun with --deepen to let hotfix-guard fetch it"


def missing_history(git: Git, settings: Settings, refs: Any, head: str | None, base: str | None,
                    *, what: str = "HEAD") -> list[str]:
    """What the checks need and this (shallow) clone lacks, most telling first."""
    from hotfix_guard.config import candidates
    from hotfix_guard.history.versions import parse_tag

    problems: list[str] = []
    remote = settings.remote
    if head is None:
        problems.append(f"the commit to check ({what}) is not in it")
    base_sha = None
    if base is not None:
        base_sha = git.rev_parse(base)
        if base_sha is None:
            problems.append(f"the base {base[:12]} is not in it")
    production, development = refs.production, refs.development
    if production is None:
        name = settings.production_branch
        problems.append(f"the production branch is not in it (neither {name} nor {remote}/{name})")
    if development is None:
        names = " or ".join(candidates(settings, "development"))
        problems.append(f"the development branch is not in it ({names}, locally or on {remote})")
    if problems and head is None:
        return problems

    boundary = git.shallow_boundary()
    lowers = [(production.name, production.sha)] if production else []
    if base_sha:
        lowers.append((base[:12] if base else base_sha[:12], base_sha))
    for label, lower in lowers:
        if head is None:
            break
        if git.merge_base(lower, head) is None or boundary.intersection(git.rev_list(head, f"^{lower}")):
            problems.append(f"it cuts off the history between {what} and {label}")
    if production and development and boundary.intersection(
        git.rev_list("--first-parent", development.sha, f"^{production.sha}")
    ):
        problems.append(f"it cuts off {development.name}'s history down to {production.name} "
                        "(the branch-from-main check needs it)")
    if production:
        prefix = settings.tag_prefix
        try:
            tags = git.tags(f"{prefix}*", merged=production.sha)
        except HotfixGuardError:
            tags = []
        if not any(parse_tag(name, prefix) for name, _, _ in tags):
            problems.append(f"no release tag ({prefix}X.Y.Z) is visible from {production.name} "
                            "(shallow clones fetch few tags or none)")
    return problems


def ensure_history(git: Git, settings: Settings, refs: Any, head: str | None, base: str | None, *,
                   deepen: bool = False, what: str = "HEAD") -> bool:
    """Raise a GitError (exit 2) naming what a shallow clone hides, or with ``deepen``
    fetch the whole history. True when it fetched: refs must then be resolved again."""
    problems = missing_history(git, settings, refs, head, base, what=what)
    if not problems:
        if deepen:
            _say("--deepen: this shallow clone already holds the history the check needs; nothing fetched")
        return False
    if not deepen:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GitError(f"this is a shallow clone and {problems[0]}{more}", hint=hint())
    command = git.fetch_full_history(settings.remote)
    _say(f"--deepen: the clone was shallow ({problems[0]}); fetched the whole history, branches "
         f"and tags from '{settings.remote}': {' '.join(_quote(a) for a in command)}")
    return True


def ensure_production(git: Git, settings: Settings, refs: Any, *, deepen: bool = False) -> bool:
    """In CI, a complete clone may still lack the production branch: some CIs fetch only
    the pipeline's own ref (GitLab's merge request pipelines do). Every rule would then
    be skipped and the job pass; instead exit 2, or with ``deepen`` fetch the branches."""
    if refs.production is not None:
        return False
    name, remote = settings.production_branch, settings.remote
    problem = f"the production branch is not in this clone (neither {name} nor {remote}/{name})"
    if not deepen:
        raise GitError(
            problem,
            hint=f"fetch the branches and tags: `git fetch --tags {remote} '+refs/heads/*:refs/remotes/{remote}/*'`,"
                 " or rerun with --deepen to let hotfix-guard fetch them (or set `production-branch` in the config)",
        )
    command = git.fetch_full_history(remote, unshallow=False)
    _say(f"--deepen: {problem}; fetched the branches and tags from '{remote}': "
         f"{' '.join(_quote(a) for a in command)}")
    return True


def prepare(git: Git, info: RepoInfo, settings: Settings, refs: Any, target: Target, *,
            deepen: bool = False, stage: str = "manual") -> bool:
    """For ``check``: make sure the clone holds what checking ``target`` needs (all of it
    in a shallow clone; in CI, at least the production branch). True when it fetched:
    the caller reads refs and repository info again."""
    if not info.shallow:
        return stage == "ci" and ensure_production(git, settings, refs, deepen=deepen)
    from hotfix_guard.engine.context import resolve_head

    try:
        head: str | None = resolve_head(git, info, settings, target.branch, target.head,
                                        target.explicit_branch)
    except HotfixGuardError:
        head = None
    what = target.head[:12] if target.head else target.branch
    fetched = ensure_history(git, settings, refs, head, target.base, deepen=deepen, what=what)
    if fetched and git.info().shallow:  # pragma: no cover - a server that cannot unshallow
        raise GitError("--deepen: the clone is still shallow after fetching", hint=hint())
    return fetched


def _say(message: str) -> None:
    print(f"hotfix-guard: {message}", file=sys.stderr)


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in "*? ") else arg
