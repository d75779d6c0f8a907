#!/usr/bin/env python3
"""Time ``hotfix-guard audit`` (and ``check`` on main) over a long generated history.

Each figure is the median of several whole-process runs (``python -m hotfix_guard ...``:
interpreter start, imports, git, rendering), as a user would see it. The number of git
processes is counted with ``HOTFIX_GUARD_TRACE_GIT``.

    python bench/audit_perf.py                      # generates 50,000 commits / 300 hotfixes
    python bench/audit_perf.py --repo /tmp/big      # an existing repository
    python bench/audit_perf.py --runs 9 --commits 20000 --hotfixes 100

Never asserted in tests: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run(repo: Path, args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, child CPU seconds, git processes) of one whole-process run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["HOTFIX_GUARD_TRACE_GIT"] = "1"
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", *args], cwd=repo, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"hotfix-guard {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    calls = sum(1 for line in proc.stderr.splitlines() if line.startswith("git "))
    return wall, cpu, calls


def measure(repo: Path, args: list[str], runs: int) -> dict[str, float]:
    run(repo, args)  # warm the page cache
    results = [run(repo, args) for _ in range(runs)]
    walls = [r[0] for r in results]
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu": statistics.median(r[1] for r in results), "git": results[0][2]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, help="an existing repository (default: generate one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--hotfixes", type=int, default=300)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hg-audit-perf-") as tmp:
        repo = args.repo
        if repo is None:
            from make_history import make_history

            start = time.perf_counter()
            summary = make_history(Path(tmp) / "repo", args.commits, args.hotfixes)
            print(f"generated {summary.commits} commits, {summary.hotfixes} hotfixes, {summary.releases} "
                  f"releases in {time.perf_counter() - start:.1f} s")
            repo = summary.path
        count = subprocess.run(["git", "rev-list", "--count", "--all"], cwd=repo, capture_output=True,
                               text=True).stdout.strip()
        tags = len(subprocess.run(["git", "tag"], cwd=repo, capture_output=True, text=True).stdout.split())
        print(f"repository: {count} commits, {tags} tags; {args.runs} runs each, after one warm-up")
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print()
        print("| command | median | min | max | CPU (median) | git processes |")
        print("|---|---|---|---|---|---|")
        for label, cmd in (("audit --format json", ["audit", "--format", "json"]),
                           ("audit (text)", ["audit"]),
                           ("check --branch main", ["check", "--branch", "main"]),
                           ("check --branch develop", ["check", "--branch", "develop"])):
            m = measure(repo, cmd, args.runs)
            print(f"| `hotfix-guard {label}` | {m['median']:.2f} s | {m['min']:.2f} s | {m['max']:.2f} s "
                  f"| {m['cpu']:.2f} s | {int(m['git'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
