"""``hotfix-guard install``: native git pre-commit and pre-push hooks.

Writes into the directory git takes hooks from (``core.hooksPath`` when set, relative to
the worktree's top; else the common git directory's ``hooks``, shared by all linked
worktrees). A hook already there that is not hotfix-guard's is kept and chained (see
:mod:`hotfix_guard.hooks`). Running it again changes nothing unless the hook's text
would change (another interpreter, a new version). Prints every file it wrote.
"""

from __future__ import annotations

import argparse
import sys

from hotfix_guard.errors import UsageError
from hotfix_guard.hooks import HOOKS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hook", choices=HOOKS, action="append",
                   help="which hook (repeatable; default: both pre-commit and pre-push)")
    from hotfix_guard.cli import add_config_argument

    add_config_argument(p)


def chosen_hooks(args: argparse.Namespace) -> list[str]:
    return list(dict.fromkeys(args.hook or HOOKS))


def locate(git: object) -> str:
    """The hooks directory of the repository the command runs in."""
    info = git.info()  # type: ignore[attr-defined]
    if info.bare:
        raise UsageError("this is a bare repository: commits and pushes, and so their hooks, happen in a clone",
                         hint="run it in a working copy")
    return git.hooks_dir()  # type: ignore[attr-defined,no-any-return]


def run(args: argparse.Namespace) -> int:
    from hotfix_guard import hooks
    from hotfix_guard.commands.check import load_settings
    from hotfix_guard.git import Git

    git = Git()
    directory = locate(git)
    settings = load_settings(git.info(), args)
    python = sys.executable
    if not python:
        raise UsageError("cannot tell which Python runs hotfix-guard (sys.executable is empty)")
    for hook in chosen_hooks(args):
        for action in hooks.install(directory, hook, hooks.script(hook, python, settings.hotfix_prefix)):
            print(action)
    print(f"the hooks run hotfix-guard with {python} (else `hotfix-guard` on PATH)")
    return 0
