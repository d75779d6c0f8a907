"""HG004 and HG007 on the shapes of real hotfixes that used to be misjudged (issue #15):
each test replays the shape in a real repository and checks what is reported."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import Repo, make_repo, run_cli
from diff_helpers import HOTFIX, active, check, hotfix_repo, messages  # noqa: F401 (check: a fixture)


def released(tmp_path: Path, files: dict[str, str]) -> Repo:
    """main (tag v1.2.3) with ``files``, and the hotfix branch checked out on it."""
    r = make_repo(tmp_path / "repo")
    r.commit("Release 1.2.3", {"README.md": "# service\n", **files})
    r.tag("v1.2.3")
    r.checkout(HOTFIX, new=True)
    return r


# -- 1. a chmod +x of many scripts is not a big change ---------------------------------------


def test_mode_only_changes_count_toward_neither_limit(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    scripts = {f"scripts/s{i}.sh": f"#!/bin/sh\necho {i}\n" for i in range(16)}
    r = released(tmp_path, scripts)
    for name in scripts:
        r.git("update-index", "--chmod=+x", name)
    r.git("commit", "-q", "-m", "Make the deploy scripts executable")
    _, data = check(r, "--select", "HG004")
    assert active(data, "HG004") == [], data["findings"]
    # with a real change among them, only the real change counts
    r.write("app.py", "x = 1\n" * 100)
    r.git("add", "app.py")
    r.git("commit", "-q", "-m", "More")
    [f] = active(check(r, "--select", "HG004")[1], "HG004")
    assert "in 1 file" in f["message"] and "16 mode-only changes" in f["message"], f["message"]


# -- 5. a case-only rename says so ---------------------------------------------------------


def test_a_case_only_rename_says_so(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    body = "def analyze(x):\n    return x\n"
    r = released(tmp_path, {"src/analyzer.py": body, "src/other.py": "y = 1\n"})
    r.git("mv", "src/analyzer.py", "src/Analyzer.py")
    r.git("mv", "src/other.py", "src/helpers.py")
    r.git("commit", "-q", "-m", "Fix the import on case-insensitive file systems")
    _, data = check(r, "--select", "HG007")
    found = {f["path"]: f["message"] for f in active(data, "HG007")}
    assert found["src/Analyzer.py"].startswith("case-only rename: src/analyzer.py → src/Analyzer.py"), found
    assert "case-only" not in found["src/helpers.py"] and found["src/helpers.py"].startswith("file renamed")


# -- 4. a rename with a changed signature --------------------------------------------------


PAYMENTS = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
    "def process_payment(amount, card):\n"
    "    total = amount * 100\n"
    "    logger.info('charging %s', total)\n"
    "    charge_card(card, total)\n"
    "    return total\n\n\n"
    "def refund(amount, card):\n"
    "    return charge_card(card, -amount)\n"
)


def test_a_renamed_function_with_a_new_signature_is_renamed_and_changed(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    after = PAYMENTS.replace("def process_payment(amount, card):", "def handle_payment(amount, card, currency):")
    r = hotfix_repo(tmp_path, {"app/payments.py": PAYMENTS}, {"app/payments.py": after})
    _, data = check(r, "--select", "HG007")
    [message] = messages(data, "HG007")
    assert message == ("function `process_payment` renamed to `handle_payment`, and its signature changed: "
                       "(amount, card) → (amount, card, currency)"), message
    # a plain rename is still only a rename; a body that changed too much is removed + added
    plain = PAYMENTS.replace("def process_payment(", "def handle_payment(")
    r2 = hotfix_repo(tmp_path / "plain", {"app/payments.py": PAYMENTS}, {"app/payments.py": plain})
    assert messages(check(r2, "--select", "HG007")[1], "HG007") == [
        "function `process_payment` renamed to `handle_payment`"]


def test_a_renamed_function_whose_body_uses_the_new_parameter_is_still_renamed(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def process_payment(amount, card):\n    return charge_card(card, amount * 100)\n"
    after = "def handle_payment(amount, card, currency):\n    return charge_card(card, to_cents(amount, currency))\n"
    r = hotfix_repo(tmp_path, {"app/pay.py": before}, {"app/pay.py": after})
    assert messages(check(r, "--select", "HG007")[1], "HG007") == [
        "function `process_payment` renamed to `handle_payment`, and its signature changed: "
        "(amount, card) → (amount, card, currency)"]
    # a new function with other parameters is not taken for the old one renamed
    other = "def refund_payment(order):\n    return charge_card(order.card, order.amount * -100)\n"
    r2 = hotfix_repo(tmp_path / "other", {"app/pay.py": before}, {"app/pay.py": other})
    assert messages(check(r2, "--select", "HG007")[1], "HG007") == ["function `process_payment` removed"]


# -- 2. a block wrapped in place while a line moves above it is not moved code ----------------


BODY = ("entry = lookup(name)\nentry.validate()\ntaxonomies.append(entry.kind)\n"
        "result[name] = taxonomies\nlog.debug('loaded %s', name)\ncount += 1\nseen.add(name)\n")


def _indented(text: str, depth: int) -> str:
    return "".join(" " * depth + line + "\n" for line in text.splitlines())


def test_a_block_wrapped_in_place_while_a_line_moves_above_it_is_not_moved_code(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def load(name):\n" + _indented(BODY, 4) + "    taxonomies = []\n    return result\n"
    after = ("def load(name):\n    taxonomies = []\n    # HOTFIX v1.2.4: only known names\n    if name in KNOWN:\n"
             + _indented(BODY, 8) + "    return result\n")
    r = hotfix_repo(tmp_path, {"app/load.py": before}, {"app/load.py": after})
    diff = r.git("diff", "main", "HEAD")
    assert "\n     taxonomies = []\n" in diff  # git keeps the line as context: the block is removed above it, added below
    assert messages(check(r, "--select", "HG007")[1], "HG007") == []
    # the same block moved away from where it was is still moved code
    far = ("def load(name):\n    taxonomies = []\n" + "    check(name)\n" * 5 + "    if name in KNOWN:\n"
           + _indented(BODY, 8) + "    return result\n")
    before_far = "def load(name):\n" + _indented(BODY, 4) + "    taxonomies = []\n" + "    check(name)\n" * 5 \
        + "    return result\n"
    r2 = hotfix_repo(tmp_path / "far", {"app/load.py": before_far}, {"app/load.py": far})
    assert any(m.startswith("moved code: 7 lines removed from old lines 2-8")
               for m in messages(check(r2, "--select", "HG007")[1], "HG007"))
