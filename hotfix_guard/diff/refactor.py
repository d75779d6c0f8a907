"""The detectors behind HG007 no-refactor: what in a diff looks like refactoring.

Each detector returns :class:`Occurrence` values (a kind, a path, a new-file line and a
message); the rule turns them into findings. The detectors are written to stay quiet on
the shape of an ordinary fix: added guard clauses and log lines, a few changed lines, a
block wrapped in a new ``if``/``try`` (which re-indents it), a continuation line
re-aligned because the line above changed.
"""

from __future__ import annotations

import re
from collections import namedtuple

from hotfix_guard.diff.scan import DEF_LINE, EMPTY_PRINT, NO_SPACE as _NO_SPACE

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Any, Iterable
    import ast

    from hotfix_guard.diff.hunks import Block, Diff, DiffLine, FileDiff


class Occurrence(namedtuple("Occurrence", "kind path line message end detail", defaults=(None, None))):
    # kind: whitespace, formatting, moved-block, python
    # end: the last new-file line it covers, when it covers several
    # detail: for whitespace, (the kinds of whitespace, the number of lines)

    __slots__ = ()


def _indent(text: str) -> int:
    stripped = text.lstrip()
    return len(text[: len(text) - len(stripped)].expandtabs(8))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- whitespace and formatting -------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^\w\n]|_")  # what str.isalnum() is not, within lines


#: the ASCII characters that are not letters or digits, but the newline
_NO_ASCII_PUNCT = dict.fromkeys(c for c in range(128) if not chr(c).isalnum() and c != 10)


def _norms(texts: list[str]) -> list[str]:
    """Each text without its whitespace (``"".join(text.split())``), for a whole side of
    a block at once (one translate, not a Python step per line or character)."""
    if not texts:
        return []
    return "\n".join(texts).translate(_NO_SPACE).split("\n")


def _alnum_counts(norms: list[str]) -> list[int]:
    """How many letters and digits each text has (``str.isalnum``), all at once."""
    joined = "\n".join(norms)
    kept = joined.translate(_NO_ASCII_PUNCT) if joined.isascii() else _NOT_ALNUM.sub("", joined)
    return list(map(len, kept.split("\n")))


def _prints(block: Block) -> tuple[Any, Any]:
    """The fingerprints of a block's removed and added lines: as the patch's reader made
    them, or (a block it did not fingerprint) from the texts."""
    if block.prints is not None:
        return block.prints
    from hotfix_guard.diff.scan import fingerprint

    return list(map(fingerprint, block.removed_texts)), list(map(fingerprint, block.added_texts))


def shared_prints(files: Iterable[FileDiff]) -> set[int]:
    """The fingerprints (but the blank line's) that are on a removed side and on an added
    side somewhere among ``files``: only lines with one of them can be whitespace twins
    or moved code. One set of the removed lines, looked up once per added line."""
    removed: set[int] = set()
    added = []
    for f in files:
        for hunk in f.hunks:
            for block in hunk.blocks:
                rn, an = _prints(block)
                removed.update(rn)
                if an:
                    added.append(an)
    common: set[int] = set()
    if removed:
        for an in added:
            common.update(removed.intersection(an))
    common.discard(EMPTY_PRINT)
    return common


def _pair(block: Block, rn: Any, an: Any, shared: set[int]) -> list[tuple[int, int]]:
    """(removed index, added index) of lines of a block that are equal once whitespace is
    ignored but differ as written, in order. ``rn``/``an``: the sides' fingerprints; the
    texts are read only when some fingerprint is on both sides (``shared``: those of
    the whole change, :func:`shared_prints`)."""
    if not rn or not an or not shared:
        return []
    common = shared.intersection(rn)
    if not common:
        return []
    common.intersection_update(an)
    if not common:
        return []
    removed, added = block.removed_texts, block.added_texts
    pairs: list[tuple[int, int]] = []
    if len(rn) * len(an) <= 40_000:
        from difflib import SequenceMatcher

        for a, b, size in SequenceMatcher(None, list(rn), list(an), autojunk=False).get_matching_blocks():
            pairs.extend((a + k, b + k) for k in range(size))
    else:  # a huge block: order-preserving greedy match, linear
        where: dict[int, list[int]] = {}
        for j, h in enumerate(an):
            if h in common:
                where.setdefault(h, []).append(j)
        last = -1
        for i, h in enumerate(rn):
            for j in where.get(h, ()):
                if j > last:
                    pairs.append((i, j))
                    last = j
                    break
    return [(i, j) for i, j in pairs if rn[i] != EMPTY_PRINT and removed[i] != added[j]]


