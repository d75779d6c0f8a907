"""Where a hotfix goes once it is done: HG008 merged-into-both, HG009 hotfix-tagged.

Both run where a hotfix lands (``check`` on the production or development branch, at
pre-push, in CI and by hand; not on each commit) and in ``hotfix-guard audit`` over the
whole history. The finding of every hotfix and the verdicts live in
:mod:`hotfix_guard.history.hotfixes`, so ``check`` and ``audit`` say the same thing.
"""

from __future__ import annotations



from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import Finding, Rule, Skip
from hotfix_guard.workflow import NO_MERGE_BACK, has_merge_back, parse_line

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Callable, Iterable
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context

LANDING_KINDS = frozenset({"production", "development"})
LANDING_STAGES = frozenset({"pre-push", "ci", "manual"})


class MergedIntoBoth(Rule):
    """
    ## What it does
    Checks that every hotfix that reached production also reached development: the
    hotfix's last commit is an ancestor of both branches. While a `release/*` branch is
    open (git-flow), reaching that release branch counts instead of development, since
    the release will be merged into development when it is finished.

    A hotfix that arrived by squash, rebase or cherry-pick leaves no ancestry; it counts
    as merged when development has a commit with the same patch (`git patch-id --stable`)
    as the whole hotfix, or a copy of each of its commits (same patch, or a
    `cherry picked from commit` line from `git cherry-pick -x`).

    Which hotfixes `check` judges:
    - on production, when a range is known (`--base`, CI's `before..after`, the commits a
      push adds): the hotfixes that reached production in that range;
    - otherwise (on production with no range, and on development): the recent
      hotfixes, those that reached production after its latest `X.Y.0` release tag
      (every hotfix when there is none). Until the next regular release ships from
      development, a fix missing there is still a fix that release would lose; older
      hotfixes are `hotfix-guard audit`'s business, not every push's.

    Hotfixes are recognised, in this order, by a merge of a hotfix branch
    (`Merge branch 'hotfix/…'`, `Merge pull request #12 from org/hotfix/…`, GitLab's
    `… into 'main'`), by their branch, by a squash or rebase commit on production that
    names a hotfix or adds `HOTFIX vX.Y.Z:` markers, and by a patch-release tag that is
    not a release (see docs/status-and-audit.md). A hotfix branch with no commits of
    its own has landed nothing.

    ## Why
    The workflow's step 8 is "Merge hotfix to main and development", and its pitfalls
    list "Not merging back to development: hotfix only in main, development doesn't have
    the fix". The next release is cut from development: without the merge-back, the bug
    comes back with it.

    ## Example
    ```console
    $ git checkout main && git merge --no-ff hotfix/v1.2.4-fix-payment-crash
    $ git push origin main
    branch: HG008 [error] merged-into-both: hotfix/v1.2.4-fix-payment-crash (a1b2c3d)
      reached main but not develop: run `git checkout develop && git merge --no-ff
      hotfix/v1.2.4-fix-payment-crash`
    ```

    ## How to fix
    Run the command the message gives (merge the hotfix branch into development, or
    into the open release branch), then push both branches: `git push origin main
    develop`. If the branch is gone, the message names the commit to merge or the
    commits to cherry-pick (`git cherry-pick -x`, so the copy names its original).

    ## Workflows
    - **git-flow**: a hotfix that reached `main` must reach `develop`, or the open
      `release/*` branch.
    - **github-flow**: there is no merge-back target: `main` is the only long-lived branch.
      The rule says so once, as skipped with that reason, and never once per hotfix.
      Squash merges are the normal landing, and are recognised as hotfixes.
    - **gitlab-flow**: a hotfix that reached `production` must reach `main`.
    - **Release line**: `check` on the line's branch (`support/1.1`) judges the hotfixes
      that landed there. They go no further unless `forward-port = true`; then each must
      also reach development (`main` under github-flow). Without it the rule is listed as
      skipped, with the reason, on the line's branch.
    """

    code = "HG008"
    name = "merged-into-both"
    summary = "A hotfix that reached production also reached development"
    stages = LANDING_STAGES
    branch_kinds = LANDING_KINDS

    def check(self, ctx: Context) -> Iterable[Finding]:
        from hotfix_guard.history.hotfixes import verdicts

        ctx.require_production()
        if ctx.development is None and not ctx.releases:
            reason = no_merge_back(ctx.settings, ctx.branch)
            if reason:
                raise Skip(reason)  # once, for the run: there is nothing to merge back into
        if ctx.development is None and not ctx.releases and ctx.kind == "production":
            ctx.require_development()
        for h, problem in verdicts(ctx, self.code):
            yield self.finding(problem.message, ref=h.name, help=problem.help)


