"""The branch, base and head from a CI's own variables (issue #5).

Each CI names the branch a job runs for, and on a pull (merge) request its target, in
variables of its own. :data:`PROVIDERS` is the table of them: the variable that says
which CI it is, then where each value comes from. A value source is a variable name,
a :class:`Var` (a variable with a ``refs/heads/`` prefix to strip or to require), or,
for GitHub Actions, ``@a.b.c``: a field of the event payload at ``$GITHUB_EVENT_PATH``.

What the values become (:func:`target`):

- branch: the pull request's source branch, else the pushed branch. ``--branch`` wins;
  when it names another branch than the CI's, nothing else of the CI's is used.
- base, on a pull request into the production branch: the base commit the CI compares
  against (GitHub's ``pull_request.base.sha``, GitLab's diff base, ...), so the change
  is exactly the pull request's. Into any other branch (a merge-back into develop) the
  change stays "the commits not on production", as everywhere else.
- base, on a push to the production or development branch: the branch's previous tip
  (GitHub's ``before``, GitLab's ``CI_COMMIT_BEFORE_SHA``), so the range is what the
  push brought. Never for hotfix branches (their change is everything not on
  production, not the last push), never an all-zero sha, never after a force push.
- head: the pull request's own head commit when the CI checked out a merge of it into
  the target (GitHub's and Azure's ``refs/pull/N/merge``, Bitbucket's merge of the
  destination, Jenkins' merge strategy), so the synthetic merge commit is not part of
  the change. ``--base``/``--head`` win.

Light on purpose: the every-commit path imports this module at stage ci before it
knows whether the branch needs checking (json only for GitHub's payload).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Union

from hotfix_guard.config import classify
from hotfix_guard.errors import GitError, UsageError

if TYPE_CHECKING:
    import argparse

    from hotfix_guard.targets.target import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git, RepoInfo

ZERO = frozenset({"0" * 40, "0" * 64})


class Var(NamedTuple):
    """An environment variable; ``strip`` removes a prefix when present, ``require``
    takes the value only when it has that prefix (and removes it)."""

    name: str
    strip: str | None = None
    require: str | None = None


Source = Union[str, Var]


class Provider(NamedTuple):
    key: str
    name: str
    detect: str  # the variable that says the job runs on this CI
    branch: tuple[Source, ...] = ()  # the pushed branch (branch pipelines)
    pr: tuple[Source, ...] = ()  # any of these set: it is a pull request
    pr_branch: tuple[Source, ...] = ()  # the pull request's source branch
    target: tuple[Source, ...] = ()  # the pull request's target branch
    base: tuple[Source, ...] = ()  # the target commit the pull request is compared with
    head: tuple[Source, ...] = ()  # the pull request's head commit
    before: tuple[Source, ...] = ()  # push: the branch's previous tip
    tag: tuple[Source, ...] = ()  # a tag pipeline: the tag
    merge_checkout: bool = False  # a pull request may be checked out as a merge into the target
    fix: str = ""  # how to get the full history on this CI
    note: str = ""  # what this CI does not tell


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "github", "GitHub Actions", "GITHUB_ACTIONS",
        branch=(Var("GITHUB_REF", require="refs/heads/"),),
        pr=("GITHUB_HEAD_REF",),
        pr_branch=("GITHUB_HEAD_REF",),
        target=("GITHUB_BASE_REF",),
        base=("@pull_request.base.sha",),
        head=("@pull_request.head.sha",),
        before=("@before",),
        tag=(Var("GITHUB_REF", require="refs/tags/"),),
        merge_checkout=True,
        fix="set `fetch-depth: 0` on actions/checkout (it fetches all history, branches and tags)",
    ),
    Provider(
        "gitlab", "GitLab CI", "GITLAB_CI",
        branch=("CI_COMMIT_BRANCH",),
        pr=("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
        pr_branch=("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",),
        target=("CI_MERGE_REQUEST_TARGET_BRANCH_NAME",),
        base=("CI_MERGE_REQUEST_DIFF_BASE_SHA",),
        head=("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",),  # merged results pipelines only
        before=("CI_COMMIT_BEFORE_SHA",),
        tag=("CI_COMMIT_TAG",),
        fix="set the variable `GIT_DEPTH: 0` for the job (or Settings > CI/CD > General pipelines > "
            "Git shallow clone: 0)",
    ),
    Provider(
        "bitbucket", "Bitbucket Pipelines", "BITBUCKET_BUILD_NUMBER",
        branch=("BITBUCKET_BRANCH",),
        pr=("BITBUCKET_PR_ID", "BITBUCKET_PR_DESTINATION_BRANCH"),
        pr_branch=("BITBUCKET_BRANCH",),
        target=("BITBUCKET_PR_DESTINATION_BRANCH",),
        base=("BITBUCKET_PR_DESTINATION_COMMIT",),
        head=("BITBUCKET_COMMIT",),  # a pull request pipeline merges the destination into it
        tag=("BITBUCKET_TAG",),
        merge_checkout=True,
        fix="set `clone: depth: full` in bitbucket-pipelines.yml (the default depth is 50)",
    ),
    Provider(
        "azure", "Azure Pipelines", "TF_BUILD",
        # BUILD_SOURCEBRANCHNAME is only the last path segment ("v1.2.4-fix" for
        # "hotfix/v1.2.4-fix"), so the full BUILD_SOURCEBRANCH is read instead.
        branch=(Var("BUILD_SOURCEBRANCH", require="refs/heads/"),),
        pr=("SYSTEM_PULLREQUEST_PULLREQUESTID", "SYSTEM_PULLREQUEST_SOURCEBRANCH"),
        pr_branch=(Var("SYSTEM_PULLREQUEST_SOURCEBRANCH", strip="refs/heads/"),),
        target=(Var("SYSTEM_PULLREQUEST_TARGETBRANCH", strip="refs/heads/"),),
        head=("SYSTEM_PULLREQUEST_SOURCECOMMITID",),
        tag=(Var("BUILD_SOURCEBRANCH", require="refs/tags/"),),
        merge_checkout=True,
        fix="set `fetchDepth: 0` and `fetchTags: true` on the `- checkout: self` step",
    ),
    Provider(
        "jenkins", "Jenkins", "JENKINS_URL",
        branch=("BRANCH_NAME",),  # multibranch; "PR-12" on pull requests, hence CHANGE_BRANCH first
        pr=("CHANGE_ID", "CHANGE_BRANCH"),
        pr_branch=("CHANGE_BRANCH",),
        target=("CHANGE_TARGET",),
        tag=("TAG_NAME",),
        merge_checkout=True,
        fix="in the job's Git settings, Advanced clone behaviours: untick \"Shallow clone\" and tick \"Fetch tags\"",
    ),
    Provider(
        "circleci", "CircleCI", "CIRCLECI",
        branch=("CIRCLE_BRANCH",),
        pr=("CIRCLE_PULL_REQUEST",),
        pr_branch=("CIRCLE_BRANCH",),
        tag=("CIRCLE_TAG",),
        fix="use the built-in `checkout` step without a depth (it clones the whole history), "
            "or add a step `git fetch --unshallow --tags`",
        note="CircleCI does not name a pull request's target branch (CIRCLE_PULL_REQUEST is only its URL): "
             "the change is checked against the production branch",
    ),
)

GENERIC_FIX = "fetch the whole history: `git fetch --unshallow --tags`"


class CIContext(NamedTuple):
    """What a CI's variables say about this job."""

    provider: Provider
    branch: str | None = None
    pull_request: bool = False
    target: str | None = None
    base: str | None = None
    head: str | None = None
    before: str | None = None
    tag: str | None = None
    sources: dict[str, str] = {}  # value -> the variable it came from, for messages


