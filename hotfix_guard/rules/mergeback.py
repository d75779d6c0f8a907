"""Rules of issue #5 (not built yet)."""

from __future__ import annotations

from typing import Callable

from hotfix_guard.plugins import hookimpl
from hotfix_guard.rule import Rule


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    pass
