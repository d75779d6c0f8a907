"""The public API for rule authors: :class:`Rule`, :class:`Option`, :class:`Finding`.

A rule is a small class: a code, a name, a default severity, the stages and branch
kinds it applies to, typed options, its documentation (the class docstring, in fixed
Markdown sections), and one method, :meth:`Rule.check`, that yields findings::

    class NoFridayHotfix(Rule):
        '''
        ## What it does
        ...
        '''
        code = "ACME001"
        name = "no-friday-hotfix"
        summary = "Hotfixes are not started on Fridays"
        severity = "warning"
        options = (Option("weekday", int, 4, "0 is Monday"),)

        def check(self, ctx):
            if ...:
                yield self.finding("started on a Friday", help="wait for Monday")

Rules are registered through the ``hotfix_guard_register_rules`` hook
(:mod:`hotfix_guard.engine.plugins`).
"""

from __future__ import annotations

import re
from collections import namedtuple

from hotfix_guard.errors import Skip  # noqa: F401  (part of the rule API)
from hotfix_guard.targets.target import STAGES as _STAGE_ORDER

# Not typing's, nor dataclasses: both cost milliseconds on every hotfix check (dataclasses
# imports inspect); a namedtuple gives the same frozen value objects for free.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Iterable, Iterator

    from hotfix_guard.engine.context import Context

SEVERITIES = ("error", "warning")
STAGES = frozenset(_STAGE_ORDER)
BRANCH_KINDS = frozenset({"hotfix", "production", "development"})
CODE_RE = re.compile(r"[A-Z]{1,6}[0-9]{3,4}")
NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
DOC_SECTIONS = ("What it does", "Why", "Example", "How to fix")
# What the rule means under each workflow preset (docs/workflows.md): every built-in rule
# has one; a plugin's page shows it when its docstring has it.
WORKFLOWS_SECTION = "Workflows"


class Finding(namedtuple(
    "Finding",
    "code name severity message path line ref help suppressed suppression_reason suppression_source locations",
    defaults=(None, None, None, None, False, None, None, ()),
)):
    """One problem, immutable. ``path``/``line`` are None for branch-level findings.

    Fields: ``code``, ``name``, ``severity``, ``message``, then optional ``path``,
    ``line``, ``ref``, ``help``, ``suppressed``, ``suppression_reason``,
    ``suppression_source`` (``"comment"``, ``"trailer"`` or ``"config"``) and
    ``locations``: for a finding that stands for several occurrences (HG007 groups them
    per file and kind), each one as a :class:`Location`; empty otherwise. ``path`` and
    ``line`` are then the first of them.
    """

    __slots__ = ()

    def suppress(self, reason: str, source: str) -> Finding:
        return self._replace(suppressed=True, suppression_reason=reason, suppression_source=source)

    @property
    def location(self) -> str:
        if self.path is None:
            return "branch"
        return f"{self.path}:{self.line}" if self.line else self.path

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path is not None, self.path or "", self.line or 0, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "ref": self.ref,
            "help": self.help,
            "suppressed": self.suppressed,
            "suppression": (
                {"reason": self.suppression_reason, "source": self.suppression_source}
                if self.suppressed
                else None
            ),
            "locations": [loc._asdict() for loc in self.locations],
        }


class Location(namedtuple("Location", "path line end_line message", defaults=(None, None))):
    """One occurrence of a grouped finding: ``path``, ``line``, and optionally the last
    line it covers (``end_line``) and what it is (``message``)."""

    __slots__ = ()


_TYPES = {int: "an integer", str: "a string", bool: "a boolean", list: "a list of strings",
          float: "a number"}


class Option(namedtuple("Option", "name type default help regex", defaults=(False,))):
    """A typed rule option, set in ``[tool.hotfix-guard.rules.<rule-name>]``:
    ``Option(name, type, default, help, regex=False)``; ``regex`` for a str option that
    must compile as a regular expression that cannot match an empty string."""

    __slots__ = ()

    @property
    def expected(self) -> str:
        return "a regular expression" if self.regex else _TYPES.get(self.type, self.type.__name__)

    def validate(self, value: Any, where: str) -> Any:
        """The value, checked; a ConfigError naming ``where`` (file, rule, option) if wrong."""
        from hotfix_guard.errors import ConfigError

        ok = isinstance(value, self.type) and not (self.type is int and isinstance(value, bool))
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if self.type is list:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not ok:
            raise ConfigError(
                f"{where}: expected {self.expected}, got {type(value).__name__} ({value!r})",
                hint=f"`hotfix-guard explain` on the rule lists its options",
            )
        if self.type is int and value < 0:
            raise ConfigError(f"{where}: expected a non-negative integer, got {value}")
        if self.regex:  # it must compile, and must not match an empty string anywhere
            from hotfix_guard.patterns import check_pattern

            check_pattern(value, where, hint="`hotfix-guard explain` on the rule lists its options")
        return tuple(value) if self.type is list else value


