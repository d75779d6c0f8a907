"""The composite GitHub Action (action.yml at the root), parsed and its commands run
here as the runner would run them: bash, the inputs through the steps' environment
(issue #16)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Repo, hotfix_from_main

yaml = pytest.importorskip("yaml")

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
CONDITION = re.compile(r"^inputs\.([\w-]+) != ''$")


def test_the_action_is_composite_with_its_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {k: v["default"] for k, v in inputs.items()} == {
        "version": "", "format": "github", "args": "", "sarif-file": "", "python-version": "3.12"}
    first = ACTION["runs"]["steps"][0]
    assert first["uses"].startswith("actions/setup-python@")
    assert first["with"]["python-version"] == "${{ inputs.python-version }}"


def test_no_input_is_pasted_into_a_script() -> None:
    """Inputs reach the scripts as environment variables, never as text the shell parses
    (an input holding `$(...)` or a quote must not become code)."""
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["run"]
            assert step["shell"] == "bash"


def test_the_example_workflow_uses_the_action() -> None:
    wf = yaml.safe_load((ROOT / "examples" / "github-actions" / "hotfix-guard.yml").read_text())
    for job in wf["jobs"].values():
        [step] = [s for s in job["steps"] if re.fullmatch(r"OWNER/hotfix-guard@[0-9a-f]{40}", str(s.get("uses", "")))]
        assert not any("pip install" in s.get("run", "") for s in job["steps"])


def expand(value: Any, inputs: dict[str, str]) -> str:
    context = {f"inputs.{k}": inputs.get(k, v["default"]) for k, v in ACTION["inputs"].items()}
    context.update({"github.action_path": str(ROOT), "github.action_repository": "OWNER/hotfix-guard"})
    return EXPRESSION.sub(lambda m: context[m.group(1)], str(value))


def run_action(cwd: Path, bindir: Path, inputs: dict[str, str], skip_install: bool = True) -> list[subprocess.CompletedProcess[str]]:
    """Each `run` step in order, until one fails, as the runner runs composite steps."""
    done = []
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or (skip_install and step.get("name") == "Install hotfix-guard"):
            continue
        if "if" in step:
            m = CONDITION.match(step["if"])
            assert m, step["if"]
            if not inputs.get(m.group(1)):
                continue
        step_env = {k: expand(v, inputs) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                              env={**env, **step_env}, capture_output=True, text=True, timeout=300)
        done.append(proc)
        if proc.returncode:
            break
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with hotfix-guard installed by the action's own install
    step (the default `version`: the action's checkout)."""
    venv = tmp_path_factory.mktemp("action") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / "bin"
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("name") == "Install hotfix-guard"]
    step_env = {k: expand(v, {}) for k, v in install["env"].items()}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
                          env={**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", **step_env},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from hotfix_guard import __version__

    assert proc.stdout.strip().endswith(f"hotfix-guard {__version__}"), proc.stdout
    assert (bindir / "hotfix-guard").exists()  # the steps below run this one, first on PATH
    return bindir


def test_a_clean_hotfix_passes(project: Repo, installed: Path) -> None:
    hotfix_from_main(project)
    steps = run_action(project.path, installed, {"args": "--select HG001,HG002,HG003"})
    assert [p.returncode for p in steps] == [0]
    assert "hotfix-guard: hotfix/v1.2.4-fix-payment-crash: all checks passed" in steps[-1].stdout


def test_a_bad_hotfix_fails_with_annotations_and_writes_sarif(project: Repo, installed: Path) -> None:
    project.checkout("hotfix/oops", new=True, start="main")
    project.commit("fix", {"src/app.py": "x = 1  # HOTFIX v1.2.4: x\n"})
    steps = run_action(project.path, installed, {"sarif-file": "out.sarif", "args": "--select HG002"})
    assert [p.returncode for p in steps] == [0, 1]  # the SARIF step writes, the check fails the job
    assert steps[-1].stdout.startswith("::error title=HG002 branch-name::")
    sarif = json.loads((project.path / "out.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["HG002"]


def test_the_format_input(project: Repo, installed: Path) -> None:
    project.checkout("hotfix/oops", new=True, start="main")
    steps = run_action(project.path, installed, {"format": "json", "args": "--select HG002 --exit-zero"})
    assert [p.returncode for p in steps] == [0]
    assert json.loads(steps[-1].stdout)["findings"][0]["code"] == "HG002"
