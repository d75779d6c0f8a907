"""HG000 internal-error: the runner's own rule, so it can be listed and explained."""

from __future__ import annotations



from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import BRANCH_KINDS, Finding, Rule

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Callable, Iterable


class InternalError(Rule):
    """
    ## What it does
    Reports a rule or plugin that crashed. The runner catches the exception, names the
    rule, its plugin and the place it failed, and goes on with the other rules.

    ## Why
    A policy hook runs inside people's commits, often during an outage. One broken rule
    must neither block every commit with a traceback nor hide the other rules' findings.

    ## Example
    ```text
    branch: HG000 [error] internal-error: rule ACME001 (no-friday-hotfix) from plugin
      'acme (acme-hotfix-rules 1.0)' crashed: KeyError: 'weekday' at rules.py:31
    ```

    ## How to fix
    Rerun with `--debug` to see the traceback and report it to the plugin's authors. Until
    it is fixed, `--ignore` the crashing rule's code.

    ## Workflows
    The same under every preset (git-flow, github-flow, gitlab-flow) and on a release
    line.
    """

    code = "HG000"
    name = "internal-error"
    summary = "A rule or plugin crashed; the other rules still ran"
    branch_kinds = BRANCH_KINDS

    def check(self, ctx: object) -> Iterable[Finding]:
        return ()  # produced by the runner, never by this method


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    register(InternalError)