def _pair_kind(old: str, new: str) -> str:
    if old.rstrip("\r") == new.rstrip("\r"):
        return "line endings"
    if old.rstrip() == new.rstrip():
        return "trailing whitespace"
    if old.strip() == new.strip():
        return "indentation" if _indent(old) != _indent(new) else "tabs/spaces"
    return "spacing"


#: languages where indentation is syntax but no depth model is available here: their
#: re-indentation is never called formatting (Python has a model: :func:`python_depths`)
SIGNIFICANT_INDENT = frozenset({"yaml", "haskell", "make"})


def python_depths(text: str) -> dict[int, int] | None:
    """For Python source: the block depth of each line that starts a statement, from the
    tokenizer's INDENT/DEDENT (continuation and comment lines are left out). None when
    the text does not tokenize."""
    import io
    import tokenize

    depths: dict[int, int] = {}
    depth = 0
    at_start = True
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.INDENT:
                depth += 1
            elif tok.type == tokenize.DEDENT:
                depth -= 1
            elif tok.type == tokenize.NEWLINE:
                at_start = True
            elif tok.type not in skip and at_start:
                depths[tok.start[0]] = depth
                at_start = False
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return depths


class _Side:
    """One side (removed or added) of a block, as the search for moved code needs it,
    without its texts: its lines' fingerprints (``norms``, hashes without whitespace),
    whether whitespace pairing took a line (``taken``), where the block sits among the
    file's changes; the hashes as written (``raws``) and the letters and digits of each
    line (``alnum``) are read from the texts only when a line is a candidate."""

    __slots__ = ("file", "block", "side", "key", "first", "norms", "taken", "new_first", "new_end",
                 "added_before", "_raws", "_alnum")

    def __init__(self, file: FileDiff, block: Block, side: int, key: int, first: int, norms: Any,
                 new_first: int, new_end: int, added_before: int) -> None:
        self.file, self.block, self.side, self.key, self.first = file, block, side, key, first
        self.norms = norms
        self.taken = bytearray(len(norms))
        self.new_first, self.new_end, self.added_before = new_first, new_end, added_before
        self._raws: Any = None
        self._alnum: Any = None

    def _read(self) -> None:
        from array import array

        block = self.block
        texts = block.added_texts if self.side else block.removed_texts
        self._raws = array("q", map(hash, texts))
        self._alnum = array("l", _alnum_counts(_norms(texts)))
        block.forget_texts()

    @property
    def raws(self) -> Any:
        if self._raws is None:
            self._read()
        return self._raws

    @property
    def alnum(self) -> Any:
        if self._alnum is None:
            self._read()
        return self._alnum


class FileChanges:
    """What one pass over a file's hunks gives HG007: its whitespace-only changes, and
    both sides of its blocks for the search for moved code (:func:`moved_blocks`), which
    runs once every file has been read. ``shared``: the fingerprints on both a removed
    and an added side (:func:`shared_prints` of the files that will be read)."""

    def __init__(self, shared: set[int] | None = None) -> None:
        self.shared: set[int] = shared if shared is not None else set()
        self.whitespace: list[Occurrence] = []
        self.removed: list[_Side] = []
        self.added: list[_Side] = []
        self.blocks = 0  # blocks read so far: each side's ``key`` says which it was


def file_changes(f: FileDiff, diff: Diff | None, changes: FileChanges) -> None:
    """Read ``f``'s hunks once: its whitespace-only changes (:func:`whitespace_changes`)
    and the sides of its blocks, added to ``changes``. Works on the fingerprints the
    patch's reader made; a block's texts are read only where a fingerprint is on both
    of its sides."""
    added_before = 0
    depth_models: list[dict[int, int] | None] = []  # Python's block depths, old and new side
    for hunk in f.hunks:
        blocks = hunk.blocks
        if not blocks:
            continue
        prints = [_prints(b) for b in blocks]
        pairs = [_pair(b, rn, an, changes.shared) for b, (rn, an) in zip(blocks, prints)]
        changes.whitespace.extend(_whitespace_in_hunk(f, diff, blocks, pairs, depth_models))
        for block, (rn, an), block_pairs in zip(blocks, prints, pairs):
            key = changes.blocks
            changes.blocks += 1
            new_end = block.new_first + block.n_added
            for side_prints, first, out, index in ((rn, block.old_first, changes.removed, 0),
                                                   (an, block.new_first, changes.added, 1)):
                if not side_prints:
                    continue
                side = _Side(f, block, index, key, first, side_prints, block.new_first, new_end, added_before)
                for pair in block_pairs:  # accounted for: never part of a moved block
                    side.taken[pair[index]] = 1
                out.append(side)
            added_before += block.n_added
            block.forget_texts()


