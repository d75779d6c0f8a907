#!/usr/bin/env python3
"""Time ``hotfix-guard audit`` (and ``check`` on main) over a long generated history.

Each figure is the median of several whole-process runs (``python -m hotfix_guard ...``:
interpreter start, imports, git, rendering), as a user would see it. The number of git
processes is counted with ``HOTFIX_GUARD_TRACE_GIT``.

    python bench/audit_perf.py                      # generates 50,000 commits / 300 hotfixes
    python bench/audit_perf.py --repo /tmp/big      # an existing repository
    python bench/audit_perf.py --runs 9 --commits 20000 --hotfixes 100
    python bench/audit_perf.py --plumbing --sizes 25000,50000,100000   # audit against its own git

``--plumbing`` runs ``audit`` inside this process (no interpreter start), several
history sizes with as many hotfixes per commit, and times the git processes it starts
(wall and CPU, from ``os.times()`` around each one) against the whole audit: the ratio
is what hotfix-guard adds on top of the git plumbing it runs, and time per 1,000
commits shows whether it stays linear.

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


class _GitClock:
    """Wall and CPU time spent in the git processes hotfix-guard's gateway starts."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.calls = 0

    def install(self) -> None:
        from hotfix_guard import git as gateway

        original = gateway.Git.run_bytes
        clock = self

        def run_bytes(git, args, **kwargs):  # type: ignore[no-untyped-def]
            before, start = os.times(), time.perf_counter()
            try:
                return original(git, args, **kwargs)
            finally:
                after = os.times()
                clock.wall += time.perf_counter() - start
                clock.cpu += (after.children_user - before.children_user
                              + after.children_system - before.children_system)
                clock.calls += 1

        gateway.Git.run_bytes = run_bytes  # type: ignore[method-assign]


def audit_in_process(repo: Path, clock: _GitClock) -> tuple[float, float, float, float, int]:
    """(audit wall, audit CPU, git wall, git CPU, git processes) of one audit, JSON rendered."""
    import io
    import json

    from hotfix_guard.commands import audit as audit_cmd
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git

    cwd = os.getcwd()
    os.chdir(repo)
    clock.wall = clock.cpu = 0.0
    clock.calls = 0
    before, start = os.times(), time.perf_counter()
    try:
        result = audit_cmd.audit(Git(), Settings())
        io.StringIO().write(json.dumps(audit_cmd.to_dict(result)))
    finally:
        os.chdir(cwd)
    after = os.times()
    cpu = sum(getattr(after, k) - getattr(before, k)
              for k in ("user", "system", "children_user", "children_system"))
    return time.perf_counter() - start, cpu, clock.wall, clock.cpu, clock.calls


def plumbing(sizes: list[int], per_hotfix: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from make_history import make_history

    clock = _GitClock()
    clock.install()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {runs} runs each, after one warm-up")
    print()
    print("| commits | hotfixes | audit (median) | audit CPU | git wall | git CPU | audit / git (wall) "
          "| audit / git (CPU) | CPU per 1,000 commits | git processes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="hg-audit-plumbing-") as tmp:
        for n in sizes:
            summary = make_history(Path(tmp) / f"h{n}", n, max(1, n // per_hotfix))
            audit_in_process(summary.path, clock)  # warm the page cache
            results = [audit_in_process(summary.path, clock) for _ in range(runs)]
            wall, cpu, git_wall, git_cpu = (statistics.median(r[k] for r in results) for k in range(4))
            ratio_wall = statistics.median(r[0] / r[2] for r in results)
            ratio_cpu = statistics.median(r[1] / r[3] for r in results)
            print(f"| {summary.commits:,} | {summary.hotfixes} | {wall:.2f} s | {cpu:.2f} s | {git_wall:.2f} s "
                  f"| {git_cpu:.2f} s | {ratio_wall:.2f}x | {ratio_cpu:.2f}x | {1000 * cpu / summary.commits * 1000:.1f} ms "
                  f"| {results[0][4]} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, help="an existing repository (default: generate one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--hotfixes", type=int, default=300)
    parser.add_argument("--plumbing", action="store_true",
                        help="audit in this process, against the git it runs, at each of --sizes")
    parser.add_argument("--sizes", default="25000,50000,100000", help="history sizes for --plumbing")
    parser.add_argument("--commits-per-hotfix", type=int, default=166, help="for --plumbing (default: 166)")
    args = parser.parse_args(argv)
    if args.plumbing:
        plumbing([int(n) for n in args.sizes.split(",")], args.commits_per_hotfix, args.runs)
        return 0

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
