"""The change's diff, parsed (what the diff rules HG004-HG007, HG010-HG012 read).

ONE ``git diff`` process gives everything: ``--raw --numstat -p -z`` prints, for the same
list of files in the same order, the raw records (modes, blob ids, status, rename score,
NUL-terminated names that need no unquoting), the numstat records (git's own added/deleted
counts; ``-`` for binary files) and then the patch. Names come from the raw records, so
spaces, tabs, newlines, non-UTF-8 bytes and quotes in file names need no parsing of the
patch's quoted headers. Each file's part of the patch is read into hunks lazily, the
first time a rule asks: files nobody looks at (lock files) cost nothing.

Git's rename and copy detection is on (``-M -C``). User config that would change the
output is pinned (``diff.relative``, ``diff.suppressBlankEmpty``, prefixes, context lines,
the diff algorithm, submodule format; textconv and external drivers are off). Binary
files, mode-only changes, submodule pointers (gitlinks), symlinks and type changes are
all represented, never a crash.

Binary is decided by content, as git decides it when no attribute says otherwise (a NUL
in the first 8000 bytes). ``.gitattributes`` (``*.py -diff``, the ``binary`` macro, a
``diff=`` driver with ``binary = true``), ``.git/info/attributes`` or a global attributes
file can make git call a source file binary: such a file is read again with ``--text``
(:func:`read_text_as_text`), so the rules see its lines. That costs a ``cat-file`` and a
second ``git diff`` only when the change has files git calls binary.

Blob contents (for comment scanning and Python's ``ast``) are read on demand through
:meth:`Diff.text`, all in one ``git cat-file --batch`` process the first time any is asked.

Nothing here imports pathspec until a diff is actually loaded.
"""

from __future__ import annotations

import re
from functools import cached_property


from hotfix_guard.diff.comments import Language, comment_map, language_for, line_comment

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Any, Iterator
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git
    from hotfix_guard.globs import PathClasses

ZERO_SHA = "0" * 40
GITLINK_MODE = "160000"
SYMLINK_MODE = "120000"

#: flags for the one ``git diff`` call; the range (the context's ``diff_args()``) comes after
DIFF_FLAGS = (
    "--raw", "-p", "-z", "--no-abbrev", "--full-index",
    "-M", "-C",
    "--src-prefix=a/", "--dst-prefix=b/",
    "--submodule=short", "--ignore-submodules=none",
    "-U3", "--inter-hunk-context=0",
    "--diff-algorithm=myers", "--indent-heuristic",
)
#: user config that would change what the patch looks like, pinned for the call
DIFF_CONFIG = ("diff.relative=false", "diff.suppressBlankEmpty=false")

_HUNK_HEADER = re.compile(rb"^@@ ", re.M)
_HUNK_RANGE = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# which added lines may hold something a rule looks for: only those make a blob worth reading
KEYWORDS = re.compile(r"hotfix|todo|fixme|xxx", re.I)
#: how much of a file git looks at to call it binary (xdiff-interface.c, ``buffer_is_binary``)
FIRST_FEW_BYTES = 8000


def looks_binary(data: bytes) -> bool:
    """git's own test for binary content: a NUL in the first 8000 bytes."""
    return b"\0" in data[:FIRST_FEW_BYTES]


def display(text: str) -> str:
    """Text for a report: undecodable bytes as ``\\xNN``, control characters escaped."""
    if text.isprintable():
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


class DiffLine:
    """One line of a hunk. ``kind`` is ``+``, ``-`` or `` ``; ``text`` has no line ending
    (a CR of a CRLF file stays); ``old``/``new`` are line numbers (None on the side the
    line is not on)."""

    __slots__ = ("kind", "text", "old", "new")

    def __init__(self, kind: str, text: str, old: int | None, new: int | None) -> None:
        self.kind, self.text, self.old, self.new = kind, text, old, new

    def __repr__(self) -> str:
        return f"DiffLine({self.kind!r}, {self.text!r}, old={self.old}, new={self.new})"


