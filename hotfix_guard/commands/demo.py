"""``hotfix-guard demo``: the tool, taught in thirty seconds on a throwaway repository.

It builds a small repository in a temporary directory (removed afterwards; ``--keep``
leaves it), with releases on main, untested work on develop, one flawed hotfix and the
same fix done right, and runs the checks on both. ``--workflow github-flow`` or
``gitlab-flow`` builds a repository of that shape instead (docs/workflows.md), and also
checks production once the good hotfix has landed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import IO

from hotfix_guard.git import Git

APP_V1 = '''\
import logging

logger = logging.getLogger(__name__)


def process_payment(amount, card):
    total = amount * 100  # Convert to cents
    return charge_card(card, total)


def charge_card(card, cents):
    return {"card": card, "cents": cents}
'''

APP_FIXED = '''\
import logging

logger = logging.getLogger(__name__)


def process_payment(amount, card):
    # HOTFIX v1.2.4: reject a missing amount instead of crashing (mobile app 2.1.0 sends null)
    # TODO(PAY-99): move validation into the API layer
    if amount is None or amount <= 0:
        logger.error("Invalid payment amount: %r", amount)
        return {"error": "Invalid payment amount"}
    total = amount * 100  # Convert to cents
    return charge_card(card, total)


def charge_card(card, cents):
    return {"card": card, "cents": cents}
'''

APP_FLAWED = '''\
import logging

logger = logging.getLogger(__name__)


def handle_payment(amount, card, currency="EUR"):
    # TODO: clean this up
    if not amount:
        return None
    total = amount * 100  # Convert to cents
    return charge(card, total, currency)


def charge(card, cents, currency):
    return {"card": card, "cents": cents, "currency": currency}
'''

TEST_V1 = '''\
from payments import process_payment


def test_payment():
    assert process_payment(5, "tok")["cents"] == 500
'''

TEST_FIXED = TEST_V1 + '''

def test_payment_without_amount():
    """Hotfix v1.2.4: the processor crashed on None."""
    assert process_payment(None, "tok") == {"error": "Invalid payment amount"}
'''


def add_arguments(p: argparse.ArgumentParser) -> None:
    from hotfix_guard.workflow import NAMES

    p.add_argument("--keep", action="store_true", help="keep the demo repository and print where it is")
    p.add_argument("--workflow", choices=NAMES, default="git-flow",
                   help="the branching model of the demo repository (default: git-flow)")


class _Builder:
    """Makes the demo's history. Its git runs isolated from any repository around it."""

    def __init__(self, path: str) -> None:
        self.git = Git(path, isolated=True)
        self.path = path
        self.tick = 0

    def run(self, *args: str) -> str:
        self.tick += 1
        date = f"{1_731_000_000 + 3600 * self.tick} +0000"
        self.git.env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        return self.git.run(
            "-c", "user.name=Demo Engineer", "-c", "user.email=oncall@example.com",
            "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "core.hooksPath=/dev/null",
            *args,
        )

    def commit(self, message: str, files: dict[str, str]) -> None:
        for name, content in files.items():
            full = os.path.join(self.path, name)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as fh:
                fh.write(content)
        self.run("add", "--", *files)
        self.run("commit", "-q", "--no-verify", "-m", message)


def build(path: str) -> _Builder:
    b = _Builder(path)
    b.run("init", "-q")
    b.run("symbolic-ref", "HEAD", "refs/heads/main")
    # `finish`, at the end of the demo, runs git without the builder's -c settings
    for key, value in (("user.name", "Demo Engineer"), ("user.email", "oncall@example.com"),
                       ("commit.gpgSign", "false"), ("tag.gpgSign", "false"), ("core.hooksPath", "/dev/null")):
        b.run("config", key, value)
    b.commit("Payments service", {"src/payments.py": APP_V1, "tests/test_payments.py": TEST_V1,
                                  "README.md": "# shop\n"})
    b.run("tag", "-a", "v1.2.2", "-m", "Release 1.2.2")
    b.commit("Document the payments API", {"README.md": "# shop\n\nPayments: process_payment(amount, card)\n"})
    b.run("tag", "-a", "v1.2.3", "-m", "Release 1.2.3")
    b.run("checkout", "-q", "-b", "develop")
    b.commit("Add loyalty points (not released yet)", {"src/loyalty.py": "POINTS_PER_EURO = 10\n"})
    # The flawed hotfix: cut from develop, a version bump, a refactor, no marker.
    b.run("checkout", "-q", "-b", "hotfix/v1.3.0-Quick_Fix", "develop")
    b.commit("quick fix", {"src/payments.py": APP_FLAWED, "src/validation.py": "def valid(x):\n    return bool(x)\n"})
    # The same fix done right: from main, the next patch version, marked, tested.
    b.run("checkout", "-q", "-b", "hotfix/v1.2.4-fix-payment-crash", "main")
    b.commit("Fix payment crash on a missing amount\n\nFollow-up: PAY-99",
             {"src/payments.py": APP_FIXED, "tests/test_payments.py": TEST_FIXED})
    return b