def whitespace_changes(f: FileDiff, diff: Diff | None = None) -> list[Occurrence]:
    """Lines whose change is only whitespace, even inside a hunk with a real fix.

    Re-indentation is judged so that a fix which wraps code in a new block is not called
    formatting:

    - Python: a statement whose block depth (from the tokenizer, old and new file) changed
      moved into or out of a block: a real change, never reported; same depth but other
      columns: a re-format, reported.
    - Other lines (and Python continuation lines): a re-indented line is NOT reported when
      the hunk shows why it moved: a new, real line before it with less indentation (an
      ``if``/``try``/``with`` wrapped around it, or the first line of a statement whose
      continuation lines re-align), or, for a dedent, a removed real line before it with
      less indentation (a wrapper taken away).
    - YAML, Haskell, Makefiles: indentation is syntax there; it is never called formatting.

    Changes of spacing inside a line, trailing whitespace and line endings are always
    formatting. Blank lines added or removed on their own are not reported.
    """
    changes = FileChanges(shared_prints([f]))
    file_changes(f, diff, changes)
    return changes.whitespace


def _whitespace_in_hunk(f: FileDiff, diff: Diff | None, blocks: list[Block], pairs: list[list[tuple[int, int]]],
                        depth_models: list[dict[int, int] | None]) -> list[Occurrence]:
    if not any(pairs):
        return [occ for block in blocks for occ in _reflow(f, block)]
    lang = f.language.name if f.language else ""
    found: list[Occurrence] = []
    least: tuple[list[list[float]], list[list[float]]] = ([], [])  # per side, per block: running minima

    def least_before(b: int, side: int, index: int) -> float:
        """The least indentation of a real line (changed, not blank, not a whitespace twin
        of another line) removed (side 0) / added (side 1) before this one in the hunk."""
        done = least[side]
        while len(done) <= b:
            k = len(done)
            texts = blocks[k].added_texts if side else blocks[k].removed_texts
            paired = {p[side] for p in pairs[k]}
            running = [done[-1][-1] if done else float("inf")]
            for i, text in enumerate(texts):
                real = text.strip() and i not in paired
                running.append(min(running[-1], _indent(text)) if real else running[-1])
            done.append(running)
        return done[b][index]

    def explained(b: int, i: int, j: int) -> bool:
        if lang in SIGNIFICANT_INDENT:
            return True
        old_text, new_text = blocks[b].removed_texts[i], blocks[b].added_texts[j]
        old_line, new_line = blocks[b].old_first + i, blocks[b].new_first + j
        old_depths, new_depths = changes_depths()
        if old_depths is not None and new_depths is not None \
                and old_line in old_depths and new_line in new_depths:
            return old_depths[old_line] != new_depths[new_line]
        old_indent, new_indent = _indent(old_text), _indent(new_text)
        if new_indent > old_indent:
            return least_before(b, 1, j) < new_indent
        return least_before(b, 0, i) < old_indent

    def changes_depths() -> tuple[dict[int, int] | None, dict[int, int] | None]:
        if not depth_models:  # read on the first re-indented line of the file
            if lang == "python" and diff is not None:
                old_text, new_text = diff.text(f, "old"), diff.text(f, "new")
                depth_models.append(python_depths(old_text) if old_text is not None else None)
                depth_models.append(python_depths(new_text) if new_text is not None else None)
            else:
                depth_models.extend((None, None))
        return depth_models[0], depth_models[1]

    for b, (block, block_pairs) in enumerate(zip(blocks, pairs)):
        runs: list[list[tuple[int, str]]] = []
        last_index = None
        for i, j in block_pairs:
            kind = _pair_kind(block.removed_texts[i], block.added_texts[j])
            if kind == "indentation" and explained(b, i, j) or \
                    kind == "tabs/spaces" and lang in SIGNIFICANT_INDENT:
                last_index = None
                continue
            if runs and last_index is not None and j == last_index + 1:
                runs[-1].append((j, kind))
            else:
                runs.append([(j, kind)])
            last_index = j
        for run in runs:
            names = [k for _, k in run]
            kinds = sorted(set(names), key=names.count, reverse=True)
            found.append(Occurrence(
                "whitespace", f.path, block.new_first + run[0][0],
                f"whitespace-only change ({', '.join(kinds)}): {_plural(len(run), 'line')} "
                f"changed only in whitespace",
                block.new_first + run[-1][0], (tuple(kinds), len(run)),
            ))
        if not block_pairs:
            found.extend(_reflow(f, block))
    return found


