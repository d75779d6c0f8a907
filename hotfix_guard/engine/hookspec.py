"""What a plugin implements: the hook specification, and the marker that says so.

A plugin module marks its hook function with :data:`hookimpl` (public as
``hotfix_guard.plugins.hookimpl``)::

    @hookimpl
    def hotfix_guard_register_rules(register):
        register(NoFridayHotfix)

:class:`HookimplMarker` marks a function exactly as ``pluggy.HookimplMarker("hotfix_guard")``
does -- the same attribute with the same options (tests/test_plugins.py holds the two
together) -- so pluggy reads the mark as its own, and the built-in rules can be loaded
without importing pluggy (a device kept for its measured cost: docs/architecture.md).
The specification itself needs pluggy, so :func:`specs` makes it on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from hotfix_guard.engine.rule import Rule

PROJECT = "hotfix_guard"
HOOK = "hotfix_guard_register_rules"


class HookimplMarker:
    """``pluggy.HookimplMarker(PROJECT)`` without importing pluggy: it sets the same
    attribute (``hotfix_guard_impl``, a dict of the same options) that pluggy's marker
    sets and its PluginManager reads."""

    def __init__(self, project_name: str) -> None:
        self.project_name = project_name

    def __call__(self, function: Any = None, hookwrapper: bool = False, optionalhook: bool = False,
                 tryfirst: bool = False, trylast: bool = False, specname: str | None = None,
                 wrapper: bool = False) -> Any:
        def mark(func: Any) -> Any:
            setattr(func, self.project_name + "_impl", {
                "wrapper": wrapper, "hookwrapper": hookwrapper, "optionalhook": optionalhook,
                "tryfirst": tryfirst, "trylast": trylast, "specname": specname})
            return func

        return mark if function is None else mark(function)


hookimpl = HookimplMarker(PROJECT)
_SPECS: list[type] = []


def specs() -> type:
    """The class holding the hook specifications, for ``PluginManager.add_hookspecs``."""
    if not _SPECS:
        import pluggy

        hookspec = pluggy.HookspecMarker(PROJECT)

        class HookSpecs:
            """What a plugin can implement."""

            @hookspec
            def hotfix_guard_register_rules(self, register: Callable[[type[Rule]], None]) -> None:
                """Register rule classes by calling ``register(RuleClass)`` once per rule.

                Each class must subclass :class:`hotfix_guard.rule.Rule` and set ``code``
                (e.g. ``ACME001``: letters then three or four digits, unique across plugins),
                ``name`` (kebab-case, unique), ``summary`` and, as it needs, ``severity``,
                ``stages``, ``branch_kinds``, ``options`` and ``queries``. Called once, before
                any rule runs, so rules can be listed, selected and documented without
                running them.
                """

        _SPECS.append(HookSpecs)
    return _SPECS[0]
