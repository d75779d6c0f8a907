"""``hotfix-guard install``: native git pre-commit and pre-push hooks.

Writes into the directory git takes hooks from (``core.hooksPath`` when set, relative to
the worktree's top; else the common git directory's ``hooks``, shared by all linked
worktrees). A hook already there that is not hotfix-guard's is kept and chained (see
:mod:`hotfix_guard.commands._hooks`). Running it again changes nothing unless the hook's text
would change (another interpreter, a new version). Prints every file it wrote.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import UsageError
from hotfix_guard.commands._hooks import HOOKS

if TYPE_CHECKING:
    from hotfix_guard.git import Git


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hook", choices=HOOKS, action="append",
                   help="which hook (repeatable; default: both pre-commit and pre-push)")
    add_config_argument(p)


def chosen_hooks(args: argparse.Namespace) -> list[str]:
    return list(dict.fromkeys(args.hook or HOOKS))


def locate(git: Git) -> str:
    """The hooks directory of the repository the command runs in."""
    if git.info().bare:
        raise UsageError("this is a bare repository: commits and pushes, and so their hooks, happen in a clone",
                         hint="run it in a working copy")
    return git.hooks_dir()


def shared_hooks_path(git: Git) -> str | None:
    """The config file a ``core.hooksPath`` comes from, when it is not this repository's own
    (a global or system setting: every repository using it gets these hooks)."""
    out = git.try_run("config", "--show-origin", "--get", "core.hooksPath")
    if not out or not out.startswith("file:"):
        return None
    origin = out[len("file:"):].split("\t", 1)[0]
    info = git.info()
    here = os.path.realpath(os.path.join(git.cwd, origin))
    for own in (info.git_dir, info.common_dir):
        if here.startswith(os.path.realpath(own) + os.sep):
            return None
    return origin


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.commands import _hooks as hooks
    from hotfix_guard.commands.check import load_settings
    from hotfix_guard.git import Git

    git = Git()
    directory = locate(git)
    settings = load_settings(git.info(), args)  # the hotfix prefix, for when hotfix-guard cannot run
    python = sys.executable
    if not python:
        raise UsageError("cannot tell which Python runs hotfix-guard (sys.executable is empty)",
                         hint="run it as `python -m hotfix_guard install` with the Python it is installed in")
    for hook in chosen_hooks(args):
        for action in hooks.install(directory, hook, hooks.script(hook, python, settings.hotfix_prefix)):
            print(action)
    print(f"the hooks run hotfix-guard with {python} (else `hotfix-guard` on PATH)")
    shared = shared_hooks_path(git)
    if shared:
        print(f"note: core.hooksPath is set in {shared}, not in this repository: "
              "these hooks run in every repository that uses that setting")
    return 0
