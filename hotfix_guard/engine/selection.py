"""Rule selection as ruff does it: ``select``, ``extend-select``, ``ignore``.

A selector is a code (``HG004``), a code prefix (``HG00``, ``HG``), a rule name
(``diff-size``) or ``ALL``. For each rule the most specific matching selector wins, so
``select = ["HG"]`` with ``ignore = ["HG004"]`` turns one rule off, and
``ignore = ["HG00"]`` with ``extend-select = ["HG004"]`` keeps that one on.
"""

from __future__ import annotations



from hotfix_guard.errors import UsageError
from hotfix_guard.engine.rule import Rule, RuleSet

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable, Sequence

_NAME_SPECIFICITY = 100  # a name is as specific as a whole code


def _specificity(selector: str, rule: type[Rule]) -> int | None:
    if selector == "ALL":
        return 0
    if selector.lower() == rule.name:
        return _NAME_SPECIFICITY
    if rule.code.startswith(selector.upper()):
        return len(selector) if selector.upper() != rule.code else _NAME_SPECIFICITY
    return None


def check_selectors(selectors: Iterable[str], rules: RuleSet, where: str) -> None:
    for selector in selectors:
        if not any(_specificity(selector, rule) is not None for rule in rules):
            raise UsageError(
                f"unknown rule selector '{selector}' in {where}",
                hint="run `hotfix-guard rules` to see the codes and names",
            )


def select_rules(
    rules: RuleSet,
    select: Sequence[str] | None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    where: dict[str, str] | None = None,
) -> list[type[Rule]]:
    """The enabled rules. ``select=None`` means every registered rule."""
    where = where or {}
    check_selectors(select or (), rules, where.get("select", "select"))
    check_selectors(extend_select, rules, where.get("extend-select", "extend-select"))
    check_selectors(ignore, rules, where.get("ignore", "ignore"))
    chosen = []
    for rule in rules:
        on = [s for s in (_specificity(x, rule) for x in (select if select is not None else ["ALL"])) if s is not None]
        on += [s for s in (_specificity(x, rule) for x in extend_select) if s is not None]
        off = [s for s in (_specificity(x, rule) for x in ignore) if s is not None]
        if on and (not off or max(on) > max(off)):
            chosen.append(rule)
    return chosen
