"""The plugin API for plugin authors: a public name for :mod:`hotfix_guard.engine.plugins`.

Plugins import ``hookimpl`` from here; tests and tools may use ``Plugins``.
"""

from hotfix_guard.engine.plugins import *  # noqa: F401,F403
from hotfix_guard.engine.plugins import Plugins, hookimpl  # noqa: F401
