"""The hotfix-guard benchmark: one command, a table of medians and ratios.

    python bench/run.py            # full run (about two minutes once set up)
    python bench/run.py --quick    # fewer rounds
    python bench/run.py --repo ~/src/big-clone   # a real large clone instead of the synthetic one

What it does, all under bench/.work/ (git-ignored):

1. a virtual environment (``venv``) with this checkout of hotfix-guard installed as a
   user would have it (a regular, non-editable install, redone when the code changes)
   and the peers it is compared with: pre-commit-hooks, gitlint, pre-commit;
2. repositories made by ``bench/synth.py`` with ``git fast-import`` (cached);
3. whole-process timings: every command of a row is run in turn, round after round
   (interleaved, so a noisy neighbour slows all of them alike), after warm-up runs;
   the table gives medians of wall-clock time and of CPU time (user+sys of the
   process and the git processes it waited for), and each ratio is the median of the
   per-round ratios -- the two commands of a pair ran seconds apart.

Only public tools: Python's own timing of processes (``os.posix_spawn`` + ``os.wait4``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, ".work")
VENV = os.path.join(WORK, "venv")
BIN = os.path.join(VENV, "Scripts" if os.name == "nt" else "bin")
PEERS = ("pre-commit-hooks>=4", "gitlint>=0.19", "pre-commit>=3.2")
# not a peer: revisions before abeda0e parse diffs with it (bench/revisions.py runs them)
OLD_DEPS = ("unidiff>=0.7",)
ZERO = "0" * 40

sys.path.insert(0, HERE)
import synth  # noqa: E402


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# -- the environment ----------------------------------------------------------------------

def _digest(paths: list[str]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(os.path.relpath(path, ROOT).encode() + b"\0")
        with open(path, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def _project_files() -> list[str]:
    files = [os.path.join(ROOT, "pyproject.toml")]
    for name in ("README.md", "LICENSE"):
        if os.path.exists(os.path.join(ROOT, name)):
            files.append(os.path.join(ROOT, name))
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "hotfix_guard")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        files += [os.path.join(dirpath, f) for f in filenames if not f.endswith(".pyc")]
    return files


def _stamp(name: str) -> str | None:
    try:
        with open(os.path.join(WORK, name)) as fh:
            return fh.read().strip()
    except OSError:
        return None


def _set_stamp(name: str, value: str) -> None:
    with open(os.path.join(WORK, name), "w") as fh:
        fh.write(value + "\n")


def pip(*args: str) -> None:
    proc = subprocess.run([os.path.join(BIN, "python"), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench: pip {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")


def setup_env(skip_install: bool) -> None:
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(os.path.join(BIN, "python")):
        log(f"creating {os.path.relpath(VENV, ROOT)} with {sys.executable}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if skip_install:
        return
    files = _project_files()
    deps = _digest([os.path.join(ROOT, "pyproject.toml")]) + "|" + ",".join(PEERS + OLD_DEPS)
    code = _digest(files)
    if _stamp("deps.stamp") == deps and _stamp("code.stamp") == code:
        return
    # Install from a copy, so the build leaves nothing in the checkout.
    src = os.path.join(WORK, "src")
    shutil.rmtree(src, ignore_errors=True)
    for path in files:
        target = os.path.join(src, os.path.relpath(path, ROOT))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(path, target)
    if _stamp("deps.stamp") != deps:
        log("installing hotfix-guard and the peers (pre-commit-hooks, gitlint, pre-commit) into the venv")
        pip("install", src, *PEERS, *OLD_DEPS)
        _set_stamp("deps.stamp", deps)
    log("installing this checkout of hotfix-guard (non-editable)")
    pip("install", "--no-deps", "--force-reinstall", src)
    _set_stamp("code.stamp", code)


def versions() -> dict[str, str]:
    code = ("import importlib.metadata as m\n"
            "for d in ('hotfix-guard','pre-commit-hooks','gitlint','pre-commit','pluggy'):\n"
            "    try: print(d, m.version(d))\n"
            "    except Exception: print(d, '-')\n")
    out = subprocess.run([os.path.join(BIN, "python"), "-c", code], capture_output=True, text=True).stdout
    result = dict(line.split(" ", 1) for line in out.splitlines())
    result["python"] = platform.python_version()
    result["git"] = subprocess.run(["git", "version"], capture_output=True, text=True).stdout.split()[-1]
    return result


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem,
            "os": f"{platform.system()} {platform.release()}"}


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# -- the repositories ----------------------------------------------------------------------

def ensure_repo(shape: str) -> dict[str, str]:
    path = os.path.join(WORK, "repos", shape)
    stamp = f"repo-{shape}.json"
    saved = _stamp(stamp)
    if saved:
        info = json.loads(saved)
        if info.get("version") == synth.VERSION and os.path.isdir(path):
            return info["info"]
    for p in (path, path + "-feature"):
        shutil.rmtree(p, ignore_errors=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    log(f"building the {shape} repository with git fast-import")
    t = time.perf_counter()
    if shape == "small":
        info = synth.build_small(path)
    elif shape == "large":
        info = synth.build_large(path)
    else:  # half: the same shape, half the releases, for the growth of audit
        info = synth.build_large(path, cycles=31)
    info.update({k: str(v) for k, v in synth.describe(path).items()})
    info["path"] = path
    info["built_in_s"] = f"{time.perf_counter() - t:.1f}"
    _set_stamp(stamp, json.dumps({"version": synth.VERSION, "info": info}))
    return info


def real_repo(source: str, production: str) -> dict[str, str]:
    """A shared clone of a real repository, with the benchmark's hotfix branches added
    on top of its production branch (the original is never written to)."""
    source = os.path.abspath(os.path.expanduser(source))
    key = hashlib.sha256(source.encode()).hexdigest()[:8]
    path = os.path.join(WORK, "repos", f"real-{key}")
    if os.path.isdir(path):
        saved = _stamp(f"repo-real-{key}.json")
        if saved:
            return json.loads(saved)
        shutil.rmtree(path)
    shutil.rmtree(path + "-feature", ignore_errors=True)
    log(f"cloning {source} (shared objects, nothing copied) and adding the hotfix branches")
    synth.git(WORK, "clone", "-q", "--shared", "--no-checkout", source, path)
    prod_sha = None
    for ref in (f"refs/remotes/origin/{production}", "refs/remotes/origin/main", "refs/remotes/origin/master"):
        out = subprocess.run(["git", "rev-parse", "-q", "--verify", ref + "^{commit}"], cwd=path,
                             capture_output=True, text=True).stdout.strip()
        if out:
            prod_sha, production = out, ref.rsplit("/", 1)[1]
            break
    if prod_sha is None:
        raise SystemExit(f"bench: {source} has no branch {production}, main or master")
    synth.git(path, "update-ref", f"refs/heads/{production}", prod_sha)
    tags = synth.git(path, "tag", "--merged", prod_sha, "--list", "v*").split()
    best = max((v for v in (_semver(t) for t in tags) if v), default=(0, 0, 0))
    version = f"{best[0]}.{best[1]}.{best[2] + 1}"
    info = synth.add_hotfixes(path, prod_sha, version)
    synth.git(path, "checkout", "-q", "-f", info["hotfix"])
    synth._stage_change(path, version)
    info["feature_worktree"] = synth._feature_worktree(path, info["feature"])
    info.update({"path": path, "source": source, "version": version,
                 "commits": synth.git(path, "rev-list", "--count", "--all").strip(),
                 "tags": str(len(tags)), "production": production})
    _set_stamp(f"repo-real-{key}.json", json.dumps(info))
    return info


def _semver(tag: str) -> tuple[int, int, int] | None:
    parts = tag[1:].split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


# -- running and timing ------------------------------------------------------------------

@dataclass
class Cmd:
    label: str
    argv: list[str]
    cwd: str
    stdin: str | None = None  # a file
    env: dict[str, str] | None = None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    exit: int | None = None
    output: str = ""
    git_calls: int | None = None
    available: bool = True

    def shown(self) -> str:
        return self.label


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "HOTFIX_GUARD_")) and k not in ("CI", "NO_COLOR")}
    home = os.path.join(WORK, "home")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".gitconfig"), "w") as fh:
        fh.write("[user]\n\tname = Bench Dev\n\temail = dev@example.com\n"
                 "[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n")
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"), GIT_CONFIG_NOSYSTEM="1",
               PATH=BIN + os.pathsep + env.get("PATH", ""), PRE_COMMIT_HOME=os.path.join(WORK, "pre-commit-home"),
               PYTHONDONTWRITEBYTECODE="")
    env.pop("PYTHONDONTWRITEBYTECODE")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


ENV: dict[str, str] = {}


def _spawn(cmd: Cmd) -> tuple[float, float, int]:
    """Run once; (wall seconds, CPU seconds of it and its waited-for children, exit code)."""
    env = dict(ENV, **(cmd.env or {}))
    exe = cmd.argv[0] if os.sep in cmd.argv[0] else shutil.which(cmd.argv[0], path=env["PATH"]) or cmd.argv[0]
    stdin = os.open(cmd.stdin or os.devnull, os.O_RDONLY)
    devnull = os.open(os.devnull, os.O_WRONLY)
    here = os.getcwd()
    os.chdir(cmd.cwd)  # posix_spawn has no chdir action: the child inherits ours
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawn(exe, cmd.argv, env, setsigdef=(signal.SIGPIPE,), file_actions=[
            (os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    finally:
        os.chdir(here)
        os.close(stdin)
        os.close(devnull)
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def probe(cmd: Cmd) -> None:
    """One run with output captured: what it says, its exit code, its git calls."""
    env = dict(ENV, **(cmd.env or {}), HOTFIX_GUARD_TRACE_GIT="1")
    with open(cmd.stdin or os.devnull, "rb") as fh:
        proc = subprocess.run(cmd.argv, cwd=cmd.cwd, env=env, stdin=fh, capture_output=True, text=True)
    cmd.exit = proc.returncode
    err_lines = proc.stderr.splitlines()
    traced = [ln for ln in err_lines if ln.startswith("git ")]
    other = [ln for ln in err_lines if not ln.startswith("git ")]
    if traced or cmd.label.startswith(("hotfix-guard", "python -m hotfix_guard", "native")):
        cmd.git_calls = len(traced)
    lines = [ln for ln in proc.stdout.splitlines() + other if ln.strip()]
    cmd.output = lines[-1].strip() if lines else ""
    text = proc.stdout + proc.stderr
    if cmd.label.startswith("hotfix-guard") and proc.returncode == 2 and (
            "not built yet" in text or "invalid choice" in text):
        cmd.available = False  # a command this checkout does not have (yet)


def measure(cmds: list[Cmd], rounds: int, warmup: int) -> None:
    live = [c for c in cmds if c.available]
    if not live:
        return
    for r in range(warmup + rounds):
        order = live[r % len(live):] + live[:r % len(live)]  # rotate: no command always goes first
        for cmd in order:
            wall, cpu, _ = _spawn(cmd)
            if r >= warmup:
                cmd.wall.append(wall)
                cmd.cpu.append(cpu)


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def ratio(a: Cmd, *bs: Cmd, metric: str = "wall") -> float:
    """Median over rounds of a / (sum of bs): each pair measured side by side."""
    xs, ys = getattr(a, metric), [getattr(b, metric) for b in bs]
    n = min(len(xs), *(len(y) for y in ys))
    if not n:
        return float("nan")
    return statistics.median(xs[i] / (sum(y[i] for y in ys) or 1e-9) for i in range(n))


# -- the scenarios ---------------------------------------------------------------------------

def hg(*args: str) -> list[str]:
    return [os.path.join(BIN, "hotfix-guard"), *args]


def py(*args: str) -> list[str]:
    return [os.path.join(BIN, "python"), *args]


@dataclass
class Budget:
    """``num`` over the sum of ``dens`` (commands by label), per round, median; or, with
    no ``dens``, ``num``'s median in seconds. ``limit`` None: shown, not judged."""

    what: str
    num: str
    dens: tuple[str, ...] = ()
    limit: float | None = None
    kind: str = "ratio"  # ratio | seconds | growth
    strict: bool = False  # "<" rather than "<="


