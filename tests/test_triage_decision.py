"""The decision and the questionnaire, in process: every leaf, the order of the
questions, what is missing, how answers are read."""

from __future__ import annotations

from typing import Any

import pytest

from hotfix_guard.triage.decision import MISSING, Undecided, Verdict, decide, decide_from
from hotfix_guard.triage.questions import DECISION_IDS, QUESTIONS, TEXT_IDS, UNSURE
from triage_helpers import LEAVES, Leaf


def _asking(answers: dict[str, Any]) -> tuple[Verdict | Undecided, list[str]]:
    """Decide as the prompts would: record every question asked, in order."""
    asked: list[str] = []

    def source(qid: str, required: bool) -> Any:
        asked.append(qid)
        return answers.get(qid, MISSING)

    return decide(source), asked


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda leaf: leaf.name)
def test_every_leaf_asks_only_what_its_path_needs(leaf: Leaf) -> None:
    verdict, asked = _asking(leaf.answers)
    assert isinstance(verdict, Verdict), verdict
    assert (verdict.workflow, verdict.severity, verdict.step) == (leaf.workflow, leaf.severity, leaf.step)
    # exactly the questions of the path, in its order (workaround: asked, optional, on the expedited leaf)
    expected = [qid for qid, _ in leaf.asked]
    if leaf.workflow == "expedited-bug-fix" and "workaround_exists" not in expected:
        expected.append("workaround_exists")
    assert asked == expected


def test_security_or_data_loss_wins_whatever_else_is_answered() -> None:
    answers = {"feature_request": False, "security_breach": False, "data_loss": True,
               "production_broken": False, "users_affected_percent": 0}
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert (verdict.workflow, verdict.severity) == ("hotfix", "critical")
    assert verdict.reasons == ("data is being corrupted or lost",)


def test_feature_request_wins_over_everything() -> None:
    answers = {q: True for q in DECISION_IDS if QUESTIONS[q].kind == "bool"}
    answers["users_affected_percent"] = 100
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert (verdict.workflow, verdict.severity, verdict.step) == ("bug-fix", "low", 1)


@pytest.mark.parametrize(
    "share, workflow, severity",
    [(0, "bug-fix", "medium"), (9, "bug-fix", "medium"), (10, "expedited-bug-fix", "high"),
     (50, "expedited-bug-fix", "high"), (51, "hotfix", "critical"), (100, "hotfix", "critical")],
)
def test_share_of_users_thresholds_when_broken(share: int, workflow: str, severity: str) -> None:
    answers = {"feature_request": False, "security_breach": False, "data_loss": False,
               "production_broken": True, "core_features_unusable": False,
               "business_critical_broken": False, "users_affected_percent": share}
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert (verdict.workflow, verdict.severity) == (workflow, severity)


def test_reasons_say_each_deciding_answer_in_words() -> None:
    answers = {"feature_request": False, "security_breach": False, "data_loss": False,
               "production_broken": True, "core_features_unusable": False,
               "business_critical_broken": False, "users_affected_percent": 30,
               "workaround_exists": True}
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert verdict.reasons == (
        "production is broken right now",
        "users can still use the core features",
        "no critical business function is broken",
        "30% of users are affected: between 10% and 50%",
        "a workaround exists: users can get by until the fix ships",
    )


def test_unsure_counts_as_no_and_the_reasons_say_so() -> None:
    answers = {"feature_request": UNSURE, "security_breach": UNSURE, "data_loss": UNSURE,
               "production_broken": UNSURE, "users_affected_percent": 40}
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert (verdict.workflow, verdict.severity, verdict.step) == ("bug-fix", "medium", 3)
    assert verdict.unsure == ("feature_request", "security_breach", "data_loss", "production_broken")
    assert verdict.reasons[0] == "unsure whether it is a feature request or a non-critical UI issue: counted as no"
    assert "unsure whether production is broken right now: counted as no" in verdict.reasons
    assert sum("counted as no" in r for r in verdict.reasons) == 4


def test_unsure_share_counts_as_under_ten_percent() -> None:
    answers = {"feature_request": False, "security_breach": False, "data_loss": False,
               "production_broken": False, "users_affected_percent": UNSURE}
    verdict = decide_from(answers)
    assert isinstance(verdict, Verdict)
    assert verdict.severity == "low"
    assert "unsure what share of users is affected: counted as under 10%" in verdict.reasons


def test_the_workaround_never_changes_the_verdict() -> None:
    base = {"feature_request": False, "security_breach": False, "data_loss": False,
            "production_broken": True, "core_features_unusable": False, "business_critical_broken": False}
    for share in (5, 30, 80):
        outcomes = {
            (v.workflow, v.severity)
            for w in (True, False, UNSURE, None)
            for v in [decide_from({**base, "users_affected_percent": share,
                                   **({} if w is None else {"workaround_exists": w})})]
            if isinstance(v, Verdict)
        }
        assert len(outcomes) == 1, (share, outcomes)


