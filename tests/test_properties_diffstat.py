"""Property test: the diff statistics hotfix-guard computes agree with `git diff --numstat`.

Each example builds a real repository (bounded: 25 examples): files on production, then
a hotfix commit that modifies, adds, deletes, renames (with an edit), copies, chmods and
symlinks them, with contents mixing LF and CRLF, missing final newlines, unicode, long
lines and NUL bytes (binary). Then, against a separate `git diff --numstat -z` run:

- every file is there, in the same order, under the same old and new names;
- added/deleted per file are git's numbers, and binary files are binary;
- for text files, the parsed hunks hold exactly that many ``+`` and ``-`` lines;
- every hunk, line by line with its numbers, is what unidiff reads in the same patch;
- HG004 reports the sums over the files it counts (tests and excluded files left out).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LINES = ["x = 1", "y = 2", "", "    indented", "\ttabbed", "é unicode ü", "🚑 emoji", "a" * 300,
         "trailing space ", "# HOTFIX v1.2.4: x", "}", "--- not a header", "+++ nor this", "@@ -1 +1 @@",
         "diff --git a/x b/x", "\\ No newline at end of file", "\x0c", "x\u2028y", "\x85"]
NAMES = ["src/a.py", "src/b.js", "src/c.txt", "docs/d.md", "e f.py", "tests/test_g.py", "poetry.lock",
         "ünï/h.go", "i"]

contents = st.builds(
    lambda lines, crlf, eol, binary: (
        ("\r\n" if crlf else "\n").join(lines) + (("\r\n" if crlf else "\n") if eol and lines else "")
    ).encode("utf-8") + (b"\x00\x01" if binary else b""),
    st.lists(st.sampled_from(LINES), max_size=25), st.booleans(), st.booleans(),
    st.sampled_from([False] * 5 + [True]),
)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    before = draw(st.dictionaries(st.sampled_from(NAMES), contents, min_size=1, max_size=6))
    after: dict[str, bytes | None] = dict(before)
    ops = []
    for name in list(before):
        op = draw(st.sampled_from(["keep", "edit", "delete", "rename", "copy", "chmod", "symlink"]))
        ops.append((op, name))
        if op == "edit":
            after[name] = draw(contents)
        elif op == "delete":
            after[name] = None
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=3)):
        if name not in before:
            after[name] = draw(contents)
    return {"before": before, "after": after, "ops": ops}


def numstat_z(cwd: Any, *rng: str) -> list[tuple[str, str | None, str, str]]:
    """(added, deleted, old path, new path) per file from `git diff --numstat -z`."""
    out = subprocess.run(["git", "diff", "--numstat", "-z", "-M", "-C", *rng, "--"], cwd=cwd,
                         capture_output=True, check=True).stdout
    fields = out.split(b"\0")
    result = []
    i = 0
    while i < len(fields) and fields[i]:
        added, deleted, path = fields[i].split(b"\t", 2)
        if path == b"":  # rename or copy: the two names follow
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old = new = path
            i += 1
        result.append((added.decode(), deleted.decode(), os.fsdecode(old), os.fsdecode(new)))
    return result


def unidiff_hunks(chunk: bytes) -> list[Any]:
    """One file's part of the patch as unidiff reads it, in hotfix-guard's Hunk/DiffLine
    (the oracle for hotfix_guard.diff.hunks's own reader)."""
    from unidiff import PatchSet

    from hotfix_guard.diff.hunks import _HUNK_HEADER, DiffLine, decode

    match = _HUNK_HEADER.search(chunk)
    if match is None:
        return []
    body = decode(chunk[match.start():])
    lines = ["diff --git a/f b/f\n", "--- a/f\n", "+++ b/f\n"] + [piece + "\n" for piece in body.split("\n") if piece]
    hunks = []
    for patched in PatchSet(lines):
        for uh in patched:
            converted = [DiffLine(ul.line_type, ul.value[:-1] if ul.value.endswith("\n") else ul.value,
                                  ul.source_line_no if ul.line_type != "+" else None,
                                  ul.target_line_no if ul.line_type != "-" else None)
                         for ul in uh if ul.line_type in ("+", "-", " ")]
            hunks.append(SimpleNamespace(old_start=uh.source_start, old_len=uh.source_length,
                                         new_start=uh.target_start, new_len=uh.target_length, lines=converted))
    return hunks


def flat(hunks: list[Any]) -> list[tuple[Any, ...]]:
    return [(h.old_start, h.old_len, h.new_start, h.new_len, [(ln.kind, ln.text, ln.old, ln.new) for ln in h.lines])
            for h in hunks]


_counter = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories())
def test_diff_statistics_agree_with_git_numstat(tmp_path_factory: pytest.TempPathFactory, history: dict) -> None:
    from conftest import make_repo

    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context, resolve_refs
    from hotfix_guard.diff.hunks import DIFF_CONFIG, DIFF_FLAGS, _parse_chunk, parse
    from hotfix_guard.git import Git
    from hotfix_guard.engine.plugins import Plugins
    from hotfix_guard.engine.runner import run_rules

    r = make_repo(tmp_path_factory.mktemp("numstat") / f"repo{next(_counter)}")
    for name, data in history["before"].items():
        r.write(name, data)
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "Release")
    r.tag("v1.2.3")
    r.checkout("hotfix/v1.2.4-prop", new=True)
    for name, data in history["after"].items():
        if data is None:
            (r.path / name).unlink()
        elif name not in history["before"] or data != history["before"][name]:
            r.write(name, data)
    for op, name in history["ops"]:
        path = r.path / name
        if op == "rename" and path.exists():
            target = r.path / f"moved/{os.path.basename(name)}"
            target.parent.mkdir(exist_ok=True)
            os.replace(path, target)
            target.write_bytes(target.read_bytes() + b"moved\n")
        elif op == "copy" and path.exists():
            (r.path / "copies").mkdir(exist_ok=True)
            (r.path / "copies" / os.path.basename(name)).write_bytes(path.read_bytes())
        elif op == "chmod" and path.exists():
            path.chmod(0o755)
        elif op == "symlink" and path.exists():
            path.unlink()
            os.symlink("target/of/the link", path)
    r.git("add", "-A")
    r.git("commit", "-q", "--allow-empty", "-m", "Fix")

    git = Git(str(r.path))
    base = r.git("merge-base", "main", "HEAD")
    raw = git.diff(*DIFF_FLAGS, base, "HEAD", "--", config=DIFF_CONFIG)
    diff = parse(raw, git=git, settings=Settings())
    expected = numstat_z(r.path, base, "HEAD")
    # the counts come from the patch (numstat would make git compute the diff twice): a
    # mode-only change of a binary file has no patch to say it is binary, and no lines
    modes = {f.path for f in diff if f.mode_only}
    expected = [("0", "0", *rest) if rest[-1] in modes else (a, d, *rest) for a, d, *rest in expected]
    got = [("-" if f.is_binary else str(f.added), "-" if f.is_binary else str(f.deleted),
            f.old_path if f.old_path is not None else f.path, f.path) for f in diff]
    assert got == expected
    for f in diff:
        if f.is_text and f.status != "T":
            assert (len(f.added_lines), len(f.removed_lines)) == (f.added, f.deleted), (f, f.parse_error)
        for chunk in f.chunks:  # the reader reads each hunk as unidiff does
            assert flat(_parse_chunk(chunk)) == flat(unidiff_hunks(chunk)), f

    # HG004 adds up the counted files (limits at 0, so it always speaks when anything counts)
    ctx = Context(git, git.info(), Settings(), stage="manual", branch="hotfix/v1.2.4-prop", kind="hotfix",
                  head=r.sha(), refs=resolve_refs(git, Settings()),
                  options={"HG004": {"max-lines": 0, "max-files": 0}})
    rule = Plugins(autoload=False).rules.by_name_or_code("HG004")
    report = run_rules(ctx, [rule], debug=True)
    counted = [f for f in diff if not diff.is_test(f) and not diff.is_excluded(f) and not f.mode_only]
    if not counted:
        assert report.findings == []
        return
    [finding] = report.findings
    lines = sum(f.added + f.deleted for f in counted)
    match = re.match(r"the change is (\d+) changed lines? \((\d+) added, (\d+) deleted\) in (\d+) files?",
                     finding.message)
    assert match, finding.message
    assert tuple(map(int, match.groups())) == (lines, sum(f.added for f in counted),
                                               sum(f.deleted for f in counted), len(counted))