@dataclass
class Row:
    id: str
    scenario: str
    cmds: list[Cmd]
    budgets: list[Budget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cmd(self, label: str) -> Cmd:
        return next(c for c in self.cmds if c.label == label)


def plumbing_script(repo: str, info: dict[str, str], tip: str) -> str:
    """The raw git calls every rule of a pre-push check needs, run by themselves: where
    the repository is, the branches, the merge base, the range's commits with their
    messages, development's own commits with theirs (HG001 reads their merge subjects and
    cherry-pick lines), the patches development and the hotfix share (HG001's patch-ids),
    the release tags and whether the latest is on production, the diff."""
    production = info.get("production", "main")
    main = synth.git(repo, "rev-parse", production).strip()
    dev = synth.git(repo, "rev-parse", "develop").strip() if _has(repo, "develop") else main
    mb = synth.git(repo, "merge-base", main, tip).strip()
    tags = synth.git(repo, "for-each-ref", "--merged", main, "--format=%(refname:strip=2) %(objectname)",
                     "refs/tags/v*").split("\n")
    releases = sorted((v, sha) for v, sha in ((_semver(t.split()[0]), t.split()[1]) for t in tags if t) if v)
    latest = releases[-1][1] if releases else main
    calls = [
        "git rev-parse --absolute-git-dir --git-common-dir --is-bare-repository --is-shallow-repository "
        "--show-toplevel --symbolic-full-name HEAD",
        f"git for-each-ref '--format=%(refname)%00%(objectname)' refs/heads/{production} refs/heads/develop "
        f"refs/remotes/origin/{production} refs/remotes/origin/develop",
        f"git merge-base {main} {tip}",
        f"git log -z '--format=%H%n%P%n%B' {tip} ^{main} --",
        f"git log -z '--format=%H%n%P%n%B' {dev} ^{main} --",
        f"git rev-list --cherry-mark --no-merges {dev}...{tip} --",
        f"git for-each-ref '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)' "
        f"'refs/tags/v*'",
        f"git merge-base --is-ancestor {latest} {main}",
        f"git diff --no-color --no-ext-diff {mb} {tip}",
    ]
    path = os.path.join(WORK, f"plumbing-{os.path.basename(repo)}.sh")
    with open(path, "w") as fh:
        fh.write("#!/bin/sh\nset -e\nexec >/dev/null\n" + "\n".join(calls) + "\n")
    os.chmod(path, 0o755)
    return path


def _has(repo: str, branch: str) -> bool:
    return subprocess.run(["git", "rev-parse", "-q", "--verify", f"refs/heads/{branch}"], cwd=repo,
                          capture_output=True).returncode == 0


def native_hook(repo: str) -> tuple[list[str], str]:
    """The native pre-commit hook: the one ``hotfix-guard install`` writes, when that
    command exists; else a two-line hook of the bench's own."""
    probe_cmd = Cmd("install", hg("install"), repo)
    probe(probe_cmd)
    hooks = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=repo, capture_output=True,
                           text=True).stdout.strip()
    hook = os.path.join(repo, hooks, "pre-commit")
    if probe_cmd.available and probe_cmd.exit == 0 and os.path.exists(hook):
        return [hook], "the hook `hotfix-guard install` wrote"
    os.makedirs(os.path.dirname(hook), exist_ok=True)
    with open(hook, "w") as fh:
        fh.write(f"#!/bin/sh\nexec {os.path.join(BIN, 'hotfix-guard')} check --stage pre-commit\n")
    os.chmod(hook, 0o755)
    return [hook], "`install` n/a: a two-line `exec hotfix-guard check --stage pre-commit` hook"


