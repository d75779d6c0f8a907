"""Shallow clones: never pass silently when history the checks need is missing (issue #5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hotfix_guard.errors import GitError

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git


def ensure_history(git: Git, settings: Settings, refs: Any, head: str, base: str | None, *,
                   deepen: bool = False) -> None:
    lower = base or (refs.production.sha if refs.production else None)
    if lower is None:
        return
    if git.merge_base(lower, head) is None:
        raise GitError(
            "this is a shallow clone and it hides the history the check needs (no merge base)",
            hint="fetch the full history: `git fetch --unshallow` (actions/checkout: fetch-depth: 0)",
        )
