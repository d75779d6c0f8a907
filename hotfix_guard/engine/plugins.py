"""The plugin manager: hook specifications, built-in rules, third-party plugins.

Built-in rules are ordinary plugins, registered from :data:`BUILTIN_PLUGINS` through the
same hook as third-party ones, which come from the ``hotfix_guard`` entry-point group.
Set ``HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD=1`` to load the built-ins only.

A third-party package declares, in its ``pyproject.toml``::

    [project.entry-points.hotfix_guard]
    acme = "acme_hotfix_rules"

and its module implements the hook::

    from hotfix_guard.plugins import hookimpl

    @hookimpl
    def hotfix_guard_register_rules(register):
        register(NoFridayHotfix)

The hook specification and the marker are in :mod:`hotfix_guard.engine.hookspec`.

How it stays cheap (two devices, measured in docs/architecture.md): pluggy is imported
only when there is a plugin besides the built-ins; then the built-ins are registered
with pluggy like any other plugin, and every rule comes through pluggy's hook. With the
built-ins alone, their (identically marked) hook functions are called directly. And the
``hotfix_guard`` entry-point group is looked for in the ``entry_points.txt`` files of
the installed distributions directly: importlib.metadata runs only when one of them
declares the group.
"""

from __future__ import annotations

import os
import sys

from hotfix_guard.engine.hookspec import HOOK, PROJECT, hookimpl, specs  # noqa: F401  (hookimpl: public)
from hotfix_guard.errors import ConfigError, PluginError
from hotfix_guard.engine.rule import CODE_RE, NAME_RE, SEVERITIES, STAGES, Rule, RuleSet

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    import pluggy

ENTRY_POINT_GROUP = "hotfix_guard"
AUTOLOAD_ENV = "HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD"
BUILTIN_PLUGINS = (
    "hotfix_guard.rules.internal",
    "hotfix_guard.rules.branch",
    "hotfix_guard.rules.diff",
    "hotfix_guard.rules.mergeback",
)


