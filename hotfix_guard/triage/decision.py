"""The decision: the seed's decision tree and severity table, made exact (issue #6).

Evaluated in order; the first step whose condition holds decides:

1. ``feature_request`` yes -> bug-fix, low.
2. ``security_breach`` or ``data_loss`` yes -> hotfix, critical.
3. ``production_broken`` no -> bug-fix; medium when ``users_affected_percent`` >= 10, else low.
4. production broken and any of ``core_features_unusable``, ``business_critical_broken``,
   ``users_affected_percent`` > 50 -> hotfix, critical.
5. production broken otherwise: under 10% of users and no business impact -> bug-fix,
   medium; else expedited-bug-fix, high.

"unsure" counts as no (for the share of users: as below every threshold), as the seed's
rule of thumb says, and the reasons say so.

The decision asks for answers through a *source*, one question at a time and only when
it needs one, so the same code drives every mode: at a prompt the source asks the user
(the path decides what is asked, and in what order); from ``--answers``/``--set`` it
looks the answer up, and a missing one is recorded. Without an answer the walk goes on
along every branch the missing answer leaves open (a three-valued walk), so it names
every answer still needed at once, and none that the given ones make irrelevant.

``workaround_exists`` never changes the verdict (the ordered steps above do not use
it); it is asked on the expedited-bug-fix leaf only, where the seed's HIGH severity
lists it, and reported in the reasons (it decides what users are told meanwhile).
It is optional: not answering it is never "missing".
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from hotfix_guard.triage.questions import QUESTIONS, UNSURE


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# (question id, required) -> the answer, or MISSING
Source = Callable[[str, bool], Any]

WORKFLOWS = ("hotfix", "expedited-bug-fix", "bug-fix")
SEVERITIES = ("critical", "high", "medium", "low")


class Verdict(NamedTuple):
    workflow: str
    severity: str
    reasons: tuple[str, ...]
    step: int  # which step of the decision decided (1-5)
    answers: dict[str, Any]  # every answer the decision consulted, in the order it did
    unsure: tuple[str, ...]  # the consulted answers that were "unsure"


class Undecided(NamedTuple):
    missing: tuple[str, ...]  # every answer still needed, in the order they would be asked


class _Walk:
    """One evaluation: what was consulted, what is missing."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.consulted: dict[str, Any] = {}
        self.missing: list[str] = []

    def answer(self, qid: str, required: bool = True) -> Any:
        if qid in self.consulted:
            return self.consulted[qid]
        value = self.source(qid, required)
        if value is MISSING:
            if required and qid not in self.missing:
                self.missing.append(qid)
            return MISSING
        self.consulted[qid] = value
        return value

    def yes(self, qid: str) -> bool | None:
        """True, False (no or unsure), or None when the answer is missing."""
        value = self.answer(qid)
        return None if value is MISSING else value is True

    def percent(self) -> int | None:
        """The share of users; unsure counts as 0 (below every threshold); None when missing."""
        value = self.answer("users_affected_percent")
        if value is MISSING:
            return None
        return 0 if value == UNSURE else int(value)


def _any(walk: _Walk, *tests: Callable[[], bool | None]) -> bool | None:
    """Three-valued, short-circuit OR: True as soon as one test holds, and then the
    answers missing for the other tests are not needed after all."""
    mark = len(walk.missing)
    unknown = False
    for test in tests:
        value = test()
        if value is True:
            del walk.missing[mark:]
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def _above(value: int | None, limit: int) -> bool | None:
    return None if value is None else value > limit


# An outcome: (workflow, severity, {question id: reason}) or None when an answer is missing.
Outcome = tuple[str, str, dict[str, str]] | None


# Outcomes also run, only to note what they need, when an earlier answer is missing:
# then the words they build are thrown away, and may be about answers not given.

def _says(walk: _Walk, qid: str) -> str:
    return QUESTIONS[qid].says(walk.consulted.get(qid))


def _users(walk: _Walk, text: str) -> str:
    if walk.consulted.get("users_affected_percent") == UNSURE:
        return f"{QUESTIONS['users_affected_percent'].unsure}: counted as under 10%"
    return f"{walk.consulted.get('users_affected_percent')}% of users are affected: {text}"


# -- the steps, in order -----------------------------------------------------------------

def _is_feature_request(walk: _Walk) -> bool | None:
    return walk.yes("feature_request")


def _feature_request(walk: _Walk) -> Outcome:
    return "bug-fix", "low", {"feature_request": _says(walk, "feature_request")}


