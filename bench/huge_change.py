#!/usr/bin/env python3
"""Time a hotfix check of a huge change beside ``git diff -p -M`` of the same range.

Two generated cases (issue #15): a ~50 MB change (two Python files of 200,000 lines,
every line rewritten, as tests/test_reliability_content.py builds) and a ~5 MB one
(the same shape, 20,000 lines each). Each round runs ``git diff -p -M`` and
``hotfix-guard check --format json`` once, in turn; the table gives medians of wall
time, the peak resident memory of the check (``ru_maxrss`` of the process, from
``os.wait4``) and the git processes it started (``HOTFIX_GUARD_TRACE_GIT``).

    python bench/huge_change.py              # both cases, 5 rounds
    python bench/huge_change.py --rounds 9 --cases 5mb

Never asserted in tests: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = "value_{k}_{i:07d} = compute({i}, 'some padding text here')\n"
CASES = {"50mb": 200_000, "5mb": 20_000}


def make_case(path: Path, lines: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@e", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@e"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)

    path.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    (path / "src").mkdir()
    for k in range(2):
        (path / f"src/gen{k}.py").write_text("".join(LINE.format(k=k, i=i) for i in range(lines)))
    git("add", ".")
    git("commit", "-q", "-m", "Release")
    git("tag", "-a", "v1.2.3", "-m", "v1.2.3")
    git("checkout", "-q", "-b", "hotfix/v1.2.4-fix-crash")
    for k in range(2):
        (path / f"src/gen{k}.py").write_text(
            "".join(LINE.format(k=k, i=i).replace("compute(", "compute_safe(") for i in range(lines)))
    git("commit", "-q", "-a", "-m", "Rewrite")


_WRAPPER = ("import os, resource, subprocess, sys, time\n"
            "start = time.perf_counter()\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
            "wall = time.perf_counter() - start\n"
            "gits = sum(1 for ln in p.stderr.decode(errors='replace').splitlines() if ln.startswith('git '))\n"
            "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, gits)\n")


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in bytes, git processes traced) of one process, run from a
    small wrapper: a child's ``ru_maxrss`` starts at its parent's size when it execs, so
    measuring from this (big) process would count this process."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *args], cwd=cwd, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return float(out[0]), int(out[1]) * scale, int(out[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", default="50mb,5mb")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["HOTFIX_GUARD_TRACE_GIT"] = "1"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: from cached bytecode
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {args.rounds} rounds after one warm-up")
    print()
    print("| case | diff (bytes) | `git diff -p -M` | check | ratio | check peak RSS | git processes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="hg-huge-") as tmp:
        for name in args.cases.split(","):
            repo = Path(tmp) / name
            make_case(repo, CASES[name])
            diff = ["git", "diff", "-p", "-M", "main", "HEAD"]
            size = len(subprocess.run(diff, cwd=repo, capture_output=True).stdout)
            check = [sys.executable, "-m", "hotfix_guard", "check", "--format", "json"]
            timed(diff, repo, env), timed(check, repo, env)  # warm the page cache
            git_walls, check_walls, ratios, rss, calls = [], [], [], [], 0
            for _ in range(args.rounds):
                g = timed(diff, repo, env)[0]
                c, peak, calls = timed(check, repo, env)
                git_walls.append(g)
                check_walls.append(c)
                ratios.append(c / g)
                rss.append(peak)
            print(f"| {name} | {size:,} | {statistics.median(git_walls):.2f} s | {statistics.median(check_walls):.2f} s "
                  f"| {statistics.median(ratios):.1f}x | {statistics.median(rss) / 1e6:.0f} MB | {calls} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
