"""The patch's reader (hotfix_guard.diff.scan) reads the same thing however git's output
arrives: in pieces of any size, while the file grows, or all at once; and what its bulk
path keeps (blocks, fingerprints, keyword lines, def lines) is what reading every line on
its own gives (``Hunk.lines``, the reference reader, checked against unidiff elsewhere).
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_repo

_counter = itertools.count()

_PIECES = ["", " ", "\t", "x = 1", "    y = 2", "é", "\r", "\x0c", "\u2028", "--- a", "+++ b", "-x", "+y", " z",
           "diff --git a/x b/x", "@@ -1 +1 @@", "\\ No newline at end of file", "* Unmerged path q",
           "# HOTFIX v1.2.4: ok", "# TODO: x", "FIXME", "xxx", "Hotfix", "def f(a):", "class C:",
           "    async  def g():", "  return a", "}", "caf\udce9"]
_text = st.lists(st.sampled_from(_PIECES), max_size=14).map(lambda xs: "\n".join(xs))
_NAMES = ["a.py", "b.js", "c.txt", "poetry.lock"]
_files = st.dictionaries(st.sampled_from(_NAMES), _text, min_size=1, max_size=3)


def _raw(tmp_path_factory: pytest.TempPathFactory, before: dict, after: dict, eol: bool) -> bytes:
    from hotfix_guard.diff.hunks import DIFF_CONFIG, DIFF_FLAGS
    from hotfix_guard.git import Git

    r = make_repo(tmp_path_factory.mktemp("scan") / f"repo{next(_counter)}")
    for name, text in before.items():
        r.write(name, (text + ("\n" if eol else "")).encode("utf-8", "surrogateescape"))
    r.git("add", "-A")
    r.git("commit", "-q", "--allow-empty", "-m", "base")
    for name, text in after.items():
        r.write(name, (text + ("\n" if not eol else "")).encode("utf-8", "surrogateescape"))
    r.git("add", "-A")
    r.git("commit", "-q", "--allow-empty", "-m", "change")
    return Git(str(r.path)).diff(*DIFF_FLAGS, "HEAD~1", "HEAD", "--", config=DIFF_CONFIG)


def summary(diff) -> list:
    """Everything the reader keeps, as plain values."""
    out = []
    for f in diff:
        hunks = []
        for h in f.hunks:
            blocks = [(b.old_first, b.new_first, b.n_removed, b.n_added, b.removed_texts, b.added_texts,
                       None if b.prints is None else (list(b.prints[0]), list(b.prints[1])),
                       tuple(b.norm_len), b.defs) for b in h.blocks]
            hunks.append((h.old_start, h.old_len, h.new_start, h.new_len, h.defs, blocks,
                          [(ln.kind, ln.text, ln.old, ln.new) for ln in h.lines]))
        keywords = None if f.keyword_lines is None else [(ln.new, ln.text) for ln in f.keyword_lines]
        out.append((f.path, f.added, f.deleted, f.parse_error, hunks, keywords))
    return out


def read_growing(raw: bytes, steps: list[int]):
    """The patch fed as a file that grows by ``steps`` bytes at a time."""
    from hotfix_guard.diff.hunks import Patch, _Reader

    reader = _Reader(Patch(data=raw), git=None, settings=None)
    avail = 0
    for step in itertools.cycle(steps):
        avail = min(len(raw), avail + step)
        reader.scanner.feed(avail, eof=False)
        if avail == len(raw):
            break
    reader.scanner.feed(len(raw), eof=True)
    return reader.diff()


def reference_blocks(hunk) -> list[tuple[int, int, int, int]]:
    """The blocks of a hunk, from its lines read one by one."""
    blocks: list[list[int]] = []
    previous = " "
    old, new = hunk.old_start, hunk.new_start
    for ln in hunk.lines:
        if ln.kind == " ":
            old, new = old + 1, new + 1
        else:
            if previous == " " or (ln.kind == "-" and previous == "+"):
                blocks.append([old, new, 0, 0])
            if ln.kind == "-":
                blocks[-1][2] += 1
                old += 1
            else:
                blocks[-1][3] += 1
                new += 1
        previous = ln.kind
    return [tuple(b) for b in blocks]


_DEF = re.compile(r"[^\S\n]*(?:async\s+def|def|class)[^\S\n]")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_files, after=_files, eol=st.booleans(), piece=st.sampled_from([1, 5, 17, 64, 1 << 20]),
       steps=st.lists(st.integers(1, 200), min_size=1, max_size=4))
def test_the_reader_reads_the_same_in_any_pieces(tmp_path_factory: pytest.TempPathFactory, monkeypatch,
                                                 before: dict, after: dict, eol: bool, piece: int,
                                                 steps: list[int]) -> None:
    from hotfix_guard.diff import scan
    from hotfix_guard.diff.hunks import KEYWORDS, parse
    from hotfix_guard.diff.scan import fingerprint

    raw = _raw(tmp_path_factory, before, after, eol)
    whole = summary(parse(raw))
    with monkeypatch.context() as m:
        m.setattr(scan, "PIECE", piece)
        assert summary(parse(raw)) == whole
        assert summary(read_growing(raw, steps)) == whole
    for f in parse(raw):
        assert f.parse_error is None, f.parse_error
        for h in f.hunks:
            assert [(b.old_first, b.new_first, b.n_removed, b.n_added) for b in h.blocks] == reference_blocks(h)
            for b in h.blocks:
                if b.prints is not None:
                    assert list(b.prints[0]) == [fingerprint(t) for t in b.removed_texts]
                    assert list(b.prints[1]) == [fingerprint(t) for t in b.added_texts]
                    if f.path.endswith(".py"):  # def lines are looked for in Python only
                        assert b.defs == any(_DEF.match(t) for t in b.removed_texts + b.added_texts)
        if f.keyword_lines is not None:
            expected = [(ln.new, ln.text) for ln in f.added_lines if KEYWORDS.search(ln.text)]
            assert [(ln.new, ln.text) for ln in f.keyword_lines] == expected


@pytest.mark.parametrize("body, lines, blocks", [
    # an empty line among removed lines is an empty context line (as patch reads it)
    ("@@ -1,3 +1,1 @@\n-a\n\n-b\n", [("-", "a", 1, None), (" ", "", 2, 1), ("-", "b", 3, None)],
     [(1, 1, 1, 0), (3, 2, 1, 0)]),
    # the newline marker after the old side's last line, then the new side
    ("@@ -1,2 +1,2 @@\n-a\n-b\n\\ No newline at end of file\n+a\n+c\n",
     [("-", "a", 1, None), ("-", "b", 2, None), ("+", "a", None, 1), ("+", "c", None, 2)], [(1, 1, 2, 2)]),
    # a marker in another wording (a git in another language) is still only a marker
    ("@@ -1 +1 @@\n-a\n\\ Kein Zeilenumbruch am Dateiende.\n+b\n\\ Kein Zeilenumbruch am Dateiende.\n",
     [("-", "a", 1, None), ("+", "b", None, 1)], [(1, 1, 1, 1)]),
    # added lines, then removed ones with no context between (git never writes it)
    ("@@ -1 +1 @@\n+b\n-a\n", [("+", "b", None, 1), ("-", "a", 1, None)], [(1, 1, 0, 1), (1, 2, 1, 0)]),
])
def test_odd_hunks_are_read_line_by_line(body: str, lines: list, blocks: list) -> None:
    from hotfix_guard.diff.hunks import _parse_chunk

    (hunk,) = _parse_chunk(("diff --git a/f b/f\n--- a/f\n+++ b/f\n" + body).encode())
    assert [(ln.kind, ln.text, ln.old, ln.new) for ln in hunk.lines] == lines
    assert [(b.old_first, b.new_first, b.n_removed, b.n_added) for b in hunk.blocks] == blocks
    assert [t for b in hunk.blocks for t in b.removed_texts] == [ln.text for ln in hunk.lines if ln.kind == "-"]
    assert [t for b in hunk.blocks for t in b.added_texts] == [ln.text for ln in hunk.lines if ln.kind == "+"]


def test_a_huge_line_longer_than_a_piece_is_read_whole(monkeypatch) -> None:
    from hotfix_guard.diff import scan
    from hotfix_guard.diff.hunks import _parse_chunk

    monkeypatch.setattr(scan, "PIECE", 16)
    long = "x" * 5000
    (hunk,) = _parse_chunk(f"diff --git a/f b/f\n@@ -1 +1,2 @@\n-{long}\n+{long}y\n+TODO\n".encode())
    assert [(b.n_removed, b.n_added) for b in hunk.blocks] == [(1, 2)]
    assert hunk.blocks[0].added_texts == [long + "y", "TODO"]


def test_the_reader_keeps_up_with_git_writing_the_scratch_file(tmp_path) -> None:
    """load_diff reads git's output while git writes it: the same diff as read at once."""
    from hotfix_guard.config import Settings
    from hotfix_guard.diff.hunks import DIFF_CONFIG, DIFF_FLAGS, load_diff, parse
    from hotfix_guard.git import Git

    r = make_repo(tmp_path / "repo")
    lines = [f"value_{i} = compute({i})  # padding to make the patch big enough\n" for i in range(30_000)]
    r.write("a.py", "".join(lines))
    r.write("b.py", "".join(lines[::-1]))
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "base")
    r.write("a.py", "".join(ln.replace("compute", "compute_safe") for ln in lines) + "# TODO: PROJ-1\n")
    r.write("b.py", "".join(lines[::-1][::2]))
    r.git("commit", "-q", "-am", "change")
    git = Git(str(r.path))
    loaded = load_diff(git, Settings(), ("HEAD~1", "HEAD"))
    raw = git.diff(*DIFF_FLAGS, "HEAD~1", "HEAD", "--", config=DIFF_CONFIG)
    assert summary(loaded) == summary(parse(raw, settings=Settings()))
    a = next(f for f in loaded if f.path == "a.py")
    assert [(ln.new, ln.text) for ln in a.keyword_lines] == [(30_001, "# TODO: PROJ-1")]


