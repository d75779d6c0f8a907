"""Reading git's patch as it is written: one pass, piece by piece, never the whole of it.

:class:`Scanner` is fed git's output (``git diff --raw -p -z``) while git writes it into
the scratch file: the raw records first, then each file's part of the patch. It reads
what has arrived in pieces of at most :data:`PIECE` bytes and keeps, of each hunk, only
numbers and places: the blocks of changed lines (where each side's lines are in the
patch, how many there are, the line numbers they start at), the added lines that hold a
keyword (:data:`KEYWORD_NEEDLES`: what HG005, HG006 and the suppression comments look
for), and a fingerprint of each changed line (its hash once whitespace is left out),
which HG007 compares to find whitespace-only changes and moved code. The texts stay in
the scratch file and are read again only when a rule asks for them.

Every line is looked at with bulk operations on the piece (``bytes.find``, ``count``,
``split``, ``translate``), not a Python step per line: a run of changed lines of one
kind is one region, counted, checked and fingerprinted at once. A line the bulk path
cannot vouch for (a newline marker, an empty line, something that is not a hunk line)
is read on its own, and a hunk that does not add up makes its file a parse error, as
before. git's own output is pinned (see ``DIFF_FLAGS``), so the slow path is for
hand-made patches and the ``\\ No newline at end of file`` markers.
"""

from __future__ import annotations

import re

from hotfix_guard.diff.hunks import Block, DiffLine, Hunk

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from hotfix_guard.diff.hunks import FileDiff, Patch

#: how much of the patch is read and looked at at once
PIECE = 1 << 20
#: ASCII whitespace but the newline: what a line's fingerprint leaves out of a line that is
#: ASCII (the same set as :data:`NO_SPACE` below, for the other lines)
ASCII_SPACE = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f "
#: every character ``str.isspace()`` calls whitespace, but the newline (deleted by translate)
NO_SPACE = dict.fromkeys(map(ord, "\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
                                  "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"))
#: an added line holding one of these (in any case) is kept as a keyword line: every
#: pattern marked with :func:`keyword_pattern` finds nothing in a line that has none
KEYWORD_NEEDLES = (b"fix", b"todo", b"xxx")
KEYWORDS = re.compile(r"fix|todo|xxx", re.I)

_MINUS, _PLUS, _SPACE, _NL, _BACKSLASH = 45, 43, 32, 10, 92
_HUNK_RANGE = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_PART_STARTS = (b"diff --git ", b"* Unmerged path ")
_HEADER_LIMIT = 1 << 16  # of a part's lines before its first hunk, this much is kept

# states
_RECORDS, _PART, _HEADER, _HUNK, _AFTER, _SKIP = range(6)


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def fingerprints(region: bytes, sep: bytes) -> tuple[list[int], int]:
    """The fingerprints of the lines of ``region`` (lines that all start with the one
    character of ``sep[1:]`` and end with a newline), and their whitespace-free length
    in all: one translate and one split for the whole region."""
    if region.isascii():
        squeezed = region.translate(None, ASCII_SPACE)
    else:
        squeezed = decode(region).translate(NO_SPACE).encode("utf-8", "surrogateescape")
    parts = squeezed[1:-1].split(sep)
    return list(map(hash, parts)), len(squeezed) - 2 * len(parts)


def fingerprint(text: str) -> int:
    """One line's fingerprint (as :func:`fingerprints` makes them), from its text."""
    return hash(text.translate(NO_SPACE).encode("utf-8", "surrogateescape"))


EMPTY_PRINT = hash(b"")


def after_lines(buf: bytes, pos: int, end: int, n: int) -> int:
    """The offset just after the ``n``-th line from ``pos`` (``buf[pos:end]`` holds more
    than ``n`` lines): found by halving with counts, not a step per line."""
    base, lo, hi = 0, pos, end
    while hi - lo > 4096:
        mid = (lo + hi) // 2
        here = buf.count(b"\n", lo, mid)
        if base + here >= n:
            hi = mid
        else:
            base, lo = base + here, mid
    while base < n:
        lo = buf.find(b"\n", lo, hi) + 1
        base += 1
    return lo