class Block:
    """A run of changed lines with no context between: what was removed (old lines
    ``old_first`` on, consecutive) and what was added (new lines ``new_first`` on).

    Held as its place in the hunk's text; the texts are cut out in bulk when asked
    (:attr:`removed_texts`, :attr:`added_texts`), without a Python object per line;
    :attr:`removed` and :attr:`added` make :class:`DiffLine` objects of them."""

    __slots__ = ("hunk", "index", "old_first", "new_first", "n_removed", "n_added", "_span", "_texts")

    def __init__(self, hunk: Hunk, index: int, old_first: int, new_first: int, span: tuple[int, int]) -> None:
        self.hunk, self.index = hunk, index
        self.old_first, self.new_first = old_first, new_first
        self._span = span
        self._texts: tuple[list[str], list[str]] | None = None
        text, (a, b) = hunk.text, span
        self.n_removed, self.n_added = _starts(text, "-", a, b), _starts(text, "+", a, b)

    def _split(self) -> tuple[list[str], list[str]]:
        if self._texts is None:
            self._texts = _split_block(self.hunk.text, *self._span)
        return self._texts

    @property
    def removed_texts(self) -> list[str]:
        return self._split()[0] if self.n_removed else []

    @property
    def added_texts(self) -> list[str]:
        return self._split()[1] if self.n_added else []

    def forget_texts(self) -> None:
        self._texts = None

    @property
    def removed(self) -> list[DiffLine]:
        first = self.old_first
        return [DiffLine("-", t, first + i, None) for i, t in enumerate(self.removed_texts)]

    @property
    def added(self) -> list[DiffLine]:
        first = self.new_first
        return [DiffLine("+", t, None, first + i) for i, t in enumerate(self.added_texts)]


# a run of changed lines (with the "\ No newline at end of file" markers among them)
_BLOCK = re.compile(r"^[-+][^\n]*(?:\n[-+\\][^\n]*)*\n?", re.M)
_NOT_A_HUNK_LINE = re.compile(r"^[^ +\-\\\n]", re.M)


def _starts(text: str, ch: str, start: int, end: int) -> int:
    """How many lines of ``text[start:end]`` (``start`` at a line start) begin with ``ch``."""
    return text.startswith(ch, start, end) + text.count("\n" + ch, start, end)


def _side(region: str, ch: str) -> list[str]:
    """The texts of the lines of ``region`` that begin with ``ch``, without it."""
    return [line[1:] for line in region.split("\n") if line[:1] == ch]


class Hunk:
    """One ``@@`` hunk: its header's numbers and its lines, held as the patch's text
    (``text[start:end]``, the lines after the header). :attr:`lines` and :attr:`blocks`
    are made from the text on first use."""

    __slots__ = ("old_start", "old_len", "new_start", "new_len", "text", "start", "end", "_lines", "_blocks")

    def __init__(self, old_start: int, old_len: int, new_start: int, new_len: int,
                 text: str, start: int = 0, end: int | None = None) -> None:
        self.old_start, self.old_len = old_start, old_len
        self.new_start, self.new_len = new_start, new_len
        self.text, self.start = text, start
        self.end = len(text) if end is None else end
        self._lines: list[DiffLine] | None = None
        self._blocks: list[Block] | None = None

    @property
    def lines(self) -> list[DiffLine]:
        if self._lines is None:
            body: list[DiffLine] = []
            old, new = self.old_start, self.new_start
            for line in self.text[self.start:self.end].split("\n"):
                kind = line[:1]
                if old >= self.old_start + self.old_len and new >= self.new_start + self.new_len:
                    break
                if kind == " " or not line:  # an empty line is an empty context line (as patch reads it)
                    body.append(DiffLine(" ", line[1:], old, new))
                    old += 1
                    new += 1
                elif kind == "-":
                    body.append(DiffLine("-", line[1:], old, None))
                    old += 1
                elif kind == "+":
                    body.append(DiffLine("+", line[1:], None, new))
                    new += 1
            self._lines = body
        return self._lines

    @property
    def blocks(self) -> list[Block]:
        if self._blocks is None:
            text, blocks = self.text, []
            old, new, pos = self.old_start, self.new_start, self.start
            for m in _BLOCK.finditer(text, self.start, self.end):
                a, b = m.span()
                context = text.count("\n", pos, a) - _starts(text, "\\", pos, a)
                old, new = old + context, new + context
                block = Block(self, len(blocks), old, new, (a, b))
                blocks.append(block)
                old, new, pos = old + block.n_removed, new + block.n_added, b
            self._blocks = blocks
        return self._blocks