def _reflow(f: FileDiff, block: Block) -> list[Occurrence]:
    """A block whose text is the same once whitespace and line breaks are ignored: lines
    joined or split by a formatter. Decided on the fingerprints first (the numbers of
    non-blank lines differ, the code without whitespace is as long): only then are the
    texts read."""
    rn, an = _prints(block)
    removed_n, added_n = len(rn) - rn.count(EMPTY_PRINT), len(an) - an.count(EMPTY_PRINT)
    if not removed_n or not added_n or removed_n == added_n:
        return []
    if block.prints is not None and block.norm_len[0] != block.norm_len[1]:
        return []
    removed = [t for t in block.removed_texts if t.strip()]
    added = [i for i, t in enumerate(block.added_texts) if t.strip()]
    if not removed or not added or len(removed) == len(added):
        return []
    if "".join(removed).translate(_NO_SPACE) != "".join(block.added_texts[i] for i in added).translate(_NO_SPACE):
        return []
    return [Occurrence(
        "formatting", f.path, block.new_first + added[0],
        f"formatting-only change: {_plural(len(removed), 'line')} re-wrapped into "
        f"{_plural(len(added), 'line')} with the same code",
        block.new_first + added[-1],
    )]


# -- moved blocks ---------------------------------------------------------------------------


MIN_MOVED_LINES = 3
MIN_MOVED_ALNUM = 20  # as git's --color-moved: a block needs some substance
#: a block re-added this close to where it was removed (at most this many unchanged lines
#: between), re-indented, is that block wrapped or unwrapped in place, not moved code
SAME_PLACE = 2


def moved_blocks(changes: FileChanges) -> list[Occurrence]:
    """Blocks of at least 3 lines removed in one place and added in another (within a file
    or across files), compared ignoring whitespace, like ``git diff --color-moved``.

    Lines removed and added in the same block are never a move (that is an edit, or a
    re-indentation, judged by :func:`whitespace_changes`), nor is a block re-added,
    re-indented, in its own place: a block wrapped in a new ``if`` while a line moves
    out of it above it leaves its place and arrives at its own re-indented self. A moved
    block needs 3 non-blank lines and 20 letters or digits in all.

    Works on hashes of the lines (:class:`_Side`), never on the whole diff's text: only
    lines whose hash is on both sides are indexed.
    """
    removed_runs, added_runs = changes.removed, changes.added
    if not removed_runs or not added_runs:
        return []
    common = changes.shared
    if not common:
        return []
    index: dict[int, list[tuple[int, int]]] = {}
    for rid, run in enumerate(removed_runs):
        if common.isdisjoint(run.norms):
            continue
        for j, h in enumerate(run.norms):
            if h in common and run.alnum[j] >= 2:
                index.setdefault(h, []).append((rid, j))
    found: list[Occurrence] = []
    for run in added_runs:
        if common.isdisjoint(run.norms):
            continue
        i, n = 0, len(run.norms)
        while i < n:
            h = run.norms[i]
            if run.taken[i] or h not in index:
                i += 1
                continue
            best, best_at = 0, None
            for rid, j in index[h][:64]:
                source = removed_runs[rid]
                if source.key == run.key:
                    continue
                k = 0
                while (i + k < n and j + k < len(source.norms) and run.norms[i + k] == source.norms[j + k]
                       and not run.taken[i + k] and not source.taken[j + k]):
                    k += 1
                if k > best and not _in_place(source, j, run, i, k):
                    best, best_at = k, (source, j)
            if best >= MIN_MOVED_LINES and best_at is not None:
                source, j = best_at
                solid = sum(1 for h2 in run.norms[i:i + best] if h2 != _EMPTY)
                if solid >= MIN_MOVED_LINES and sum(run.alnum[i:i + best]) >= MIN_MOVED_ALNUM:
                    for k in range(best):
                        run.taken[i + k] = 1
                        source.taken[j + k] = 1
                    span = f"{source.first + j}-{source.first + j + best - 1}"
                    where = (f"old lines {span} of this file" if source.file is run.file
                             else f"{source.file.shown}:{span}")
                    found.append(Occurrence(
                        "moved-block", run.file.path, run.first + i,
                        f"moved code: {_plural(best, 'line')} removed from {where} and added here",
                        run.first + i + best - 1,
                    ))
                    i += best
                    continue
            i += 1
    return found


