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

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable
    import ast

    from hotfix_guard.diff.hunks import Block, Diff, DiffLine, FileDiff


class Occurrence(namedtuple("Occurrence", "kind path line message end", defaults=(None,))):
    # kind: renamed, moved, copied, deleted, whitespace, moved-block, python
    # end: the last new-file line it covers, when it covers several

    __slots__ = ()


def _norm(text: str) -> str:
    return "".join(text.split())


def _indent(text: str) -> int:
    stripped = text.lstrip()
    return len(text[: len(text) - len(stripped)].expandtabs(8))


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- whitespace and formatting -------------------------------------------------------------


def _pair(block: Block) -> list[tuple[DiffLine, DiffLine]]:
    """Removed/added lines of a block that are equal once whitespace is ignored, in order."""
    removed, added = block.removed, block.added
    if not removed or not added:
        return []
    rn = [_norm(ln.text) for ln in removed]
    an = [_norm(ln.text) for ln in added]
    pairs: list[tuple[int, int]] = []
    if len(rn) * len(an) <= 40_000:
        from difflib import SequenceMatcher

        for a, b, size in SequenceMatcher(None, rn, an, autojunk=False).get_matching_blocks():
            pairs.extend((a + k, b + k) for k in range(size))
    else:  # a huge block: order-preserving greedy match, linear
        where: dict[str, list[int]] = {}
        for j, text in enumerate(an):
            where.setdefault(text, []).append(j)
        last = -1
        for i, text in enumerate(rn):
            for j in where.get(text, ()):
                if j > last:
                    pairs.append((i, j))
                    last = j
                    break
    return [(removed[i], added[j]) for i, j in pairs
            if rn[i] and removed[i].text != added[j].text]


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


def whitespace_changes(f: FileDiff, consumed: set[int], diff: Diff | None = None) -> list[Occurrence]:
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
    found: list[Occurrence] = []
    lang = f.language.name if f.language else ""
    depth_models: list[dict[int, int] | None] = []  # old, new; read on the first re-indented line

    def depths() -> tuple[dict[int, int] | None, dict[int, int] | None]:
        if not depth_models:
            if lang == "python" and diff is not None:
                old_text, new_text = diff.text(f, "old"), diff.text(f, "new")
                depth_models.append(python_depths(old_text) if old_text is not None else None)
                depth_models.append(python_depths(new_text) if new_text is not None else None)
            else:
                depth_models.extend((None, None))
        return depth_models[0], depth_models[1]

    for hunk in f.hunks:
        blocks = hunk.blocks
        if not blocks:
            continue
        position = {id(ln): i for i, ln in enumerate(hunk.lines)}
        paired_ids: set[int] = set()
        block_pairs = []
        for block in blocks:
            pairs = _pair(block)
            block_pairs.append(pairs)
            for old, new in pairs:
                paired_ids.add(id(old))
                paired_ids.add(id(new))
                consumed.add(id(old))  # accounted for: never the end of a moved block
                consumed.add(id(new))
        # the least indentation of a real line (changed, not blank, not a whitespace twin
        # of another line) added / removed before each position of the hunk
        inf = float("inf")
        least_added, least_removed = [inf], [inf]
        for ln in hunk.lines:
            real = ln.kind != " " and ln.text.strip() and id(ln) not in paired_ids
            ind = _indent(ln.text) if real else inf
            least_added.append(min(least_added[-1], ind if ln.kind == "+" else inf))
            least_removed.append(min(least_removed[-1], ind if ln.kind == "-" else inf))

        def explained(old: DiffLine, new: DiffLine) -> bool:
            if lang in SIGNIFICANT_INDENT:
                return True
            old_depths, new_depths = depths()
            if old_depths is not None and new_depths is not None \
                    and old.old in old_depths and new.new in new_depths:
                return old_depths[old.old] != new_depths[new.new]
            old_indent, new_indent = _indent(old.text), _indent(new.text)
            if new_indent > old_indent:
                return least_added[position[id(new)]] < new_indent
            return least_removed[position[id(old)]] < old_indent

        for block, pairs in zip(blocks, block_pairs):
            runs: list[list[tuple[DiffLine, DiffLine, str]]] = []
            last_index = None
            added_at = {id(ln): i for i, ln in enumerate(block.added)}
            for old, new in pairs:
                kind = _pair_kind(old.text, new.text)
                if kind == "indentation" and explained(old, new) or \
                        kind == "tabs/spaces" and lang in SIGNIFICANT_INDENT:
                    last_index = None
                    continue
                index = added_at[id(new)]
                if runs and last_index is not None and index == last_index + 1:
                    runs[-1].append((old, new, kind))
                else:
                    runs.append([(old, new, kind)])
                last_index = index
            for run in runs:
                kinds = sorted({k for _, _, k in run}, key=lambda k: [r[2] for r in run].count(k), reverse=True)
                first = run[0][1].new
                found.append(Occurrence(
                    "whitespace", f.path, first,
                    f"whitespace-only change ({', '.join(kinds)}): {_plural(len(run), 'line')} "
                    f"changed only in whitespace",
                ))
            if not pairs:
                found.extend(_reflow(f, block))
    return found


def _reflow(f: FileDiff, block: Block) -> list[Occurrence]:
    """A block whose text is the same once whitespace and line breaks are ignored: lines
    joined or split by a formatter."""
    removed = [ln for ln in block.removed if ln.text.strip()]
    added = [ln for ln in block.added if ln.text.strip()]
    if not removed or not added or len(removed) == len(added):
        return []
    if "".join(_norm(ln.text) for ln in removed) != "".join(_norm(ln.text) for ln in added):
        return []
    return [Occurrence(
        "whitespace", f.path, added[0].new,
        f"formatting-only change: {_plural(len(removed), 'line')} re-wrapped into "
        f"{_plural(len(added), 'line')} with the same code",
    )]