def _split_block(text: str, a: int, b: int) -> tuple[list[str], list[str]]:
    """The removed and the added texts of the run of changed lines ``text[a:b]``. git
    prints a run's removed lines before its added ones: then each side is cut out
    whole; otherwise (or with a newline marker among them) line by line."""
    k = a if text.startswith("+", a, b) else text.find("\n+", a, b) + 1
    if k == 0:
        k = b
    if text.find("\n\\", a, b) >= 0 or text.find("\n-", k, b) >= 0:
        region = text[a:b]
        return _side(region, "-"), _side(region, "+")

    def texts(start: int, end: int, sep: str) -> list[str]:
        if start >= end:
            return []
        return text[start + 1:end - 1 if text.endswith("\n", start, end) else end].split(sep)

    return texts(a, k, "\n-"), texts(k, b, "\n+")


class FileDiff:
    """One file of the change.

    ``status`` is git's letter: A added, D deleted, M modified (content or mode), R renamed,
    C copied, T type changed (file <-> symlink <-> submodule), U unmerged. ``path`` is the
    path after the change (before it, for a deleted file), as git spells it; ``shown`` is
    the same made safe to print. ``added``/``deleted`` are the counts of added and deleted
    lines (0 for binary files).

    The file's part of the patch stays where git wrote it (:class:`Patch`); its hunks are
    read from there when a rule asks, and kept only while the diff's budget for parsed
    text allows (:data:`PARSED_BUDGET`), so a huge change is judged file by file.
    """

    def __init__(self, status: str, old_path: str | None, new_path: str | None, old_mode: str,
                 new_mode: str, old_sha: str, new_sha: str, similarity: int | None) -> None:
        self.status = status
        self.old_path = old_path
        self.new_path = new_path
        self.old_mode, self.new_mode = old_mode, new_mode
        self.old_sha, self.new_sha = old_sha, new_sha
        self.similarity = similarity
        self.added = 0
        self.deleted = 0
        self.numstat_binary = False
        self.spans: list[tuple[int, int]] = []  # (offset, length) of each part in the patch
        self.headers: list[bytes] = []  # each part's lines before its first hunk
        self.patch: Patch | None = None
        self.parse_error: str | None = None
        self._hunks: list[Hunk] | None = None

    def __repr__(self) -> str:
        return f"<FileDiff {self.status} {self.path!r} +{self.added} -{self.deleted}>"

    # -- what it is ----------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "")

    @cached_property
    def shown(self) -> str:
        return display(self.path)

    @property
    def is_added(self) -> bool:
        return self.status == "A"

    @property
    def is_deleted(self) -> bool:
        return self.status == "D"

    @property
    def is_renamed(self) -> bool:
        return self.status == "R"

    @property
    def is_copied(self) -> bool:
        return self.status == "C"

    @property
    def is_gitlink(self) -> bool:
        return GITLINK_MODE in (self.old_mode, self.new_mode)

    @property
    def is_symlink(self) -> bool:
        mode = self.old_mode if self.is_deleted else self.new_mode
        return mode == SYMLINK_MODE

    @cached_property
    def is_binary(self) -> bool:
        if self.numstat_binary:
            return True
        return any(b"\nBinary files " in h or b"\nGIT binary patch" in h for h in self.headers)

    @property
    def is_regular(self) -> bool:
        """A plain file on both sides (not a link, not a submodule, no type change)."""
        return not (self.is_gitlink or self.is_symlink or self.status in ("T", "U"))

    @property
    def is_text(self) -> bool:
        """A regular file whose lines can be read (not binary, not a link, not a submodule)."""
        return self.is_regular and not self.is_binary

    @property
    def mode_only(self) -> bool:
        return self.status == "M" and self.old_sha == self.new_sha

    @property
    def content_changed(self) -> bool:
        return self.status not in ("U",) and self.old_sha != self.new_sha

    @property
    def changed_lines(self) -> int:
        return self.added + self.deleted

    @cached_property
    def language(self) -> Language | None:
        """The language of a readable text file, else None."""
        if not self.is_text:
            return None
        return language_for(self.path)

    @property
    def chunks(self) -> list[bytes]:
        """The file's parts of the patch, as git wrote them (read again on each use)."""
        if self.patch is None:
            return []
        return [self.patch.read(offset, length) for offset, length in self.spans]

    @property
    def patch_size(self) -> int:
        return sum(length for _, length in self.spans)

    # -- the lines -----------------------------------------------------------------

    @property
    def hunks(self) -> list[Hunk]:
        """The hunks, read on first use. A part of the patch that does not add up leaves
        the file without hunks (``parse_error`` says why), never a crash."""
        if self._hunks is not None:
            return self._hunks
        hunks: list[Hunk] = []
        if not self.is_binary:
            for chunk in self.chunks:
                try:
                    hunks.extend(_parse_chunk(chunk))
                except Exception as exc:  # ValueError from the reader, or worse
                    self.parse_error = f"{type(exc).__name__}: {exc}"
                    hunks = []
                    break
        if self.patch is None or self.patch.keep(self, self.patch_size):
            self._hunks = hunks
        return hunks

    def forget(self) -> None:
        """Drop the parsed hunks (the patch's budget is spent elsewhere)."""
        self._hunks = None

    @property
    def lines(self) -> Iterator[DiffLine]:
        for hunk in self.hunks:
            yield from hunk.lines

    @property
    def added_lines(self) -> list[DiffLine]:
        return [ln for ln in self.lines if ln.kind == "+"]

    @property
    def removed_lines(self) -> list[DiffLine]:
        return [ln for ln in self.lines if ln.kind == "-"]

    def added_matching(self, pattern: re.Pattern[str]) -> list[DiffLine]:
        """The added lines whose text ``pattern`` finds something in, found by searching
        the patch's text (no object for the lines that do not match)."""
        return self._matching(pattern, "+")

    def changed_matching(self, pattern: re.Pattern[str]) -> list[DiffLine]:
        """The removed and added lines whose text ``pattern`` finds something in."""
        return self._matching(pattern, "-+")

    def _matching(self, pattern: re.Pattern[str], kinds: str) -> list[DiffLine]:
        found: list[DiffLine] = []
        for hunk in self.hunks:
            text, pos, end = hunk.text, hunk.start, hunk.end
            hits = []
            while pos < end:
                m = pattern.search(text, pos, end)
                if m is None:
                    break
                line_start = text.rfind("\n", hunk.start, m.start()) + 1 if m.start() > hunk.start else hunk.start
                line_start = max(line_start, hunk.start)
                line_end = text.find("\n", m.start(), end)
                line_end = end if line_end < 0 else line_end
                if text[line_start:line_start + 1] in kinds and text[line_start:line_start + 1] \
                        and pattern.search(text, line_start + 1, line_end):
                    hits.append(line_start)
                pos = line_end + 1
            if not hits:
                continue
            for line_start in hits:
                kind = text[line_start]
                removed = _starts(text, "-", hunk.start, line_start)
                added = _starts(text, "+", hunk.start, line_start)
                markers = _starts(text, "\\", hunk.start, line_start)
                context = text.count("\n", hunk.start, line_start) - removed - added - markers
                line_end = text.find("\n", line_start, hunk.end)
                body = text[line_start + 1:hunk.end if line_end < 0 else line_end]
                if kind == "+":
                    found.append(DiffLine("+", body, None, hunk.new_start + context + added))
                else:
                    found.append(DiffLine("-", body, hunk.old_start + context + removed, None))
        return found

    def is_added_line(self, new: int) -> bool:
        """Whether new-file line ``new`` is one the change adds."""
        for hunk in self.hunks:
            if hunk.new_start <= new < hunk.new_start + hunk.new_len:
                for block in hunk.blocks:
                    if block.new_first <= new < block.new_first + block.n_added:
                        return True
                return False
        return False

    @property
    def first_line(self) -> int | None:
        """The new-file line a reviewer should look at first: the first added line, else
        where the first deletion was."""
        first_removed = None
        for hunk in self.hunks:
            for block in hunk.blocks:
                if block.n_added:
                    return block.new_first
                if first_removed is None and block.n_removed:
                    first_removed = block.old_first
        if self.is_deleted or first_removed is None:
            return None
        return self.new_line_for_old(first_removed)

    def new_line_for_old(self, old: int) -> int:
        """Where an old line number sits in the new file: its own line if it survived, the
        line after it if it was removed."""
        offset = 0
        for hunk in self.hunks:
            before = old < hunk.old_start if hunk.old_len else old <= hunk.old_start
            if before:
                break
            if hunk.old_len and old < hunk.old_start + hunk.old_len:
                waiting = False
                for line in hunk.lines:
                    if line.old == old:
                        if line.kind == " ":
                            return line.new or 1
                        waiting = True
                    elif waiting and line.new is not None:
                        return line.new
                return max(1, hunk.new_start + hunk.new_len)
            offset += hunk.new_len - hunk.old_len
        return max(1, old + offset)