class HotfixTagged(Rule):
    """
    ## What it does
    Checks that a hotfix merged into production is tagged with its own version,
    `vX.Y.Z` (from the branch name, or the merge message), on a production commit that
    contains the hotfix, and that the tag is annotated. A missing tag, a lightweight
    tag, and a tag on a commit that is not on production or does not contain the
    hotfix are each a finding.

    `check` judges the same hotfixes as HG008 merged-into-both: those that reached
    production in the checked range, else those since the latest `X.Y.0` release.

    ## Why
    The workflow's step 7: "Tag the hotfix version: `git tag -a v1.2.4 -m "Hotfix: …"`",
    and deploy that tag. The tag is what runs in production, what a rollback goes back
    to, and what the next hotfix's version counts from (HG003). An annotated tag records
    who tagged, when and why; a lightweight one is a bare pointer that `git describe`
    skips by default.

    ## Example
    ```console
    $ git checkout main && git merge --no-ff hotfix/v1.2.4-fix-payment-crash
    $ git tag v1.2.4
    $ hotfix-guard check
    branch: HG009 [error] hotfix-tagged: tag v1.2.4 is a lightweight tag; release tags
      are annotated: run `git tag -a -f v1.2.4 9f8e7d6 -m "Hotfix v1.2.4" && git push -f
      origin v1.2.4`
    ```

    ## How to fix
    Create the tag the message names, annotated, on the merge commit in production:
    `git tag -a v1.2.4 <merge commit> -m "Hotfix v1.2.4: <what it fixes>"` and push it
    (`git push origin v1.2.4`). To replace a wrong tag use `-f` on both commands, and
    tell whoever deploys from it.

    ## Workflows
    - **git-flow**, **github-flow**: the tag is on `main`. Under github-flow a squash
      merge is the usual landing; the tag goes on the squash commit.
    - **gitlab-flow**: the tag is on `production`.
    - **Release line**: the tag is on the line's branch, checked by `check` on
      `support/1.1` and `audit --line 1.1`.
    """

    code = "HG009"
    name = "hotfix-tagged"
    summary = "A hotfix in production is tagged vX.Y.Z with an annotated tag"
    stages = LANDING_STAGES
    branch_kinds = LANDING_KINDS

    def check(self, ctx: Context) -> Iterable[Finding]:
        from hotfix_guard.history.hotfixes import verdicts

        ctx.require_production()
        for h, problem in verdicts(ctx, self.code):
            yield self.finding(problem.message, ref=h.name, help=problem.help)


def no_merge_back(settings: Settings, branch: str) -> str | None:
    """Why the workflow gives the hotfixes landed on ``branch`` no merge-back target, if
    it gives none: a release line without ``forward-port``, or github-flow."""
    if parse_line(branch, settings) is not None and not settings.forward_port:
        return (f"{branch} is a release line and forward-port is off: its hotfixes are "
                "not merged back anywhere")
    if not has_merge_back(settings):
        return NO_MERGE_BACK
    return None


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    register(MergedIntoBoth)
    register(HotfixTagged)