# -- moved blocks ---------------------------------------------------------------------------


class _Run(namedtuple("_Run", "file block lines norms")):

    __slots__ = ()


MIN_MOVED_LINES = 3
MIN_MOVED_ALNUM = 20  # as git's --color-moved: a block needs some substance


def moved_blocks(files: Iterable[FileDiff], consumed: set[int]) -> list[Occurrence]:
    """Blocks of at least 3 lines removed in one place and added in another (within a file
    or across files), compared ignoring whitespace, like ``git diff --color-moved``.

    Lines removed and added in the same block are never a move (that is an edit, or a
    re-indentation, judged by :func:`whitespace_changes`). A moved block needs 3 non-blank
    lines and 20 letters or digits in all.
    """
    removed_runs: list[_Run] = []
    added_runs: list[_Run] = []
    for f in files:
        for hunk in f.hunks:
            for block in hunk.blocks:
                if block.removed:
                    removed_runs.append(_Run(f, block, block.removed, [_norm(ln.text) for ln in block.removed]))
                if block.added:
                    added_runs.append(_Run(f, block, block.added, [_norm(ln.text) for ln in block.added]))
    if not removed_runs or not added_runs:
        return []
    index: dict[str, list[tuple[int, int]]] = {}
    for rid, run in enumerate(removed_runs):
        for j, text in enumerate(run.norms):
            if _alnum(text) >= 2:
                index.setdefault(text, []).append((rid, j))
    found: list[Occurrence] = []
    for run in added_runs:
        i, n = 0, len(run.lines)
        while i < n:
            text = run.norms[i]
            if id(run.lines[i]) in consumed or text not in index:
                i += 1
                continue
            best, best_at = 0, None
            for rid, j in index[text][:64]:
                source = removed_runs[rid]
                if source.block is run.block:
                    continue
                k = 0
                while (i + k < n and j + k < len(source.lines) and run.norms[i + k] == source.norms[j + k]
                       and id(run.lines[i + k]) not in consumed and id(source.lines[j + k]) not in consumed):
                    k += 1
                if k > best:
                    best, best_at = k, (source, j)
            if best >= MIN_MOVED_LINES and best_at is not None:
                source, j = best_at
                moved = run.lines[i:i + best]
                solid = [ln for ln in moved if ln.text.strip()]
                if len(solid) >= MIN_MOVED_LINES and sum(_alnum(ln.text) for ln in moved) >= MIN_MOVED_ALNUM:
                    origin = source.lines[j:j + best]
                    for ln in moved + origin:
                        consumed.add(id(ln))
                    span = f"{origin[0].old}-{origin[-1].old}"
                    where = (f"old lines {span} of this file" if source.file is run.file
                             else f"{source.file.shown}:{span}")
                    found.append(Occurrence(
                        "moved-block", run.file.path, moved[0].new,
                        f"moved code: {_plural(best, 'line')} removed from {where} and added here",
                        moved[-1].new,
                    ))
                    i += best
                    continue
            i += 1
    return found


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
RENAMED_BODY = 0.8  # how alike two bodies must be for a def that vanished to be renamed
RENAMED_BODY_SAME_PARAMETERS = 0.6  # ... when the new def keeps every old parameter


def _body_likeness(a: str, b: str) -> float:
    """How alike two dumped bodies are, 0 to 1 (quadratic: only for few candidates)."""
    if a == b:
        return 1.0
    if not a or not b or max(len(a), len(b)) > 2 * min(len(a), len(b)):
        return 0.0
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= RENAMED_BODY_SAME_PARAMETERS else 0.0


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


_DEF_LINE = re.compile(r"\s*(?:async\s+def|def|class)\s")


def _header_lines(text: str) -> set[int]:
    """Lines (1-based) of every ``def``/``class`` header, from its keyword to the line
    that ends in ``:`` (a cheap scan, good enough to decide whether to parse)."""
    lines = text.split("\n")
    found: set[int] = set()
    i, n = 0, len(lines)
    while i < n:
        if _DEF_LINE.match(lines[i]):
            j = i
            while j < n and j < i + 60 and not lines[j].split("#", 1)[0].rstrip().endswith(":"):
                j += 1
            found.update(range(i + 1, j + 2))
            i = j + 1
        else:
            i += 1
    return found


def touches_definitions(f: FileDiff, old_text: str, new_text: str) -> bool:
    """Whether a changed line is part of a function or class header, old or new: only
    then can a name or a signature have changed, so only then is the file parsed."""
    removed = {ln.old for ln in f.removed_lines}
    added = {ln.new for ln in f.added_lines}
    if any(_DEF_LINE.match(ln.text) for ln in f.removed_lines) or \
            any(_DEF_LINE.match(ln.text) for ln in f.added_lines):
        return True
    return bool(removed & _header_lines(old_text)) or bool(added & _header_lines(new_text))


def python_changes(diff: Diff, files: Iterable[FileDiff]) -> list[Occurrence]:
    """Functions and classes renamed, removed, moved to another file, or whose signature
    changed, from the ``ast`` of each Python file's old and new contents."""
    found: list[Occurrence] = []
    removed_all: list[tuple[FileDiff, _Def]] = []
    added_all: list[tuple[FileDiff, _Def]] = []
    for f in files:
        if f.status not in ("M", "R") or not f.content_changed:
            continue
        old_text, new_text = diff.text(f, "old"), diff.text(f, "new")
        if old_text is None or new_text is None or not touches_definitions(f, old_text, new_text):
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

