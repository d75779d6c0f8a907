"""The rule API for plugin authors: a public name for :mod:`hotfix_guard.engine.rule`.

Plugins import from here (``from hotfix_guard.rule import Finding, Option, Rule``);
the built-in rules import from :mod:`hotfix_guard.engine.rule` directly.
"""

from hotfix_guard.engine.rule import *  # noqa: F401,F403
from hotfix_guard.engine.rule import Finding, Option, Rule, Skip  # noqa: F401
