"""Where a hotfix comes from and what it is called: HG001, HG002, HG003."""

from __future__ import annotations



from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import Finding, Option, Rule, Skip
from hotfix_guard.history.versions import Version, hotfix_branch_name, slugify
from hotfix_guard.workflow import has_merge_back

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Callable, Iterable
    from hotfix_guard.engine.context import Context


class BranchFromMain(Rule):
    """
    ## What it does
    Checks that the hotfix carries no commit of development's own history. Formally: no
    commit of `production..head` lies on the first-parent history of development beyond
    production (`git rev-list --first-parent production..development`). That catches a
    branch cut from development and a hotfix into which development was merged, and
    leaves alone a hotfix that was itself merged into development afterwards (its commits
    reach development through the merge's second parent, not its first-parent line).

    ## Why
    The workflow says: "Branch from main, not development". Development may have untested
    features; main contains production-ready code, and the hotfix must be compatible with
    production. A hotfix cut from development ships whatever was on development that day.

    ## Example
    ```console
    $ git checkout develop && git checkout -b hotfix/v1.2.4-fix-payment-crash
    $ hotfix-guard check
    branch: HG001 [error] branch-from-main: this hotfix was cut from development: it carries
      2 commits of development's own history (newest 3f2a1c9d0e "Add loyalty points")
    ```

    ## How to fix
    Move your own commits onto production, leaving development's behind:
    `git rebase --onto main <newest development commit> <hotfix branch>`. If development
    was merged into the hotfix, recreate the branch from main and cherry-pick the fix.
    """

    code = "HG001"
    name = "branch-from-main"
    summary = "A hotfix branches from production, not development"
    queries = frozenset({"commits", "first-parent"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        if ctx.line is not None:
            yield from _cut_from_the_line(self, ctx)
            return
        if not has_merge_back(ctx.settings):
            yield from _cut_from_production(self, ctx)
            return
        production = ctx.require_production()
        development = ctx.require_development()
        change = ctx.git.commits(ctx.head, f"^{production.sha}")
        if not change:
            return
        own = set(ctx.git.rev_list("--first-parent", development.sha, f"^{production.sha}"))
        if not own:
            return
        offending = [c for c in change if c.sha in own]  # newest first
        if not offending:
            return
        dev = development.name
        merges = [c for c in change if len(c.parents) > 1 and c.sha not in own
                  and any(p in own for p in c.parents[1:])]
        if merges:
            merge = merges[-1]  # the oldest such merge
            if not any(p in own for p in merge.parents[:1]):
                yield self.finding(
                    f"{dev} was merged into this hotfix at {merge.short} (\"{merge.subject}\"): it brings "
                    f"{len(offending)} commit{'s' if len(offending) != 1 else ''} of {dev}'s own history",
                    ref=merge.sha,
                    help=(f"undo the merge, or recreate the branch from {production.name} and cherry-pick "
                          f"your fix: a hotfix must not ship {dev}'s untested work"),
                )
                return
        newest = offending[0]
        yield self.finding(
            f"this hotfix was cut from {dev}: it carries {len(offending)} "
            f"commit{'s' if len(offending) != 1 else ''} of {dev}'s own history "
            f"(newest {newest.short} \"{newest.subject}\")",
            ref=newest.sha,
            help=(f"move your commits onto {production.name}: "
                  f"git rebase --onto {production.name} {newest.short} {ctx.branch}"),
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cut_from_the_line(rule: Rule, ctx: Context) -> Iterable[Finding]:
    """HG001 for a hotfix of a release line: nothing of production's or development's
    that the line's branch does not have (the line's branch and its tags are fine)."""
    line = ctx.line
    assert line is not None
    production = ctx.require_production()
    change = ctx.git.commits(ctx.head, f"^{line.sha}")
    if not change:
        return
    newer = [(production.name, set(ctx.git.rev_list(production.sha, f"^{line.sha}")))]
    if ctx.development is not None:
        newer.append((ctx.development.name, set(ctx.git.rev_list(ctx.development.sha, f"^{line.sha}"))))
    for name, commits in newer:
        offending = [c for c in change if c.sha in commits]  # newest first
        if not offending:
            continue
        newest = offending[0]
        yield rule.finding(
            f"this hotfix patches the {line.label} line but was cut from {name}: it carries "
            f"{_plural(len(offending), 'commit')} that {line.name} does not have "
            f"(newest {newest.short} \"{newest.subject}\")",
            ref=newest.sha,
            help=(f"a fix for {line.label} is cut from {line.name} (or its latest tag): "
                  f"git rebase --onto {line.name} {newest.short} {ctx.branch}"),
        )
        return


def _cut_from_production(rule: Rule, ctx: Context) -> Iterable[Finding]:
    """HG001 without a development branch (github-flow): the hotfix is cut from
    production (its tip or its latest release tag), so it carries no commit of another
    branch that production does not have: neither from being cut from that branch nor
    from a merge of it."""
    production = ctx.require_production()
    change = ctx.git.commits(ctx.head, f"^{production.sha}")
    if not change:
        return
    inside = {c.sha for c in change}
    merges = [c for c in change if len(c.parents) > 1 and any(p in inside for p in c.parents[1:])]
    source = _source_branch(ctx, change, inside)
    if source is not None:
        name, commits = source
        offending = [c for c in change if c.sha in commits]
        newest = offending[0]
        yield rule.finding(
            f"this hotfix was cut from {name}, which {production.name} does not have: it carries "
            f"{_plural(len(offending), 'commit')} of {name} (newest {newest.short} \"{newest.subject}\")",
            ref=newest.sha,
            help=(f"a hotfix is cut from {production.name} or its latest release tag: "
                  f"git rebase --onto {production.name} {newest.short} {ctx.branch}"),
        )
        return
    if merges:
        merge = merges[-1]  # the oldest
        yield rule.finding(
            f"another branch was merged into this hotfix at {merge.short} (\"{merge.subject}\"): it brings "
            f"commits that {production.name} does not have",
            ref=merge.sha,
            help=(f"undo the merge, or recreate the branch from {production.name} and cherry-pick "
                  "your fix: a hotfix ships only the fix"),
        )


SOURCE_PROBES = 5  # branches asked whether they contain the hotfix, at most


def _source_branch(ctx: Context, change: list, inside: set[str]) -> tuple[str, set[str]] | None:
    """Another branch, local or on the remote, that holds the change's oldest commit and
    not its newest: the branch the hotfix was cut from. (A branch cut from this hotfix's
    first commits looks the same; the message names it.)"""
    from hotfix_guard.git import records

    remote = ctx.settings.remote
    production = ctx.require_production()
    own = {ctx.branch, ctx.pushed_from, production.name}
    out = ctx.git.run("for-each-ref", "--format=%(refname)%00%(objectname)", "--contains", change[-1].sha,
                      "refs/heads", f"refs/remotes/{remote}")
    probes = 0
    for line in records(out):
        ref, sha = line.split("\0")
        name = ref.removeprefix("refs/heads/").removeprefix(f"refs/remotes/{remote}/")
        if name in own or name == "HEAD" or sha == ctx.head:
            continue
        if sha not in inside:
            if probes >= SOURCE_PROBES:
                break
            probes += 1
            if ctx.git.is_ancestor(ctx.head, sha):
                continue  # it contains the whole hotfix: built on it, or it was merged there
        return name, set(ctx.git.rev_list(sha, f"^{production.sha}"))
    return None


class BranchName(Rule):
    """
    ## What it does
    Checks the hotfix branch name: `hotfix/vX.Y.Z-<short-description>`, with a release
    version (`1.2.4`, or four parts `1.2.3.1`; no pre-release suffix), a description in
    lowercase kebab-case (`[a-z0-9]+(-[a-z0-9]+)*`), and the whole name no longer than
    `max-branch-length`. The version may carry `tag-prefix` or not: `hotfix/1.2.4-fix`
    names 1.2.4 under the prefix `v`.

    ## Why
    The workflow names every hotfix `hotfix/vX.Y.Z-<short-description>` (example:
    `hotfix/v1.2.4-fix-payment-crash`). The version in the name is what the release gets
    tagged with; the description tells everyone what is being fixed at a glance. Other
    rules (HG003, HG005, HG009) read the version from the name.

    ## Example
    ```console
    $ git checkout -b hotfix/Fix_Payment
    $ hotfix-guard check
    branch: HG002 [error] branch-name: `hotfix/Fix_Payment` does not follow
      hotfix/vX.Y.Z-<short-description>: no version
    ```

    ## How to fix
    Rename the branch: `git branch -m <new name>`. The message suggests a name with the
    next patch version.
    """

    code = "HG002"
    name = "branch-name"
    summary = "A hotfix branch is named hotfix/vX.Y.Z-<short-description>"
    options = (Option("max-branch-length", int, 60, "the longest branch name allowed, prefix included"),)

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.hotfix
        if parsed is None or parsed.valid:
            return
        version = parsed.version
        try:
            latest = ctx.latest_release
            if latest is not None:
                version = latest[0].next_patch()
        except Skip:
            pass
        settings = ctx.settings
        if version is not None and parsed.description:
            suggestion = hotfix_branch_name(version, parsed.description, settings.hotfix_prefix,
                                            settings.tag_prefix, self.config["max-branch-length"])
        else:
            desc = slugify(parsed.description) if parsed.description else "<short-description>"
            suggestion = f"{settings.hotfix_prefix}{settings.tag_prefix}{version or 'X.Y.Z'}-{desc}"
        yield self.finding(
            f"`{ctx.branch}` does not follow {settings.hotfix_prefix}{settings.tag_prefix}X.Y.Z-"
            f"<short-description>: {'; '.join(parsed.problems)}",
            help=f"rename it: git branch -m {suggestion}",
        )


class NextPatchVersion(Rule):
    """
    ## What it does
    Checks that the version in the branch name is the next patch release: the latest
    release tag reachable from production, with the patch number incremented. Pre-release
    tags (`v1.2.4-rc1`) are not releases, and tags that exist only on development do not
    count. An already-released version, a skipped patch and a minor or major bump are
    errors, each naming the expected branch. With no release tag yet, there is nothing
    to compare with and no finding.

    Versions have three or four parts; the last one is the patch: after `v0.1.7.1` comes
    `v0.1.7.2`, and after `v0.1.7` either `v0.1.8` or, for projects that number their
    hotfixes in a fourth part, `v0.1.7.1`.

    ## Why
    The workflow says: "Increment patch version: v1.2.3 → v1.2.4. Use next patch version
    even if not released yet." A hotfix changes the least it can; its version says so,
    and the tag it gets must not collide with a release that exists.

    ## Example
    ```console
    $ git tag --merged main   # v1.2.3 is the latest release
    $ git checkout -b hotfix/v1.3.0-fix-payment-crash main
    $ hotfix-guard check
    branch: HG003 [error] next-patch-version: v1.3.0 is a minor bump; a hotfix takes the
      next patch after v1.2.3: expected hotfix/v1.2.4-fix-payment-crash
    ```

    ## How to fix
    Rename the branch to the expected name the message gives: `git branch -m <name>`.
    A push that sends the branch under another name (`git push origin
    hotfix/v1.2.4-x:hotfix/v9.9.9-x`) is checked under the name it gets on the remote;
    the message then says that the two names disagree, and the help gives the push that
    uses the right one (`git push origin hotfix/v1.2.4-x`).
    """

    code = "HG003"
    name = "next-patch-version"
    summary = "The hotfix version is the next patch after the latest release"
    queries = frozenset({"tags"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        version = ctx.version
        if version is None:
            return
        latest = ctx.latest_release
        if latest is None:
            return
        latest_version, latest_tag = latest
        expected = latest_version.next_patch()
        if version == expected or (len(latest_version) == 3 and version == Version(*latest_version, 1)):
            return  # 1.2.3 -> 1.2.4, or a fourth part for the patch: 1.2.3 -> 1.2.3.1
        settings = ctx.settings
        p = settings.tag_prefix
        released = {v: tag for v, tag, _, _ in ctx.release_tags}
        if version in released:
            why = f"{p}{version} is already released (tag {released[version]})"
        elif version < latest_version:
            why = f"{p}{version} is older than the latest release {latest_tag}"
        elif version.line == expected.line:
            before = Version(*version.line, version.patch - 1)
            skipped = f"{p}{expected}" if before == expected else f"{p}{expected}..{p}{before}"
            why = f"{p}{version} skips {skipped}"
        elif version.major != latest_version.major:
            why = f"{p}{version} is a major bump"
        else:
            why = f"{p}{version} is a minor bump"
        description = ctx.hotfix.description if ctx.hotfix else ""
        description = slugify(description) if description else "<short-description>"
        expected_branch = f"{settings.hotfix_prefix}{p}{expected}-{description}"
        line = ctx.line
        after = latest_tag if line is None else f"{latest_tag} on the {line.label} line ({line.name})"
        if ctx.pushed_from is None:
            help_ = f"rename it: git branch -m {expected_branch}"
            if line is None and version < latest_version and version not in released:
                support = f"{settings.support_prefix}{version.major}.{version.minor}"
                help_ += (f"; or, to patch the older {version.major}.{version.minor} line, create its "
                          f"branch from that line's latest tag (git branch {support} <tag>) and cut the hotfix from it")
            yield self.finding(
                f"{why}; a hotfix takes the next patch after {after}: expected {expected_branch}",
                ref=latest_tag,
                help=help_,
            )
            return
        if ctx.local_version == expected:  # the local name is right: push under it
            expected_branch = ctx.pushed_from
        yield self.finding(
            f"{ctx.renamed_push()}{why}; a hotfix takes the next patch after {after}: "
            f"expected {expected_branch}",
            ref=latest_tag,
            help=f"push it under the right name: {ctx.push_command(expected_branch)}",
        )


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    register(BranchFromMain)
    register(BranchName)
    register(NextPatchVersion)
