"""`hotfix-guard triage` without a terminal: --answers, --set, --no-input, the formats,
the incident record, the branch suggestion, and the errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Repo, assert_clean_error, run_cli
from triage_helpers import LEAVES, Leaf, golden, snapshot

DATE = "2025-11-08"
PAYMENTS = [
    "--set", "feature_request=no", "--set", "security_breach=no", "--set", "data_loss=no",
    "--set", "production_broken=yes", "--set", "core_features_unusable=no",
    "--set", "business_critical_broken=yes",
]
DETAILS = [
    "--set", "title=Payment processor crash on null amount",
    "--set", "impact=All payment processing down, ~500 users affected",
    "--set", "detected=14:30 UTC", "--set", "incident_lead=Ana Lima", "--set", "eta=15:30 UTC",
]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory that is not in any repository."""
    path = tmp_path / "nowhere"
    path.mkdir()
    return path


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# -- every leaf, through --answers (JSON and TOML) and --set -------------------------------

@pytest.mark.parametrize("leaf", LEAVES, ids=lambda leaf: leaf.name)
def test_every_leaf_through_set(leaf: Leaf, outside: Path) -> None:
    data = _json(run_cli("triage", "--format", "json", *leaf.sets, cwd=outside))
    assert (data["workflow"], data["severity"]) == (leaf.workflow, leaf.severity)
    assert data["answers"] == leaf.answers
    assert data["reasons"]


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda leaf: leaf.name)
def test_every_leaf_through_json_answers(leaf: Leaf, outside: Path) -> None:
    path = outside / "answers.json"
    path.write_text(json.dumps(leaf.answers))
    data = _json(run_cli("triage", "--format", "json", "--answers", str(path), cwd=outside))
    assert (data["workflow"], data["severity"]) == (leaf.workflow, leaf.severity)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda leaf: leaf.name)
def test_every_leaf_through_toml_answers(leaf: Leaf, outside: Path) -> None:
    path = outside / "answers.toml"
    path.write_text("".join(f"{k} = {_toml_value(v)}\n" for k, v in leaf.answers.items()))
    data = _json(run_cli("triage", "--format", "json", "--answers", str(path), cwd=outside))
    assert (data["workflow"], data["severity"]) == (leaf.workflow, leaf.severity)


def test_set_wins_over_the_file_and_stdin_takes_answers(outside: Path) -> None:
    leaf = LEAVES[0]  # feature request -> bug-fix
    data = _json(run_cli("triage", "--format", "json", "--answers", "-", "--set", "feature_request=no",
                         "--set", "security_breach=yes", cwd=outside, input=json.dumps(leaf.answers)))
    assert data["workflow"] == "hotfix"


# -- missing and wrong answers ---------------------------------------------------------