class Part:
    """One file's part of the patch: where it is, its lines before the first hunk, what
    was read of it (hunks, keyword lines) and why it could not be read, if so."""

    __slots__ = ("offset", "end", "header", "file", "hunks", "hits", "error", "added", "deleted",
                 "prints", "keywords", "defs")

    def __init__(self, offset: int) -> None:
        self.offset, self.end = offset, offset
        self.header = b""
        self.file: FileDiff | None = None
        self.hunks: list[Hunk] = []
        self.hits: list[DiffLine] = []
        self.error: str | None = None
        self.added = self.deleted = 0
        self.prints = False  # whether its changed lines are fingerprinted
        self.keywords = False  # whether its added lines are searched for keywords
        self.defs = False  # whether to look for Python def/class lines among them

    @property
    def unmerged(self) -> bool:
        return self.header.startswith(b"* Unmerged")


class Scanner:
    """Reads a patch from ``patch`` (anything with ``read(offset, length)``) as it grows:
    call :meth:`feed` with how much has been written, and once more with ``eof`` when
    the writer is done. ``bind(part)`` decides, when a part's header has been read,
    which file it belongs to and what to compute for it. With ``records=False`` the
    patch is one file's part, without raw records (``_parse_chunk``)."""

    def __init__(self, patch: Patch, bind: Callable[[Part], None], *, records: bool = True) -> None:
        self.patch = patch
        self.bind = bind
        self.pos = 0  # everything before this offset has been read
        self.state = _RECORDS if records else _PART
        self.head: bytes | None = None if records else b""  # the raw records
        self.parts: list[Part] = []
        self.part: Part | None = None
        self.hunk: Hunk | None = None
        self.block: Block | None = None
        self.old_no = self.new_no = self.old_left = self.new_left = 0
        self.header_line = b""

    # -- driving --------------------------------------------------------------------

    def feed(self, avail: int, eof: bool = False) -> None:
        """Read what the writer has written up to ``avail``; with ``eof``, the rest."""
        if self.state == _RECORDS:
            self._records(avail, eof)
            if self.state == _RECORDS:
                return
        while self.pos < avail:
            size = min(PIECE, avail - self.pos)
            buf = self.patch.read(self.pos, size)
            if not buf:
                break
            lim = buf.rfind(b"\n") + 1
            while lim == 0 and self.pos + len(buf) < avail:  # a line longer than a piece
                size = min(2 * size, avail - self.pos)
                buf = self.patch.read(self.pos, size)
                lim = buf.rfind(b"\n") + 1
            if lim < len(buf) and self.pos + len(buf) >= avail:  # the last line is not finished
                if not eof:
                    if lim:
                        self._lines(buf, self.pos, lim)
                        self.pos += lim
                    return
                buf += b"\n"  # at the end, a last line without a newline is read as if it had one
                lim = len(buf)
            self._lines(buf, self.pos, lim)
            self.pos += lim
        if eof:
            self._end_part(min(self.pos, avail))

    def _records(self, avail: int, eof: bool) -> None:
        """The raw records, up to the NUL that ends them (git writes them first)."""
        size = 1 << 16
        while True:
            data = self.patch.read(0, min(size, avail))
            end = data.find(b"\0\0")
            if end >= 0 or len(data) >= avail:
                break
            size *= 4
        if end < 0 and not eof:
            return
        if end < 0:
            self.head, self.pos = data, len(data)
        else:
            self.head, self.pos = data[:end + 1], end + 2
        self.state = _PART

    # -- lines ----------------------------------------------------------------------

    def _lines(self, buf: bytes, base: int, lim: int) -> None:
        pos = 0
        while pos < lim:
            state = self.state
            if state == _HUNK:
                pos = self._hunk_lines(buf, base, pos, lim)
                continue
            if state == _SKIP:  # after a parse error: on to the next file's part
                if buf.startswith(_PART_STARTS, pos):
                    self.state = _PART
                    continue
                found = [i for i in (buf.find(b"\n" + s, pos, lim) for s in _PART_STARTS) if i >= 0]
                if not found:
                    return
                pos = min(found) + 1
                self.state = _PART
                continue
            end = buf.find(b"\n", pos, lim) + 1 or lim
            line = buf[pos:end]
            if state == _PART or line.startswith(_PART_STARTS):
                self._end_part(base + pos)
                self.part = Part(base + pos)
                self.part.header = line[:_HEADER_LIMIT]
                self.state = _HEADER
            elif line.startswith(b"@@ "):
                if state == _HEADER:
                    self._bound()
                self._hunk_header(line, base + end)
            elif state == _HEADER:
                part = self.part
                if part is not None and len(part.header) < _HEADER_LIMIT:
                    part.header += line[:_HEADER_LIMIT - len(part.header)]
            elif state == _AFTER:
                if line[:1] == b"\\" or line == b"\n":
                    pass  # a newline marker after the hunk's last line; a blank line between hunks
                else:
                    self._error(f"a line of the file's patch is not in a hunk: {decode(line[:60])!r}")
            pos = end

    def _bound(self) -> None:
        part = self.part
        if part is not None and part.file is None:
            self.bind(part)

    def _hunk_header(self, line: bytes, body: int) -> None:
        m = _HUNK_RANGE.match(line)
        if m is None or self.part is None:
            self._error(f"a line of the file's patch is not a hunk header: {decode(line[:60])!r}")
            return
        old_start, new_start = int(m.group(1)), int(m.group(3))
        old_len = int(m.group(2)) if m.group(2) is not None else 1
        new_len = int(m.group(4)) if m.group(4) is not None else 1
        self.hunk = Hunk(old_start, old_len, new_start, new_len, self.patch, body)
        self.part.hunks.append(self.hunk)
        self.header_line = line.rstrip(b"\n")
        self.block = None
        self.old_no, self.new_no, self.old_left, self.new_left = old_start, new_start, old_len, new_len
        self.state = _HUNK if old_len or new_len else _AFTER
        if self.state == _AFTER:
            self.hunk.end = body

    def _error(self, message: str) -> None:
        if self.part is not None and self.part.error is None:
            self.part.error = message
        self.hunk = self.block = None
        self.state = _SKIP

    def _end_part(self, offset: int) -> None:
        part = self.part
        if part is None:
            return
        if self.state == _HEADER:
            self._bound()
        elif self.state == _HUNK and part.error is None:
            part.error = f"the hunk {decode(self.header_line)[:40]!r} does not add up"
        part.end = offset
        self.parts.append(part)
        self.part = self.hunk = self.block = None

    # -- a hunk's lines ---------------------------------------------------------------

    def _hunk_lines(self, buf: bytes, base: int, pos: int, lim: int) -> int:
        """Read the hunk's lines from ``pos`` on, as far as ``lim`` or the hunk's end."""
        while pos < lim and (self.old_left or self.new_left):
            ch = buf[pos]
            if ch == _MINUS or ch == _PLUS:
                pos = self._changed(buf, base, pos, lim, ch)
            else:
                pos = self._one_line(buf, base, pos, lim)
            if self.state != _HUNK:  # it did not add up
                return pos
        if not (self.old_left or self.new_left) and self.state == _HUNK:
            assert self.hunk is not None
            self.hunk.end = base + pos
            self.state = _AFTER
            self.block = None
        return pos

    def _one_line(self, buf: bytes, base: int, pos: int, lim: int) -> int:
        """One line read on its own: a context line, a newline marker, one changed line,
        or the end of a hunk that does not add up."""
        end = buf.find(b"\n", pos, lim) + 1 or lim
        ch = buf[pos] if end - pos > 1 else _NL
        if ch == _SPACE or ch == _NL:  # an empty line is an empty context line (as patch reads it)
            if self.old_left and self.new_left:
                hunk = self.hunk
                if hunk is not None and not hunk.defs and self.part is not None and self.part.defs:
                    hunk.defs = DEF_LINE.match(buf, pos + 1, end) is not None
                self.old_no += 1
                self.new_no += 1
                self.old_left -= 1
                self.new_left -= 1
                self.block = None
                return end
        elif ch == _BACKSLASH:
            return end  # "\ No newline at end of file": about the line before
        elif (ch == _MINUS and self.old_left) or (ch == _PLUS and self.new_left):
            self._take(buf, base, pos, end, ch, 1)
            return end
        self._error(f"the hunk {decode(self.header_line)[:40]!r} does not add up")
        return pos

    def _changed(self, buf: bytes, base: int, pos: int, lim: int, ch: int) -> int:
        """Lines of one kind from ``pos`` on, as many as the piece holds and the hunk has
        left, checked and read as one region; else the first line on its own."""
        left = self.old_left if ch == _MINUS else self.new_left
        if not left:
            return self._one_line(buf, base, pos, lim)
        if ch == _MINUS:
            end = buf.find(b"\n+", pos, lim) + 1 or lim
            context = buf.find(b"\n ", pos, end)
            if context >= 0:
                end = context + 1
        else:
            end = buf.find(b"\n ", pos, lim) + 1 or lim
        n = buf.count(b"\n", pos, end)
        if n > left:
            end = after_lines(buf, pos, end, left)
            n = left
        sep = b"\n-" if ch == _MINUS else b"\n+"
        part = self.part
        prints = None
        if part is not None and part.prints:
            prints = fingerprints(buf[pos:end], sep)
            ok = len(prints[0]) == n  # a line that does not start with `ch` would join the one before
        else:
            ok = n == 1 or buf.count(sep, pos, end - 1) == n - 1
        if not ok:
            # something else among them (a marker, an empty line): the lines before it
            # as a region, it on its own
            bad = pos
            while True:
                nxt = buf.find(b"\n", bad, end) + 1
                if nxt == 0 or nxt >= end or buf[nxt] != ch:
                    nxt = nxt or end
                    break
                bad = nxt
            end, n = nxt, buf.count(b"\n", pos, nxt)
            prints = None
        self._take(buf, base, pos, end, ch, n, prints)
        return end

    def _take(self, buf: bytes, base: int, pos: int, end: int, ch: int, n: int,
              prints: tuple[list[int], int] | None = None) -> None:
        """``n`` lines of kind ``ch`` at ``buf[pos:end]``: into the open block (or a new
        one). ``prints``: their fingerprints and length, if made already."""
        hunk, block = self.hunk, self.block
        assert hunk is not None and self.part is not None
        if block is None or (ch == _MINUS and block.n_added):
            block = self.block = Block(hunk, len(hunk.blocks), self.old_no, self.new_no)
            hunk.blocks.append(block)
        part = self.part
        region = buf[pos:end]
        side = 0 if ch == _MINUS else 1
        spans = block.spans[side]
        if spans and spans[-1][1] == base + pos:
            spans[-1] = (spans[-1][0], base + end)
        else:
            spans.append((base + pos, base + end))
        if part.prints:
            found, length = prints or fingerprints(region, b"\n-" if side == 0 else b"\n+")
            if block.prints is None:
                block.prints = ([], [])
            block.prints[side].extend(found)
            block.norm_len[side] += length
        if part.defs and not block.defs:
            block.defs = _has_def_line(region)
        if side == 0:
            block.n_removed += n
            self.old_no += n
            self.old_left -= n
            part.deleted += n
        else:
            if part.keywords:
                _keyword_lines(region, self.new_no, part.hits)
            block.n_added += n
            self.new_no += n
            self.new_left -= n
            part.added += n


