"""The change's diff, parsed (what the diff rules HG004-HG007, HG010-HG012 read).

ONE ``git diff`` process gives everything: ``--raw -p -z`` prints, for the same list of
files in the same order, the raw records (modes, blob ids, status, rename score,
NUL-terminated names that need no unquoting) and then the patch. Names come from the raw
records, so spaces, tabs, newlines, non-UTF-8 bytes and quotes in file names need no
parsing of the patch's quoted headers. git writes the patch into a scratch file, and
:mod:`hotfix_guard.diff.scan` reads it from there once, as git writes it: each file's
hunks and blocks are kept as numbers and places (with its keyword lines and line
fingerprints), and the texts are read back from the file only when a rule asks for
them. The added and deleted counts are those of the patch (``--numstat`` would make git
compute the diff twice). Excluded files (lock files) are only counted.

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
# which added lines may hold something a rule looks for: only those make a blob worth reading
KEYWORDS = re.compile(r"hotfix|todo|fixme|xxx", re.I)
#: the patterns (source, flags) that only find something in a line holding one of the
#: keywords the patch's reader keeps lines for (see :func:`keyword_pattern`)
_KEYWORD_PATTERNS: set[tuple[str, int]] = set()


def keyword_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """A compiled pattern that, in any line it finds something in, finds one of the
    keywords ``fix``, ``todo`` or ``xxx`` (in any case: ``HOTFIX``, ``TODO``, ``FIXME``,
    ``XXX``, ``hotfix-guard``). :meth:`FileDiff.added_matching` then looks only at the
    keyword lines kept when the patch was read, not at every added line. A pattern that
    can find anything else must be compiled with ``re.compile``."""
    pattern = re.compile(source, flags)
    _KEYWORD_PATTERNS.add((pattern.pattern, pattern.flags))
    return pattern


_KEYWORD_PATTERNS.add((KEYWORDS.pattern, KEYWORDS.flags))
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

    Held as numbers and places: ``spans`` are where each side's lines are in the patch
    (removed, added: lists of (start, end) offsets), ``prints`` each side's line
    fingerprints (:func:`hotfix_guard.diff.scan.fingerprints`; None when the file was
    not fingerprinted) and ``norm_len`` their whitespace-free length. The texts are read
    from the patch when asked (:attr:`removed_texts`, :attr:`added_texts`), without a
    Python object per line until then; :attr:`removed` and :attr:`added` make
    :class:`DiffLine` objects of them. ``defs``: a side has a Python def/class line."""

    __slots__ = ("hunk", "index", "old_first", "new_first", "n_removed", "n_added", "spans", "prints",
                 "norm_len", "defs", "_texts")

    def __init__(self, hunk: Hunk, index: int, old_first: int, new_first: int) -> None:
        self.hunk, self.index = hunk, index
        self.old_first, self.new_first = old_first, new_first
        self.n_removed = self.n_added = 0
        self.spans: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        self.prints: tuple[Any, Any] | None = None
        self.norm_len = [0, 0]
        self.defs = False
        self._texts: tuple[list[str], list[str]] | None = None

    def _split(self) -> tuple[list[str], list[str]]:
        if self._texts is None:
            patch = self.hunk.patch
            self._texts = (_side_texts(patch, self.spans[0], "\n-"), _side_texts(patch, self.spans[1], "\n+"))
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


def _side_texts(patch: Patch, spans: list[tuple[int, int]], sep: str) -> list[str]:
    """The texts of one side's lines (each span holds whole lines, prefix and newline)."""
    texts: list[str] = []
    for start, end in spans:
        text = decode(patch.read(start, end - start))
        if not text:
            continue
        texts.extend(text[1:-1 if text.endswith("\n") else len(text)].split(sep))
    return texts


