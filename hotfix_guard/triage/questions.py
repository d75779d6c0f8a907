"""The questionnaire, as data: one definition for the prompts, ``--answers`` and ``--set``.

The ids are stable (SPEC §6): they are the keys of ``--answers FILE`` and ``--set``. Each
question knows how to read an answer from text (a prompt, ``--set``) or from a parsed
JSON/TOML value, and how to say the answer back in words for the verdict's reasons.

The seed's rule of thumb, "if you're unsure whether it's a hotfix, it's probably a
regular bug fix", is built in: every yes/no question (and the share of users) accepts
``unsure``, which the decision counts as no and the reasons say so.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

UNSURE = "unsure"

YES_WORDS = frozenset({"yes", "y", "true"})
NO_WORDS = frozenset({"no", "n", "false"})
UNSURE_WORDS = frozenset({"unsure", "u", "not sure", "dont know", "don't know", "unknown", "?"})

RULE_OF_THUMB = "if you're unsure whether it's a hotfix, it's probably a regular bug fix"


class Question(NamedTuple):
    id: str
    text: str  # the question, as asked
    kind: str  # "bool" | "percent" | "text"
    help: str = ""  # one line shown under the question when prompting
    yes: str = ""  # bool: the answer "yes", in words
    no: str = ""  # bool: the answer "no", in words
    unsure: str = ""  # bool/percent: "unsure whether ...", in words
    placeholder: str = ""  # text: what the seed's template shows when it is not given

    @property
    def allowed(self) -> str:
        if self.kind == "bool":
            return "yes, no or unsure"
        if self.kind == "percent":
            return "a whole number from 0 to 100, or unsure"
        return "any text"

    @property
    def choices(self) -> str:
        """The short form shown in a prompt."""
        if self.kind == "bool":
            return "yes/no/unsure"
        if self.kind == "percent":
            return "0-100/unsure"
        return "Enter to skip"

    def parse_text(self, raw: str) -> Any:
        """An answer typed at a prompt or given to ``--set``. Raises ValueError."""
        text = raw.strip()
        if self.kind == "text":
            return text
        word = " ".join(text.lower().replace("’", "'").split())
        if word in UNSURE_WORDS:
            return UNSURE
        if self.kind == "bool":
            if word in YES_WORDS:
                return True
            if word in NO_WORDS:
                return False
            raise ValueError(f"{self.id}: {_show(raw)} is not an answer; expected {self.allowed}")
        number = word.removesuffix("%").strip()
        try:
            value = int(number)
        except ValueError:
            raise ValueError(f"{self.id}: {_show(raw)} is not a number; expected {self.allowed}") from None
        return self._check_percent(value, raw)

    def parse_value(self, value: Any) -> Any:
        """An answer from a JSON or TOML file (already typed). Raises ValueError."""
        if isinstance(value, str):
            return self.parse_text(value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"{self.id}: {_show(value)} is not an answer; expected {self.allowed}")
        if self.kind == "percent":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{self.id}: {_show(value)} is not a number; expected {self.allowed}")
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{self.id}: {value} is not a whole number; expected {self.allowed}")
            return self._check_percent(int(value), value)
        # text: TOML may hand us a date or a time for `detected`; numbers read as text too
        if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
            return value.isoformat()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{self.id}: expected text, got {_show(value)}")

    def _check_percent(self, value: int, raw: Any) -> int:
        if not 0 <= value <= 100:
            raise ValueError(f"{self.id}: {_show(raw)} is out of range; expected {self.allowed}")
        return value

    def says(self, answer: Any) -> str:
        """A yes/no answer in words (the reasons of the verdict)."""
        if answer == UNSURE:
            return f"{self.unsure}: counted as no"
        return self.yes if answer is True else self.no


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."


QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question(
            "feature_request",
            "Is this a feature request or a non-critical UI issue?",
            "bool",
            help="Feature requests, even urgent ones, and non-critical UI issues are never hotfixes.",
            yes="it is a feature request or a non-critical UI issue: not a hotfix, even when urgent",
            no="it is not a feature request or a non-critical UI issue",
            unsure="unsure whether it is a feature request or a non-critical UI issue",
        ),
        Question(
            "security_breach",
            "Is a security vulnerability being actively exploited?",
            "bool",
            help="An exploit in progress, not a vulnerability found in review.",
            yes="a security vulnerability is being actively exploited",
            no="no security vulnerability is being actively exploited",
            unsure="unsure whether a security vulnerability is being actively exploited",
        ),
        Question(
            "data_loss",
            "Is data being corrupted or lost?",
            "bool",
            help="Right now, in production.",
            yes="data is being corrupted or lost",
            no="no data is being corrupted or lost",
            unsure="unsure whether data is being corrupted or lost",
        ),
        Question(
            "production_broken",
            "Is production broken right now?",
            "bool",
            help="Users see the failure in production today, not in staging or in a test.",
            yes="production is broken right now",
            no="production is not broken right now",
            unsure="unsure whether production is broken right now",
        ),
        Question(
            "core_features_unusable",
            "Are users unable to use core features?",
            "bool",
            yes="users cannot use core features",
            no="users can still use the core features",
            unsure="unsure whether users can use the core features",
        ),
        Question(
            "business_critical_broken",
            "Is a critical business function (e.g. payments) broken?",
            "bool",
            yes="a critical business function (e.g. payments) is broken",
            no="no critical business function is broken",
            unsure="unsure whether a critical business function is broken",
        ),
        Question(
            "users_affected_percent",
            "What share of users is affected (0-100)?",
            "percent",
            help="A percentage; a rough estimate is fine.",
            unsure="unsure what share of users is affected",
        ),
        Question(
            "workaround_exists",
            "Is there a workaround?",
            "bool",
            help="It does not change the verdict; it tells you what to tell users meanwhile.",
            yes="a workaround exists: users can get by until the fix ships",
            no="no workaround is known: the affected users are stuck until the fix ships",
            unsure="unsure whether a workaround exists",
        ),
        Question("title", "Title: the issue in a few words", "text",
                 help="It names the branch and the incident record.", placeholder="[Brief description]"),
        Question("impact", "Impact: who is affected, and how?", "text",
                 placeholder="[Who is affected and how]"),
        Question("detected", "Detected: when (e.g. 14:30 UTC)?", "text", placeholder="[Time]"),
        Question("incident_lead", "Incident lead: who runs the response?", "text",
                 placeholder="[Your name]"),
        Question("eta", "ETA: when do you expect the fix?", "text", placeholder="[Expected fix time]"),
    )
}

DECISION_IDS = tuple(q.id for q in QUESTIONS.values() if q.kind != "text")
TEXT_IDS = tuple(q.id for q in QUESTIONS.values() if q.kind == "text")


def question(qid: str) -> Question:
    return QUESTIONS[qid]


def closest_id(word: str) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(QUESTIONS), n=1, cutoff=0.6)
    return match[0] if match else None