_HUNK_HEADER_LINE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@[^\n]*(?:\n|$)", re.M)


def _parse_chunk(chunk: bytes) -> list[Hunk]:
    """The hunks of one file's part of the patch: from its first ``@@`` line on, each
    header's counts say how many old and new lines follow. A part that does not add up
    raises ValueError (the file then has no hunks and a ``parse_error``).

    The lines are counted in bulk (``str.count`` over the patch's text), not one Python
    object per line: a hunk's lines are made only when a rule asks for them.

    Read here rather than by unidiff: the patch is git's own, in one pinned format, and
    importing unidiff (it imports ``typing``) cost every hotfix check about 8 ms, a tenth
    of a pre-push on a large history. The tests check this reader against unidiff's.
    """
    text = decode(chunk)
    del chunk
    pos = 0 if text.startswith("@@ ") else text.find("\n@@ ") + 1
    if pos == 0 and not text.startswith("@@ "):
        return []
    hunks = []
    while pos < len(text):
        eol = text.find("\n", pos)
        header = text[pos:] if eol < 0 else text[pos:eol]
        m = _HUNK_RANGE.match(header)
        if m is None:
            raise ValueError(f"a line of the file's patch is not a hunk header: {header[:60]!r}")
        old_start, new_start = int(m.group(1)), int(m.group(3))
        old_len = int(m.group(2)) if m.group(2) is not None else 1
        new_len = int(m.group(4)) if m.group(4) is not None else 1
        start = len(text) if eol < 0 else eol + 1
        following = text.find("\n@@ ", start - 1)
        stop = len(text) if following < 0 else following + 1
        end = _hunk_end(text, start, stop, old_len, new_len, header)
        hunks.append(Hunk(old_start, old_len, new_start, new_len, text, start, end))
        if end < stop and text[end:stop].strip("\n"):
            raise ValueError(f"a line of the file's patch is not in a hunk: {text[end:end + 60]!r}")
        pos = stop
    return hunks