class Rule:
    """Base class of every rule. Subclasses set the class attributes and :meth:`check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[str] = "error"
    stages: ClassVar[frozenset[str]] = STAGES
    branch_kinds: ClassVar[frozenset[str]] = frozenset({"hotfix"})
    options: ClassVar[tuple[Option, ...]] = ()
    # What check() will ask of the repository, so the check can start those git queries
    # early and side by side: "commits" (ctx.commits), "first-parent" (development's own
    # line), "development" (its commits beyond production: ctx.origin), "tags"
    # (ctx.latest_release), "diff" (ctx.diff). A hint for speed only.
    queries: ClassVar[frozenset[str]] = frozenset()
    plugin: ClassVar[str] = "?"  # set on registration: the plugin that brought the rule

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        values = {opt.name: opt.default for opt in self.options}
        values.update(options or {})
        self.config = values

    def check(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        ref: str | None = None,
        help: str | None = None,
        severity: str | None = None,
        locations: Iterable[Location] = (),
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            path=path,
            line=line,
            ref=ref,
            help=help,
            locations=tuple(locations),
        )

    @classmethod
    def applies(cls, stage: str, kind: str) -> bool:
        return stage in cls.stages and kind in cls.branch_kinds

    # -- documentation -----------------------------------------------------------

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The class docstring's ``## Section`` blocks, by title."""
        import textwrap

        text = textwrap.dedent(cls.__doc__ or "").strip("\n")
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in text.splitlines():
            if line.startswith("## "):
                if current:
                    sections[current] = "\n".join(lines).strip("\n")
                current, lines = line[3:].strip(), []
            elif current:
                lines.append(line)
        if current:
            sections[current] = "\n".join(lines).strip("\n")
        return sections

    @classmethod
    def documentation(cls) -> str:
        """The rule's whole page, in Markdown: ``hotfix-guard explain`` and docs/rules/."""
        sections = cls.doc_sections()
        kinds = ", ".join(sorted(cls.branch_kinds))
        stages = ", ".join(s for s in ("pre-commit", "pre-push", "ci", "manual") if s in cls.stages)
        out = [
            f"# {cls.code} {cls.name}",
            "",
            f"{cls.summary}.",
            "",
            f"- Default severity: **{cls.severity}**",
            f"- Runs on: {kinds} branches; stages: {stages}",
            f"- Plugin: `{cls.plugin}`",
            "",
        ]
        for title in DOC_SECTIONS:
            out += [f"## {title}", "", sections.get(title, "(not documented)"), ""]
        if sections.get(WORKFLOWS_SECTION):
            out += [f"## {WORKFLOWS_SECTION}", "", sections[WORKFLOWS_SECTION], "",
                    "See [docs/workflows.md](../workflows.md) for each preset.", ""]
        out += ["## Options", ""]
        if cls.options:
            out += ["| option | type | default | meaning |", "|---|---|---|---|"]
            for opt in cls.options:
                default = _toml_value(opt.default)
                out.append(f"| `{opt.name}` | {opt.expected} | `{default}` | {opt.help} |")
            out += ["", "Set them in config:", "", "```toml",
                    f"[tool.hotfix-guard.rules.{cls.name}]"]
            out += [f"{opt.name} = {_toml_value(opt.default)}" for opt in cls.options]
            out += ["```", ""]
        else:
            out += ["This rule has no options.", ""]
        extra = sections.get("Options")
        if extra:
            out += [extra, ""]
        out += [
            "## How to suppress",
            "",
            "Always with a reason, which the report keeps:",
            "",
            f"- on an added line, or the line above it: `# hotfix-guard: ignore[{cls.code}] <reason>`",
            f"- in a commit message of the change, as a trailer: `Hotfix-Guard-Ignore: {cls.code} <reason>`",
            f'- for files, in config: `per-file-ignores = {{ "docs/**" = ["{cls.code}"] }}`',
            f'- everywhere, in config: `ignore = ["{cls.code}"]` (or `--ignore {cls.code}`)',
            "",
        ]
        return "\n".join(out).rstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


class RuleSet:
    """Registered rule classes, by code, in registration order."""

    def __init__(self, rules: dict[str, type[Rule]] | None = None) -> None:
        self.rules: dict[str, type[Rule]] = dict(rules or {})

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(sorted(self.rules.values(), key=lambda r: r.code))

    def by_name_or_code(self, key: str) -> type[Rule] | None:
        key_up = key.upper()
        if key_up in self.rules:
            return self.rules[key_up]
        for rule in self.rules.values():
            if rule.name == key.lower():
                return rule
        return None
