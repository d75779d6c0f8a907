"""Synthetic repositories for the benchmark, made in seconds with ``git fast-import``.

Self-contained (standard library and the git CLI only), so the benchmark runs from a
clean clone. Two shapes:

* :func:`build_small` -- a small project: main with releases v1.2.2 and v1.2.3, develop
  ahead of main, a clean hotfix ``hotfix/v1.2.4-fix-payment-crash`` checked out with a
  50-line change staged, and a feature branch.
* :func:`build_large` -- a long git-flow history: ``cycles`` minor releases, each made of
  a run of development commits merged into main (tag ``v1.C.0``) and ``hotfixes`` patch
  hotfixes branched from main, merged into main (annotated tag ``v1.C.H``) and into
  develop. The defaults give 50,000+ commits, 310 patch tags and a develop branch
  whose first-parent line is ~49,000 commits long. A few hotfixes are left imperfect
  (tagged lightweight, branch not deleted) so an audit has something to report, and a
  few are merged into develop only through the next hotfix (which it must not report). On top of it: ``hotfix/v1.<last>.<next>-fix-payment-retries``,
  200 commits off main (the pre-push range), and ``hotfix/...-fix-login-timeout``,
  one commit off main, checked out with a 50-line change staged.

Every hotfix change is "clean" by the workflow's rules: branched from main, named with
the next patch version, a ``HOTFIX vX.Y.Z:`` comment in each changed source file, a TODO
with a ticket, a test file touched, under 75 changed lines, no renames or refactors.

Run directly to build one: ``python bench/synth.py large /tmp/large``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

VERSION = 4  # bump when the shape changes: the benchmark rebuilds cached repositories

IDENT = "Bench Dev <dev@example.com>"
BASE_DATE = 1_420_070_400  # 2015-01-01


def git(cwd: str, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=_env())
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {cwd}:\n{proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C",
               GIT_AUTHOR_NAME="Bench Dev", GIT_AUTHOR_EMAIL="dev@example.com",
               GIT_COMMITTER_NAME="Bench Dev", GIT_COMMITTER_EMAIL="dev@example.com")
    return env


# -- file contents --------------------------------------------------------------------

def module_source(i: int, value: int) -> str:
    return (f'"""Module {i}."""\n\nVALUE = {value}\n\n\n'
            f"def handler_{i}(value):\n    return value + VALUE\n")


PAYMENTS = '''"""Payments."""

import logging

logger = logging.getLogger(__name__)


def process_payment(amount, card):
    total = amount * 100  # Convert to cents
    return charge_card(card, total)


def charge_card(card, cents):
    return {"card": card, "cents": cents}
'''

TEST_PAYMENTS = '''from app.payments import process_payment


def test_process_payment():
    assert process_payment(1, "card")["cents"] == 100
'''


def fixed_payments(version: str, extra_lines: int = 44) -> str:
    """PAYMENTS with a hotfix inside process_payment: ``extra_lines`` added lines, a
    HOTFIX marker and a TODO with a ticket, no signature changed."""
    guard = [
        f"    # HOTFIX v{version}: reject a missing or negative amount instead of crashing",
        "    # TODO(PAY-99): move validation into the API layer",
        "    if amount is None or amount <= 0:",
        '        logger.error("Invalid payment amount: %r", amount)',
        '        return {"error": "Invalid payment amount"}',
    ]
    n = 0
    while len(guard) < extra_lines:
        n += 1
        guard.append(f'    if card == "blocked-{n}":  # known bad test card {n}')
        guard.append(f'        return {{"error": "card {n} blocked"}}')
    guard = guard[:extra_lines]
    head, tail = PAYMENTS.split("    total = amount * 100", 1)
    return head + "\n".join(guard) + "\n    total = amount * 100" + tail


def fixed_test(lines: int = 6) -> str:
    extra = ["", "", "def test_missing_amount_is_rejected():",
             '    assert process_payment(None, "card") == {"error": "Invalid payment amount"}',
             '    assert process_payment(-1, "card")["error"]', '    assert process_payment(0, "card")["error"]']
    return TEST_PAYMENTS + "\n".join(extra[:lines]) + "\n"


# -- the fast-import stream -------------------------------------------------------------

class Stream:
    """Writes a fast-import stream. Every commit goes to a scratch ref with explicit
    parents; branch refs are set at the end with ``reset``."""

    def __init__(self, out) -> None:
        self.out = out
        self.mark = 0
        self.clock = BASE_DATE
        self.commits = 0

    def _w(self, text: str) -> None:
        self.out.write(text.encode())

    def _data(self, payload: str) -> None:
        raw = payload.encode()
        self.out.write(b"data %d\n" % len(raw) + raw + b"\n")

    def commit(self, message: str, files: dict[str, str], parents: list[int | str], *,
               deleteall: bool = False) -> int:
        self.mark += 1
        self.clock += 60
        self.commits += 1
        self._w(f"commit refs/synth/scratch\nmark :{self.mark}\n"
                f"committer {IDENT} {self.clock} +0000\n")
        self._data(message)
        names = [f":{p}" if isinstance(p, int) else p for p in parents]  # a mark, or a commit id
        if names:
            self._w(f"from {names[0]}\n")
            for name in names[1:]:
                self._w(f"merge {name}\n")
        if deleteall:
            self._w("deleteall\n")
        for path, content in files.items():
            self._w(f"M 100644 inline {path}\n")
            self._data(content)
        return self.mark

    def tag(self, name: str, mark: int, message: str) -> None:
        self.clock += 1
        self._w(f"tag {name}\nfrom :{mark}\ntagger {IDENT} {self.clock} +0000\n")
        self._data(message)

    def ref(self, ref: str, mark: int | str) -> None:
        self._w(f"reset {ref}\nfrom {f':{mark}' if isinstance(mark, int) else mark}\n\n")


def _fast_import(path: str, write, *, init: bool = True) -> int:
    if init:
        os.makedirs(path, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=path, stdin=subprocess.PIPE,
                            env=_env())
    stream = Stream(proc.stdin)
    write(stream)
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    git(path, "update-ref", "-d", "refs/synth/scratch")
    return stream.commits


def _finish(path: str) -> None:
    """What a real clone has after `git gc`: packed refs and a commit-graph."""
    git(path, "pack-refs", "--all")
    git(path, "commit-graph", "write", "--reachable")
    git(path, "config", "user.name", "Bench Dev")
    git(path, "config", "user.email", "dev@example.com")


def _stage_change(path: str, version: str) -> None:
    with open(os.path.join(path, "src/app/payments.py"), "w") as fh:
        fh.write(fixed_payments(version))
    with open(os.path.join(path, "tests/test_payments.py"), "w") as fh:
        fh.write(fixed_test())
    git(path, "add", "src/app/payments.py", "tests/test_payments.py")


PYPROJECT = """\
[project]
name = "app"
version = "1.2.3"

