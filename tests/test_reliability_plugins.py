"""Plugins that misbehave in ways tests/test_plugins.py does not cover (issue #8).

tests/test_plugins.py has the four rows of the matrix (a plugin that fails to import, a
rule that raises, a rule that returns something that is not a finding, two plugins that
claim the same code). Here: the ways a plugin could still end the run with *its* exit
code or corrupt the report, each of which must become an HG000 finding (the run goes
on, the other rules' findings stand) or a clean exit 2 at load time.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli


def plugin_site(tmp_path: Path, body: str, *, module: str = "misbehave") -> dict[str, str]:
    """An installed distribution with one plugin module; the env that makes it visible."""
    site = tmp_path / "site"
    info = site / f"{module}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[hotfix_guard]\n{module} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(body))
    return {"PYTHONPATH": f"{ROOT}{os.pathsep}{site}"}


def rule_plugin(check_body: str) -> str:
    return f'''
import pathlib
import sys
from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import Rule

class Misbehave(Rule):
    code = "MB001"
    name = "misbehave"
    summary = "Misbehaves"

    def check(self, ctx):
{textwrap.indent(textwrap.dedent(check_body), " " * 8)}

@hookimpl
def hotfix_guard_register_rules(register):
    register(Misbehave)
'''


@pytest.fixture
def hotfix(project: Repo) -> Repo:
    hotfix_from_main(project)
    return project


@pytest.mark.parametrize(
    "check_body, fragment",
    [
        ("sys.exit(0)", "crashed: SystemExit: 0"),
        ("sys.exit()", "crashed: SystemExit"),
        ('sys.exit("plugin says no")', "crashed: SystemExit: plugin says no"),
        ('yield self.finding("m", path=pathlib.Path("src/app.py"), line=1)',
         "a Finding with an invalid path PosixPath('src/app.py')"),
        ('yield self.finding("m", path="src/app.py", line="12")', "a Finding with an invalid line '12'"),
        ('yield self.finding("m", severity="fatal")', "a Finding with an invalid severity 'fatal'"),
        ("yield self.finding(None)", "a Finding with an invalid message None"),
        ('yield self.finding("ok")\nraise RuntimeError("half way")', "crashed: RuntimeError: half way"),
    ],
    ids=["exit-0", "exit-none", "exit-message", "path-object", "line-string", "unknown-severity",
         "no-message", "raises-after-a-finding"],
)
def test_a_rule_cannot_end_the_run_or_break_the_report(tmp_path: Path, hotfix: Repo, check_body: str,
                                                       fragment: str) -> None:
    """Before the fix, sys.exit(0) in a rule ended `check` with exit 0 and no output (a
    silent pass), and a Path in a finding made --format json/sarif an internal error."""
    env = plugin_site(tmp_path, rule_plugin(check_body))
    for fmt in ("json", "sarif", "text"):
        proc = run_cli("check", "--format", fmt, cwd=hotfix.path, env=env)
        assert proc.returncode == 1, (fmt, proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        if fmt == "json":
            data = json.loads(proc.stdout)
            [crash] = [f for f in data["findings"] if f["code"] == "HG000"]
            assert "rule MB001 (misbehave)" in crash["message"] and fragment in crash["message"], crash
            assert not [f for f in data["findings"] if f["code"] == "MB001"]  # a half-done rule counts for nothing
        elif fmt == "sarif":
            json.loads(proc.stdout)


def test_a_plugin_that_prints_does_not_corrupt_machine_readable_output(tmp_path: Path, hotfix: Repo) -> None:
    env = plugin_site(tmp_path, rule_plugin('print("debugging MB001", ctx.branch)\nreturn ()'))
    for fmt in ("json", "sarif", "gitlab"):
        proc = run_cli("check", "--format", fmt, cwd=hotfix.path, env=env)
        json.loads(proc.stdout)  # still one JSON document
        assert "debugging MB001 hotfix/v1.2.4-fix-payment-crash" in proc.stderr


@pytest.mark.parametrize("where", ["import", "register"])
def test_sys_exit_while_loading_is_exit_2(tmp_path: Path, hotfix: Repo, where: str) -> None:
    """Before the fix: exit 0, no output, no rule run at all."""
    if where == "import":
        body = "import sys\nsys.exit(0)\n"
        fragment = "plugin 'misbehave' from misbehave 0.1 failed to load: SystemExit: 0"
    else:
        body = ("import sys\nfrom hotfix_guard.engine.plugins import hookimpl\n"
                "@hookimpl\ndef hotfix_guard_register_rules(register):\n    sys.exit(0)\n")
        fragment = "failed while registering rules: SystemExit: 0"
    env = plugin_site(tmp_path, body)
    for command in (["check"], ["rules"], ["explain", "HG001"]):
        assert_clean_error(run_cli(*command, cwd=hotfix.path, env=env), fragment)


def test_keyboard_interrupt_in_a_rule_is_an_interruption_not_a_finding(tmp_path: Path, hotfix: Repo) -> None:
    env = plugin_site(tmp_path, rule_plugin("raise KeyboardInterrupt"))
    proc = run_cli("check", cwd=hotfix.path, env=env)
    assert proc.returncode == 130 and proc.stderr.strip() == "hotfix-guard: interrupted"


@pytest.mark.parametrize("queries", ["3", "'diff'", "['SELECT 1', 'commits', None]", "{'no-such-query'}"])
def test_a_rule_whose_queries_are_something_else_still_runs(tmp_path: Path, hotfix: Repo, queries: str) -> None:
    """``queries`` is only a hint: a plugin's class that uses the name for something else
    (or names queries that do not exist) neither breaks the check nor starts stray git."""
    body = rule_plugin('yield self.finding("misbehaved")').replace(
        '    summary = "Misbehaves"\n', f'    summary = "Misbehaves"\n    queries = {queries}\n')
    env = {**plugin_site(tmp_path, body), "HOTFIX_GUARD_TRACE_GIT": "1"}
    proc = run_cli("check", "--format", "json", cwd=hotfix.path, env=env)
    assert proc.returncode == 1, proc.stderr
    codes = {f["code"] for f in json.loads(proc.stdout)["findings"]}
    assert "MB001" in codes and "HG000" not in codes
    assert "never asked for" not in proc.stderr