def scenarios(small: dict[str, str], large: dict[str, str], half: dict[str, str] | None,
              large_label: str) -> list[Row]:
    s, L = small["path"], large["path"]
    pass_ = lambda cwd: Cmd("python -I -c pass", py("-I", "-c", "pass"), cwd)  # noqa: E731
    rows: list[Row] = []

    # 1. the every-commit path
    for name, info in (("small", small), (large_label, large)):
        wt = info["feature_worktree"]
        base = pass_(wt)
        check = Cmd("hotfix-guard check --stage pre-commit", hg("check", "--stage", "pre-commit"), wt)
        dash_m = Cmd("python -m hotfix_guard check --stage pre-commit",
                     py("-m", "hotfix_guard", "check", "--stage", "pre-commit"), wt)
        peer = Cmd("no-commit-to-branch (pre-commit-hooks)", [os.path.join(BIN, "no-commit-to-branch")], wt)
        cold = Cmd("hotfix-guard check --stage pre-commit, no config cache", hg("check", "--stage", "pre-commit"), wt,
                   env={"HOTFIX_GUARD_NO_CACHE": "1"})
        row = Row(f"1{'a' if name == 'small' else 'b'}", f"non-hotfix branch ({name} repo): the every-commit path",
                  [base, check, dash_m, cold, peer])
        row.budgets += [Budget("check <= 3x python -I -c pass", check.label, (base.label,), 3.0),
                        Budget("check < no-commit-to-branch", check.label, (peer.label,), 1.0, strict=True),
                        Budget("python -m hotfix_guard / python -I -c pass", dash_m.label, (base.label,)),
                        Budget("no config cache / python -I -c pass", cold.label, (base.label,))]
        rows.append(row)

    # 2. a clean hotfix at pre-commit, 50 staged lines
    msg = os.path.join(WORK, "commit-msg.txt")
    with open(msg, "w") as fh:
        fh.write("Fix payment crash on empty amount\n\nThe mobile app sends null amounts.\n\nFollow-up: PAY-99\n")
    for name, info in (("small", small), (large_label, large)):
        repo = info["path"]
        base = pass_(repo)
        check = Cmd("hotfix-guard check --stage pre-commit", hg("check", "--stage", "pre-commit"), repo)
        cmds = [base, check]
        if name == "small":
            cmds.append(Cmd("gitlint --staged --msg-filename MSG", [os.path.join(BIN, "gitlint"), "--staged",
                                                                    "--msg-filename", msg], repo))
        row = Row(f"2{'a' if name == 'small' else 'b'}",
                  f"clean hotfix at pre-commit, 50 staged lines ({name} repo)", cmds)
        if name == "small":
            row.budgets += [Budget("check <= 6x python -I -c pass", check.label, (base.label,), 6.0),
                            Budget("check < half of gitlint", check.label, (cmds[2].label,), 0.5, strict=True)]
        else:
            row.budgets += [Budget("check / python -I -c pass (no budget)", check.label, (base.label,))]
        rows.append(row)

    # 3. pre-push, a 200-commit hotfix range on the large repository
    branch = large["range"]
    tip = synth.git(L, "rev-parse", f"refs/heads/{branch}").strip()
    lines = os.path.join(WORK, f"pre-push-{os.path.basename(L)}.txt")
    with open(lines, "w") as fh:
        fh.write(f"refs/heads/{branch} {tip} refs/heads/{branch} {ZERO}\n")
    count = synth.git(L, "rev-list", "--count", tip, f"^{large.get('production', 'main')}").strip()
    plumb = plumbing_script(L, large, tip)
    base = pass_(L)
    raw = Cmd("raw git plumbing (9 calls, sh)", [plumb], L)
    check = Cmd("hotfix-guard check --stage pre-push", hg("check", "--stage", "pre-push"), L, stdin=lines)
    row = Row("3", f"pre-push of a {count}-commit hotfix range ({large_label} repo)", [base, raw, check])
    row.budgets += [Budget("check <= 1.5x (plumbing + python -I -c pass)", check.label, (raw.label, base.label), 1.5)]
    row.notes.append("plumbing: rev-parse, for-each-ref (branches), merge-base, log -z of the range, "
                     "log -z develop ^main, rev-list --cherry-mark develop...tip, for-each-ref (tags), "
                     "merge-base --is-ancestor "
                     "(latest tag, main), diff")
    rows.append(row)

    # 4. audit over the whole history
    cmds = [Cmd(f"hotfix-guard audit ({large_label}, {large.get('commits', '?')} commits)", hg("audit"), L)]
    if half:
        cmds.insert(0, Cmd(f"hotfix-guard audit (half, {half.get('commits', '?')} commits)", hg("audit"),
                           half["path"]))
    row = Row("4", "audit over the whole history", cmds)
    row.budgets += [Budget("audit of the large history: a few seconds", cmds[-1].label, (), 5.0, "seconds")]
    if half:
        row.budgets += [Budget("audit grows linearly: (time ratio) / (commit ratio), large vs half",
                               cmds[-1].label, (cmds[0].label,), 1.25, "growth")]
    rows.append(row)

    # 5. native hook vs the pre-commit framework
    hook, how = native_hook(s)
    framework = Cmd("pre-commit run hotfix-guard (framework)", [os.path.join(BIN, "pre-commit"), "run",
                                                                 "hotfix-guard", "--hook-stage", "pre-commit"], s)
    native = Cmd("native .git/hooks/pre-commit", hook, s)
    row = Row("5", "the same check: native hook vs the pre-commit framework (small repo)", [native, framework])
    row.budgets += [Budget("framework / native hook (no budget)", framework.label, (native.label,))]
    row.notes.append(f"native hook: {how}; framework: repo: local, language: system (its own overhead only)")
    rows[0].notes.append("both repositories are configured projects: a pyproject.toml with a [tool.hotfix-guard] "
                         "table, read from hotfix-guard's config cache after the first run")
    rows.append(row)
    return rows


