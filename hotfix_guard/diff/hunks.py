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
    "--raw", "--numstat", "-p", "-z", "--no-abbrev", "--full-index",
    "-M", "-C",
    "--src-prefix=a/", "--dst-prefix=b/",
    "--submodule=short", "--ignore-submodules=none",
    "-U3", "--inter-hunk-context=0",
    "--diff-algorithm=myers", "--indent-heuristic",
)
#: user config that would change what the patch looks like, pinned for the call
DIFF_CONFIG = ("diff.relative=false", "diff.suppressBlankEmpty=false")

_CHUNK_START = re.compile(rb"^(?:diff --git |\* Unmerged path )", re.M)
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
    """A run of changed lines with no context between: what was removed, what was added."""

    __slots__ = ("hunk", "index", "removed", "added")

    def __init__(self, hunk: Hunk, index: int) -> None:
        self.hunk, self.index = hunk, index
        self.removed: list[DiffLine] = []
        self.added: list[DiffLine] = []


class Hunk:
    __slots__ = ("old_start", "old_len", "new_start", "new_len", "lines", "_blocks")

    def __init__(self, old_start: int, old_len: int, new_start: int, new_len: int,
                 lines: list[DiffLine]) -> None:
        self.old_start, self.old_len = old_start, old_len
        self.new_start, self.new_len = new_start, new_len
        self.lines = lines
        self._blocks: list[Block] | None = None

    @property
    def blocks(self) -> list[Block]:
        if self._blocks is None:
            blocks: list[Block] = []
            current: Block | None = None
            for line in self.lines:
                if line.kind == " ":
                    current = None
                    continue
                if current is None:
                    current = Block(self, len(blocks))
                    blocks.append(current)
                (current.added if line.kind == "+" else current.removed).append(line)
            self._blocks = blocks
        return self._blocks