def entry_points_declared(group: str = ENTRY_POINT_GROUP) -> bool:
    """Whether an installed distribution may declare entry points in ``group``.

    Reads the ``entry_points.txt`` of each ``*.dist-info``/``*.egg-info`` directory on
    sys.path, where importlib.metadata finds them, and looks for the ``[group]`` line.
    When it cannot tell (a zip file on sys.path, a finder of its own that provides
    distributions) it answers yes, and importlib.metadata decides.
    """
    for finder in sys.meta_path:
        if hasattr(finder, "find_distributions") and getattr(finder, "__module__", "") not in (
                "_frozen_importlib_external", "importlib._bootstrap_external", "importlib.machinery"):
            return True
    needle = group.encode()
    for entry in sys.path:
        root = entry or "."
        try:
            names = os.listdir(root)
        except OSError:
            if os.path.isfile(root):
                return True  # a zip: importlib.metadata looks inside
            continue
        is_egg = root.lower().endswith(".egg")
        for name in names:
            low = name.lower()
            if not (low.endswith((".dist-info", ".egg-info")) or (is_egg and low == "egg-info")):
                continue
            try:
                with open(os.path.join(root, name, "entry_points.txt"), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if needle in data and any(
                    line.startswith("[") and line.endswith("]") and line.strip("[]") == group
                    for line in map(str.strip, data.decode("utf-8", "replace").splitlines())):
                return True
    return False


class Plugins:
    """The loaded plugins and the rules they registered."""

    def __init__(self, *, autoload: bool | None = None, extra: tuple[Any, ...] = ()) -> None:
        self._dists: dict[str, str] = {}  # plugin name -> "distribution version"
        self._pm: pluggy.PluginManager | None = None
        self._builtins = [(name, __import__(name, fromlist=["_"])) for name in BUILTIN_PLUGINS]
        if autoload is None:
            autoload = not os.environ.get(AUTOLOAD_ENV)
        if autoload and entry_points_declared():
            self._load_entry_points()
        for plugin in extra:  # in-process plugins (tests, embedding)
            self.pm.register(plugin)
        self.rules = RuleSet()
        self._collect()

    @property
    def pm(self) -> pluggy.PluginManager:
        """The pluggy PluginManager, with the built-ins registered: made on first use."""
        if self._pm is None:
            import pluggy

            pm = pluggy.PluginManager(PROJECT)
            pm.add_hookspecs(specs())
            for name, module in self._builtins:
                pm.register(module, name=name)
            self._pm = pm
        return self._pm

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if self.pm.get_plugin(ep.name) is not None or self.pm.is_blocked(ep.name):
                continue
            dist = getattr(ep, "dist", None)
            dist_name = f"{dist.name} {dist.version}" if dist is not None else ep.value
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as exc:  # a plugin's import may raise anything, even sys.exit()
                raise PluginError(
                    f"plugin '{ep.name}' from {dist_name} failed to load: {type(exc).__name__}: {exc}",
                    hint=f"fix or uninstall {dist_name.split()[0]}, or set {AUTOLOAD_ENV}=1 to skip plugins",
                ) from None
            self.pm.register(plugin, name=ep.name)
            self._dists[ep.name] = dist_name

    def plugin_label(self, plugin: object) -> str:
        if self._pm is None:
            name = next((n for n, m in self._builtins if m is plugin), None) or repr(plugin)
        else:
            name = self._pm.get_name(plugin) or repr(plugin)
        dist = self._dists.get(name)
        return f"{name} ({dist})" if dist else name

    def _hook_functions(self) -> list[tuple[object, Callable[..., Any]]]:
        """(plugin, hook function), in pluggy's order. With the built-ins alone, straight
        from the modules: each marked ``hotfix_guard_register_rules``, in order."""
        if self._pm is None:
            found = []
            for _, module in self._builtins:
                function = getattr(module, HOOK, None)
                if callable(function) and isinstance(getattr(function, PROJECT + "_impl", None), dict):
                    found.append((module, function))
            return found
        return [(impl.plugin, impl.function) for impl in self._pm.hook.hotfix_guard_register_rules.get_hookimpls()]

    def _collect(self) -> None:
        for plugin, function in self._hook_functions():
            label = self.plugin_label(plugin)

            def register(rule: type[Rule], _label: str = label) -> None:
                self._register(rule, _label)

            try:
                function(register=register)
            except PluginError:
                raise
            except (Exception, SystemExit) as exc:
                raise PluginError(
                    f"plugin '{label}' failed while registering rules: {type(exc).__name__}: {exc}"
                ) from None

    def _register(self, rule: Any, label: str) -> None:
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            raise PluginError(f"plugin '{label}' registered {rule!r}, which is not a Rule subclass")
        code, name = getattr(rule, "code", None), getattr(rule, "name", None)
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise PluginError(f"plugin '{label}': rule {rule.__name__} has an invalid code {code!r}",
                              hint="a code is 1-6 capital letters and 3-4 digits, e.g. ACME001")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise PluginError(f"plugin '{label}': rule {code} has an invalid name {name!r}",
                              hint="a name is lowercase kebab-case")
        if rule.severity not in SEVERITIES or not set(rule.stages) <= STAGES:
            raise PluginError(f"plugin '{label}': rule {code} has an invalid severity or stage")
        if not getattr(rule, "summary", None):
            raise PluginError(f"plugin '{label}': rule {code} has no summary")
        if code in self.rules.rules:
            other = self.rules.rules[code]
            raise PluginError(
                f"rule code {code} is claimed twice: by '{other.plugin}' ({other.name}) and '{label}' ({name})",
                hint="uninstall one of the two plugins",
            )
        for other in self.rules.rules.values():
            if other.name == name:
                raise PluginError(f"rule name '{name}' is claimed twice: by {other.code} ('{other.plugin}') "
                                  f"and {code} ('{label}')")
        rule.plugin = label
        self.rules.rules[code] = rule

    def validate_options(self, settings: Any) -> dict[str, dict[str, Any]]:
        """Check ``[rules.<name>]`` tables against the rules' options: values by rule code."""
        by_name = {r.name: r for r in self.rules}
        prefix = "tool.hotfix-guard." if settings.path and settings.path.endswith("pyproject.toml") else ""
        where_file = os.path.basename(settings.path) if settings.path else "config"
        for name in settings.rules:
            if name not in by_name:
                rule = self.rules.by_name_or_code(name)
                hint = f"use the rule's name: [{prefix}rules.{rule.name}]" if rule else "run `hotfix-guard rules`"
                raise ConfigError(f"{where_file}: [{prefix}rules.{name}]: no rule is named '{name}'", hint=hint)
        values: dict[str, dict[str, Any]] = {}
        for rule in self.rules:
            given = settings.rule_options(rule.name)
            known = {opt.name: opt for opt in rule.options}
            for key in given:
                if key not in known:
                    allowed = ", ".join(known) or "none"
                    raise ConfigError(
                        f"{where_file}: [{prefix}rules.{rule.name}]: unknown option `{key}` (options: {allowed})"
                    )
            values[rule.code] = {
                key: known[key].validate(value, f"{where_file}: [{prefix}rules.{rule.name}] {key}")
                for key, value in given.items()
            }
        return values