def test_missing_answers_exit_2_at_once_naming_every_one_without_reading_stdin(outside: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # stdin is an open pipe nobody writes to or closes: reading it would hang
    proc = subprocess.Popen([sys.executable, "-m", "hotfix_guard", "triage", "--set", "feature_request=no"],
                            cwd=outside, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    assert out == "" and "Traceback" not in err
    first, hint = err.strip().splitlines()
    assert first == ("hotfix-guard: error: missing answers (no terminal to ask on): security_breach, "
                     "data_loss, production_broken, users_affected_percent, core_features_unusable, "
                     "business_critical_broken")
    assert "--set security_breach=no" in hint and "--answers FILE" in hint


def test_no_input_forbids_prompting(outside: Path) -> None:
    proc = run_cli("triage", "--no-input", "--set", "feature_request=no", "--set", "security_breach=no",
                   "--set", "data_loss=no", "--set", "production_broken=no", cwd=outside)
    assert_clean_error(proc, "missing answers (--no-input): users_affected_percent", "--set users_affected_percent=30")


def test_text_fields_are_never_missing(outside: Path) -> None:
    proc = run_cli("triage", "--format", "markdown", *PAYMENTS, cwd=outside)
    assert proc.returncode == 0, proc.stderr
    assert "**Incident Lead**: [Your name]" in proc.stdout


@pytest.mark.parametrize("args, fragments", [
    (["--set", "data_loss=maybe"], ["--set: data_loss: 'maybe' is not an answer; expected yes, no or unsure"]),
    (["--set", "users_affected_percent=140"],
     ["users_affected_percent: '140' is out of range; expected a whole number from 0 to 100, or unsure"]),
    (["--set", "users_affected_percent=lots"], ["users_affected_percent", "not a number"]),
    (["--set", "dataloss=yes"], ["unknown question id `dataloss`", "did you mean `data_loss`?"]),
    (["--set", "data_loss"], ["expected ID=VALUE"]),
    (["--format", "yaml"], ["invalid choice"]),
    (["--date", "08/11/2025"], ["YYYY-MM-DD"]),
])
def test_bad_values_are_a_clean_usage_error(args: list[str], fragments: list[str], outside: Path) -> None:
    assert_clean_error(run_cli("triage", *args, cwd=outside), *fragments)


@pytest.mark.parametrize("name, content, fragments", [
    ("a.json", '{"data_loss": "maybe"}', ["data_loss: 'maybe' is not an answer"]),
    ("a.json", '{"users_affected_percent": 140}', ["users_affected_percent: 140 is out of range"]),
    ("a.json", '{"users_affected_percent": true}', ["users_affected_percent", "not a number"]),
    ("a.json", '{"production_broken": 1}', ["production_broken: 1 is not an answer"]),
    ("a.json", '{"prod": true}', ["unknown question id `prod`"]),
    ("a.json", "[1, 2]", ["must hold a table"]),
    ("a.json", "{nope", ["not valid JSON"]),
    ("a.toml", "production_broken = ", ["not valid TOML"]),
    ("missing.json", None, ["file not found"]),
])
def test_bad_answer_files(name: str, content: str | None, fragments: list[str], outside: Path) -> None:
    if content is not None:
        (outside / name).write_text(content)
    assert_clean_error(run_cli("triage", "--answers", name, cwd=outside), *fragments)


# -- the outputs ------------------------------------------------------------------------

def test_json_output_shape(project: Repo) -> None:
    data = _json(run_cli("triage", "--format", "json", *PAYMENTS, *DETAILS, "--set", "security_breach=unsure",
                         cwd=project.path))
    assert set(data) >= {"workflow", "severity", "reasons", "answers", "next_steps", "branch", "announcement"}
    assert data["workflow"] == "hotfix" and data["severity"] == "critical"
    assert data["reasons"] == [
        "unsure whether a security vulnerability is being actively exploited: counted as no",
        "production is broken right now",
        "a critical business function (e.g. payments) is broken",
    ]
    assert data["unsure"] == ["security_breach"]
    assert data["answers"]["security_breach"] == "unsure" and data["answers"]["business_critical_broken"] is True
    assert data["answers"]["title"] == "Payment processor crash on null amount"
    assert data["branch"] == "hotfix/v1.2.4-payment-processor-crash-on-null-amount"
    assert data["announcement"].startswith("🚨 PRODUCTION INCIDENT - CRITICAL\n")
    assert any("hotfix-guard start" in step for step in data["next_steps"])
    assert data["record"] is None


def test_text_output_golden(project: Repo) -> None:
    proc = run_cli("triage", *PAYMENTS, *DETAILS, "--set", "security_breach=unsure", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    golden("text-hotfix.txt", proc.stdout)


def test_markdown_announcement_golden_in_a_repository(project: Repo) -> None:
    proc = run_cli("triage", "--format", "markdown", *PAYMENTS, *DETAILS, cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    golden("announcement-hotfix.md", proc.stdout)


def test_markdown_announcement_golden_with_placeholders(outside: Path) -> None:
    leaf = next(leaf for leaf in LEAVES if leaf.name == "broken-some")
    proc = run_cli("triage", "--format", "markdown", *leaf.sets, cwd=outside)
    assert proc.returncode == 0, proc.stderr
    golden("announcement-expedited-placeholders.md", proc.stdout)


def test_markdown_announcement_golden_bug_fix(outside: Path) -> None:
    leaf = next(leaf for leaf in LEAVES if leaf.name == "not-broken-few")
    proc = run_cli("triage", "--format", "markdown", *leaf.sets, "--set", "title=Typo on the pricing page",
                   cwd=outside)
    assert proc.returncode == 0, proc.stderr
    golden("announcement-bug-fix.md", proc.stdout)


def test_incident_record_golden(project: Repo, tmp_path: Path) -> None:
    records = tmp_path / "incidents"
    proc = run_cli("triage", *PAYMENTS, *DETAILS, "--write", str(records), "--date", DATE, cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    path = records / f"{DATE}-payment-processor-crash-on-null-amount.md"
    assert f"Incident record written: {path}" in proc.stdout
    golden("incident-hotfix.md", path.read_text(encoding="utf-8"))
    assert [p.name for p in records.iterdir()] == [path.name]


def test_incident_record_golden_with_placeholders(outside: Path) -> None:
    leaf = next(leaf for leaf in LEAVES if leaf.name == "unsure-core")
    proc = run_cli("triage", "--format", "json", *leaf.sets, "--write", "records", "--date", DATE, cwd=outside)
    data = _json(proc)
    assert data["record"] == os.path.join("records", f"{DATE}-incident.md")
    assert "incident record written" in proc.stderr
    golden("incident-bug-fix-placeholders.md", (outside / data["record"]).read_text(encoding="utf-8"))


def test_the_record_is_never_overwritten(outside: Path) -> None:
    args = ["triage", *PAYMENTS, "--set", "title=Crash", "--write", "records", "--date", DATE]
    assert run_cli(*args, cwd=outside).returncode == 0
    path = outside / "records" / f"{DATE}-crash.md"
    path.write_text("my notes\n")
    assert_clean_error(run_cli(*args, cwd=outside), "already exists; not overwriting it")
    assert path.read_text() == "my notes\n"


def test_triage_writes_nothing_without_write(project: Repo) -> None:
    before = snapshot(project)
    entries = sorted(os.listdir(project.path))
    for fmt in ("text", "json", "markdown"):
        assert run_cli("triage", "--format", fmt, *PAYMENTS, *DETAILS, cwd=project.path).returncode == 0
    assert snapshot(project) == before
    assert sorted(os.listdir(project.path)) == entries


# -- the branch suggestion -----------------------------------------------------------------

def test_outside_a_repository_there_is_no_branch(outside: Path) -> None:
    data = _json(run_cli("triage", "--format", "json", *PAYMENTS, *DETAILS, cwd=outside))
    assert data["workflow"] == "hotfix" and data["branch"] is None
    assert "vX.Y.Z" in " ".join(data["next_steps"])


def test_a_repository_without_release_tags_has_no_branch(repo: Repo) -> None:
    repo.commit("Initial commit", {"a.py": "A = 1\n"})
    data = _json(run_cli("triage", "--format", "json", *PAYMENTS, *DETAILS, cwd=repo.path))
    assert data["branch"] is None


def test_no_title_no_branch_name_but_the_version(project: Repo) -> None:
    proc = run_cli("triage", *PAYMENTS, cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    assert "Branch: hotfix/v1.2.4-<short-description> (from main, the next patch after v1.2.3)" in proc.stdout
    assert _json(run_cli("triage", "--format", "json", *PAYMENTS, cwd=project.path))["branch"] is None


def test_no_branch_suggested_unless_the_verdict_is_hotfix(project: Repo) -> None:
    leaf = next(leaf for leaf in LEAVES if leaf.name == "broken-some")
    data = _json(run_cli("triage", "--format", "json", *leaf.sets, "--set", "title=Slow search", cwd=project.path))
    assert data["branch"] is None
    assert "hotfix/" not in json.dumps(data["next_steps"])


def test_configured_prefixes_name_the_branch(project: Repo) -> None:
    project.write(".hotfix-guard.toml", 'hotfix-prefix = "hf/"\n')
    project.git("tag", "-a", "v1.3.0", "-m", "Release v1.3.0", "main")
    data = _json(run_cli("triage", "--format", "json", *PAYMENTS, "--set", "title=Crash!", cwd=project.path))
    assert data["branch"] == "hf/v1.3.1-crash"


def test_a_broken_config_only_costs_the_suggestion(project: Repo) -> None:
    project.write(".hotfix-guard.toml", "hotfix-prefix = 3\n")
    proc = run_cli("triage", "--format", "json", *PAYMENTS, "--set", "title=Crash", cwd=project.path)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["branch"] is None
    assert "warning" in proc.stderr and "hotfix-prefix" in proc.stderr


# -- the cost of not prompting -------------------------------------------------------------

def test_rich_is_not_imported_without_a_terminal(outside: Path) -> None:
    code = (
        "import sys\n"
        "from hotfix_guard.cli import main\n"
        f"rc = main(['triage', '--format', 'json', *{PAYMENTS!r}])\n"
        "print('RICH' if any(m == 'rich' or m.startswith('rich.') for m in sys.modules) else 'NO-RICH', rc)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=outside, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "NO-RICH 0", proc.stderr