@pytest.mark.parametrize("body", [
    "@@ -1 +1,2 @@\n-a\n-b\n+c\n",  # more removed lines than the header has
    "@@ -1,0 +1 @@\n-a\n",           # a removed line where the header has none
    "@@ -0,0 +1 @@\n-a\n+b\n",
    "@@ -1 +1 @@\n a\n a\n",          # more context than the header has
])
def test_a_changed_line_past_the_counts_is_a_parse_error(body: str) -> None:
    from hotfix_guard.diff.hunks import _parse_chunk

    with pytest.raises(ValueError, match="does not add up|not in a hunk"):
        _parse_chunk(("diff --git a/f b/f\n" + body).encode())


_HOSTILE = st.lists(st.sampled_from(["-a", "+b", " c", "", "\\ x", "@@ -1 +1 @@", "@@ -1,3 +1,2 @@", "@@ -0,0 +1 @@",
                                     "@@ -9,0 +9,0 @@", "@@ bad", "diff --git a/g b/g", "* Unmerged path g", "-",
                                     "+", " ", "\t-x", "-\r", "+\x00", "+TODO", "-def f(", "+class C:", "--- a/f"]),
                    max_size=30).map(lambda xs: "\n".join(xs))


@settings(max_examples=300, deadline=None)
@given(body=_HOSTILE, piece=st.sampled_from([1, 3, 64, 1 << 20]), eol=st.booleans())
def test_hostile_patches_are_read_or_refused_never_a_crash(body: str, piece: int, eol: bool) -> None:
    """Whatever the bytes, a part is read (and agrees with the line-by-line reader) or
    is a parse error; never another exception, never a hang."""
    from hotfix_guard.diff import scan
    from hotfix_guard.diff.hunks import _parse_chunk

    chunk = ("diff --git a/f b/f\n" + body + ("\n" if eol else "")).encode("utf-8", "surrogateescape")
    old_piece = scan.PIECE
    scan.PIECE = piece
    try:
        try:
            hunks = _parse_chunk(chunk)
        except ValueError:
            return
    finally:
        scan.PIECE = old_piece
    for h in hunks:
        assert [(b.old_first, b.new_first, b.n_removed, b.n_added) for b in h.blocks] == reference_blocks(h)
        assert sum(1 for ln in h.lines if ln.kind != "+") == h.old_len
        assert sum(1 for ln in h.lines if ln.kind != "-") == h.new_len
