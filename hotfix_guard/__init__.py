"""hotfix-guard: keeps emergency fixes honest.

The public API for plugin authors lives in :mod:`hotfix_guard.rule` (a re-export of :mod:`hotfix_guard.engine.rule`).
"""

__version__ = "0.1.0"
