"""The change's diff, parsed (issue #3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotfix_guard.context import Context


def load_diff(ctx: Context) -> Any:
    raise NotImplementedError("the diff rules are not built yet")