def _released(path: str) -> _Builder:
    """main with releases v1.2.2 and v1.2.3, as github-flow and gitlab-flow start."""
    b = _Builder(path)
    b.run("init", "-q")
    b.run("symbolic-ref", "HEAD", "refs/heads/main")
    b.commit("Payments service", {"src/payments.py": APP_V1, "tests/test_payments.py": TEST_V1,
                                  "README.md": "# shop\n"})
    b.run("tag", "-a", "v1.2.2", "-m", "Release 1.2.2")
    return b


def _hotfixes(b: _Builder, flawed_from: str, right_from: str) -> None:
    b.run("checkout", "-q", "-b", "hotfix/v1.3.0-Quick_Fix", flawed_from)
    b.commit("quick fix", {"src/payments.py": APP_FLAWED, "src/validation.py": "def valid(x):\n    return bool(x)\n"})
    b.run("checkout", "-q", "-b", "hotfix/v1.2.4-fix-payment-crash", right_from)
    b.commit("Fix payment crash on a missing amount\n\nFollow-up: PAY-99",
             {"src/payments.py": APP_FIXED, "tests/test_payments.py": TEST_FIXED})


def build_github_flow(path: str) -> _Builder:
    """main only: releases tagged on main, a feature branch not merged yet."""
    b = _released(path)
    b.commit("Document the payments API", {"README.md": "# shop\n\nPayments: process_payment(amount, card)\n"})
    b.run("tag", "-a", "v1.2.3", "-m", "Release 1.2.3")
    b.run("checkout", "-q", "-b", "feature/loyalty")
    b.commit("Add loyalty points (not merged yet)", {"src/loyalty.py": "POINTS_PER_EURO = 10\n"})
    _hotfixes(b, "feature/loyalty", "main")
    return b


def build_gitlab_flow(path: str) -> _Builder:
    """main upstream of production: main deployed to production as v1.2.3, then more
    work on main that is not deployed yet."""
    b = _released(path)
    b.run("branch", "production")
    b.commit("Document the payments API", {"README.md": "# shop\n\nPayments: process_payment(amount, card)\n"})
    b.run("checkout", "-q", "production")
    b.run("merge", "-q", "--no-ff", "-m", "Merge branch 'main' into 'production'", "main")
    b.run("tag", "-a", "v1.2.3", "-m", "Release 1.2.3")
    b.run("checkout", "-q", "main")
    b.commit("Add loyalty points (not deployed yet)", {"src/loyalty.py": "POINTS_PER_EURO = 10\n"})
    _hotfixes(b, "main", "production")
    return b


STORIES = {
    "git-flow": (
        "  main     releases v1.2.2 and v1.2.3: production\n"
        "  develop  'Add loyalty points': work that is not released yet\n",
        "cut from develop", "from main"),
    "github-flow": (
        "  main            releases v1.2.2 and v1.2.3, tagged: production, and the only long-lived branch\n"
        "  feature/loyalty 'Add loyalty points': a pull request not merged yet\n",
        "cut from feature/loyalty", "from main"),
    "gitlab-flow": (
        "  production  main deployed as v1.2.3\n"
        "  main        upstream: 'Add loyalty points', not deployed yet\n",
        "cut from main", "from production"),
}


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    color = out.isatty() and not os.environ.get("NO_COLOR")
    path = tempfile.mkdtemp(prefix="hotfix-guard-demo-")
    workflow = getattr(args, "workflow", "git-flow")
    try:
        builder = {"git-flow": build, "github-flow": build_github_flow,
                   "gitlab-flow": build_gitlab_flow}[workflow](path)
        _show(builder, out, color, workflow)
    finally:
        if args.keep:
            out.write(f"\nThe demo repository is kept at {path}\n")
        else:
            shutil.rmtree(path, ignore_errors=True)
    return 0