class FileDiff:
    """One file of the change.

    ``status`` is git's letter: A added, D deleted, M modified (content or mode), R renamed,
    C copied, T type changed (file <-> symlink <-> submodule), U unmerged. ``path`` is the
    path after the change (before it, for a deleted file), as git spells it; ``shown`` is
    the same made safe to print. ``added``/``deleted`` are git's numstat counts (0 for
    binary files).
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
        self.chunks: list[bytes] = []
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
        return any(b"\nBinary files " in c or b"\nGIT binary patch" in c for c in self.chunks)

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

    # -- the lines -----------------------------------------------------------------

    @property
    def hunks(self) -> list[Hunk]:
        """The hunks, read on first use. A part of the patch that does not add up leaves
        the file without hunks (``parse_error`` says why), never a crash."""
        if self._hunks is None:
            hunks: list[Hunk] = []
            if not self.is_binary:
                for chunk in self.chunks:
                    try:
                        hunks.extend(_parse_chunk(chunk))
                    except Exception as exc:  # ValueError from the reader, or worse
                        self.parse_error = f"{type(exc).__name__}: {exc}"
                        hunks = []
                        break
            self._hunks = hunks
        return self._hunks

    @property
    def lines(self) -> Iterator[DiffLine]:
        for hunk in self.hunks:
            yield from hunk.lines

    @cached_property
    def added_lines(self) -> list[DiffLine]:
        return [ln for ln in self.lines if ln.kind == "+"]

    @cached_property
    def removed_lines(self) -> list[DiffLine]:
        return [ln for ln in self.lines if ln.kind == "-"]

    @property
    def first_line(self) -> int | None:
        """The new-file line a reviewer should look at first: the first added line, else
        where the first deletion was."""
        for line in self.lines:
            if line.kind == "+":
                return line.new
        if self.is_deleted:
            return None
        for line in self.lines:
            if line.kind == "-" and line.old is not None:
                return self.new_line_for_old(line.old)
        return None

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


def _parse_chunk(chunk: bytes) -> list[Hunk]:
    """The hunks of one file's part of the patch: from its first ``@@`` line on, each
    header's counts say how many old and new lines follow. A part that does not add up
    raises ValueError (the file then has no hunks and a ``parse_error``).

    Read here rather than by unidiff: the patch is git's own, in one pinned format, and
    importing unidiff (it imports ``typing``) cost every hotfix check about 8 ms, a tenth
    of a pre-push on a large history. The tests check this reader against unidiff's.
    """
    match = _HUNK_HEADER.search(chunk)
    if match is None:
        return []
    lines = decode(chunk[match.start():]).split("\n")
    hunks = []
    i, end = 0, len(lines)
    while i < end:
        header = lines[i]
        i += 1
        if not header or header[0] == "\\":  # the patch's last newline; "\ No newline at end of file"
            continue
        m = _HUNK_RANGE.match(header)
        if m is None:
            raise ValueError(f"line {i} of the file's patch is not a hunk header: {header[:60]!r}")
        old_start, new_start = int(m.group(1)), int(m.group(3))
        old_len = int(m.group(2)) if m.group(2) is not None else 1
        new_len = int(m.group(4)) if m.group(4) is not None else 1
        old, new = old_start, new_start
        old_end, new_end = old_start + old_len, new_start + new_len
        body: list[DiffLine] = []
        while (old < old_end or new < new_end) and i < end:
            line = lines[i]
            i += 1
            kind = line[:1]
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
            elif kind != "\\":
                raise ValueError(f"line {i} of the file's patch is not in a hunk: {line[:60]!r}")
        if old != old_end or new != new_end:
            raise ValueError(f"the hunk {header[:40]!r} does not add up")
        hunks.append(Hunk(old_start, old_len, new_start, new_len, body))
    return hunks


class Diff:
    """The change's files, with what the rules ask of them."""

    def __init__(self, files: list[FileDiff], *, git: Git | None = None,
                 settings: Settings | None = None, size: int = 0) -> None:
        self.files = files
        self.git = git
        self.settings = settings
        self.size = size  # bytes of git's output
        self._blobs: dict[str, bytes] | None = None
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
        source files whose added lines hold a keyword, both sides of Python files."""
        wanted: set[str] = set()
        for f in self.reviewed():
            lang = f.language
            if lang is None:
                continue
            if lang.name == "python":
                wanted.update((f.old_sha, f.new_sha))
            elif not f.is_deleted and any(KEYWORDS.search(ln.text) for ln in f.added_lines):
                wanted.add(f.new_sha)
        wanted.discard(ZERO_SHA)
        return wanted

    def blob(self, sha: str) -> bytes | None:
        if not sha or sha == ZERO_SHA or self.git is None:
            return None
        if self._blobs is None:
            self._blobs = self.git.cat_blobs(sorted(self._wanted_blobs() | {sha}))
        if sha not in self._blobs:
            self._blobs.update(self.git.cat_blobs([sha]))
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
        candidates = [ln for ln in f.added_lines if ln.new is not None
                      and (pattern is None or pattern.search(ln.text))]
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
    """The change's diff over ``range_args`` (the context's ``diff_args()``): read once."""
    raw = git.diff(*_query(range_args), config=DIFF_CONFIG)
    diff = parse(raw, git=git, settings=settings)
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
    for g in again.values():  # numstat says "-" whatever --text says: count the patch's lines
        g.numstat_binary = False
        g.added = sum(1 for ln in g.lines if ln.kind == "+")
        g.deleted = sum(1 for ln in g.lines if ln.kind == "-")
    diff.files = [again.get((f.old_path, f.new_path), f) if f.numstat_binary else f for f in diff.files]


def start_diff(git: Git, range_args: tuple[str, ...]) -> None:
    """Start the query :func:`load_diff` will collect (see ``Context.prefetch``)."""
    git.start_diff(*_query(range_args), config=DIFF_CONFIG)


def _query(range_args: tuple[str, ...]) -> tuple[str, ...]:
    return (*DIFF_FLAGS, *range_args, "--")


def parse(raw: bytes, *, git: Git | None = None, settings: Settings | None = None) -> Diff:
    """Parse ``git diff --raw --numstat -p -z`` output."""
    files: list[FileDiff] = []
    pos, end = 0, len(raw)

    def token() -> str:
        nonlocal pos
        stop = raw.find(b"\0", pos)
        if stop < 0:
            stop = end
        piece = raw[pos:stop]
        pos = stop + 1
        return decode(piece)

    # raw records: ":<old mode> <new mode> <old sha> <new sha> <status>\0<path>\0[<path>\0]"
    while pos < end and raw[pos:pos + 1] == b":":
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
    for f in files:
        save = pos
        head = token()
        parts = head.split("\t", 2)
        if len(parts) != 3 or not all(p == "-" or p.isdigit() for p in parts[:2]):
            pos = save
            break
        if parts[2] == "":
            token(), token()
        if parts[0] == "-":
            f.numstat_binary = True
        else:
            f.added, f.deleted = int(parts[0]), int(parts[1])
    if raw[pos:pos + 1] == b"\0":
        pos += 1
    _attach_chunks(files, raw[pos:] if pos < end else b"")
    return Diff(files, git=git, settings=settings, size=end)


def _attach_chunks(files: list[FileDiff], patch: bytes) -> None:
    """Give each file its part of the patch. The patch lists files in the raw order, one
    part each, except that a type change is shown as a deletion and a creation (two
    parts) and an unmerged path as a ``* Unmerged path`` line."""
    starts = [m.start() for m in _CHUNK_START.finditer(patch)]
    chunks = [patch[a:b] for a, b in zip(starts, starts[1:] + [len(patch)])]
    i = 0
    for f in files:
        if i >= len(chunks):
            break
        chunk = chunks[i]
        if f.status == "U":
            if chunk.startswith(b"* Unmerged"):
                i += 1
            continue
        if chunk.startswith(b"* Unmerged"):
            i += 1  # not ours: tolerate, but do not attach
            if i >= len(chunks):
                break
            chunk = chunks[i]
        f.chunks.append(chunk)
        i += 1
        if f.status == "T" and i < len(chunks) and b"\ndeleted file mode" in _header(chunk) \
                and b"\nnew file mode" in _header(chunks[i]):
            f.chunks.append(chunks[i])
            i += 1


def _header(chunk: bytes) -> bytes:
    match = _HUNK_HEADER.search(chunk)
    return chunk[:match.start()] if match else chunk