def detect(env: Mapping[str, str] | None = None) -> Provider | None:
    """The CI this runs on, by its marker variable (None: not a known CI)."""
    env = os.environ if env is None else env
    for provider in PROVIDERS:
        if env.get(provider.detect, "").strip():
            return provider
    return None


def read(env: Mapping[str, str] | None = None) -> CIContext | None:
    """The CI's variables, read through the provider table (no git involved)."""
    env = os.environ if env is None else env
    provider = detect(env)
    if provider is None:
        return None
    payload: list[Any] = []  # loaded on first "@" source
    sources: dict[str, str] = {}

    def get(specs: tuple[Source, ...], field: str) -> str | None:
        for spec in specs:
            value, where = _value(spec, env, payload)
            if value:
                sources[field] = where
                return value
        return None

    pull_request = any(_value(spec, env, payload)[0] for spec in provider.pr)
    if pull_request:
        branch = get(provider.pr_branch, "branch") or get(provider.branch, "branch")
        ctx = CIContext(
            provider, branch, True,
            target=get(provider.target, "target"),
            base=get(provider.base, "base"),
            head=get(provider.head, "head"),
            sources=sources,
        )
    else:
        before = get(provider.before, "before")
        ctx = CIContext(
            provider, get(provider.branch, "branch"), False,
            before=None if before in ZERO else before,
            tag=get(provider.tag, "tag"),
            sources=sources,
        )
    return ctx


def _value(spec: Source, env: Mapping[str, str], payload: list[Any]) -> tuple[str | None, str]:
    if isinstance(spec, str) and spec.startswith("@"):
        if not payload:
            payload.append(_event_payload(env))
        node: Any = payload[0]
        for key in spec[1:].split("."):
            node = node.get(key) if isinstance(node, dict) else None
        value = node.strip() if isinstance(node, str) else None
        return value or None, f"the event payload's {spec[1:]}"
    var = spec if isinstance(spec, Var) else Var(spec)
    value = env.get(var.name, "").strip()
    if not value:
        return None, var.name
    if var.require is not None:
        if not value.startswith(var.require):
            return None, var.name
        value = value[len(var.require):]
    if var.strip is not None:
        value = value.removeprefix(var.strip)
    return value or None, var.name


