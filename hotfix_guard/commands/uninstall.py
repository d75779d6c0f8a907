"""``hotfix-guard uninstall``: remove the native hooks ``install`` wrote.

A hook that is not hotfix-guard's is left alone. A hook that ``install`` found in place
and kept is put back exactly (renamed back: same bytes, same mode). Prints every file it
removed or restored.
"""

from __future__ import annotations

import argparse

from hotfix_guard.commands._hooks import HOOKS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hook", choices=HOOKS, action="append",
                   help="which hook (repeatable; default: both pre-commit and pre-push)")


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.commands import _hooks as hooks
    from hotfix_guard.commands.install import chosen_hooks, locate
    from hotfix_guard.git import Git

    directory = locate(Git())
    for hook in chosen_hooks(args):
        for action in hooks.uninstall(directory, hook):
            print(action)
    return 0