#: a line that starts a Python ``def`` or ``class`` (matched after a patch line's prefix)
DEF_LINE = re.compile(rb"[^\S\n]*(?:async\s+def|def|class)[^\S\n]")


def _has_def_line(region: bytes) -> bool:
    """Whether a line of ``region`` (lines with their one-character prefix) starts a
    Python ``def`` or ``class``."""
    for word in (b"def", b"class"):
        at = region.find(word)
        while at >= 0:
            start = region.rfind(b"\n", 0, at) + 1
            if DEF_LINE.match(region, start + 1):
                return True
            at = region.find(word, at + len(word))
    return False


def _keyword_lines(region: bytes, first: int, out: list[DiffLine]) -> None:
    """The added lines of ``region`` (new line ``first`` on) that hold a keyword."""
    if region.isascii():
        low = region.lower()
        starts: set[int] = set()
        for needle in KEYWORD_NEEDLES:
            at = low.find(needle)
            while at >= 0:
                start = low.rfind(b"\n", 0, at) + 1
                starts.add(start)
                stop = low.find(b"\n", at)
                at = low.find(needle, stop) if stop >= 0 else -1
        if not starts:
            return
        line, pos = first, 0
        for start in sorted(starts):
            line += region.count(b"\n", pos, start)
            pos = start
            stop = region.find(b"\n", start)
            out.append(DiffLine("+", decode(region[start + 1:stop if stop >= 0 else len(region)]), None, line))
        return
    text = decode(region)
    line, pos, seen = first, 0, -1
    for m in KEYWORDS.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if start == seen:
            continue
        seen = start
        line += text.count("\n", pos, start)
        pos = start
        stop = text.find("\n", start)
        out.append(DiffLine("+", text[start + 1:stop if stop >= 0 else len(text)], None, line))
