"""What a hook costs per commit: the native hook vs a bare Python vs the pre-commit framework.

    python bench/hook_timing.py [--runs 30] [--no-framework]

Builds a throwaway repository (main with release tags, develop, a feature branch checked
out: the every-commit case, where hotfix-guard finds nothing to check), then times, in
interleaved rounds so a busy machine slows every variant alike:

- ``python -I -c pass``: the floor, the interpreter that runs the hook starting and stopping;
- ``native hook``: ``git hook run pre-commit`` with the hook ``hotfix-guard install`` wrote,
  i.e. the hook exactly as git starts it on ``git commit``;
- ``framework hook``: ``git hook run pre-commit`` with ``pre-commit install``'s hook and a
  config holding the ``hotfix-guard`` hook id (its environment built beforehand);
- ``git commit`` with each hook and with ``--no-verify``, to show the share of a commit.

Prints a Markdown table of medians of wall-clock time and of CPU time (user + system of
the command and every process it waited for; less sensitive to a busy machine), each
with its ratio to the bare Python. Run from the checkout
root; hotfix_guard is imported from this checkout (PYTHONPATH). Needs git >= 2.36 for
``git hook run``. Never used by the tests: timings are figures for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(*args: str, cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, cwd=cwd, env=env, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def make_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
               PYTHONPATH=str(ROOT), PRE_COMMIT_HOME=str(home / "pre-commit"))
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgSign = false\n")
    return env


def make_repo(path: Path, env: dict[str, str]) -> None:
    sh("git", "init", "-q", str(path), cwd=path.parent, env=env)
    (path / "app.py").write_text("def main():\n    return 0\n")
    for args in (("add", "app.py"), ("commit", "-qm", "init"), ("tag", "-a", "v1.2.3", "-m", "v1.2.3"),
                 ("checkout", "-qb", "develop"), ("commit", "-q", "--allow-empty", "-m", "dev"),
                 ("checkout", "-qb", "feature/loyalty")):
        sh("git", *args, cwd=path, env=env)


def hook_source(tmp: Path, env: dict[str, str]) -> tuple[Path, str]:
    src = tmp / "hook-source"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "--no-verify", "-m", "src")):
        sh("git", *args, cwd=src, env=env)
    return src, sh("git", "rev-parse", "HEAD", cwd=src, env=env).stdout.decode().strip()


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and everything it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-framework", action="store_true", help="skip the pre-commit framework variants")
    parser.add_argument("--fresh-venv", action="store_true",
                        help="measure in a new venv with this checkout (and pre-commit) pip-installed, as a "
                             "user has it, instead of this interpreter with PYTHONPATH (needs the package index)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hg-hook-timing-") as tmp_s:
        tmp = Path(tmp_s)
        (tmp / "home").mkdir()
        env = make_env(tmp / "home")
        python = sys.executable
        if args.fresh_venv:
            venv = tmp / "venv"
            sh(sys.executable, "-m", "venv", str(venv), cwd=tmp, env=env)
            python = str(venv / "bin" / "python")
            packages = [str(ROOT)] + ([] if args.no_framework else ["pre-commit"])
            sh(python, "-m", "pip", "install", "-q", *packages, cwd=tmp, env=env)
            del env["PYTHONPATH"]
        native, framework = tmp / "native", tmp / "framework"
        make_repo(native, env)
        sh(python, "-m", "hotfix_guard", "install", "--hook", "pre-commit", cwd=native, env=env)

        variants: dict[str, tuple[list[str], Path]] = {
            "python -I -c pass": ([python, "-I", "-c", "pass"], native),
            "native hook (git hook run pre-commit)": (["git", "hook", "run", "pre-commit"], native),
        }
        commits: dict[str, tuple[list[str], Path]] = {
            "git commit --no-verify": (["git", "commit", "-q", "--allow-empty", "--no-verify", "-m", "x"], native),
            "git commit, native hook": (["git", "commit", "-q", "--allow-empty", "-m", "x"], native),
        }
        if not args.no_framework:
            make_repo(framework, env)
            src, sha = hook_source(tmp, env)
            (framework / ".pre-commit-config.yaml").write_text(
                f"repos:\n-   repo: {src}\n    rev: {sha}\n    hooks:\n    -   id: hotfix-guard\n")
            sh("git", "add", ".pre-commit-config.yaml", cwd=framework, env=env)
            sh("git", "commit", "-q", "--no-verify", "-m", "config", cwd=framework, env=env)
            sh(python, "-m", "pre_commit", "install", cwd=framework, env=env)
            sh(python, "-m", "pre_commit", "install-hooks", cwd=framework, env=env)  # build the env now
            variants["framework hook (git hook run pre-commit)"] = (["git", "hook", "run", "pre-commit"], framework)
            commits["git commit, framework hook"] = (["git", "commit", "-q", "--allow-empty", "-m", "x"], framework)

        everything = {**variants, **commits}
        wall: dict[str, list[float]] = {name: [] for name in everything}
        cpu: dict[str, list[float]] = {name: [] for name in everything}
        for name, (cmd, cwd) in everything.items():  # warm up caches once
            timed(cmd, cwd, env)
        for _ in range(args.runs):
            for name, (cmd, cwd) in everything.items():
                w, c = timed(cmd, cwd, env)
                wall[name].append(w)
                cpu[name].append(c)

    base_wall = statistics.median(wall["python -I -c pass"])
    base_cpu = statistics.median(cpu["python -I -c pass"])
    where = "a fresh venv, pip-installed" if args.fresh_venv else f"{python}, PYTHONPATH"
    print(f"{args.runs} interleaved runs each; {where}; Python {sys.version.split()[0]}, "
          f"{sh('git', 'version', cwd=ROOT, env=dict(os.environ)).stdout.decode().strip()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| what | wall median | wall min | × bare (wall) | CPU median | × bare (CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in everything:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"| {name} | {w * 1000:.1f} ms | {min(wall[name]) * 1000:.1f} ms | {w / base_wall:.2f} "
              f"| {c * 1000:.1f} ms | {c / base_cpu:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