class Hunk:
    """One ``@@`` hunk: its header's numbers, where its lines are in the patch
    (``start``, ``end``), and its :attr:`blocks`, read when the patch was. :attr:`lines`
    reads every line from the patch, on first use."""

    __slots__ = ("old_start", "old_len", "new_start", "new_len", "patch", "start", "end", "blocks", "defs",
                 "_lines")

    def __init__(self, old_start: int, old_len: int, new_start: int, new_len: int,
                 patch: Patch, start: int) -> None:
        self.old_start, self.old_len = old_start, old_len
        self.new_start, self.new_len = new_start, new_len
        self.patch, self.start, self.end = patch, start, start
        self.blocks: list[Block] = []
        self.defs = False  # a context line starts a Python def/class (when read with them in mind)
        self._lines: list[DiffLine] | None = None

    @property
    def lines(self) -> list[DiffLine]:
        if self._lines is None:
            body: list[DiffLine] = []
            old, new = self.old_start, self.new_start
            old_end, new_end = old + self.old_len, new + self.new_len
            for line in decode(self.patch.read(self.start, self.end - self.start)).split("\n"):
                if old >= old_end and new >= new_end:
                    break
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
            self._lines = body
        return self._lines



class FileDiff:
    """One file of the change.

    ``status`` is git's letter: A added, D deleted, M modified (content or mode), R renamed,
    C copied, T type changed (file <-> symlink <-> submodule), U unmerged. ``path`` is the
    path after the change (before it, for a deleted file), as git spells it; ``shown`` is
    the same made safe to print. ``added``/``deleted`` are the counts of added and deleted
    lines (0 for binary files).

    The file's part of the patch stays where git wrote it (:class:`Patch`); what the
    one pass over it found (:mod:`hotfix_guard.diff.scan`) is kept: its hunks and
    blocks as numbers and places, and its added lines that hold a keyword. Texts are
    read from the patch when a rule asks for them.
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
        self._hunks: list[Hunk] = []
        self.keyword_lines: list[DiffLine] | None = None  # None: not searched when read

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
        """The hunks, read with the patch. A part of the patch that does not add up leaves
        the file without hunks (``parse_error`` says why), never a crash."""
        return self._hunks

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
        """The added lines whose text ``pattern`` finds something in. For a pattern made
        with :func:`keyword_pattern`, only the keyword lines found when the patch was
        read are looked at; for any other, every added line is."""
        if self.keyword_lines is not None and (pattern.pattern, pattern.flags) in _KEYWORD_PATTERNS:
            return [ln for ln in self.keyword_lines if pattern.search(ln.text)]
        return self._matching(pattern, "+")

    def changed_matching(self, pattern: re.Pattern[str]) -> list[DiffLine]:
        """The removed and added lines whose text ``pattern`` finds something in."""
        return self._matching(pattern, "-+")

    def _matching(self, pattern: re.Pattern[str], kinds: str) -> list[DiffLine]:
        found: list[DiffLine] = []
        for hunk in self.hunks:
            for block in hunk.blocks:
                if "-" in kinds:
                    found.extend(DiffLine("-", t, block.old_first + i, None)
                                 for i, t in enumerate(block.removed_texts) if pattern.search(t))
                if "+" in kinds:
                    found.extend(DiffLine("+", t, None, block.new_first + i)
                                 for i, t in enumerate(block.added_texts) if pattern.search(t))
                block.forget_texts()
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
                shift = hunk.new_start - hunk.old_start  # of the context lines before the next block
                for block in hunk.blocks:
                    if old < block.old_first:
                        return max(1, old + shift)
                    if old < block.old_first + block.n_removed:
                        return max(1, block.new_first)
                    shift = block.new_first + block.n_added - (block.old_first + block.n_removed)
                return max(1, old + shift)
            offset += hunk.new_len - hunk.old_len
        return max(1, old + offset)


def _parse_chunk(chunk: bytes) -> list[Hunk]:
    """The hunks of one file's part of the patch, read as the whole patch is read
    (:class:`hotfix_guard.diff.scan.Scanner`). A part that does not add up raises
    ValueError (in a whole patch, the file then has no hunks and a ``parse_error``).

    Read here rather than by unidiff: the patch is git's own, in one pinned format, and
    importing unidiff (it imports ``typing``) cost every hotfix check about 8 ms, a tenth
    of a pre-push on a large history. The tests check this reader against unidiff's.
    """
    from hotfix_guard.diff.scan import Scanner

    scanner = Scanner(Patch(data=chunk), lambda part: None, records=False)
    scanner.feed(len(chunk), eof=True)
    hunks: list[Hunk] = []
    for part in scanner.parts:
        if part.error is not None:
            raise ValueError(part.error)
        hunks.extend(part.hunks)
    return hunks


#: a file whose patch is bigger than this is read on its own when a rule needs its
#: contents, and its blobs are not kept
PREFETCH_LIMIT = 1 << 20

#: small reads of the scratch file (a block's lines) are served from a window this big
_WINDOW = 1 << 20


class Patch:
    """Where the patch's bytes are: git's output in memory, or the scratch file git's
    output goes to (a huge change is never held whole). Small reads come from one
    window of the file, read at once (the lines of neighbouring blocks)."""

    def __init__(self, data: bytes | None = None, fh: Any = None) -> None:
        self.data, self.fh = data, fh
        self._window = b""
        self._window_at = 0
        self.growing = False  # git is still writing: no window yet

    def read(self, offset: int, length: int) -> bytes:
        if self.data is not None:
            return self.data[offset:offset + length]
        if length <= 0:
            return b""
        at = offset - self._window_at
        if 0 <= at and at + length <= len(self._window):
            return self._window[at:at + length]
        if length >= _WINDOW // 4 or self.growing:
            return self._pread(length, offset)
        self._window = self._pread(_WINDOW, offset)
        self._window_at = offset
        return self._window[:length]

    def _pread(self, length: int, offset: int) -> bytes:
        import os

        if hasattr(os, "pread"):
            return os.pread(self.fh.fileno(), length, offset)
        self.fh.seek(offset)  # Windows
        return self.fh.read(length)


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

    def data(self, f: FileDiff, side: str = "new") -> bytes | None:
        """A side (``old``/``new``) of a readable text file, as bytes; None otherwise."""
        if not f.is_text:
            return None
        if side == "new" and f.is_deleted or side == "old" and f.is_added:
            return None
        return self.blob(f.new_sha if side == "new" else f.old_sha)

    def text(self, f: FileDiff, side: str = "new") -> str | None:
        """A side (``old``/``new``) of a readable text file, decoded; None otherwise."""
        data = self.data(f, side)
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
    it straight into a scratch file, and it is read from there as git writes it, piece
    by piece (:mod:`hotfix_guard.diff.scan`): the reading of one file goes on while git
    works out the next."""
    fh, follow = git.diff_into_file(*_query(range_args), config=DIFF_CONFIG)
    patch = Patch(fh=fh)
    reader = _Reader(patch, git=git, settings=settings)
    patch.growing = True
    try:
        follow(reader.scanner.feed)
    finally:
        patch.growing = False
    diff = reader.diff()
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
    diff.files = [again.get((f.old_path, f.new_path), f) if f.numstat_binary else f for f in diff.files]