# -- the report ------------------------------------------------------------------------------

def fmt_ms(x: float) -> str:
    if x != x:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def evaluate(row: Row) -> list[tuple[str, str, str, str]]:
    """(budget, measured on wall time, the same on CPU time, verdict) for each budget.
    The verdict is on wall time, as the budgets are stated; CPU time is shown beside it
    because it moves far less when other processes share the machine."""
    out = []
    for b in row.budgets:
        num = row.cmd(b.num)
        dens = [row.cmd(d) for d in b.dens]
        missing = [c for c in (num, *dens) if not c.available or not c.wall]
        if missing:
            why = "n/a (not available)" if any(not c.available for c in missing) else "n/a"
            out.append((b.what, why, "", "n/a"))
            continue
        if b.kind == "seconds":
            value, shown, cpu, unit = med(num.wall), fmt_ms(med(num.wall)), fmt_ms(med(num.cpu)), " s"
        elif b.kind == "growth":
            commits = lambda c: float(c.label.rsplit(", ", 1)[1].split()[0])  # noqa: E731
            scale = commits(num) / commits(dens[0])
            value = (med(num.wall) / med(dens[0].wall)) / scale
            shown, unit = f"{value:.2f}", ""
            cpu = f"{(med(num.cpu) / med(dens[0].cpu)) / scale:.2f}"
        else:
            value = ratio(num, *dens)
            shown, unit = f"{value:.2f}x", "x"
            cpu = f"{ratio(num, *dens, metric='cpu'):.2f}x"
        if b.limit is None:
            out.append((b.what, shown, cpu, "-"))
        else:
            ok = value < b.limit if b.strict else value <= b.limit
            out.append((b.what, shown, cpu, f"{'holds' if ok else 'MISSED'} (limit {b.limit:g}{unit})"))
    return out


