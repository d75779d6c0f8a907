"""Configuration the matrix adds to tests/test_config.py (issue #8): an invalid glob in
each glob key, a ticket-pattern that matches anything, unknown codes in per-file-ignores,
option values of the wrong kind, and where a broken config is (and is not) noticed.

(Broken TOML, wrong types, unknown keys, unknown rule codes in select/ignore, an invalid
ticket-pattern: tests/test_config.py::test_bad_config_is_exit_2; an invalid glob in
extend-exclude: tests/test_diff_rules.py; in per-file-ignores: tests/test_suppress.py.)
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli


@pytest.fixture
def hotfix(project: Repo) -> Repo:
    hotfix_from_main(project)
    project.commit("todo", {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard\n    # TODO: later\n    return 0\n"})
    return project


@pytest.mark.parametrize("key", ["test-globs", "extend-test-globs", "exclude", "extend-exclude"])
@pytest.mark.parametrize("where", [".hotfix-guard.toml", "pyproject.toml"])
def test_invalid_glob_names_the_key(hotfix: Repo, key: str, where: str) -> None:
    line = f'{key} = ["ok/**", "bad\\\\"]\n'
    if where == "pyproject.toml":
        hotfix.write(where, "[tool.hotfix-guard]\n" + line)
        fragment = f"pyproject.toml: [tool.hotfix-guard] {key}: invalid glob 'bad\\\\'"
    else:
        hotfix.write(where, line)
        fragment = f".hotfix-guard.toml: {key}: invalid glob 'bad\\\\'"
    for stage in ("pre-commit", "manual"):
        assert_clean_error(run_cli("check", "--stage", stage, cwd=hotfix.path), fragment, "hint: globs follow")


@pytest.mark.parametrize("pattern", ["", "[A-Z]*", "(PROJ-[0-9]+)?", "x|"])
def test_ticket_pattern_matching_the_empty_string_is_refused(hotfix: Repo, pattern: str) -> None:
    """Such a pattern finds a "ticket" (an empty one) in every TODO: HG006 and HG012 would
    pass everything, silently. It used to be accepted."""
    hotfix.write(".hotfix-guard.toml", f"ticket-pattern = {json.dumps(pattern)}\n")
    assert_clean_error(run_cli("check", cwd=hotfix.path),
                       "ticket-pattern:", "matches an empty string", "hint: fix `ticket-pattern`")


def test_a_good_ticket_pattern_still_works(hotfix: Repo) -> None:
    hotfix.write(".hotfix-guard.toml", 'ticket-pattern = "JIRA-[0-9]+"\n')
    proc = run_cli("check", "--format", "json", "--select", "HG006", cwd=hotfix.path)
    assert proc.returncode == 1 and json.loads(proc.stdout)["findings"][0]["code"] == "HG006"


@pytest.mark.parametrize("selectors, bad", [('["HG999"]', "HG999"), ('["HG005", "no-such-rule"]', "no-such-rule"),
                                            ('["hg-005"]', "hg-005")])
def test_unknown_codes_in_per_file_ignores(hotfix: Repo, selectors: str, bad: str) -> None:
    """A typo there used to suppress nothing, silently; now it is exit 2 like in select."""
    hotfix.write(".hotfix-guard.toml", f'per-file-ignores = {{ "src/**" = {selectors} }}\n')
    assert_clean_error(run_cli("check", cwd=hotfix.path),
                       f"unknown rule selector '{bad}' in .hotfix-guard.toml: per-file-ignores \"src/**\"")


def test_per_file_ignores_take_codes_prefixes_names_and_all(hotfix: Repo) -> None:
    hotfix.write(".hotfix-guard.toml", 'per-file-ignores = { "src/**" = ["HG00", "no-refactor", "ALL"] }\n')
    proc = run_cli("check", "--format", "json", cwd=hotfix.path)
    assert proc.returncode in (0, 1), proc.stderr


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("[rules.diff-size]\nmax-lines = true", "[rules.diff-size] max-lines: expected an integer, got bool (True)"),
        ("[rules.diff-size]\nmax-lines = -1", "[rules.diff-size] max-lines: expected a non-negative integer, got -1"),
        ("[rules.diff-size]\nmax-lines = 1.5", "[rules.diff-size] max-lines: expected an integer, got float (1.5)"),
        ('[rules.diff-size]\nmax-lines = "150"', "[rules.diff-size] max-lines: expected an integer, got str ('150')"),
        ("rules = 3", "rules: expected tables such as [rules.diff-size], got an integer (3)"),
        ("[rules]\ndiff-size = 3", "rules: expected tables such as [rules.diff-size]"),
        ("select = [1]", "select: expected a list of strings, got a list ([1])"),
        ('hotfix-prefix = "  "', "hotfix-prefix: expected a non-empty string"),
        ('[tool]\nx = 1', "unknown key `tool`"),
        ("\ufeffselect = []", "not valid TOML"),  # a byte order mark: Python's TOML reader refuses it
        ("select = [\n", "not valid TOML"),
    ],
)
def test_more_bad_values(hotfix: Repo, content: str, fragment: str) -> None:
    hotfix.write(".hotfix-guard.toml", content + "\n")
    assert_clean_error(run_cli("check", cwd=hotfix.path), fragment)


def test_a_broken_config_stops_every_branch_and_command_that_reads_it(hotfix: Repo) -> None:
    """Config is read before the branch is classified: a broken file is exit 2 even on a
    branch with nothing to check (it would otherwise only surface on the next hotfix).
    Commands that do not need it do not read it."""
    hotfix.write(".hotfix-guard.toml", "select = [\n")
    for branch in ("hotfix/v1.2.4-fix-payment-crash", "develop", "main"):
        hotfix.checkout(branch)
        for stage in ("pre-commit", "manual"):
            assert_clean_error(run_cli("check", "--stage", stage, cwd=hotfix.path), "not valid TOML")
    assert_clean_error(run_cli("install", cwd=hotfix.path), "not valid TOML")
    assert_clean_error(run_cli("start", "fix it", "--dry-run", cwd=hotfix.path), "not valid TOML")
    for args in (["rules"], ["explain", "HG001"], ["uninstall"]):
        assert run_cli(*args, cwd=hotfix.path).returncode == 0, args
    # triage only loses its branch suggestion, with a warning
    proc = run_cli("triage", "--set", "production_broken=no", "--set", "feature_request=yes", cwd=hotfix.path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_config_that_is_not_a_regular_file(hotfix: Repo, tmp_path) -> None:
    """A directory named .hotfix-guard.toml is not a config file (pyproject.toml is read
    instead); --config naming a directory or a missing file is exit 2."""
    (hotfix.path / ".hotfix-guard.toml").mkdir()
    hotfix.write("pyproject.toml", '[tool.hotfix-guard]\nselect = ["HG002"]\n')
    proc = run_cli("check", "--format", "json", cwd=hotfix.path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    assert_clean_error(run_cli("check", "--config", str(tmp_path), cwd=hotfix.path), "config file not found")
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.toml"
        locked.write_text("select = []\n")
        locked.chmod(0)
        assert_clean_error(run_cli("check", "--config", str(locked), cwd=hotfix.path), "cannot read config")
