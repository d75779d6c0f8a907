"""Every ``console`` block of README.md and docs/getting-started.md, run in a temporary
repository, with its output compared to the one shown, the way doctest compares
(issue #16).

The block format, for the docs' authors:

- ``$ command`` lines are commands; the lines after one, up to the next command, are
  the output it shows (stdout and stderr together, as on a terminal). A command with
  no output shown is run and its output not compared (``git switch`` and friends).
- In an output, a line ``...`` stands for any number of lines, and ``...`` inside a
  line for any text (doctest's ELLIPSIS). Commit ids (7 to 40 hex digits) and dates
  compare as placeholders, so ``3f2a1c9d0e`` in the docs matches whatever id git made.
- An HTML comment right before a block (invisible on the rendered page) steers it:
  ``<!-- console: repo NAME -->`` runs it, and the blocks after it, in a fresh
  repository built by :data:`REPOS` ``NAME``; ``<!-- console: skip: why -->`` does not
  run it (an install from the network, say) and says why.
- ``$EDITOR PATH`` writes PATH with the ``python`` block of the same page whose first
  line is ``# PATH``: the edit the page shows is the edit made.

The blocks of a page run in order, each in its own ``bash`` (started in the repository),
so files and commits carry over from one block to the next, as they do for a reader.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, NamedTuple

import pytest
from conftest import ROOT, Repo, make_repo

PAGES = ["README.md", "docs/getting-started.md", "docs/finish.md"]
FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*console:\s*(.*?)\s*-->$")
SHA = re.compile(r"\b[0-9a-f]{7,40}\b")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
END = "@@hotfix-guard-docs-end"


class Command(NamedTuple):
    line: int  # in the page, 1-based
    text: str
    shown: list[str]  # the output the page shows


class Block(NamedTuple):
    line: int
    directive: str
    commands: list[Command]


def parse(text: str) -> tuple[list[Block], dict[str, str]]:
    """The console blocks of a page, and its edits (``python`` blocks headed ``# PATH``)."""
    blocks: list[Block] = []
    edits: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        kind, start = m.group(1), i
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if kind == "python" and body and body[0].startswith("# ") and "/" in body[0]:
            edits[body[0][2:].strip()] = "\n".join(body[1:]) + "\n"
        if kind != "console":
            continue
        before = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        d = DIRECTIVE.match(before.strip())
        commands: list[Command] = []
        for offset, ln in enumerate(body, start + 2):
            if ln.startswith("$ "):
                commands.append(Command(offset, ln[2:], []))
            elif commands:
                commands[-1].shown.append(ln)
        blocks.append(Block(start + 1, d.group(1) if d else "", commands))
    return blocks, edits


# -- the repositories a page's blocks start from ------------------------------------------


def _payments_project(path: Path) -> Repo:
    """The application the tutorial fixes: main released as v1.2.3, develop ahead of it
    with two features of its own, HEAD on main."""
    r = make_repo(path)
    r.commit("Initial commit", {
        "src/payments.py": "def charge(amount):\n    return round(amount * 100)\n",
        "tests/test_payments.py": "from src.payments import charge\n\n\ndef test_charge():\n"
                                  "    assert charge(1.5) == 150\n",
        "README.md": "# shop\n",
    })
    r.tag("v1.2.2")
    r.commit("Fix typo in readme", {"README.md": "# The shop\n"})
    r.tag("v1.2.3")
    r.checkout("develop", new=True)
    r.commit("Add loyalty points", {"src/loyalty.py": "POINTS = 10\n"})
    r.commit("Add loyalty page", {"src/page.py": "PAGE = 'loyalty'\n"})
    r.checkout("main")
    return r


def _cut_from_develop(path: Path) -> Repo:
    """The same, with the hotfix branch cut from develop by mistake and a fix on it."""
    r = _payments_project(path)
    r.checkout("hotfix/v1.2.4-fix-payment-crash", new=True, start="develop")
    r.commit("Fix payment crash on a missing amount", {
        "src/payments.py": "def charge(amount):\n    # HOTFIX v1.2.4: a missing amount is no charge\n"
                           "    if amount is None:\n        return 0\n    return round(amount * 100)\n"})
    return r


def _fix_from_main(r: Repo) -> Repo:
    """The tutorial's hotfix done right, from main: marker, test, follow-up ticket."""
    r.checkout("hotfix/v1.2.4-fix-payment-crash", new=True, start="main")
    r.commit("Fix payment crash on a missing amount\n\nFollow-up: PAY-99", {
        "src/payments.py": "def charge(amount):\n    # HOTFIX v1.2.4: a missing amount is no charge\n"
                           "    if amount is None:\n        return 0\n    return round(amount * 100)\n",
        "tests/test_payments.py": "from src.payments import charge\n\n\ndef test_charge():\n"
                                  "    assert charge(1.5) == 150\n    assert charge(None) == 0\n"})
    return r


def _ready_to_finish(path: Path) -> Repo:
    """docs/finish.md: the hotfix, checked clean, HEAD on it."""
    return _fix_from_main(_payments_project(path))


def _finish_conflicts_on_develop(path: Path) -> Repo:
    """docs/finish.md: the same, while develop has reworked charge(), so the merge back conflicts."""
    r = _payments_project(path)
    r.checkout("develop")
    r.commit("Charge in any currency", {
        "src/payments.py": "def charge(amount, currency='EUR'):\n    return round(amount * 100)\n"})
    return _fix_from_main(r)


REPOS: dict[str, Callable[[Path], Repo]] = {
    "empty": make_repo,
    "payments": _payments_project,
    "cut-from-develop": _cut_from_develop,
    "ready-to-finish": _ready_to_finish,
    "finish-conflicts-on-develop": _finish_conflicts_on_develop,
}


# -- running a block --------------------------------------------------------------------


def tools(tmp: Path, edits: dict[str, str]) -> dict[str, str]:
    """The environment the commands run in: `hotfix-guard` (this checkout) first on PATH,
    and an EDITOR that makes the page's edits."""
    bindir = tmp / "doc-bin"
    bindir.mkdir(exist_ok=True)
    shim = bindir / "hotfix-guard"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m hotfix_guard "$@"\n')
    shim.chmod(0o755)
    edit_dir = tmp / "doc-edits"
    edit_dir.mkdir(exist_ok=True)
    for i, (path, content) in enumerate(edits.items()):
        (edit_dir / str(i)).write_text(content)
    cases = "".join(f'    {path}) cp "{edit_dir / str(i)}" "$1" ;;\n' for i, path in enumerate(edits))
    editor = bindir / "doc-editor"
    editor.write_text(f'#!/bin/sh\ncase "$1" in\n{cases}    *) echo "the page shows no edit of $1" >&2; exit 3 ;;\nesac\n')
    editor.chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "EDITOR": str(editor),
            "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


def run_block(block: Block, cwd: Path, env: dict[str, str]) -> list[tuple[int, str]]:
    """(exit status, output) of each command, in one bash, so `echo $?` and `cd` work."""
    script = ["exec 2>&1"]
    for command in block.commands:
        script.append(command.text)
        script.append(f'__s=$?; printf "\\n{END} %d\\n" "$__s"; (exit "$__s")')
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-c", "\n".join(script)], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=300)
    statuses = re.findall(rf"{END} (\d+)\n", proc.stdout)
    outputs = re.split(rf"\n?{END} \d+\n", proc.stdout)
    return [(int(s), out) for s, out in zip(statuses, outputs)]


def normal(line: str, cwd: Path) -> str:
    line = ANSI.sub("", line).replace(str(cwd), "<repo>").rstrip()
    return DATE.sub("<date>", SHA.sub("<sha>", line))


def matches(shown: list[str], actual: list[str]) -> bool:
    """doctest's ELLIPSIS: a line `...` is any number of lines, `...` in a line any text."""
    if not shown:
        return not actual
    head, rest = shown[0], shown[1:]
    if head == "...":
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, actual[0]) is not None and matches(rest, actual[1:])


def trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


# -- the test ---------------------------------------------------------------------------


def test_every_page_has_console_blocks() -> None:
    for page in PAGES:
        assert parse((ROOT / page).read_text())[0], page


@pytest.mark.parametrize("page", PAGES)
def test_console_blocks_show_what_the_commands_print(page: str, tmp_path: Path) -> None:
    blocks, edits = parse((ROOT / page).read_text())
    env = tools(tmp_path, edits)
    repo: Path | None = None
    ran = 0
    for block in blocks:
        if block.directive.startswith("skip:"):
            continue
        if block.directive.startswith("repo ") or repo is None:
            name = block.directive.split()[1] if block.directive.startswith("repo ") else "payments"
            repo = REPOS[name](tmp_path / f"repo-{block.line}").path
        assert not block.directive or block.directive.startswith("repo "), \
            f"{page}:{block.line}: unknown directive {block.directive!r}"
        results = run_block(block, repo, env)
        assert len(results) == len(block.commands), (page, block.line, results)
        for command, (status, output) in zip(block.commands, results):
            ran += 1
            if not command.shown:
                continue
            shown = trimmed([normal(ln, repo) for ln in command.shown])
            actual = trimmed([normal(ln, repo) for ln in output.split("\n")])
            assert matches(shown, actual), (
                f"{page}:{command.line}: `{command.text}` printed (exit {status}):\n" + "\n".join(actual)
                + "\n\nthe page shows:\n" + "\n".join(shown))
    assert ran, f"{page}: no command ran"


def test_the_matcher_is_doctest_like() -> None:
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(["a ... z"], ["a b c z"])
    assert not matches(["a", "z"], ["a", "b", "z"])
    assert not matches(["a"], ["a", "b"])  # nothing left unshown
    assert normal("commit 3f2a1c9d0e on 2024-01-02", Path("/x")) == "commit <sha> on <date>"
