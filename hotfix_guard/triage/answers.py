"""Answers given up front: ``--answers FILE`` (JSON or TOML) and ``--set ID=VALUE``.

Both are checked against the questionnaire: an unknown id or a wrong value is a usage
error (exit 2) naming the id and what is allowed. ``--set`` wins over the file.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from hotfix_guard.errors import UsageError
from hotfix_guard.triage.questions import QUESTIONS, closest_id


def _unknown(qid: str, where: str) -> UsageError:
    close = closest_id(qid)
    hint = f"did you mean `{close}`?" if close else "question ids: " + ", ".join(QUESTIONS)
    return UsageError(f"{where}: unknown question id `{qid}`", hint=hint)


def _read(path: str) -> tuple[str, str]:
    if path == "-":
        return sys.stdin.read(), "-"
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read(), path
    except FileNotFoundError:
        raise UsageError(f"--answers: file not found: {path}", hint="check the path") from None
    except UnicodeDecodeError:
        raise UsageError(f"--answers: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"--answers: cannot read {path}: {exc.strerror}") from None


def _parse(text: str, path: str) -> Any:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".toml":
        return _toml(text, path)
    if ext == ".json":
        return _json(text, path)
    # no telling extension (or stdin): JSON if it looks like it, else TOML
    return _json(text, path) if text.lstrip().startswith("{") else _toml(text, path)


def _json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--answers: {path} is not valid JSON: {exc.msg} (line {exc.lineno})",
                         hint="fix the JSON, or write the answers as TOML") from None


def _toml(text: str, path: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--answers: {path} is not valid TOML: {exc}",
                         hint="fix the TOML, or write the answers as JSON") from None


def load_file(path: str) -> dict[str, Any]:
    text, where = _read(path)
    data = _parse(text, path)
    if not isinstance(data, dict):
        raise UsageError(f"--answers: {where} must hold a table of question id = answer",
                         hint='e.g. {"production_broken": true, "users_affected_percent": 60}')
    answers: dict[str, Any] = {}
    for qid, value in data.items():
        if qid not in QUESTIONS:
            raise _unknown(qid, f"--answers {where}")
        try:
            answers[qid] = QUESTIONS[qid].parse_value(value)
        except ValueError as exc:
            raise UsageError(f"--answers {where}: {exc}") from None
    return answers


def parse_sets(items: list[str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in items:
        qid, sep, raw = item.partition("=")
        qid = qid.strip()
        if not sep or not qid:
            raise UsageError(f"--set {item!r}: expected ID=VALUE",
                             hint="e.g. --set production_broken=yes --set users_affected_percent=60")
        if qid not in QUESTIONS:
            raise _unknown(qid, "--set")
        try:
            answers[qid] = QUESTIONS[qid].parse_text(raw)
        except ValueError as exc:
            raise UsageError(f"--set: {exc}") from None
    return answers