def _hunk_end(text: str, start: int, stop: int, old_len: int, new_len: int, header: str) -> int:
    """Where the hunk whose lines start at ``start`` ends (at most ``stop``), checked
    against its header's counts: ValueError when its lines do not add up. Empty lines
    past the counts (blank lines between hunks) are not the hunk's. Counted in bulk."""
    removed = _starts(text, "-", start, stop)
    added = _starts(text, "+", start, stop)
    markers = _starts(text, "\\", start, stop) if text.find("\n\\", start - 1, stop) >= 0 else 0
    lines = text.count("\n", start, stop) + (1 if stop > start and text[stop - 1] != "\n" else 0)
    context = lines - removed - added - markers
    extra = context + removed - old_len
    if extra >= 0 and extra == context + added - new_len:
        if extra == 0:
            return stop
        if text.endswith("\n" * (extra + 1), start, stop):  # the last `extra` lines are empty
            return stop - extra
    bad = _NOT_A_HUNK_LINE.search(text, start, stop)  # only now: what went wrong
    if bad is not None:
        raise ValueError(f"a line of the file's patch is not in a hunk: {text[bad.start():bad.start() + 60]!r}")
    raise ValueError(f"the hunk {header.strip()[:40]!r} does not add up")


#: a file whose patch is bigger than this is read on its own when a rule needs its
#: contents, and its blobs are not kept
PREFETCH_LIMIT = 1 << 20

#: how much patch text the parsed hunks of files may hold at once (beyond it, the
#: least recently read file's hunks are dropped and read again when asked)
PARSED_BUDGET = 8 << 20


class Patch:
    """Where the patch's bytes are: git's output in memory, or the scratch file git's
    output went to (a huge change is never held whole). Keeps the parsed hunks of the
    files read last, up to :data:`PARSED_BUDGET` bytes of patch."""

    def __init__(self, data: bytes | None = None, fh: Any = None) -> None:
        self.data, self.fh = data, fh
        self._kept: dict[int, tuple[FileDiff, int]] = {}
        self._held = 0

    def read(self, offset: int, length: int) -> bytes:
        if self.data is not None:
            return self.data[offset:offset + length]
        self.fh.seek(offset)
        return self.fh.read(length)

    def keep(self, f: FileDiff, size: int) -> bool:
        """Whether ``f`` may keep its parsed hunks; others are dropped to make room."""
        if size > PARSED_BUDGET:
            return False
        while self._held + size > PARSED_BUDGET and self._kept:
            key = next(iter(self._kept))
            old, old_size = self._kept.pop(key)
            old.forget()
            self._held -= old_size
        self._kept[id(f)] = (f, size)
        self._held += size
        return True