def start_diff(git: Git, range_args: tuple[str, ...]) -> None:
    """Start the query :func:`load_diff` will collect (see ``Context.prefetch``)."""
    git.start_diff(*_query(range_args), config=DIFF_CONFIG)


def _query(range_args: tuple[str, ...]) -> tuple[str, ...]:
    return (*DIFF_FLAGS, *range_args, "--")


def parse(raw: bytes, *, git: Git | None = None, settings: Settings | None = None) -> Diff:
    """Parse ``git diff --raw [--numstat] -p -z`` output held in memory."""
    reader = _Reader(Patch(data=raw), git=git, settings=settings)
    reader.scanner.feed(len(raw), eof=True)
    return reader.diff()


class _Reader:
    """Gives each part of the patch to its file as the scanner reads it. The patch lists
    the files in the raw records' order, one part each, except that a type change is
    shown as a deletion and a creation (two parts) and an unmerged path as a
    ``* Unmerged path`` line. What to compute of a part depends on its file: keyword
    lines for the files the rules read, fingerprints for those HG007 compares, def
    lines for Python."""

    def __init__(self, patch: Patch, *, git: Git | None, settings: Settings | None) -> None:
        from hotfix_guard.diff.scan import Scanner

        self.patch, self.git, self.settings = patch, git, settings
        self.files: list[FileDiff] | None = None
        self.numstat = False
        self.index = 0  # the next file a part may belong to
        self.type_change: FileDiff | None = None  # a type change whose second part may come
        self.scanner = Scanner(patch, self._bind)
        self._classes: PathClasses | None = None

    def _all_files(self) -> list[FileDiff]:
        if self.files is None:
            self.files, self.numstat = _records(self.scanner.head or b"")
        return self.files

    @property
    def classes(self) -> PathClasses:
        if self._classes is None:
            from hotfix_guard.config import Settings
            from hotfix_guard.globs import PathClasses

            self._classes = PathClasses(self.settings or Settings())
        return self._classes

    def _bind(self, part: Any) -> None:
        files = self._all_files()
        if self.type_change is not None:
            f, self.type_change = self.type_change, None
            if b"\nnew file mode" in part.header:
                self._attach(f, part)
                return
        while self.index < len(files):
            f = files[self.index]
            if f.status == "U":
                self.index += 1
                if part.unmerged:
                    return  # its line, read: nothing to attach
                continue
            if part.unmerged:
                return  # not ours: tolerated, not attached
            self.index += 1
            self._attach(f, part)
            if f.status == "T" and b"\ndeleted file mode" in part.header:
                self.type_change = f
            return

    def _attach(self, f: FileDiff, part: Any) -> None:
        part.file = f
        f.patch = self.patch
        if b"\nBinary files " in part.header or b"\nGIT binary patch" in part.header:
            f.numstat_binary = True  # as numstat says "-" for it
            return
        if not f.is_regular or f.is_deleted or self.classes.is_excluded(f.path):
            return
        if f.keyword_lines is None:
            f.keyword_lines = []
        part.hits, part.keywords = f.keyword_lines, True
        lang = f.language
        if lang is not None and lang.kind != "prose":
            part.prints = True
            part.defs = lang.name == "python"

    def diff(self) -> Diff:
        files = self._all_files()
        for part in self.scanner.parts:
            f = part.file
            if f is None:
                continue
            f.spans.append((part.offset, part.end - part.offset))
            f.headers.append(part.header)
            if f.parse_error is not None:
                continue
            if part.error is not None:
                f.parse_error = part.error
                f._hunks = []
                f.keyword_lines = None
                _count_lines(f)
                continue
            f._hunks.extend(part.hunks)
            if not self.numstat:
                f.added += part.added
                f.deleted += part.deleted
        size = self.scanner.pos
        diff = Diff(files, git=self.git, settings=self.settings, size=size)
        if self._classes is not None:
            diff.__dict__["classes"] = self._classes
        return diff


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


def _count_lines(f: FileDiff) -> None:
    """The added and deleted lines of a file whose patch could not be read, counted in
    its parts (what ``--numstat`` would say)."""
    f.added = f.deleted = 0
    if f.patch is None or f.numstat_binary:
        return
    for (offset, length), head in zip(f.spans, f.headers):
        if length <= len(head):
            continue
        chunk = f.patch.read(offset + len(head), length - len(head))  # from the first "@@" on
        f.added += chunk.count(b"\n+")
        f.deleted += chunk.count(b"\n-")