# A configured project: the check reads this table (from its cache after the first run).
[tool.hotfix-guard]
extend-exclude = ["docs/generated/**"]
ticket-pattern = "[A-Z][A-Z0-9]+-[0-9]+|#[0-9]+"
"""

PRE_COMMIT_CONFIG = """\
# The same check through the pre-commit framework, for the benchmark's comparison.
# language: system runs the hotfix-guard found on PATH, so this measures the
# framework's own cost on top of the native hook.
repos:
  - repo: local
    hooks:
      - id: hotfix-guard
        name: hotfix-guard
        entry: hotfix-guard check --stage pre-commit
        language: system
        pass_filenames: false
        always_run: true
"""


def _feature_worktree(path: str, branch: str) -> str:
    """A second worktree with the feature branch checked out: the every-commit path."""
    where = path.rstrip("/") + "-feature"
    git(path, "worktree", "add", "-q", where, branch)
    return where


def staged_lines(path: str) -> int:
    out = git(path, "diff", "--cached", "--numstat")
    return sum(int(a) + int(d) for a, d, _ in (line.split("\t") for line in out.splitlines()))


# -- the small project ------------------------------------------------------------------

def build_small(path: str) -> dict[str, str]:
    def write(s: Stream) -> None:
        files = {f"src/app/module_{i:02d}.py": module_source(i, 0) for i in range(12)}
        files.update({"src/app/payments.py": PAYMENTS, "tests/test_payments.py": TEST_PAYMENTS,
                      "README.md": "# app\n", "src/app/__init__.py": "",
                      ".pre-commit-config.yaml": PRE_COMMIT_CONFIG, "pyproject.toml": PYPROJECT})
        m = s.commit("Initial commit", files, [])
        s.tag("v1.2.2", m, "Release v1.2.2")
        m = s.commit("Fix typo in readme", {"README.md": "# The app\n"}, [m])
        s.tag("v1.2.3", m, "Release v1.2.3")
        main = m
        d = s.commit("Add loyalty points", {"src/app/loyalty.py": "POINTS = 10\n"}, [main])
        d = s.commit("Add loyalty page", {"src/app/page.py": "PAGE = 'loyalty'\n"}, [d])
        h = s.commit("Prepare the payment hotfix\n\nFollow-up: PAY-99\n",
                     {"src/app/module_00.py": module_source(0, 0).replace(
                         "    return value + VALUE", "    # HOTFIX v1.2.4: log the handler\n    return value + VALUE")},
                     [main])
        f = s.commit("Start loyalty feature", {"src/app/module_01.py": module_source(1, 1)}, [d])
        s.ref("refs/heads/main", main)
        s.ref("refs/heads/develop", d)
        s.ref("refs/heads/hotfix/v1.2.4-fix-payment-crash", h)
        s.ref("refs/heads/feature/loyalty", f)

    _fast_import(path, write)
    _finish(path)
    git(path, "checkout", "-q", "-f", "hotfix/v1.2.4-fix-payment-crash")
    _stage_change(path, "1.2.4")
    return {"hotfix": "hotfix/v1.2.4-fix-payment-crash", "feature": "feature/loyalty",
            "feature_worktree": _feature_worktree(path, "feature/loyalty"), "version": "1.2.4"}


# -- the large history ------------------------------------------------------------------

def build_large(path: str, *, cycles: int = 62, hotfixes: int = 5, dev_commits: int = 787,
                modules: int = 2000, range_commits: int = 200) -> dict[str, str]:
    """A long git-flow history. Returns the names of the scenario branches."""
    info: dict[str, str] = {}

    def write(s: Stream) -> None:
        values = [0] * modules
        files = {f"src/app/pkg{i // 100:02d}/module_{i:04d}.py": module_source(i, 0) for i in range(modules)}
        files.update({"src/app/payments.py": PAYMENTS, "tests/test_payments.py": TEST_PAYMENTS,
                      "README.md": "# app\n", "src/app/__init__.py": "", "pyproject.toml": PYPROJECT})
        root = s.commit("Initial commit", files, [])
        main = develop = root
        s.tag("v1.0.0", root, "Release v1.0.0")
        n = 0
        left_open: list[tuple[str, int]] = []
        for c in range(cycles):
            if c:
                for _ in range(dev_commits):
                    i = (n * 7919) % modules
                    n += 1
                    values[i] += 1
                    develop = s.commit(f"Develop feature step {n}\n\nRefs: APP-{n}\n",
                                       {f"src/app/pkg{i // 100:02d}/module_{i:04d}.py": module_source(i, values[i])},
                                       [develop])
                main = s.commit(f"Merge branch 'develop' for release v1.{c}.0", {}, [main, develop])
                s.tag(f"v1.{c}.0", main, f"Release v1.{c}.0")
            for h in range(1, hotfixes + 1):
                version = f"1.{c}.{h}"
                serial = c * hotfixes + h
                i = (serial * 104729) % modules
                path_ = f"src/app/pkg{i // 100:02d}/module_{i:04d}.py"
                body = module_source(i, values[i]).replace(
                    "    return value + VALUE", f"    # HOTFIX v{version}: guard hotfix {serial}\n"
                                               f"    if value is None:\n        return VALUE\n    return value + VALUE")
                t1 = s.commit(f"Fix crash {serial}\n\nFollow-up: APP-{serial}\n", {path_: body}, [main])
                t2 = s.commit(f"Test the fix {serial}", {f"tests/test_fix_{serial}.py": "def test_fix():\n    pass\n"},
                              [t1])
                branch = f"hotfix/v{version}-fix-crash-{serial}"
                main = s.commit(f"Merge branch '{branch}'", {}, [main, t2])
                if serial % 70 == 0:
                    s.ref(f"refs/tags/v{version}", main)  # lightweight: an audit finding
                else:
                    s.tag(f"v{version}", main, f"Hotfix v{version}")
                if serial % 50 != 0:  # every 50th is not merged into develop itself (the next
                    # hotfix, cut from main, brings it along: a shape audit must not flag)
                    develop = s.commit(f"Merge branch '{branch}' into develop", {}, [develop, t2])
                if serial % 45 == 0:  # branch not deleted
                    left_open.append((branch, t2))
        # develop goes on after the last release: the long development branch
        for _ in range(dev_commits):
            i = (n * 7919) % modules
            n += 1
            values[i] += 1
            develop = s.commit(f"Develop feature step {n}",
                               {f"src/app/pkg{i // 100:02d}/module_{i:04d}.py": module_source(i, values[i])},
                               [develop])
        nxt = f"1.{cycles - 1}.{hotfixes + 1}"
        # the pre-push range: 200 commits off main, converging on a clean 50-line change
        tip = main
        for k in range(1, range_commits + 1):
            lines = max(5, (44 * k) // range_commits)
            files_k = {"src/app/payments.py": fixed_payments(nxt, lines)}
            if k == range_commits:
                files_k["tests/test_payments.py"] = fixed_test()
            tip = s.commit(f"Harden payment retries, step {k}\n\nFollow-up: PAY-{100 + k}\n", files_k, [tip])
        info["range"] = f"hotfix/v{nxt}-fix-payment-retries"
        s.ref(f"refs/heads/{info['range']}", tip)
        one = s.commit("Prepare the login fix\n\nFollow-up: APP-7\n",
                       {"README.md": "# app\n\nLogin: see docs.\n"}, [main])
        info["hotfix"] = f"hotfix/v{nxt}-fix-login-timeout"
        s.ref(f"refs/heads/{info['hotfix']}", one)
        feature = s.commit("Start loyalty feature", {"src/app/loyalty.py": "POINTS = 10\n"}, [develop])
        info["feature"] = "feature/loyalty"
        s.ref("refs/heads/feature/loyalty", feature)
        for branch, mark in left_open:
            s.ref(f"refs/heads/{branch}", mark)
        s.ref("refs/heads/main", main)
        s.ref("refs/heads/develop", develop)
        info["version"] = nxt

    commits = _fast_import(path, write)
    _finish(path)
    git(path, "checkout", "-q", "-f", info["hotfix"])
    _stage_change(path, info["version"])
    info["feature_worktree"] = _feature_worktree(path, info["feature"])
    info["commits"] = str(commits)
    return info


def add_hotfixes(path: str, production: str, version: str, range_commits: int = 200) -> dict[str, str]:
    """The benchmark's branches on top of a real repository's production commit: the
    200-commit pre-push range, a one-commit hotfix (to stage a change on) and a feature
    branch. The files are new there, so rules about new files may speak up."""
    info = {"range": f"hotfix/v{version}-fix-payment-retries", "hotfix": f"hotfix/v{version}-fix-login-timeout",
            "feature": "feature/bench-loyalty"}

    def write(s: Stream) -> None:
        tip: int | str = production
        for k in range(1, range_commits + 1):
            lines = max(5, (44 * k) // range_commits)
            files_k = {"src/app/payments.py": fixed_payments(version, lines)}
            if k == range_commits:
                files_k["tests/test_payments.py"] = fixed_test()
            tip = s.commit(f"Harden payment retries, step {k}\n\nFollow-up: PAY-{100 + k}\n", files_k, [tip])
        s.ref(f"refs/heads/{info['range']}", tip)
        one = s.commit("Prepare the login fix\n\nFollow-up: APP-7\n",
                       {"src/app/payments.py": PAYMENTS, "tests/test_payments.py": TEST_PAYMENTS}, [production])
        s.ref(f"refs/heads/{info['hotfix']}", one)
        feature = s.commit("Start loyalty feature", {"src/app/loyalty.py": "POINTS = 10\n"}, [production])
        s.ref(f"refs/heads/{info['feature']}", feature)

    s_clock = int(git(path, "log", "-1", "--format=%ct", production).strip())
    global BASE_DATE
    saved, BASE_DATE = BASE_DATE, s_clock
    try:
        _fast_import(path, write, init=False)
    finally:
        BASE_DATE = saved
    return info


def describe(path: str) -> dict[str, int]:
    """Counts that the benchmark prints: commits, tags, patch tags, develop's length."""
    commits = int(git(path, "rev-list", "--count", "--all").strip())
    tags = git(path, "tag", "--list").split()
    patch = [t for t in tags if not t.endswith(".0")]
    first_parent = int(git(path, "rev-list", "--count", "--first-parent", "develop").strip())
    return {"commits": commits, "tags": len(tags), "patch_tags": len(patch), "develop_first_parent": first_parent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shape", choices=("small", "large", "half"))
    parser.add_argument("path")
    args = parser.parse_args(argv)
    if os.path.exists(args.path) and os.listdir(args.path):
        raise SystemExit(f"{args.path} exists and is not empty")
    t = time.perf_counter()
    if args.shape == "small":
        info = build_small(args.path)
    elif args.shape == "large":
        info = build_large(args.path)
    else:
        info = build_large(args.path, cycles=31)
    took = time.perf_counter() - t
    print(f"built {args.shape} repository in {took:.1f} s: {info}")
    print(describe(args.path), f"staged lines: {staged_lines(args.path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