def _event_payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        note(f"cannot read the GitHub event payload at {path}; going by the variables alone")
        return {}
    return data if isinstance(data, dict) else {}


def note(message: str) -> None:
    print(f"hotfix-guard: note: {message}", file=sys.stderr)


def shallow_fix(env: Mapping[str, str] | None = None) -> str:
    """How to get the whole history, in the words of the CI this runs on."""
    provider = detect(env)
    if provider is None:
        return GENERIC_FIX
    return f"{provider.name}: {provider.fix}"


# -- from variables to a target ------------------------------------------------------


def target(git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace) -> Target:
    """The one thing to check in a CI job. Flags win over variables."""
    from hotfix_guard.targets.target import Target

    ctx = read()
    branch = args.branch or (ctx.branch if ctx else None)
    if not branch:
        if ctx is not None and ctx.tag:
            raise UsageError(
                f"{ctx.provider.name} runs this job for the tag '{ctx.tag}', not for a branch",
                hint="run `check` in branch and pull request pipelines, or pass --branch NAME",
            )
        if info.head_ref is None:
            where = f"no {ctx.provider.name} variable" if ctx else "no CI variable"
            raise UsageError(f"HEAD is detached and {where} names the branch",
                             hint="pass --branch NAME (the branch the job runs for)")
        return Target(info.head_ref.removeprefix("refs/heads/"), args.head, args.base)

    head, base = args.head, args.base
    kind = classify(branch, settings)
    if kind not in ("hotfix", "production", "development"):
        # Nothing will be checked: no git calls, and no error about the CI's commits.
        return Target(branch, head, base, explicit_branch=True)
    if ctx is not None and (not args.branch or args.branch == ctx.branch):
        if ctx.pull_request and not ctx.target and ctx.provider.note:
            note(ctx.provider.note)
        if head is None:
            head = _head(git, info, settings, ctx)
        if base is None:
            base = _base(git, info, settings, ctx, kind, head)
    return Target(branch, head, base, explicit_branch=True)


def _resolve(git: Git, info: RepoInfo, ctx: CIContext, field: str, sha: str) -> str | None:
    """A commit the CI named, if this clone has it. In a shallow clone, the raw value
    (the shallow check then says what is missing); otherwise None, or an error for a
    pull request head, which must be checked and nothing else."""
    found = git.rev_parse(sha)
    if found:
        return found
    if info.shallow:
        return sha
    where = ctx.sources.get(field, field)
    if field == "head":
        raise GitError(
            f"the pull request's head {sha[:12]} ({where}) is not in this clone",
            hint="check out the pull request (its head or merge commit) before running hotfix-guard",
        )
    note(f"{where} names {sha[:12]}, which is not in this clone; it is not used")
    return None


def _target_tip(git: Git, settings: Settings, ctx: CIContext) -> str | None:
    found = git.rev_parse(ctx.base) if ctx.base else None
    if found:
        return found
    if ctx.target:
        for ref in (f"refs/remotes/{settings.remote}/{ctx.target}", f"refs/heads/{ctx.target}"):
            sha = git.rev_parse(ref)
            if sha:
                return sha
    return None


def _head(git: Git, info: RepoInfo, settings: Settings, ctx: CIContext) -> str | None:
    if not ctx.pull_request:
        return None  # HEAD is the pushed commit
    if ctx.head:
        return _resolve(git, info, ctx, "head", ctx.head)
    if not ctx.provider.merge_checkout:
        return None
    # No head variable: HEAD may be the CI's merge of the pull request into the target
    # (one parent is the target's tip). Not when HEAD is the branch's own tip: then it
    # is a real merge, made on the branch.
    parents = git.parents("HEAD")
    if not parents or len(parents) != 2:
        return None
    tip = _target_tip(git, settings, ctx)
    if tip is None or tip not in parents:
        return None
    if ctx.branch and git.rev_parse(f"refs/remotes/{settings.remote}/{ctx.branch}") == git.rev_parse("HEAD"):
        return None
    return parents[1] if parents[0] == tip else parents[0]


def _base(git: Git, info: RepoInfo, settings: Settings, ctx: CIContext, kind: str,
          head: str | None) -> str | None:
    if ctx.pull_request:
        if ctx.target and ctx.base and classify(ctx.target, settings) == "production":
            return _resolve(git, info, ctx, "base", ctx.base)
        return None
    if ctx.before and kind in ("production", "development"):
        before = git.rev_parse(ctx.before)
        tip = git.rev_parse(head or "HEAD")
        if before is None or tip is None:
            if not info.shallow:
                note(f"{ctx.sources.get('before', 'before')} names {ctx.before[:12]}, which is not in this "
                     "clone; checking without it")
            return None
        if before == tip or not git.is_ancestor(before, tip):
            if before != tip:
                note(f"the push rewrote {ctx.branch} (force push): checking without the previous tip")
            return None
        return before
    return None
