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
    from hotfix_guard.git import Commit
    from hotfix_guard.history.development import Own


class BranchFromMain(Rule):
    """
    ## What it does
    Checks that the hotfix carries no commit of development's own history. A commit of
    the change (`production..head`) is development's own when development had it before
    this hotfix reached development:

    - it is on development's first-parent line beyond production (the branch was cut
      from development, or development was merged into the hotfix);
    - or a merge on that line brought it in from another branch: a feature or release
      branch that development merged with `--no-ff` ("Merge branch 'feature/x'",
      "Merge pull request #7 from owner/feature/x"), from which the hotfix was cut;
    - or it is a copy of one of those: `git cherry-pick -x` wrote
      `(cherry picked from commit <sha>)` naming it, or its patch-id is the same and
      development's commit is the older one. (Patch-ids read the diff of every
      development commit, too costly on each commit: the pre-commit stage finds copies
      by their `cherry picked from` line, and pre-push, CI and a check by hand by both.
      `git cherry-pick` runs no pre-commit hook anyway.)

    A hotfix merged into development afterwards, by a merge or by a fast-forward, is not
    flagged for that: a merge names the hotfix branch; after a fast-forward, a commit on
    development's line that adds the hotfix's own `HOTFIX vX.Y.Z:` marker, or that the
    hotfix branch's reflog says was made on it, is the hotfix's own. The files that only
    development's commits touch are listed in the finding, and the content rules (HG004
    to HG012) do not judge them again: one cause, one finding.

    Without a development branch (the github-flow workflow) the hotfix must carry no
    commit of another branch that production lacks; a hotfix of a release line
    (`support/X.Y`) is judged against that line's branch instead of production.

    When the local production branch and `<remote>/<name>` have diverged, the check says
    so: a finding at the ci and pre-push stages (exit 2 at the others, as `start`
    refuses). A local branch behind its remote is not used: the newer one is.

    With `--base` (a replay of an old hotfix, `check --branch hotfix/X --base M^1 --head
    M^2`, or a CI pull request) it judges the history as it stood: production is the
    base, so commits production got later (say, when it caught up with development)
    still count against the hotfix; development is what git records of it: its commits
    today, minus those a merge of this hotfix or of production brought it. What a replay
    cannot know, git does not record: where development pointed at that moment (a branch
    tip is not history, and its first-parent line is no witness either: a development
    fast-forwarded onto production runs through production's merges), the reflog of a
    branch on someone else's machine (so a fast-forward is told by the hotfix's markers
    alone), a development rebased or force-pushed since, or a merge whose subject was
    rewritten by hand.

    Replayed on real histories (`check --base M^1 --head M^2` for a merge M into
    production): diaspora's 8 hotfix merges into master (`hotfix/0.7.0.1` to
    `hotfix/0.7.18.2`, four-part versions) and gitflow-avh's 9 pass; diaspora's release
    and `next-minor` merges replayed as if they were hotfixes are flagged (14 to 113
    commits of develop's). Diaspora's develop was fast-forwarded onto master, and its
    hotfixes reached develop through master and `next-minor`: only the merges' subjects
    tell that those fixes are not develop's own, which is why a replay reads every merge
    of the hotfix in development's history, not only its first-parent line.

    ## Why
    The workflow says: "Branch from main, not development". Development may have untested
    features; main contains production-ready code, and the hotfix must be compatible with
    production. A hotfix cut from development ships whatever was on development that day.

    ## Example
    ```console
    $ git checkout develop && git checkout -b hotfix/v1.2.4-fix-payment-crash
    $ hotfix-guard check
    branch: HG001 [error] branch-from-main: this hotfix was cut from develop: it carries
      2 commits of develop's own history (newest 3f2a1c9d0e "Add loyalty points")
    ```

    Cut from a feature branch that develop merged with `--no-ff`:
    ```console
    $ git checkout -b hotfix/v1.2.4-fix-payment-crash feature/loyalty
    $ hotfix-guard check
    branch: HG001 [error] branch-from-main: this hotfix was cut from a branch develop
      merged: it carries 2 commits develop got by merging 'feature/loyalty' (at 7c1d0e2a9b
      "Merge branch 'feature/loyalty' into develop")
    ```

    A develop commit cherry-picked with `-x`:
    ```console
    $ git cherry-pick -x 5e6f7a8b9c
    $ hotfix-guard check
    branch: HG001 [error] branch-from-main: commit 0a1b2c3d4e "Add loyalty points" is a
      copy of develop's own 5e6f7a8b9c "Add loyalty points" (cherry picked from it)
    ```

    Not flagged: the hotfix was fast-forwarded into develop (develop had nothing of its
    own), and a second fix commit follows on the hotfix branch. The first fix is on
    develop's line now, but it adds `HOTFIX v1.2.4:` (and the reflog says it was made on
    the hotfix branch), so it is the hotfix's own.
    ```console
    $ git switch develop && git merge --ff-only hotfix/v1.2.4-fix-payment-crash
    $ git switch hotfix/v1.2.4-fix-payment-crash && git commit -am "Guard the retry too"
    $ hotfix-guard check --select HG001
    hotfix/v1.2.4-fix-payment-crash: all checks passed (1 rule, stage manual)
    ```

    ## How to fix
    Move your own commits onto production, leaving development's behind:
    `git rebase --onto main <newest development commit> <hotfix branch>` (the help line
    gives it only when that keeps every commit of your own). Otherwise, or when
    development was merged into the hotfix, recreate the branch from main and
    cherry-pick your own commits, which the help line lists. A copy of a development
    commit is dropped (`git rebase -i main`); if production needs that fix, it is the
    hotfix's own work, written for production.

    ## Workflows
    - **git-flow**: development is `develop` (`development`); the hotfix carries none of
      its own history, as above.
    - **github-flow**: there is no development branch. A hotfix is cut from `main`, its tip
      or its latest release tag. What is flagged is a hotfix that carries commits of another
      branch `main` does not have: cut from a feature branch (another branch holds the
      change's oldest commit but not its newest), or with another branch merged into it. A
      branch built on the hotfix, which holds all of it, is not the source. (A branch cut
      from the hotfix's first commits, without its newest, looks the same as a source; the
      message names the branch.)
    - **gitlab-flow**: production is `production` and development is `main`: a hotfix cut
      from `main` carries main's unreleased commits and is flagged; one cut from
      `production` is right.
    - **Release line**: a hotfix whose version patches an older line (`hotfix/v1.1.5-…` with
      `support/1.1`, production at 1.2.x) is cut from the line's branch or its latest tag.
      Any commit of production or development that the line's branch does not have is
      flagged: "this hotfix patches the 1.1 line but was cut from main".
    """

    code = "HG001"
    name = "branch-from-main"
    summary = "A hotfix branches from production, not development"
    queries = frozenset({"commits", "development"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        production = ctx.require_production()
        other_cut = ctx.line is not None or not has_merge_back(ctx.settings)  # see Workflows
        development = None if other_cut else ctx.require_development()
        for diverged in ctx.refs.diverged:
            yield self.finding(diverged.message(), help=diverged.hint(),
                               severity=None if diverged.key == "production" else "warning")
        if ctx.line is not None:
            yield from _cut_from_the_line(self, ctx)
            return
        if development is None:
            yield from _cut_from_production(self, ctx)
            return
        origin = ctx.origin
        if not origin.own:
            return
        dev, prod = development.name, production.name
        change = ctx.commits
        carried = [o for o in origin.own if o.how != "copy"]
        listed = _explain_paths(ctx, origin.development_only_paths)
        if carried:
            yield _with(self._carried(ctx, change, carried, dev, prod), listed)
            listed = ""
        for own in origin.own:
            if own.how == "copy":
                c, source = own.commit, own.source
                how = ("cherry picked from it" if any(source.sha.startswith(n) for n in _picked(c.message))
                       else "the same patch")
                yield _with(self.finding(
                    f"commit {c.short} \"{c.subject}\" is a copy of {dev}'s own {source.short} "
                    f"\"{source.subject}\" ({how})",
                    ref=c.sha,
                    help=(f"drop it (git rebase -i {prod}): a hotfix takes nothing from {dev}; if production "
                          "needs that change, write it for production in the hotfix"),
                ), listed)
                listed = ""

    def _carried(self, ctx: Context, change: list[Commit], carried: list[Own], dev: str, prod: str) -> Finding:
        own = {o.commit.sha for o in carried}
        n = len(carried)
        commits = f"{n} commit{'s' if n != 1 else ''}"
        merges = [c for c in change if len(c.parents) > 1 and c.sha not in own
                  and any(p in own for p in c.parents[1:]) and not any(p in own for p in c.parents[:1])]
        keep = [c for c in change if c.sha not in own and len(c.parents) < 2]
        recreate = (f"recreate the branch from {prod} and cherry-pick your own "
                    f"commit{'s' if len(keep) != 1 else ''}"
                    + (f": git switch -c <new name> {prod} && git cherry-pick "
                       + " ".join(c.short for c in reversed(keep)) if keep else ""))
        if merges:
            merge = merges[-1]  # the oldest such merge
            return self.finding(
                f"{dev} was merged into this hotfix at {merge.short} (\"{merge.subject}\"): it brings "
                f"{commits} of {dev}'s own history",
                ref=merge.sha,
                help=f"undo the merge, or {recreate}: a hotfix must not ship {dev}'s untested work",
            )
        newest = carried[0]
        base = _rebase_point(change, own)
        help_ = (f"move your commits onto {prod}: git rebase --onto {prod} {base[:10]} {ctx.branch}"
                 if base else recreate)
        via = [o for o in carried if o.how == "merge"]
        if via:
            merge = via[0].via
            from hotfix_guard.history.development import merged_branch

            name = merged_branch(merge.subject, ctx.settings.remote)
            line = n - len(via)
            return self.finding(
                f"this hotfix was cut from a branch {dev} merged: it carries {len(via)} "
                f"commit{'s' if len(via) != 1 else ''} {dev} got by merging "
                f"{f'{name!r}' if name else 'another branch'} (at {merge.short} \"{merge.subject}\")"
                + (f", and {line} of {dev}'s own line" if line else ""),
                ref=newest.commit.sha, help=help_,
            )
        return self.finding(
            f"this hotfix was cut from {dev}: it carries {commits} of {dev}'s own history "
            f"(newest {newest.commit.short} \"{newest.commit.subject}\")",
            ref=newest.commit.sha, help=help_,
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


def _picked(message: str) -> list[str]:
    from hotfix_guard.history.development import CHERRY_PICKED

    return CHERRY_PICKED.findall(message)


def _rebase_point(change: list[Commit], own: set[str]) -> str | None:
    """A commit X such that `git rebase --onto <production> X` drops exactly development's
    commits: X's ancestors in the change are exactly them. None when there is none (the
    commits interleave), so the help never offers a rebase that throws a fix away."""
    parents = {c.sha: c.parents for c in change}
    for sha in [c.sha for c in change if c.sha in own][:5]:
        seen, stack = {sha}, [sha]
        while stack:
            for p in parents.get(stack.pop(), ()):
                if p in parents and p not in seen:
                    seen.add(p)
                    stack.append(p)
        if seen == own:
            return sha
    return None


def _explain_paths(ctx: Context, paths: frozenset[str]) -> str:
    """Mark the files only development's commits touch as explained by HG001 (the
    runner keeps the content rules' findings off them); the text that lists them."""
    if paths and ctx.staged:
        paths = paths - ctx.git.staged_paths()  # staged work on them is the hotfix's own
    if not paths:
        return ""
    for path in paths:
        ctx.explained[path] = "HG001"
    shown = sorted(paths)
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return (f"; the content rules do not judge again the file{'s' if len(shown) != 1 else ''} only "
            f"these commits touch: {', '.join(shown[:5])}{more}")


def _with(finding: Finding, text: str) -> Finding:
    return finding._replace(message=finding.message + text) if text else finding


class BranchName(Rule):
    """
    ## What it does
    Checks the hotfix branch name: `hotfix/vX.Y.Z-<short-description>`, with a release
    version (`1.2.4`, or four parts `1.2.3.1`; no pre-release suffix), a description in
    lowercase kebab-case (`[a-z0-9]+(-[a-z0-9]+)*`), and the whole name no longer than
    `max-branch-length`. The version may carry `tag-prefix` or not: `hotfix/1.2.4-fix`
    names 1.2.4 under the prefix `v`.

    A name evidently meant as a hotfix is checked as one, by every hotfix rule, and gets
    this finding naming the expected name: the prefix's word in another case
    (`Hotfix/…`, `HOTFIX/…`), with `-` or `_` instead of `/` (`hotfix-v1.2.4-…`), or a
    plural (`hotfixes/…`).

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

    ## Workflows
    The same under every preset. The version in the name also decides the release line:
    `hotfix/v1.1.5-…` is a hotfix of the 1.1 line when `support/1.1` exists and production
    has moved on to another minor.
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
    errors, each naming the expected branch. So is a version whose tag exists anywhere
    in the repository, reachable from production or not (a squash-merged hotfix's tag on
    its own branch): the expected version is then the next patch that is free. With no
    release tag on production the rule cannot decide and is listed as skipped, saying
    why: no release yet, tags that exist but none matching `tag-prefix` (`1.2.3`,
    `release-1.2.3` under the prefix `v`), or a clone made with `--no-tags`.

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

    ## Workflows
    - **git-flow**, **github-flow**: the latest release tag reachable from `main`.
    - **gitlab-flow**: the latest release tag reachable from `production`.
    - **Release line**: the next patch of the line's latest tag (reachable from
      `support/1.1`), and the message names the line. A version older than production's
      latest with no line for it is an error whose help says how to make the line
      (`git branch support/1.1 <the line's latest tag>`).
    """

    code = "HG003"
    name = "next-patch-version"
    summary = "The hotfix version is the next patch after the latest release"
    queries = frozenset({"tags"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        version = ctx.version
        if version is None:
            return
        settings = ctx.settings
        p = settings.tag_prefix
        anywhere = {v: (tag, sha) for v, tag, sha in ctx.every_release_tag}
        if version in anywhere and (anywhere[version][1] in {ctx.head, *(c.sha for c in ctx.commits)}
                                    or (ctx.replaying and ctx.git.is_ancestor(ctx.head, anywhere[version][1]))):
            del anywhere[version]  # tagged on this hotfix's own commits (or, replayed, its later merge)
        latest = ctx.latest_release
        if latest is None:
            if version in anywhere:
                tag, sha = anywhere[version]
                yield self.finding(f"{p}{version} is taken: tag {tag} exists already (on {sha[:10]})",
                                   ref=tag, help="take the next patch whose tag does not exist yet")
                return
            raise Skip(_no_release_tag(ctx))
        latest_version, latest_tag = latest
        expected = latest_version.next_patch()
        while expected in anywhere:  # taken by a tag production does not contain: the next one
            expected = expected.next_patch()
        if version == expected or (len(latest_version) == 3 and version == Version(*latest_version, 1)
                                   and version not in anywhere):
            return  # 1.2.3 -> 1.2.4, or a fourth part for the patch: 1.2.3 -> 1.2.3.1
        released = {v: tag for v, tag, _, _ in ctx.release_tags}
        if version in released:
            why = f"{p}{version} is already released (tag {released[version]})"
        elif version in anywhere:
            tag, sha = anywhere[version]
            why = (f"{p}{version} is taken: tag {tag} exists on {sha[:10]}, which "
                   f"{ctx.cut_from.name} does not contain")
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


def _no_release_tag(ctx: Context) -> str:
    """Why HG003 cannot decide without a release tag on production: no tag matches
    `tag-prefix`, the clone was made without tags, or there is no release yet."""
    p = ctx.settings.tag_prefix
    where = ctx.cut_from.name
    if ctx.every_release_tag:
        return f"no release tag ({p}X.Y.Z) is reachable from {where}: nothing to compare the version with"
    others = [name for name, _, _ in ctx.git.tags("*")]
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        return (f"no tag matches tag-prefix '{p}' ({p}X.Y.Z; the tags here are {shown}): "
                "set `tag-prefix` to the prefix of your release tags")
    remote = ctx.settings.remote
    if (ctx.git.config_get(f"remote.{remote}.tagOpt") or "").strip() == "--no-tags":
        return (f"this clone was made without tags (remote.{remote}.tagOpt is --no-tags): "
                f"fetch them (git fetch --tags {remote}) to check the version")
    return f"no release tag ({p}X.Y.Z) yet: nothing to compare the version with"


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    register(BranchFromMain)
    register(BranchName)
    register(NextPatchVersion)