class Diff:
    """The change's files, with what the rules ask of them."""

    def __init__(self, files: list[FileDiff], *, git: Git | None = None,
                 settings: Settings | None = None, size: int = 0) -> None:
        self.files = files
        self.git = git
        self.settings = settings
        self.size = size  # bytes of git's output
        self._blobs: dict[str, bytes] | None = None
        self._big: dict[str, bytes | None] = {}  # the last big blobs read (not kept with the others)
        self._comments: dict[int, dict[int, str] | None] = {}
        self.memo: dict[str, Any] = {}  # what rules compute once and share (e.g. the TODOs)

    def __iter__(self) -> Iterator[FileDiff]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    # -- config: tests and excluded files ----------------------------------------------

    @cached_property
    def classes(self) -> PathClasses:
        from hotfix_guard.config import Settings
        from hotfix_guard.globs import PathClasses

        return PathClasses(self.settings or Settings())

    def is_test(self, f: FileDiff) -> bool:
        return self.classes.is_test(f.path)

    def is_excluded(self, f: FileDiff) -> bool:
        return self.classes.is_excluded(f.path)

    def binary_files(self) -> list[FileDiff]:
        """The regular files whose content is binary: the rules count them but read no
        lines of them, and the report names them."""
        return [f for f in self.files if f.is_regular and f.is_binary]

    def reviewed(self) -> list[FileDiff]:
        """Files the rules look at: everything but excluded files and unmerged entries."""
        return [f for f in self.files if f.status != "U" and not self.is_excluded(f)]

    # -- contents ----------------------------------------------------------------------

    def _wanted_blobs(self) -> set[str]:
        """Every blob a rule may read, so one process fetches them all: the new side of
        source files whose added lines hold a keyword, both sides of Python files. Files
        whose patch is over :data:`PREFETCH_LIMIT` are left out (read when asked, and
        not kept: a huge change is not held in memory)."""
        wanted: set[str] = set()
        for f in self.reviewed():
            lang = f.language
            if lang is None or f.patch_size > PREFETCH_LIMIT:
                continue
            if lang.name == "python":
                wanted.update((f.old_sha, f.new_sha))
            elif not f.is_deleted and f.added_matching(KEYWORDS):
                wanted.add(f.new_sha)
        wanted.discard(ZERO_SHA)
        return wanted

    def blob(self, sha: str) -> bytes | None:
        if not sha or sha == ZERO_SHA or self.git is None:
            return None
        if self._blobs is None:
            self._blobs = self.git.cat_blobs(sorted(self._wanted_blobs() | {sha}))
        if sha in self._big:
            return self._big[sha]
        if sha not in self._blobs:
            found = self.git.cat_blobs([sha]).get(sha)
            if found is None or len(found) > PREFETCH_LIMIT:
                if len(self._big) >= 2:  # the two sides of the file being read, no more
                    self._big.pop(next(iter(self._big)))
                self._big[sha] = found
                return found
            self._blobs[sha] = found
        return self._blobs.get(sha)

    def text(self, f: FileDiff, side: str = "new") -> str | None:
        """A side (``old``/``new``) of a readable text file, decoded; None otherwise."""
        if not f.is_text:
            return None
        if side == "new" and f.is_deleted or side == "old" and f.is_added:
            return None
        data = self.blob(f.new_sha if side == "new" else f.old_sha)
        return decode(data) if data is not None else None

    def comments(self, f: FileDiff) -> dict[int, str] | None:
        """Comment text per line of the file's new side; None when it cannot be read."""
        key = id(f)
        if key not in self._comments:
            lang = f.language
            text = self.text(f, "new") if lang is not None else None
            self._comments[key] = comment_map(text, lang) if text is not None and lang else None
        return self._comments[key]

    def added_comments(self, f: FileDiff, pattern: re.Pattern[str] | None = None) -> list[tuple[int, str]]:
        """(new line, comment text) of added lines that carry a comment, in a known
        language. With ``pattern``, only comments it matches (and the file is read only
        if some added line matches it at all)."""
        lang = f.language
        if lang is None or f.is_deleted:
            return []
        candidates = f.added_lines if pattern is None else f.added_matching(pattern)
        if not candidates:
            return []
        found = self.comments(f)
        result: list[tuple[int, str]] = []
        for ln in candidates:
            line = ln.new or 0
            comment = found.get(line) if found is not None else line_comment(ln.text, lang)
            if comment is not None and (pattern is None or pattern.search(comment)):
                result.append((line, comment))
        return result