def render(rows: list[Row], meta: dict[str, object]) -> str:
    out = [f"hotfix-guard benchmark, {meta['when']}", "",
           f"- machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, {meta['machine']['memory']}, "
           f"{meta['machine']['os']}; load average before {meta['load_before']}, after {meta['load_after']}",
           "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
           f"- rounds: {meta['rounds']} per row (audit: {meta['audit_rounds']}), after {meta['warmup']} warm-up;"
           " interleaved; medians",
           ]
    for name, info in meta["repos"].items():
        keys = ("commits", "tags", "patch_tags", "develop_first_parent")
        out.append(f"- {name} repo: " + ", ".join(f"{k.replace('_', ' ')} {info[k]}" for k in keys if k in info))
    out += ["", "| row | scenario | command | wall (median) | CPU (median) | git calls | result |",
            "|---|---|---|---:|---:|---:|---|"]
    for row in rows:
        for i, c in enumerate(row.cmds):
            if not c.available:
                wall = cpu = "n/a (not available)"
            else:
                wall, cpu = fmt_ms(med(c.wall)), fmt_ms(med(c.cpu))
            result = c.output.replace("|", "\\|")[:70] if c.available else "-"
            if c.exit not in (None, 0) and c.available:
                result = f"exit {c.exit}: {result}"
            calls = "" if c.git_calls is None or not c.available else str(c.git_calls)
            out.append(f"| {row.id if i == 0 else ''} | {row.scenario if i == 0 else ''} | {c.label} | {wall} | "
                       f"{cpu} | {calls} | {result} |")
    out += ["", "| row | budget | measured (wall) | same on CPU time | verdict (wall) |", "|---|---|---:|---:|---|"]
    for row in rows:
        for what, shown, cpu, verdict in evaluate(row):
            out.append(f"| {row.id} | {what} | {shown} | {cpu} | {verdict} |")
    notes = [f"- row {row.id}: {n}" for row in rows for n in row.notes]
    if notes:
        out += [""] + notes
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark hotfix-guard against peers and raw git.")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a quick look, noisier)")
    parser.add_argument("--rounds", type=int, help="rounds per row (default 30, --quick 10)")
    parser.add_argument("--repo", metavar="PATH", help="a real large clone to use instead of the synthetic one")
    parser.add_argument("--production", default="main", help="with --repo: its production branch (default main)")
    parser.add_argument("--rows", help="only these rows, e.g. 1,3")
    parser.add_argument("--skip-install", action="store_true", help="use the venv as it is")
    parser.add_argument("--no-half", action="store_true", help="skip the half-size history (audit growth)")
    args = parser.parse_args(argv)
    if os.name == "nt" or not hasattr(os, "posix_spawn"):
        raise SystemExit("bench: needs a POSIX system (os.posix_spawn, os.wait4)")
    rounds = args.rounds or (10 if args.quick else 30)
    warmup = 2 if args.quick else 3
    audit_rounds = 3 if args.quick else 5

    setup_env(args.skip_install)
    ENV.update(bench_env())
    small = ensure_repo("small")
    if args.repo:
        large = real_repo(args.repo, args.production)
        large_label = "real"
        half = None
    else:
        large = ensure_repo("large")
        large_label = "large"
        half = None if args.no_half else ensure_repo("half")
    rows = scenarios(small, large, half, large_label)
    if args.rows:
        wanted = set(args.rows.split(","))
        rows = [r for r in rows if r.id in wanted or r.id[0] in wanted]
    meta: dict[str, object] = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "versions": versions(), "rounds": rounds, "warmup": warmup,
        "audit_rounds": audit_rounds, "load_before": load(),
        "repos": {"small": small, large_label: large, **({"half": half} if half else {})},
    }
    for row in rows:
        for c in row.cmds:
            probe(c)
        n = audit_rounds if row.id == "4" else rounds
        log(f"row {row.id}: {row.scenario} ({n} rounds)")
        measure(row.cmds, n, 1 if row.id == "4" else warmup)
    meta["load_after"] = load()
    text = render(rows, meta)
    print(text)
    os.makedirs(os.path.join(WORK, "results"), exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(WORK, "results", f"{stamp}.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(WORK, "results", f"{stamp}.json"), "w") as fh:
        json.dump({"meta": meta, "rows": [
            {"id": r.id, "scenario": r.scenario, "budgets": evaluate(r),
             "cmds": [{"label": c.label, "argv": c.argv, "wall": c.wall, "cpu": c.cpu, "exit": c.exit,
                       "output": c.output, "git_calls": c.git_calls, "available": c.available} for c in r.cmds]}
            for r in rows]}, fh, indent=1, default=str)
    log(f"results in {os.path.relpath(os.path.join(WORK, 'results'), ROOT)}/{stamp}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
