"""The branch, base and head from a CI's own variables (issue #5)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from hotfix_guard.errors import UsageError

if TYPE_CHECKING:
    from hotfix_guard.commands.check import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git, RepoInfo


def target(git: Git, info: RepoInfo, settings: Settings, args: argparse.Namespace) -> Target:
    from hotfix_guard.commands.check import Target

    branch = os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME")
    if branch:
        return Target(branch, args.head, args.base, explicit_branch=True)
    if info.head_ref is None:
        raise UsageError("HEAD is detached and no CI variable names the branch",
                         hint="pass --branch NAME")
    return Target(info.head_ref.removeprefix("refs/heads/"), args.head, args.base)