_EMPTY = EMPTY_PRINT


def _in_place(source: _Side, j: int, target: _Side, i: int, k: int) -> bool:
    """Whether ``k`` lines removed at ``source[j:]`` and added at ``target[i:]`` are the same
    lines re-indented where they were: the same file, the written lines differ, and at
    most :data:`SAME_PLACE` unchanged lines lie between the two blocks."""
    if source.file is not target.file or source.raws[j:j + k] == target.raws[i:i + k]:
        return False
    first, second = (source, target) if source.new_first <= target.new_first else (target, source)
    between_blocks = second.added_before - first.added_before - (first.new_end - first.new_first)
    unchanged = second.new_first - first.new_end - between_blocks
    return unchanged <= SAME_PLACE


# -- Python: functions and classes ------------------------------------------------------------


class _Def(namedtuple("_Def", "qualname parent kind signature line body")):
    # kind: function, async function, method, class

    __slots__ = ()


def _signature(args: ast.arguments) -> str:
    parts: list[str] = []
    positional = list(args.posonlyargs) + list(args.args)
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        parts.append(arg.arg + ("=…" if i >= first_default else ""))
        if args.posonlyargs and i == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        parts.append(arg.arg + ("=…" if default is not None else ""))
    if args.kwarg:
        parts.append("**" + args.kwarg.arg)
    return "(" + ", ".join(parts) + ")"


def python_defs(source: str) -> list[_Def] | None:
    """Functions and classes of a module, nested ones included; None if it does not parse."""
    import ast

    try:
        tree = ast.parse(source)
    except Exception:  # SyntaxError, ValueError (NUL bytes), RecursionError, surrogates
        return None
    found: list[_Def] = []

    def walk(body: list[ast.stmt], scope: list[str], in_class: bool) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = ".".join(scope + [node.name])
                parent = ".".join(scope)
                dumped = "\n".join(ast.dump(stmt) for stmt in node.body)
                if isinstance(node, ast.ClassDef):
                    found.append(_Def(qual, parent, "class", "", node.lineno, dumped))
                    walk(node.body, scope + [node.name], True)
                else:
                    kind = "method" if in_class else "function"
                    if isinstance(node, ast.AsyncFunctionDef):
                        kind = "async " + kind
                    found.append(_Def(qual, parent, kind, _signature(node.args), node.lineno, dumped))
                    walk(node.body, scope + [node.name], False)
            else:  # defs inside if/try/with/match blocks belong to the enclosing scope
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        walk([n for n in inner if isinstance(n, ast.stmt)], scope, in_class)
                for holder in list(getattr(node, "handlers", None) or []) + list(getattr(node, "cases", None) or []):
                    walk(holder.body, scope, in_class)

    walk(tree.body, [], False)
    return found


def _keyed(defs: list[_Def]) -> dict[tuple[str, int], _Def]:
    seen: dict[str, int] = {}
    keyed = {}
    for d in defs:
        n = seen.get(d.qualname, 0)
        seen[d.qualname] = n + 1
        keyed[(d.qualname, n)] = d
    return keyed


def _similar(a: str, b: str, fuzzy: bool = True) -> bool:
    """Equal, or (``fuzzy``) at least 80% alike. Fuzzy matching is quadratic: callers
    turn it off when there are many candidates."""
    if a == b:
        return True
    if not fuzzy or not a or not b or max(len(a), len(b)) > 2 * min(len(a), len(b)):
        return False
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


