"""Regular expressions from the user's config (``ticket-pattern``): checked at load, and
never able to hang a hook.

At load (:func:`check_pattern`): a pattern must compile, and must not be able to match
an empty string *anywhere*: ``\\b``, ``(?=\\w)`` or ``#?[0-9]*\\b`` match no empty text
on its own, but they match an empty piece of any word, so every TODO would "have a
ticket". The parser's minimum width of the pattern says so exactly (0 for each of them).

At run time (:class:`UserPattern`): Python's ``re`` backtracks, and a pattern such as
``([A-Z]+[A-Z0-9]*)+[-_][0-9]+`` takes exponential time on a comment of capitals. All
the searches of one pattern in one run share a CPU-time budget (:data:`SEARCH_BUDGET`,
an interval timer; the regular-expression engine checks for signals as it goes) -- one
for the run, not one per text, or forty TODOs each just under it would add up to
minutes -- and a pattern that exceeds it is a config error naming the key: exit 2,
never a hang. A linear-time engine
(google-re2) would make the budget unneeded, but it refuses lookarounds and
backreferences, which Python's syntax allows in ticket patterns, adds a compiled
dependency, and its import would cost every hook that reads a TODO. Where the timer is
missing (Windows), searches run unbounded.

Imports nothing but ``re``, on the hotfix path only.
"""

from __future__ import annotations

import re

from hotfix_guard.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: CPU seconds all the searches of one pattern may take in one run: a sane pattern
#: needs microseconds a text
SEARCH_BUDGET = 1.0
#: CPU seconds each pattern has spent so far in this run, by (key, pattern)
_SPENT: dict[tuple[str, str], float] = {}

try:  # the C module, loaded at start-up: `signal` would import enum
    import _signal
except ImportError:  # pragma: no cover
    _signal = None  # type: ignore[assignment]
_TIMER = getattr(_signal, "ITIMER_VIRTUAL", None)
_ALARM = getattr(_signal, "SIGVTALRM", None)


def min_width(compiled: re.Pattern[str]) -> int:
    """The fewest characters a match of the pattern can take (0: it can match empty)."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef]

    return int(sre_parse.parse(compiled.pattern, compiled.flags).getwidth()[0])


def check_pattern(value: str, where: str, hint: str) -> re.Pattern[str]:
    """A user's pattern compiled, or a ConfigError naming ``where`` (file and key)."""
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise ConfigError(f"{where}: not a valid regular expression ({exc})", hint=hint) from None
    if compiled.match("") is not None or min_width(compiled) == 0:
        raise ConfigError(
            f"{where}: {value!r} matches an empty string (here or inside other text: it has "
            f"a zero-width match), so any text would count as a ticket", hint=hint)
    return compiled


class _Runaway(Exception):
    pass


def _stop(signum: int, frame: Any) -> None:
    raise _Runaway


class UserPattern:
    """A user's pattern whose searches cannot run away (see the module's docstring)."""

    def __init__(self, key: str, value: str, where: str) -> None:
        self.key, self.where = key, where
        self.pattern = value
        self.compiled = re.compile(value)

    def search(self, text: str) -> re.Match[str] | None:
        if _TIMER is None or _ALARM is None:  # pragma: no cover - Windows
            return self.compiled.search(text)
        try:
            previous = _signal.signal(_ALARM, _stop)
        except ValueError:  # pragma: no cover - not the main thread: no signal can reach us
            return self.compiled.search(text)
        account = (self.key, self.pattern)
        left = SEARCH_BUDGET - _SPENT.get(account, 0.0)
        try:
            if left <= 0:
                raise _Runaway
            _signal.setitimer(_TIMER, left)
            try:
                return self.compiled.search(text)
            finally:
                remaining, _ = _signal.setitimer(_TIMER, 0)
                _SPENT[account] = SEARCH_BUDGET - remaining
        except _Runaway:
            raise ConfigError(
                f"{self.where}: {self.pattern!r} took more than {SEARCH_BUDGET:g} s of CPU on the "
                f"change's texts (catastrophic backtracking), so it cannot be used in a hook",
                hint="simplify it: no repeated group that itself repeats, such as `([A-Z]+[A-Z0-9]*)+`; "
                     "e.g. \"[A-Z][A-Z0-9]+-[0-9]+\"") from None
        finally:
            _signal.signal(_ALARM, previous)


def ticket_pattern(settings: Any) -> UserPattern:
    """The config's ``ticket-pattern``, bounded."""
    return UserPattern("ticket-pattern", settings.ticket_pattern, settings.where("ticket-pattern"))
