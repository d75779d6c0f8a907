"""Suppressions: inline comments, commit trailers, per-file-ignores (issue #3 fills this in)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotfix_guard.context import Context
    from hotfix_guard.rule import Finding


def apply_suppressions(ctx: Context, findings: list[Finding]) -> list[Finding]:
    return findings
