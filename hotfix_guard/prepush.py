"""The pre-push protocol: which refs a push updates, under which names (issue #4)."""

from __future__ import annotations

from hotfix_guard.git import ZERO_SHAS

TYPE_CHECKING = False  # not typing's: the every-push path must not import typing (re, enum)
if TYPE_CHECKING:
    from typing import IO

    from hotfix_guard.commands.check import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git, RepoInfo


def targets(git: Git, info: RepoInfo, settings: Settings, stdin: IO[str]) -> list[Target]:
    from hotfix_guard.commands.check import Target

    result = []
    for line in stdin.read().splitlines():
        parts = line.rsplit(" ", 3)
        if len(parts) != 4:
            continue
        local_ref, local_sha, remote_ref, remote_sha = parts
        if local_sha in ZERO_SHAS or not remote_ref.startswith("refs/heads/"):
            continue
        result.append(Target(remote_ref.removeprefix("refs/heads/"), local_sha, None, remote_ref, True))
    return result