FUZZY_PAIRS = 400  # beyond this many (removed x added) pairs, only exact bodies match
FUZZY_BODY = 20_000  # bodies longer than this (dumped) are compared only for equality
RENAMED_BODY = 0.8  # how alike two bodies must be for a def that vanished to be renamed
RENAMED_BODY_SAME_PARAMETERS = 0.6  # ... when the new def keeps every old parameter


def _body_likeness(a: str, b: str) -> float:
    """How alike two dumped bodies are, 0 to 1 (quadratic: only for few candidates)."""
    if a == b:
        return 1.0
    if not a or not b or max(len(a), len(b)) > 2 * min(len(a), len(b)) or max(len(a), len(b)) > FUZZY_BODY:
        return 0.0
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < RENAMED_BODY_SAME_PARAMETERS or matcher.quick_ratio() < RENAMED_BODY_SAME_PARAMETERS:
        return 0.0
    return matcher.ratio()


def _parameters(signature: str) -> set[str]:
    return {p.strip("*=…/ ") for p in signature.strip("()").split(",")} - {""}


def _renames(gone: list[_Def], fresh: list[_Def]) -> list[tuple[_Def, _Def]]:
    """Which vanished defs reappear under another name in the same scope: the pairs of
    the same kind whose bodies are most alike, best first, each def in one pair at most.
    The signature may differ (a parameter added with the rename): the bodies say it is
    the same function. Beyond :data:`FUZZY_PAIRS` candidates only equal bodies match."""
    fuzzy = len(gone) * len(fresh) <= FUZZY_PAIRS
    scored: list[tuple[float, int, int]] = []
    for i, before in enumerate(gone):
        for j, after in enumerate(fresh):
            if after.parent != before.parent or after.kind != before.kind:
                continue
            likeness = _body_likeness(before.body, after.body) if fuzzy else float(before.body == after.body)
            keeps_parameters = _parameters(before.signature) <= _parameters(after.signature)
            if likeness >= RENAMED_BODY or keeps_parameters and likeness >= RENAMED_BODY_SAME_PARAMETERS:
                scored.append((likeness, i, j))
    pairs: list[tuple[_Def, _Def]] = []
    taken_before: set[int] = set()
    taken_after: set[int] = set()
    for _, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i not in taken_before and j not in taken_after:
            taken_before.add(i)
            taken_after.add(j)
            pairs.append((gone[i], fresh[j]))
    return pairs




def _header_lines(data: bytes) -> list[tuple[int, int]]:
    """The (first, last) lines (1-based) of every ``def``/``class`` header of a Python
    file's contents, from its keyword to the line that ends in ``:`` (a cheap scan, good
    enough to decide whether to parse): the words are found with ``bytes.find`` and
    only their lines are looked at, never every line of the file."""
    starts: set[int] = set()
    for word in (b"def", b"class"):
        at = data.find(word)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            if start not in starts and DEF_LINE.match(data, start):
                starts.add(start)
            stop = data.find(b"\n", at)
            at = data.find(word, stop) if stop >= 0 else -1
    found: list[tuple[int, int]] = []
    line, pos = 1, 0
    for start in sorted(starts):
        line += data.count(b"\n", pos, start)
        pos = start
        end, last = start, line
        while last < line + 60:
            stop = data.find(b"\n", end)
            current = data[end:] if stop < 0 else data[end:stop]
            if current.split(b"#", 1)[0].rstrip().endswith(b":") or stop < 0:
                break
            end, last = stop + 1, last + 1
        found.append((line, last))
    return found


def _touches(ranges: list[tuple[int, int]], spans: list[tuple[int, int]]) -> bool:
    """Whether any (first, last) range of lines meets any of the (start, count) spans,
    which do not overlap (the blocks of a file)."""
    from bisect import bisect_right

    spans = sorted(spans)
    starts = [start for start, _ in spans]
    for first, last in ranges:
        k = bisect_right(starts, last) - 1  # the last span starting before the range ends
        if k >= 0 and spans[k][0] + spans[k][1] - 1 >= first:
            return True
    return False


