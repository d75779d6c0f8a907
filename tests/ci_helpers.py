"""Helpers for the CI tests: a scrubbed CI environment, a remote, CI-like clones."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo, run_cli

from hotfix_guard.targets.ci import PROVIDERS, Var

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"
SELECT = ("--select", "HG001,HG002,HG003")


def provider_variables() -> set[str]:
    """Every variable the provider table reads, so no test sees the machine's own CI."""
    names = {"CI", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_STEP_SUMMARY", "GITHUB_SHA"}
    for provider in PROVIDERS:
        names.add(provider.detect)
        for field in ("branch", "pr", "pr_branch", "target", "base", "head", "before", "tag"):
            for spec in getattr(provider, field):
                if isinstance(spec, Var):
                    names.add(spec.name)
                elif not spec.startswith("@"):
                    names.add(spec)
    return names


@pytest.fixture(autouse=True)
def no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in provider_variables() | {"BUILD_SOURCEBRANCHNAME", "TAG_NAME", "BRANCH_NAME"}:
        monkeypatch.delenv(name, raising=False)


def event_file(tmp_path: Path, payload: dict[str, Any]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def ci_check(cwd: Path | str, env: dict[str, str], *args: str, select: bool = True) -> tuple[int, dict, str]:
    """``check --format json`` in a CI job with these variables: (exit code, report, stderr)."""
    proc = run_cli("check", "--format", "json", *(SELECT if select else ()), *args,
                   cwd=cwd, env={"CI": "true", **env})
    assert proc.returncode in (0, 1), (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def with_remote(r: Repo, tmp_path: Path, *refs: str) -> Path:
    """A bare remote holding main, develop and the tags (and ``refs``); ``origin`` of ``r``."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    r.git("remote", "add", "origin", str(bare))
    r.git("push", "-q", "origin", "main", "develop", "--tags", *refs)
    return bare


def clone(url: str, dest: Path, *args: str) -> Repo:
    """``git clone`` (pass ``file://`` URLs for ``--depth`` to be honoured)."""
    subprocess.run(["git", "clone", "-q", *args, url, str(dest)], check=True, capture_output=True,
                   env=dict(os.environ))
    return Repo(dest)


def is_shallow(r: Repo) -> bool:
    return r.git("rev-parse", "--is-shallow-repository") == "true"