def _is_emergency(walk: _Walk) -> bool | None:
    return _any(walk, lambda: walk.yes("security_breach"), lambda: walk.yes("data_loss"))


def _emergency(walk: _Walk) -> Outcome:
    reasons = {q: _says(walk, q) for q in ("security_breach", "data_loss") if walk.consulted.get(q) is True}
    return "hotfix", "critical", reasons


def _is_not_broken(walk: _Walk) -> bool | None:
    broken = walk.yes("production_broken")
    return None if broken is None else not broken


def _not_broken(walk: _Walk) -> Outcome:
    share = walk.percent()
    if share is None:
        return None
    reasons = {"production_broken": _says(walk, "production_broken")}
    if share >= 10:
        reasons["users_affected_percent"] = _users(walk, "10% or more, so medium")
        return "bug-fix", "medium", reasons
    reasons["users_affected_percent"] = _users(walk, "under 10%, so low")
    return "bug-fix", "low", reasons


def _is_critical(walk: _Walk) -> bool | None:
    return _any(
        walk,
        lambda: walk.yes("core_features_unusable"),
        lambda: walk.yes("business_critical_broken"),
        lambda: _above(walk.percent(), 50),
    )


def _critical(walk: _Walk) -> Outcome:
    reasons = {"production_broken": _says(walk, "production_broken")}
    for qid in ("core_features_unusable", "business_critical_broken"):
        if walk.consulted.get(qid) is True:
            reasons[qid] = _says(walk, qid)
    share = walk.consulted.get("users_affected_percent")
    if isinstance(share, int) and not isinstance(share, bool) and share > 50:
        reasons["users_affected_percent"] = _users(walk, "more than half of them")
    return "hotfix", "critical", reasons


def _otherwise(walk: _Walk) -> bool | None:
    return True


def _broken_otherwise(walk: _Walk) -> Outcome:
    share = walk.percent()
    if share is None:
        return None
    reasons = {
        "production_broken": _says(walk, "production_broken"),
        "core_features_unusable": _says(walk, "core_features_unusable"),
        "business_critical_broken": _says(walk, "business_critical_broken"),
    }
    # "No business impact": by this step every business-impact question (security,
    # data loss, a critical business function) has been answered no, so the share of
    # users decides.
    if share < 10:
        reasons["users_affected_percent"] = _users(walk, "under 10%, with no business impact")
        return "bug-fix", "medium", reasons
    reasons["users_affected_percent"] = _users(walk, "between 10% and 50%")
    workaround = walk.answer("workaround_exists", required=False)
    if workaround is not MISSING:
        question = QUESTIONS["workaround_exists"]
        reasons["workaround_exists"] = (
            question.unsure + ": tell users there is none yet" if workaround == UNSURE
            else question.says(workaround)
        )
    return "expedited-bug-fix", "high", reasons


class Step(NamedTuple):
    number: int
    condition: Callable[[_Walk], bool | None]
    outcome: Callable[[_Walk], Outcome]


STEPS: tuple[Step, ...] = (
    Step(1, _is_feature_request, _feature_request),
    Step(2, _is_emergency, _emergency),
    Step(3, _is_not_broken, _not_broken),
    Step(4, _is_critical, _critical),
    Step(5, _otherwise, _broken_otherwise),
)


def decide(source: Source) -> Verdict | Undecided:
    """Walk the steps in order, asking ``source`` for the answers the path needs."""
    walk = _Walk(source)
    open_before = False  # an earlier step could not be decided for want of an answer
    for step in STEPS:
        holds = step.condition(walk)
        if holds is None:
            open_before = True
            step.outcome(walk)  # note what its outcome would need too
            continue
        if not holds:
            continue
        if open_before:
            break
        outcome = step.outcome(walk)
        if outcome is None:
            break
        workflow, severity, deciding = outcome
        reasons = []
        for qid, value in walk.consulted.items():
            if qid in deciding:
                reasons.append(deciding[qid])
            elif value == UNSURE:
                reasons.append(QUESTIONS[qid].says(value))
        unsure = tuple(q for q, v in walk.consulted.items() if v == UNSURE)
        return Verdict(workflow, severity, tuple(reasons), step.number, dict(walk.consulted), unsure)
    return Undecided(tuple(walk.missing))


def decide_from(answers: dict[str, Any]) -> Verdict | Undecided:
    """The decision from known answers only (no prompting)."""
    return decide(lambda qid, required: answers.get(qid, MISSING))
