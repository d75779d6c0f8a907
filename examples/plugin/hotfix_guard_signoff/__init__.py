"""An example hotfix-guard plugin: every commit of a hotfix is signed off."""

from __future__ import annotations

from typing import Callable, Iterable

from hotfix_guard.plugins import hookimpl
from hotfix_guard.rule import Finding, Option, Rule


class SignedOff(Rule):
    """
    ## What it does
    Checks that every commit of the hotfix carries a `Signed-off-by:` trailer (or the
    trailer named by the `trailer` option).

    ## Why
    Some teams need a named person to vouch for every change that reaches production,
    and a hotfix skips the usual review queue.

    ## Example
    ```console
    $ git commit -m "Fix crash"
    $ hotfix-guard check
    branch: SO001 [error] signed-off: commit 3f2a1c9d0e "Fix crash" has no Signed-off-by trailer
    ```

    ## How to fix
    Amend the commit with a sign-off: `git commit --amend --no-edit -s`
    (for older commits, `git rebase --signoff main`). With another `trailer`, say
    `Reviewed-by`, add that one instead:
    `git commit --amend --no-edit --trailer "Reviewed-by: Name <email>"` (git 2.32+).
    """

    code = "SO001"
    name = "signed-off"
    summary = "Every hotfix commit is signed off"
    options = (Option("trailer", str, "Signed-off-by", "the trailer every commit must carry"),)
    queries = frozenset({"commits"})  # optional: git starts listing them before this rule runs

    def check(self, ctx) -> Iterable[Finding]:
        trailer = self.config["trailer"].lower() + ":"
        for commit in ctx.commits:
            if len(commit.parents) > 1:
                continue  # merges are written by tools
            lines = [line.strip().lower() for line in commit.message.splitlines()]
            if not any(line.startswith(trailer) for line in lines):
                yield self.finding(
                    f'commit {commit.short} "{commit.subject}" has no {self.config["trailer"]} trailer',
                    ref=commit.sha,
                    help=fix(self.config["trailer"]),
                )


def fix(trailer: str) -> str:
    """How to add the configured trailer: git's own sign-off for Signed-off-by, else
    ``git commit --trailer``."""
    if trailer.lower() == "signed-off-by":
        return "sign it off: git commit --amend --no-edit -s (or git rebase --signoff)"
    return (f'add the trailer: git commit --amend --no-edit --trailer "{trailer}: Name <email>" '
            f"(for an older commit, in git rebase -i: edit, then the same)")


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    register(SignedOff)