def _show(builder: _Builder, out: IO[str], color: bool, workflow: str = "git-flow") -> None:
    from hotfix_guard.commands.check import Engine
    from hotfix_guard.targets.target import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.report import render

    git = builder.git
    info = git.info()
    settings = Settings({"workflow": workflow}) if workflow != "git-flow" else Settings()
    engine = Engine(git, info, settings, argparse.Namespace())
    shape, flawed_from, right_from = STORIES[workflow]

    def heading(text: str) -> None:
        out.write(f"\n\033[1m{text}\033[0m\n" if color else f"\n{text}\n")

    flow = "" if workflow == "git-flow" else f" ({workflow}: `workflow = \"{workflow}\"`)"
    out.write(
        f"hotfix-guard demo: a throwaway repository with a payments service{flow}.\n"
        + shape +
        "Production crashes when the mobile app sends no amount. Two engineers hotfix it.\n"
    )
    cases = [
        ("hotfix/v1.3.0-Quick_Fix",
         f"1. The rushed hotfix: {flawed_from}, named v1.3.0, a rename and a new module\n"
         "   mixed in, no hotfix comment, a TODO without a ticket, no test."),
        ("hotfix/v1.2.4-fix-payment-crash",
         f"2. The same fix done right: {right_from}, the next patch version, a guard clause\n"
         "   marked `HOTFIX v1.2.4:`, a TODO with its ticket, a regression test."),
    ]
    for branch, story in cases:
        heading(story)
        out.write(f"   $ git checkout {branch} && hotfix-guard check\n")
        builder.run("checkout", "-q", branch)
        report = engine.check(Target(branch), "manual", "hotfix")
        render([report], "text", out, color=color)
    if workflow != "git-flow":
        _landed(builder, engine, out, workflow, heading, color)
    else:
        heading("3. Land the good one: finish checks it once more, merges it into main (--no-ff),\n"
                "   tags v1.2.4 on the merge, merges it into develop and deletes the branch.")
        out.write("   $ hotfix-guard finish\n")
        _finish(builder, out)
    heading("What next")
    out.write(
        "  In your repository:      hotfix-guard check\n"
        "  Why a rule fired:        hotfix-guard explain HG001\n"
        "  Every rule:              hotfix-guard rules\n"
        "  Is it even a hotfix?     hotfix-guard triage\n"
        "  Start one correctly:     hotfix-guard start \"fix payment crash\"\n"
        "  Land it when it is done: hotfix-guard finish  (--dry-run shows the git commands)\n"
        "  On every commit / push:  hotfix-guard install  (or the pre-commit hooks)\n"
        "  The workflows:           hotfix-guard demo --workflow github-flow|gitlab-flow; docs/workflows.md\n"
    )


def _landed(builder: _Builder, engine: object, out: IO[str], workflow: str, heading: object,
            color: bool) -> None:
    """The good hotfix lands on production and is tagged; check production."""
    from hotfix_guard.report import render
    from hotfix_guard.targets.target import Target

    branch = "hotfix/v1.2.4-fix-payment-crash"
    production = "main" if workflow == "github-flow" else "production"
    message = (f"Merge pull request #7 from shop/{branch}" if workflow == "github-flow"
               else f"Merge branch '{branch}' into '{production}'")
    builder.run("checkout", "-q", production)
    builder.run("merge", "-q", "--no-ff", "-m", message, branch)
    builder.run("tag", "-a", "v1.2.4", "-m", "Hotfix v1.2.4: reject a missing amount")
    story = ("3. It lands on main by pull request and is tagged v1.2.4. Under github-flow there is\n"
             "   nothing to merge back into, and the check says so once."
             if workflow == "github-flow" else
             "3. It lands on production and is tagged v1.2.4, but nobody merges it into main:\n"
             "   the next deployment of main would take the fix away again.")
    heading(story)  # type: ignore[operator]
    out.write(f"   $ git checkout {production} && hotfix-guard check\n")
    report = engine.check(Target(production), "manual", "production")  # type: ignore[attr-defined]
    render([report], "text", out, color=color)


def _finish(builder: _Builder, out: IO[str]) -> None:
    from hotfix_guard.commands.finish import finish

    args = argparse.Namespace(branch=None, dry_run=False, push=False, keep=False, fetch=False, message=None,
                              config=None, debug=False)
    git = builder.git
    finish(git, git.info(), args, lambda line: out.write(line + "\n"))
