"""Shared builders for the merge-back tests (HG008/HG009, status, audit)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT, Repo, hotfix_from_main, run_cli

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"


def load_generator() -> Any:
    """bench/make_history.py, imported by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_history", ROOT / "bench" / "make_history.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_history", module)
    spec.loader.exec_module(module)
    return module


def another_hotfix(r: Repo, name: str) -> str:
    """A hotfix branch off main with one fix commit of its own (a file named after it)."""
    r.checkout(name, new=True, start="main")
    slug = name.rsplit("/", 1)[-1]
    return r.commit(f"Fix {slug}", {f"src/{slug}.py": f"# HOTFIX: {slug}\n"})


def merge_into(r: Repo, target: str, branch: str = HOTFIX, *, message: str | None = None,
               ff: bool = False) -> str:
    r.checkout(target)
    if ff:
        return r.merge(branch, ff=True)
    return r.merge(branch, message=message or f"Merge branch '{branch}'" + (
        f" into {target}" if target != "main" else ""))


def landed(r: Repo, *, tag: str | None = "annotated", develop: bool = False, delete: bool = False) -> str:
    """A hotfix merged into main (--no-ff), tagged v1.2.4 on the merge as asked; returns the merge."""
    hotfix_from_main(r)
    merge = merge_into(r, "main")
    if tag == "annotated":
        r.tag("v1.2.4", merge)
    elif tag == "lightweight":
        r.tag("v1.2.4", merge, annotated=False)
    if develop:
        merge_into(r, "develop")
        r.checkout("main")
    if delete:
        r.git("branch", "-D", HOTFIX)
    return merge


def check(r: Repo, *args: str, branch: str = "main") -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    proc = run_cli("check", "--format", "json", "--branch", branch, "--select", "HG008,HG009", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    return proc.returncode, [f for f in data["findings"] if not f["suppressed"]], data


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


def audit_json(r: Repo, *args: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("audit", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def by_name(data: dict[str, Any], name: str) -> dict[str, Any]:
    for h in data["hotfixes"]:
        if h["name"] == name:
            return h
    raise AssertionError(f"{name} not in audit: {[h['name'] for h in data['hotfixes']]}")


def write(r: Repo, path: Path | str, content: str) -> None:
    r.write(str(path), content)