# -- reading git's output ---------------------------------------------------------------


def load_diff(git: Git, settings: Settings, range_args: tuple[str, ...]) -> Diff:
    """The change's diff over ``range_args`` (the context's ``diff_args()``): git writes
    it to a scratch file, read from there file by file."""
    fh, size = git.diff_to_file(*_query(range_args), config=DIFF_CONFIG)
    diff = _read(Patch(fh=fh), size, git=git, settings=settings)
    read_text_as_text(diff, git, range_args)
    return diff


def read_text_as_text(diff: Diff, git: Git, range_args: tuple[str, ...]) -> None:
    """Read again, with ``--text``, the files git called binary whose content is text
    (an attribute said so: ``-diff``, ``binary``, a driver's ``binary = true``). Real
    binary content (either side) stays binary, as does a file whose blobs cannot be read."""
    suspects = [f for f in diff.files if f.numstat_binary and f.is_regular and f.content_changed]
    if not suspects:
        return
    blobs = git.cat_blobs(sha for f in suspects for sha in (f.old_sha, f.new_sha))

    def text_side(sha: str) -> bool:
        data = b"" if sha == ZERO_SHA else blobs.get(sha)
        return data is not None and not looks_binary(data)

    text = {(f.old_path, f.new_path) for f in suspects if text_side(f.old_sha) and text_side(f.new_sha)}
    if not text:
        return
    paths = dict.fromkeys(":(literal)" + p for pair in text for p in pair if p is not None)
    raw = git.diff(*DIFF_FLAGS, "--text", *range_args, "--", *paths, config=DIFF_CONFIG)
    again = {(g.old_path, g.new_path): g for g in parse(raw).files if (g.old_path, g.new_path) in text}
    for g in again.values():  # counted from the patch's lines, as for every text file
        g.numstat_binary = False
        _count_lines(g)
    diff.files = [again.get((f.old_path, f.new_path), f) if f.numstat_binary else f for f in diff.files]


def start_diff(git: Git, range_args: tuple[str, ...]) -> None:
    """Start the query :func:`load_diff` will collect (see ``Context.prefetch``)."""
    git.start_diff(*_query(range_args), config=DIFF_CONFIG)


def _query(range_args: tuple[str, ...]) -> tuple[str, ...]:
    return (*DIFF_FLAGS, *range_args, "--")


def parse(raw: bytes, *, git: Git | None = None, settings: Settings | None = None) -> Diff:
    """Parse ``git diff --raw [--numstat] -p -z`` output held in memory."""
    return _read(Patch(data=raw), len(raw), git=git, settings=settings)


_PIECE = 4 << 20  # how much of the patch is looked at at once to find where files start
_FILE_START = re.compile(rb"\n(?:diff --git |\* Unmerged path )")


def _read(patch: Patch, size: int, *, git: Git | None, settings: Settings | None) -> Diff:
    """The records before the patch (raw, and numstat if git was asked for it), then
    where each file's part of the patch is; no part is held, only its place."""
    head_end = _find(patch, b"\0\0", 0, size)
    if head_end < 0:  # no patch: records only (or nothing)
        head_end = size
    files, numstat = _records(patch.read(0, head_end + 1))
    starts = _file_starts(patch, min(head_end + 2, size), size)
    _attach_chunks(files, patch, starts, size)
    for f in files:
        if not numstat:
            _count_lines(f)
    return Diff(files, git=git, settings=settings, size=size)


def _find(patch: Patch, needle: bytes, start: int, end: int) -> int:
    """The first offset of ``needle`` in the patch between ``start`` and ``end``, or -1."""
    pos = start
    while pos < end:
        piece = patch.read(pos, min(_PIECE, end - pos) + len(needle) - 1)
        found = piece.find(needle)
        if found >= 0:
            return pos + found
        pos += _PIECE
    return -1