# -- missing answers ----------------------------------------------------------------

def test_nothing_answered_names_every_question_some_path_needs() -> None:
    result = decide_from({})
    assert isinstance(result, Undecided)
    assert result.missing == ("feature_request", "security_breach", "data_loss", "production_broken",
                              "users_affected_percent", "core_features_unusable", "business_critical_broken")
    assert "workaround_exists" not in result.missing  # optional: never "missing"
    assert not set(result.missing) & set(TEXT_IDS)


@pytest.mark.parametrize(
    "answers, missing",
    [
        # business critical decides step 4 whatever core features says; but production
        # unknown leaves step 3 open, which needs the share of users
        ({"feature_request": False, "security_breach": False, "data_loss": False,
          "business_critical_broken": True}, ("production_broken", "users_affected_percent")),
        # a security breach decides, unless it is a feature request
        ({"security_breach": True}, ("feature_request",)),
        ({"feature_request": False, "security_breach": False, "data_loss": False,
          "production_broken": False}, ("users_affected_percent",)),
        ({"feature_request": False, "security_breach": False, "data_loss": False,
          "production_broken": True, "users_affected_percent": 60}, ()),
        ({"feature_request": False, "security_breach": False, "data_loss": False,
          "production_broken": True, "users_affected_percent": 20},
         ("core_features_unusable", "business_critical_broken")),
    ],
)
def test_only_the_answers_still_needed_are_missing(answers: dict[str, Any], missing: tuple[str, ...]) -> None:
    result = decide_from(answers)
    if not missing:
        assert isinstance(result, Verdict)
    else:
        assert result == Undecided(missing)


def test_a_given_answer_the_path_does_not_need_is_not_asked_for() -> None:
    verdict, asked = _asking({"feature_request": True, "production_broken": True})
    assert isinstance(verdict, Verdict) and asked == ["feature_request"]


# -- reading answers ------------------------------------------------------------------

@pytest.mark.parametrize("raw, value", [
    ("yes", True), ("Y", True), ("true", True), (" no ", False), ("n", False), ("FALSE", False),
    ("unsure", UNSURE), ("not sure", UNSURE), ("don't know", UNSURE), ("?", UNSURE),
])
def test_yes_no_unsure_words(raw: str, value: Any) -> None:
    assert QUESTIONS["data_loss"].parse_text(raw) == value


@pytest.mark.parametrize("raw", ["maybe", "", "1", "yes please", "2"])
def test_bad_yes_no_answers_name_the_id_and_what_is_allowed(raw: str) -> None:
    with pytest.raises(ValueError) as info:
        QUESTIONS["data_loss"].parse_text(raw)
    assert "data_loss" in str(info.value) and "yes, no or unsure" in str(info.value)


@pytest.mark.parametrize("raw, value", [("0", 0), ("100", 100), ("42%", 42), (" 7 ", 7), ("unsure", UNSURE)])
def test_percent_answers(raw: str, value: Any) -> None:
    assert QUESTIONS["users_affected_percent"].parse_text(raw) == value


@pytest.mark.parametrize("raw", ["140", "-1", "ten", "12.5", "yes"])
def test_bad_percent_answers(raw: str) -> None:
    with pytest.raises(ValueError) as info:
        QUESTIONS["users_affected_percent"].parse_text(raw)
    assert "users_affected_percent" in str(info.value) and "0 to 100" in str(info.value)


@pytest.mark.parametrize("value", [140, -3, 12.5, True, None, [1]])
def test_bad_typed_percent_answers(value: Any) -> None:
    with pytest.raises(ValueError):
        QUESTIONS["users_affected_percent"].parse_value(value)


def test_typed_answers() -> None:
    assert QUESTIONS["data_loss"].parse_value(True) is True
    assert QUESTIONS["data_loss"].parse_value("unsure") == UNSURE
    assert QUESTIONS["users_affected_percent"].parse_value(30.0) == 30
    with pytest.raises(ValueError):
        QUESTIONS["data_loss"].parse_value(1)
    import datetime

    assert QUESTIONS["detected"].parse_value(datetime.time(14, 30)) == "14:30:00"


def test_question_ids_are_the_spec_ones() -> None:
    assert set(QUESTIONS) == {
        "production_broken", "core_features_unusable", "data_loss", "security_breach",
        "business_critical_broken", "users_affected_percent", "workaround_exists", "feature_request",
        "title", "impact", "detected", "incident_lead", "eta",
    }