def _may_touch_definitions(f: FileDiff) -> bool:
    """Whether, from the patch alone, a changed line may be part of a def/class header:
    a changed or context line starts one, or some hunk has lines above it (where a
    header could begin); else the contents need not be read. A file the patch's reader
    did not look at for def lines may."""
    for hunk in f.hunks:
        if hunk.defs or hunk.old_start > 1 or hunk.new_start > 1:
            return True
        if any(b.defs or b.prints is None for b in hunk.blocks):
            return True
    return False


def touches_definitions(f: FileDiff, old_data: bytes, new_data: bytes) -> bool:
    """Whether a changed line is part of a function or class header, old or new: only
    then can a name or a signature have changed, so only then is the file parsed.
    ``old_data``/``new_data``: the file's contents."""
    removed: list[tuple[int, int]] = []
    added: list[tuple[int, int]] = []
    for hunk in f.hunks:
        for block in hunk.blocks:
            if block.defs:
                return True
            if block.prints is None and any(DEF_LINE.match(t.encode("utf-8", "surrogateescape"))
                                            for t in block.removed_texts + block.added_texts):
                return True  # a block the patch's reader did not look at for def lines
            if block.n_removed:
                removed.append((block.old_first, block.n_removed))
            if block.n_added:
                added.append((block.new_first, block.n_added))
    return _touches(_header_lines(old_data), removed) or _touches(_header_lines(new_data), added)


def python_changes(diff: Diff, files: Iterable[FileDiff]) -> list[Occurrence]:
    """Functions and classes renamed, removed, moved to another file, or whose signature
    changed, from the ``ast`` of each Python file's old and new contents."""
    found: list[Occurrence] = []
    removed_all: list[tuple[FileDiff, _Def]] = []
    added_all: list[tuple[FileDiff, _Def]] = []
    for f in files:
        if f.status not in ("M", "R") or not f.content_changed or not _may_touch_definitions(f):
            continue
        old_data, new_data = diff.data(f, "old"), diff.data(f, "new")
        if old_data is None or new_data is None or not touches_definitions(f, old_data, new_data):
            continue
        del old_data, new_data
        old_text, new_text = diff.text(f, "old"), diff.text(f, "new")
        if old_text is None or new_text is None:
            continue
        old_defs, new_defs = python_defs(old_text), python_defs(new_text)
        if old_defs is None or new_defs is None:
            continue
        old, new = _keyed(old_defs), _keyed(new_defs)
        for key in old.keys() & new.keys():
            before, after = old[key], new[key]
            if before.kind != after.kind and "class" not in (before.kind, after.kind):
                found.append(Occurrence("python", f.path, after.line,
                                        f"signature of `{after.qualname}` changed: {before.kind} → {after.kind}"))
            elif before.signature != after.signature:
                found.append(Occurrence("python", f.path, after.line,
                                        f"signature of `{after.qualname}` changed: "
                                        f"{before.signature} → {after.signature}"))
        gone = [old[k] for k in old if k not in new]
        fresh = [new[k] for k in new if k not in old]
        for before, match in _renames(gone, fresh):
            gone.remove(before)
            fresh.remove(match)
            message = (f"{before.kind} `{before.qualname}` renamed to "
                       f"`{match.qualname.rsplit('.', 1)[-1]}`")
            if before.signature != match.signature:
                message += f", and its signature changed: {before.signature} → {match.signature}"
            found.append(Occurrence("python", f.path, match.line, message))
        removed_all.extend((f, d) for d in gone)
        added_all.extend((f, d) for d in fresh)
    # moved to another file: the same name (or the same body) appears in another file
    moved_here: set[int] = set()
    fuzzy = len(removed_all) * len(added_all) <= FUZZY_PAIRS
    for f, before in removed_all:
        short = before.qualname.rsplit(".", 1)[-1]
        target = next(((g, a) for g, a in added_all if g is not f and id(a) not in moved_here
                       and a.kind == before.kind
                       and (a.qualname.rsplit(".", 1)[-1] == short or _similar(a.body, before.body, fuzzy))), None)
        if target is not None:
            g, after = target
            moved_here.add(id(after))
            found.append(Occurrence("python", g.path, after.line,
                                    f"{before.kind} `{before.qualname}` moved here from {f.shown}"))
            continue
        found.append(Occurrence("python", f.path, f.new_line_for_old(before.line),
                                f"{before.kind} `{before.qualname}` removed"))
    return found