def _file_starts(patch: Patch, start: int, end: int) -> list[int]:
    """Where each file's part begins: a line ``diff --git`` or ``* Unmerged path``
    (no line of a hunk can start so: each starts with a space, ``+``, ``-`` or ``\\``)."""
    if start >= end:
        return []
    starts = [start]
    pos = start
    while pos < end:
        piece = patch.read(pos - 1, min(_PIECE, end - pos) + 20)  # a byte before, and a few after
        limit = min(_PIECE, end - pos)
        for m in _FILE_START.finditer(piece):
            if m.start() >= limit:
                break
            at = pos - 1 + m.start() + 1
            if at > start:
                starts.append(at)
        pos += _PIECE
    return starts


def _records(head: bytes) -> tuple[list[FileDiff], bool]:
    """The files from the raw records (and their counts from numstat records, if any;
    the second value says whether there were)."""
    files: list[FileDiff] = []
    pos, end = 0, len(head)

    def token() -> str:
        nonlocal pos
        stop = head.find(b"\0", pos)
        if stop < 0:
            stop = end
        piece = head[pos:stop]
        pos = stop + 1
        return decode(piece)

    # raw records: ":<old mode> <new mode> <old sha> <new sha> <status>\0<path>\0[<path>\0]"
    while pos < end and head[pos:pos + 1] == b":":
        meta = token()[1:].split()
        if len(meta) != 5:
            break
        old_mode, new_mode, old_sha, new_sha, status = meta
        letter, score = status[0], status[1:]
        first = token()
        second = token() if letter in "RC" else None
        old_path: str | None = first
        new_path: str | None = second if second is not None else first
        if letter == "A":
            old_path = None
        elif letter == "D":
            new_path = None
        files.append(FileDiff(letter, old_path, new_path, old_mode, new_mode, old_sha, new_sha,
                              int(score) if score.isdigit() else None))
    # numstat records, one per raw record: "<added>\t<deleted>\t<path>\0" or, for a rename
    # or copy, "<added>\t<deleted>\t\0<old>\0<new>\0"
    numstat = False
    for f in files:
        save = pos
        parts = token().split("\t", 2)
        if len(parts) != 3 or not all(p == "-" or p.isdigit() for p in parts[:2]):
            pos = save
            break
        numstat = True
        if parts[2] == "":
            token(), token()
        if parts[0] == "-":
            f.numstat_binary = True
        else:
            f.added, f.deleted = int(parts[0]), int(parts[1])
    return files, numstat


_HEADER_LIMIT = 1 << 16


def _attach_chunks(files: list[FileDiff], patch: Patch, starts: list[int], size: int) -> None:
    """Give each file its part of the patch (its place, and the lines before its first
    hunk). The patch lists files in the raw order, one part each, except that a type
    change is shown as a deletion and a creation (two parts) and an unmerged path as a
    ``* Unmerged path`` line."""
    spans = [(a, b - a) for a, b in zip(starts, starts[1:] + [size])]
    heads = {}

    def header(i: int) -> bytes:
        if i not in heads:
            offset, length = spans[i]
            first = patch.read(offset, min(length, _HEADER_LIMIT))
            hunk = _HUNK_HEADER.search(first)
            heads[i] = first[:hunk.start()] if hunk else first
        return heads[i]

    def unmerged(i: int) -> bool:
        return header(i).startswith(b"* Unmerged")

    i = 0
    for f in files:
        f.patch = patch
        if i >= len(spans):
            break
        if f.status == "U":
            if unmerged(i):
                i += 1
            continue
        if unmerged(i):
            i += 1  # not ours: tolerate, but do not attach
            if i >= len(spans):
                break
        f.spans.append(spans[i])
        f.headers.append(header(i))
        i += 1
        if f.status == "T" and i < len(spans) and b"\ndeleted file mode" in f.headers[0] \
                and b"\nnew file mode" in header(i):
            f.spans.append(spans[i])
            f.headers.append(header(i))
            i += 1
        if any(b"\nBinary files " in h or b"\nGIT binary patch" in h for h in f.headers):
            f.numstat_binary = True  # as numstat says "-" for it


def _count_lines(f: FileDiff) -> None:
    """The file's added and deleted lines, counted in its patch (what ``--numstat`` says:
    git would compute the diff twice for it)."""
    f.added = f.deleted = 0
    if f.patch is None or f.numstat_binary:
        return
    for (offset, length), head in zip(f.spans, f.headers):
        if length <= len(head):
            continue
        chunk = f.patch.read(offset + len(head), length - len(head))  # from the first "@@" on
        f.added += chunk.count(b"\n+")
        f.deleted += chunk.count(b"\n-")
