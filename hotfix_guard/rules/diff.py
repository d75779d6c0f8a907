"""Rules on the change itself (SPEC §2): HG004-HG007, HG010-HG012, and HG013 for suppressions.

They read ``ctx.diff`` (:mod:`hotfix_guard.diff.hunks`): the change from the merge base with
production to the branch's head, plus what is staged at the pre-commit stage. Files that
match ``exclude``/``extend-exclude`` (lock files, generated and vendored code) are not
looked at by any of them; files that match ``test-globs``/``extend-test-globs`` are tests.
Nothing heavy is imported at module level: this module is loaded with the plugins.
"""

from __future__ import annotations

import re
from collections import namedtuple

from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import STAGES, Finding, Option, Rule

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Callable, Iterable
    from hotfix_guard.engine.context import Context
    from hotfix_guard.diff.hunks import Diff, FileDiff
    from hotfix_guard.diff.refactor import Occurrence

#: the rules that judge the whole change skip the commit-by-commit stage: while the
#: commits are being made the change is not finished (tests and trailers come later)
WHOLE_CHANGE_STAGES = STAGES - {"pre-commit"}

TODO_RE = re.compile(r"(?<![\w-])(TODO|FIXME|XXX)(?![\w-])")
TODO_ANY = re.compile(r"TODO|FIXME|XXX")  # made a keyword pattern on first use (see todos())
MARKER_NEAR = re.compile(r"\bHOTFIX\b")
FOLLOW_UP_RE = re.compile(r"^[ \t]*follow[- ]?ups?[ \t]*:[ \t]*(.+)$", re.I | re.M)
TESTS_WORD = re.compile(r"\btest", re.I)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _quote(text: str, limit: int = 60) -> str:
    from hotfix_guard.diff.hunks import display

    text = display(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Todo(namedtuple("Todo", "file line word comment ticket")):

    __slots__ = ()


def todos(ctx: Context) -> list[Todo]:
    """Every TODO/FIXME/XXX in an added comment of the change, with its ticket (if the
    comment, or the added comment line right below it, names one). Cached on the diff."""
    diff = ctx.diff
    cached: list[Todo] | None = diff.memo.get("todos")
    if cached is not None:
        return cached
    from hotfix_guard.diff.hunks import keyword_pattern
    from hotfix_guard.patterns import ticket_pattern

    ticket_re = ticket_pattern(ctx.settings)
    todo_any = keyword_pattern(TODO_ANY.pattern)
    found: list[Todo] = []
    for f in diff.reviewed():
        items = diff.added_comments(f, todo_any)
        if not items:
            continue
        comments = diff.comments(f) or {}
        for line, comment in items:
            for match in TODO_RE.finditer(comment):
                ticket = ticket_re.search(comment[match.end():]) or ticket_re.search(comment)
                below = comments.get(line + 1) if line + 1 in comments and f.is_added_line(line + 1) else None
                if ticket is None and below is not None and not TODO_RE.search(below):
                    ticket = ticket_re.search(below)  # the comment goes on below
                found.append(Todo(f, line, match.group(1), comment, ticket.group() if ticket else None))
    diff.memo["todos"] = found
    return found


VERSION_BUMP_LINES = 40  # a file with more changed lines than this is not only a version bump


def version_bump_only(f: FileDiff, ctx: Context) -> bool:
    """Whether the file's change only bumps the project's version declarations, to this
    hotfix's version when the branch names one: release chores, not code
    (:mod:`hotfix_guard.diff.versionbump`)."""
    from hotfix_guard.diff.versionbump import version_bump_only as bumps

    if f.changed_lines > VERSION_BUMP_LINES:  # not a chore: no need to read its lines
        return False
    return bumps(f, ctx.diff, str(ctx.version) if ctx.version else None, ctx.settings)


def _source_files(ctx: Context, *, code_only: bool = False) -> list[FileDiff]:
    """Changed, non-test files in a known language (code only, or also config/markup),
    leaving out files whose only change is a version bump."""
    diff = ctx.diff
    result = []
    for f in diff.reviewed():
        lang = f.language
        if lang is None or diff.is_test(f) or not f.content_changed:
            continue
        if (lang.is_code if code_only else lang.is_source) and not version_bump_only(f, ctx):
            result.append(f)
    return result


class DiffSize(Rule):
    """
    ## What it does
    Counts the change's changed lines (added + deleted, as `git diff --numstat` counts
    them) and changed files, leaving out test files (`test-globs`) and excluded files
    (`exclude`: lock files, generated and vendored code by default). More than `max-lines`
    lines or `max-files` files is an error; more than half of either is a warning. The
    message gives the numbers and the files that contribute most. Binary files count as
    files with no lines; a pure rename counts as a file. A file whose only change is its
    mode (`chmod +x`) counts toward neither limit; the message lists how many there were.

    ## Why
    The workflow's first hotfix principle: "✅ Minimal changes" — "Make minimal code change",
    "Fix the bug with smallest possible change". A big hotfix is a release in disguise: it
    skips the normal cycle with more risk than the emergency needs. Tests are not counted
    because "Write minimal test (if time permits)" is encouraged, and lock files are not
    counted because a one-line dependency pin can rewrite hundreds of them.

    ## Example
    ```console
    $ hotfix-guard check
    branch: HG004 [error] diff-size: the change is 212 changed lines (150 added, 62 deleted)
      in 5 files, over the limit of 150 lines; biggest: src/payments/processor.py (120),
      src/payments/api.py (60), src/util.py (20)
    ```

    ## How to fix
    Keep only what fixes the emergency; move the rest (clean-ups, refactors, features) to
    a follow-up ticket and a normal branch. If the fix cannot be smaller, say why with a
    trailer in a commit message: `Hotfix-Guard-Ignore: HG004 <reason>`, or raise the
    limits for the repository in config.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG004"
    name = "diff-size"
    summary = "A hotfix is a minimal change: few lines, few files"
    queries = frozenset({"diff"})
    options = (
        Option("max-lines", int, 150, "changed lines (added + deleted) allowed; over half is a warning"),
        Option("max-files", int, 8, "changed files allowed; over half is a warning"),
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        diff = ctx.diff
        counted = []
        tests = excluded = mode_only = 0
        for f in diff:
            if f.status == "U":
                continue
            if diff.is_excluded(f):
                excluded += 1
            elif diff.is_test(f):
                tests += 1
            elif f.mode_only:  # a chmod: no line of code changed
                mode_only += 1
            else:
                counted.append(f)
        lines = sum(f.changed_lines for f in counted)
        files = len(counted)
        max_lines, max_files = self.config["max-lines"], self.config["max-files"]
        over = []
        if lines > max_lines:
            over.append(f"over the limit of {max_lines} lines")
        if files > max_files:
            over.append(f"over the limit of {max_files} files")
        severity = "error"
        if not over:
            if lines > max_lines / 2:
                over.append(f"over half the limit of {max_lines} lines")
            if files > max_files / 2:
                over.append(f"over half the limit of {max_files} files")
            severity = "warning"
        if not over:
            return
        added = sum(f.added for f in counted)
        deleted = sum(f.deleted for f in counted)
        biggest = sorted(counted, key=lambda f: (-f.changed_lines, f.path))[:3]
        top = ", ".join(f"{f.shown} ({f.changed_lines})" for f in biggest)
        skipped = []
        if tests:
            skipped.append(_plural(tests, "test file"))
        if excluded:
            skipped.append(_plural(excluded, "excluded file"))
        if mode_only:
            skipped.append(_plural(mode_only, "mode-only change"))
        message = (f"the change is {_plural(lines, 'changed line')} ({added} added, {deleted} deleted) "
                   f"in {_plural(files, 'file')}, {' and '.join(over)}; biggest: {top}")
        if skipped:
            message += f" (not counted: {', '.join(skipped)})"
        yield self.finding(
            message,
            severity=severity,
            help="keep only what fixes the emergency and move the rest to a follow-up ticket; "
                 "if it cannot be smaller, say why: `Hotfix-Guard-Ignore: HG004 <reason>` in a commit message",
        )


class HotfixComment(Rule):
    """
    ## What it does
    Checks that every changed source file (not a test, not excluded, in a language whose
    comments hotfix-guard knows) has, among the lines the change adds, a comment with the
    marker `HOTFIX vX.Y.Z:` naming this hotfix's version (the one in the branch name).
    Comment syntax follows the file's language: `#`, `//`, `/* */`, `--`, `<!-- -->`, ...;
    a marker inside a string literal does not count (each language is read by a lexer
    that skips its strings: Python's docstrings and f-strings, heredocs, raw strings,
    regex literals; `<script>` blocks are read as JavaScript). The languages, and what is
    approximated in each, are in [docs/comments.md](../comments.md). A marker with another
    version is reported as such, on its line. Deleted files, pure renames and mode
    changes need no marker, and neither does a file whose only change bumps the
    project's version declaration to this hotfix's version: `version` in
    `pyproject.toml` (`[project]`, `[tool.poetry]`), `Cargo.toml` (`[package]`),
    `setup.cfg` (`[metadata]`), `__version__ = "1.2.4"`, a `VERSION` file, and the files
    the `version-files` config key names. Any other string that equals the version
    (`MIN_CLIENT = "1.2.4"`) is code and needs the marker. Files in unknown formats
    (JSON, CSV, binaries) and prose (Markdown) are not checked.

    ## Why
    The workflow says: "✅ Comment clearly that this is a hotfix", and its example fix
    starts with `# HOTFIX v1.2.4: Prevent crash on None amount`. When the hotfix is merged
    into development and read months later, the marker says why this odd-looking guard is
    there and which release brought it. A marker with the wrong version (copied from an
    older hotfix) misleads.

    ## Example
    ```console
    $ hotfix-guard check
    src/payments.py:14: HG005 [error] hotfix-comment: no `HOTFIX v1.2.4:` comment among
      the lines this change adds to src/payments.py
    src/cart.js:3: HG005 [error] hotfix-comment: the marker names v1.2.3, but this hotfix
      is v1.2.4
    ```

    ## How to fix
    Add a comment next to the fix, in the file's comment syntax, saying what the hotfix
    does and why:

    ```python
    # HOTFIX v1.2.4: Prevent crash on None amount
    if amount is None:
        return PaymentError("Amount is required")
    ```

    For whole directories that need no marker (docs, fixtures), use `per-file-ignores`.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG005"
    name = "hotfix-comment"
    summary = "Every changed source file carries a `HOTFIX vX.Y.Z:` comment"
    queries = frozenset({"diff"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        from hotfix_guard.diff.hunks import keyword_pattern
        from hotfix_guard.history.versions import Version

        version = ctx.version
        prefix = ctx.settings.tag_prefix
        marker_re = re.compile(r"\bHOTFIX\s+" + re.escape(prefix) + r"?(\d+(?:\.\d+)*)\s*:", re.I)
        wanted = f"HOTFIX {prefix}{version}:" if version else f"HOTFIX {prefix}X.Y.Z:"
        diff = ctx.diff
        for f in _source_files(ctx):
            if f.is_deleted or not f.changed_lines:
                continue
            ok = wrong = False
            near: tuple[int, str] | None = None
            for line, comment in diff.added_comments(f, keyword_pattern(r"hotfix", re.I)):
                matches = list(marker_re.finditer(comment))
                if not matches:
                    if near is None and MARKER_NEAR.search(comment):
                        near = (line, comment)
                    continue
                for match in matches:
                    named = Version.parse(match.group(1))
                    wrong = wrong or named is None or (version is not None and named != version)
                    if named is None:
                        yield self.finding(
                            f"the marker `{_quote(match.group())}` does not name a version X.Y.Z",
                            path=f.path, line=line, help=f"write it as `{wanted}`")
                    elif version is not None and named != version and named == ctx.local_version:
                        yield self.finding(
                            f"{ctx.renamed_push()}the marker names {prefix}{named}, as the local branch does",
                            path=f.path, line=line,
                            help=f"push the branch under its own name: {ctx.push_command(ctx.pushed_from)}")
                    elif version is not None and named != version:
                        yield self.finding(
                            f"the marker names {prefix}{named}, but this hotfix is {prefix}{version}",
                            path=f.path, line=line, help=f"write `{wanted}`")
                    else:
                        ok = True
            if ok or wrong:  # a wrong marker is reported on its line; that says it all
                continue
            lang = f.language
            example = _comment_example(lang.name if lang else "", wanted)
            if near is not None:
                yield self.finding(
                    f"the hotfix comment `{_quote(near[1])}` is not in the form `{wanted} <what and why>`",
                    path=f.path, line=near[0], help=f"write it as `{example}`")
                continue
            yield self.finding(
                f"no `{wanted}` comment among the lines this change adds to {f.shown}",
                path=f.path, line=f.first_line,
                help=f"add a comment by the fix saying what it does and why, e.g. `{example}`",
            )


def _comment_example(language: str, wanted: str) -> str:
    text = f"{wanted} <what and why>"
    if language in ("python", "ruby", "shell", "perl", "r", "yaml", "toml", "make", "dockerfile",
                    "elixir", "julia", "powershell", "ini", "properties", "terraform"):
        return f"# {text}"
    if language in ("sql", "lua", "haskell"):
        return f"-- {text}"
    if language in ("html", "markdown"):
        return f"<!-- {text} -->"
    if language == "css":
        return f"/* {text} */"
    if language == "lisp":
        return f"; {text}"
    if language == "erlang":
        return f"% {text}"
    return f"// {text}"


class TodoTicket(Rule):
    """
    ## What it does
    Checks that every `TODO`, `FIXME` or `XXX` in a comment the change adds names a ticket
    (`ticket-pattern`, by default `PROJ-123` or `#123`), on the same line or on the added
    comment line right below. Only comments count: a `TODO` in a string or a docstring is
    not a comment, and neither is `XXX-XXX-XXXX`. Test files are checked too.

    ## Why
    The workflow says: "If No Time for Tests: ... Add TODO comment in code, Create follow-up
    ticket", with the example `# TODO: Add comprehensive tests (ticket PROJ-099)`, and
    "Fix symptom if needed (document root cause for later)". A TODO without a ticket is a
    debt nobody tracks: after the emergency it is forgotten.

    ## Example
    ```console
    $ hotfix-guard check
    src/payments.py:15: HG006 [error] todo-ticket: TODO without a ticket: `# TODO: validate
      on the frontend`
    ```

    ## How to fix
    Create the follow-up ticket and name it in the comment:
    `# TODO: Fix frontend validation (ticket PROJ-099)`. Change `ticket-pattern` if your
    tracker's keys look different.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG006"
    name = "todo-ticket"
    summary = "Every added TODO/FIXME/XXX comment references a ticket"
    queries = frozenset({"diff"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        for todo in todos(ctx):
            if todo.ticket is None:
                yield self.finding(
                    f"{todo.word} without a ticket: `{_quote(todo.comment)}`",
                    path=todo.file.path, line=todo.line,
                    help=f"create the follow-up ticket and name it here, e.g. `{todo.word}: <what> (PROJ-123)`; "
                         f"tickets match `ticket-pattern` ({ctx.settings.ticket_pattern})",
                )


class NoRefactor(Rule):
    """
    ## What it does
    Reports what in the change looks like refactoring, one finding per file and kind:
    several whitespace-only, formatting-only or moved-code places in one file are one
    finding ("whitespace-only changes (indentation) in 42 places, lines 3–918") that keeps
    every place in the machine formats (`locations` in JSON, `relatedLocations` in SARIF);
    Python API changes of one kind in one file are grouped beyond three. A suppression
    comment applies to such a finding on its first line (or the line above). The kinds:

    - **file renamed / moved / copied** (git's rename and copy detection, `-M -C`); a new
      test file copied from another test is not reported; a rename that changes only the
      case of the path (`analyzer.py` → `Analyzer.py`) says **case-only rename**;
    - **file deleted**;
    - **whitespace-only change**: removed and added lines that are equal once whitespace
      is ignored (indentation, spacing, trailing whitespace, line endings), even inside a
      hunk that also holds the real fix; and **formatting-only change**: lines re-wrapped
      with the same code;
    - **moved code**: a block of 3 or more lines (20+ letters or digits) removed in one place
      and added in another, in the same file or another one, compared ignoring whitespace
      (as `git diff --color-moved` does);
    - for **Python**, read with `ast` from the old and new contents: a function, method or
      class **renamed**, **removed** or **moved** to another file, and a **signature
      changed** (parameters added, removed, renamed or reordered, a default added or
      dropped; a default's value or an annotation changing is not reported). A def that
      vanished is matched to a new one of the same kind in the same scope by how alike
      their bodies are (80%, or 60% when the new one keeps every old parameter), so a
      function renamed with a parameter added is reported once, as renamed and its
      signature changed.

    Designed not to fire on an ordinary fix:

    - Added lines alone (a guard clause, a log line, a new test) are never a refactor.
    - A block **re-indented because the fix wraps it** in a new `if`/`try`/`with`/loop is
      not a whitespace-only change. In Python, the tokenizer gives each statement's block
      depth in the old and the new file: a statement whose depth changed moved into or
      out of a block (a real change, whether the wrapper was added or a line was
      dedented out of an `if` on purpose); only a statement at the same depth in other
      columns is a re-format. In other languages, a re-indented line is left alone when
      the same hunk adds, before it, a real line with less indentation (the new wrapper:
      `if (x) {`) — or, for a dedent, removes one (a wrapper taken away). Continuation
      lines that re-align because the line above changed are left alone for the same
      reason. In YAML, Haskell and Makefiles indentation is syntax and never reported.
      A block re-indented with none of these reasons (a reformat), and any change of
      spacing inside a line, of trailing whitespace or of line endings, is reported.
    - Lines removed and added in the same block (an edit in place) are never "moved code",
      nor is a block re-added, re-indented, where it was (at most two unchanged lines
      between): a block wrapped in a new `if` while a line moves out of it to above it.
    - Blank lines added or removed on their own are not reported.

    Test files get the file, whitespace and moved-code checks but not the Python API
    checks (adding a fixture parameter to a test is normal). Excluded files, and prose
    and unknown formats for the line checks, are not looked at.

    ## Why
    The workflow's hotfix principles say "❌ Don't refactor", and its pitfalls: "Bad:
    Refactoring entire module during hotfix. Good: Minimal fix, create ticket for proper
    solution." A refactor in a hotfix hides the fix from the reviewer, ships untested
    changes under emergency pressure, and makes the merge back into development conflict.

    ## Example
    ```console
    $ hotfix-guard check
    src/payments.py: HG007 [error] no-refactor: file renamed: src/pay.py → src/payments.py (similarity 96%)
    src/payments.py:40: HG007 [error] no-refactor: whitespace-only change (indentation):
      12 lines changed only in whitespace
    src/payments.py:12: HG007 [error] no-refactor: function `charge` renamed to `charge_card`
    src/api.py:88: HG007 [error] no-refactor: moved code: 6 lines removed from src/payments.py:30-35 and added here
    ```

    ## How to fix
    Undo the refactoring in the hotfix (`git checkout -p main -- <file>` restores chosen
    hunks) and open a follow-up ticket for it. If a kind of change is truly part of the
    fix, suppress that one finding with its reason:
    `# hotfix-guard: ignore[HG007] the old name is what the crashing client calls`.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG007"
    name = "no-refactor"
    summary = "A hotfix does not refactor: no renames, moves, deletions, reformatting or API changes"
    queries = frozenset({"diff"})

    def check(self, ctx: Context) -> Iterable[Finding]:
        from hotfix_guard.diff.refactor import FileChanges, file_changes, moved_blocks, python_changes, shared_prints

        diff = ctx.diff
        reviewed = diff.reviewed()
        for f in reviewed:
            if f.is_renamed and (f.old_path or "").casefold() == f.path.casefold():
                yield self.finding(
                    f"case-only rename: {_shown(f.old_path)} → {f.shown}{_similarity(f)}",
                    path=f.path,
                    help="a rename that only changes case (often made for a case-insensitive file system) "
                         "breaks checkouts there; if it is the fix, suppress this finding with that reason "
                         "(`Hotfix-Guard-Ignore: HG007 <reason>`)",
                )
            elif f.is_renamed:
                old_dir = (f.old_path or "").rpartition("/")[0]
                new_dir = f.path.rpartition("/")[0]
                verb = "renamed" if old_dir == new_dir else "moved"
                yield self.finding(
                    f"file {verb}: {_shown(f.old_path)} → {f.shown}{_similarity(f)}",
                    path=f.path,
                    help=f"keep the file where it was (git mv {_shown(f.old_path)} back); "
                         "renames belong in a normal branch",
                )
            elif f.is_copied and not diff.is_test(f):
                yield self.finding(
                    f"file copied: {_shown(f.old_path)} → {f.shown}{_similarity(f)}",
                    path=f.path,
                    help="duplicating a module is a refactor (or a feature); fix the original in place",
                )
            elif f.is_deleted:
                size = f" ({_plural(f.deleted, 'line')})" if f.deleted else ""
                yield self.finding(
                    f"file deleted: {f.shown}{size}",
                    path=f.path,
                    help="restore it (git checkout main -- <file>); removing code belongs in a normal branch",
                )
        compared = [f for f in reviewed
                    if f.is_text and not f.is_deleted and f.language is not None and f.language.kind != "prose"]
        changes = FileChanges(shared_prints(compared))
        for f in compared:  # one pass over each file's hunks, file by file
            file_changes(f, diff, changes)
        occurrences = changes.whitespace + moved_blocks(changes)
        del changes
        python = [f for f in reviewed if f.language is not None and f.language.name == "python"
                  and not diff.is_test(f)]
        if python:
            blocks = [o for o in occurrences if o.kind == "moved-block"]
            for occ in python_changes(diff, python):
                # a function moved as a block is already reported, once, as moved code
                if " moved here from " in occ.message and any(
                        b.path == occ.path and (b.line or 0) <= (occ.line or 0) <= (b.end or b.line or 0)
                        for b in blocks):
                    continue
                occurrences.append(occ)
        for group in _grouped(occurrences):
            yield self._group_finding(group)

    def _group_finding(self, group: list[Occurrence]) -> Finding:
        """One finding per file and kind: a reformat of 300 functions is one finding
        that lists every place (``locations``), not 300."""
        from hotfix_guard.engine.rule import Location

        first = group[0]
        if len(group) == 1:
            return self.finding(first.message, path=first.path, line=first.line, help=_REFACTOR_HELP[first.kind])
        last = max((o.end or o.line or 0) for o in group)
        lines = f"lines {first.line}–{last}"
        if first.kind == "python":
            shown = "; ".join(o.message for o in group[:3]) + (f"; and {len(group) - 3} more" if len(group) > 3 else "")
            message = f"{len(group)} API changes ({_API_WORDS.get(_api_kind(first.message), 'changed')}), {lines}: {shown}"
        elif first.kind == "whitespace":
            counts: dict[str, int] = {}
            for o in group:
                for kind in o.detail[0]:
                    counts[kind] = counts.get(kind, 0) + o.detail[1]
            kinds = ", ".join(sorted(counts, key=lambda k: -counts[k]))
            total = sum(o.detail[1] for o in group)
            message = (f"whitespace-only changes ({kinds}) in {len(group)} places, {lines}: "
                       f"{_plural(total, 'line')} changed only in whitespace")
        else:
            message = f"{_GROUP_WORDS[first.kind]} in {len(group)} places, {lines}"
        return self.finding(
            message, path=first.path, line=first.line, help=_REFACTOR_HELP[first.kind],
            locations=[Location(o.path, o.line, o.end, o.message) for o in group],
        )


#: Python API changes of one file and kind are grouped beyond this many (a few renames
#: each deserve a line; a module-wide rename is one finding)
PYTHON_GROUP_OVER = 3
_API_KIND = re.compile(r" renamed to | removed$| moved here from |^signature of ")


def _api_kind(message: str) -> str:
    found = _API_KIND.search(message)
    return found.group().strip() if found else ""


def _grouped(occurrences: list[Occurrence]) -> list[list[Occurrence]]:
    """The occurrences by file and kind, each group in line order, groups in line order.
    Python's API changes group by what happened (renamed, removed, moved, signature)
    and only beyond :data:`PYTHON_GROUP_OVER` of them."""
    groups: dict[tuple[str, str], list[Occurrence]] = {}
    for occ in occurrences:
        kind = f"python:{_api_kind(occ.message)}" if occ.kind == "python" else occ.kind
        groups.setdefault((occ.path, kind), []).append(occ)
    result: list[list[Occurrence]] = []
    for (_, kind), group in groups.items():
        group.sort(key=lambda o: o.line or 0)
        if kind.startswith("python") and len(group) <= PYTHON_GROUP_OVER:
            result.extend([o] for o in group)
        else:
            result.append(group)
    return sorted(result, key=lambda g: (g[0].path, g[0].line or 0))


_API_WORDS = {"renamed to": "renamed", "removed": "removed", "moved here from": "moved from another file",
              "signature of": "signatures changed"}
_GROUP_WORDS = {
    "formatting": "formatting-only changes (lines re-wrapped with the same code)",
    "moved-block": "moved code",
}


_REFACTOR_HELP = {
    "whitespace": "revert the formatting (keep the hotfix's lines as they were, or re-indent only what the "
                  "fix wraps); reformatting belongs in a normal branch",
    "formatting": "revert the formatting (keep the hotfix's lines as they were); reformatting belongs in a "
                  "normal branch",
    "moved-block": "leave the code where it was; moving code belongs in a normal branch",
    "python": "keep the existing names and signatures; changing the API belongs in a normal branch",
}


def _shown(path: str | None) -> str:
    from hotfix_guard.diff.hunks import display

    return display(path or "")


def _similarity(f: FileDiff) -> str:
    return f" (similarity {f.similarity}%)" if f.similarity is not None else ""


class TestsTouched(Rule):
    """
    ## What it does
    Warns when the change modifies code (a non-test file in a programming language) but
    adds or changes no test file (`test-globs`) — unless an added `TODO`/`FIXME` comment
    that mentions tests names a ticket, deferring them. Runs at pre-push, in CI and by
    hand, not on each commit (tests often come in a later commit).

    ## Why
    The workflow's step 4 is "Write Minimal Test (If Time Permits)" to "verify fix and
    prevent regression", and when there is no time: "Document technical debt, Add TODO
    comment in code, Create follow-up ticket" — `# TODO: Add comprehensive tests (ticket
    PROJ-099)`. Either is fine; silently neither is not.

    ## Example
    ```console
    $ hotfix-guard check
    branch: HG010 [warning] tests-touched: code changed in src/payments.py, but no test was
      added or changed and no TODO with a ticket defers the tests
    ```

    ## How to fix
    Add a minimal test that shows the bug (`tests/test_payments.py`), or defer it with a
    ticket: `# TODO: Add tests for None amount (ticket PROJ-099)`.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG010"
    name = "tests-touched"
    summary = "Changed code comes with a test, or a TODO with a ticket that defers it"
    queries = frozenset({"diff"})
    severity = "warning"
    stages = WHOLE_CHANGE_STAGES

    def check(self, ctx: Context) -> Iterable[Finding]:
        diff = ctx.diff
        code = _source_files(ctx, code_only=True)
        if not code:
            return
        for f in diff.reviewed():
            if diff.is_test(f) and not f.is_deleted and (f.added or f.is_binary or f.is_added):
                return
        if any(t.ticket and TESTS_WORD.search(t.comment) for t in todos(ctx)):
            return
        names = ", ".join(f.shown for f in code[:3]) + (f" and {len(code) - 3} more" if len(code) > 3 else "")
        yield self.finding(
            f"code changed in {names}, but no test was added or changed and no TODO with a ticket defers the tests",
            help="add a minimal test that shows the bug, or defer it: "
                 "`# TODO: Add tests for <the bug> (ticket PROJ-123)`",
        )


class NoNewModules(Rule):
    """
    ## What it does
    Warns for each new source file (added or copied; in a programming language; not a
    test, not excluded) in the change. New test files, docs and config files are fine.

    ## Why
    The workflow says "❌ Don't add features" and "Feature requests (even urgent ones)"
    are not hotfixes. A hotfix changes the code that is broken; a new module is usually a
    new feature or a refactor arriving through the emergency door.

    ## Example
    ```console
    $ hotfix-guard check
    src/payments/retry.py:1: HG011 [warning] no-new-modules: new module src/payments/retry.py:
      a hotfix fixes existing code, it does not add modules
    ```

    ## How to fix
    Put the fix in the module that is broken. If a new file is truly needed (a generated
    file, a migration), exclude its path (`extend-exclude`) or suppress the finding with
    a reason.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG011"
    name = "no-new-modules"
    summary = "A hotfix does not add new source modules"
    queries = frozenset({"diff"})
    severity = "warning"

    def check(self, ctx: Context) -> Iterable[Finding]:
        diff = ctx.diff
        for f in diff.reviewed():
            if (f.is_added or f.is_copied) and f.language is not None and f.language.is_code \
                    and not diff.is_test(f):
                yield self.finding(
                    f"new module {f.shown}: a hotfix fixes existing code, it does not add modules",
                    path=f.path, line=1,
                    help="put the fix in the module that is broken; new modules belong in a normal branch",
                )


class FollowUpTicket(Rule):
    """
    ## What it does
    Warns when the change references no follow-up ticket at all: no added `TODO`/`FIXME`/
    `XXX` comment with a ticket (`ticket-pattern`), and no `Follow-up: PROJ-123` trailer in
    any commit message of the change. Runs at pre-push, in CI and by hand, not on each
    commit (the trailer may come with a later commit).

    ## Why
    The workflow's step 9 is "Document and Follow Up: Create follow-up tickets", and its
    checklist says "Follow-up tickets created". A hotfix fixes the symptom under time
    pressure; the proper fix, the missing tests and the root cause need a ticket or they
    are never done.

    ## Example
    ```console
    $ hotfix-guard check
    branch: HG012 [warning] follow-up-ticket: the change references no follow-up ticket
    ```

    ## How to fix
    Create the ticket and name it, in a commit message trailer:

    ```text
    Fix payment crash on None amount

    Follow-up: PROJ-099
    ```

    or in a TODO by the fix: `# TODO: Fix frontend validation (ticket PROJ-100)`.

    ## Workflows
    - **git-flow**, **github-flow**: the change is measured from `main` (`master`).
    - **gitlab-flow**: the change is measured from `production`, where the hotfix is cut.
    - **Release line**: a hotfix of an older line (`hotfix/v1.1.5-…` while `support/1.1`
      exists and production is at 1.2.x) is measured from the line's branch, so the line's
      own backports are not counted as part of the change.
    """

    code = "HG012"
    name = "follow-up-ticket"
    summary = "The change references a follow-up ticket"
    queries = frozenset({"diff", "commits"})
    severity = "warning"
    stages = WHOLE_CHANGE_STAGES

    def check(self, ctx: Context) -> Iterable[Finding]:
        diff = ctx.diff
        if not any(f.status != "U" for f in diff):
            return
        if any(t.ticket for t in todos(ctx)):
            return
        from hotfix_guard.patterns import ticket_pattern

        ticket_re = ticket_pattern(ctx.settings)
        for commit in ctx.commits:
            for match in FOLLOW_UP_RE.finditer(commit.message):
                if ticket_re.search(match.group(1)):
                    return
        yield self.finding(
            "the change references no follow-up ticket (no TODO with a ticket, no `Follow-up:` trailer)",
            help="create the follow-up ticket and add `Follow-up: PROJ-123` to a commit message, "
                 "or name it in a TODO by the fix",
        )


class JustifiedSuppression(Rule):
    """
    ## What it does
    Checks the change's suppressions (see "How to suppress" on every rule's page): a
    suppression must give a reason, and must suppress something.

    - A suppression without a reason suppresses nothing and is an **error**, on its line
      (an inline comment) or naming its commit (a trailer).
    - An inline comment or a commit trailer that suppresses no finding of a rule that ran
      is a **warning** (a stale or misplaced suppression). Suppressions of a rule that did
      not run (not selected, skipped, crashed) are not judged; `per-file-ignores` in config
      are never reported as unused, since they are meant for many changes.

    Suppressions are read from lines the change adds (an inline comment applies to
    findings on its own line and on the next line, and to file-level findings of its
    file, such as a rename), from the trailers of the change's commits (they apply to
    the whole change), and from `per-file-ignores`. The findings of this rule cannot be
    suppressed themselves, only turned off with `ignore`.

    ## Why
    The workflow keeps every exception visible: "Fix symptom if needed (document root cause
    for later)", "Document technical debt". A suppression is an exception to the hotfix
    rules; its reason is what a reviewer reads instead of the finding, and the report keeps
    it. A bare or stale suppression hides a finding without telling anybody why.

    ## Example
    ```console
    $ hotfix-guard check
    src/payments.py:12: HG013 [error] justified-suppression: suppression of HG007 without a
      reason: it suppresses nothing
    src/payments.py:30: HG013 [warning] justified-suppression: ignore[HG006] suppresses
      nothing: no HG006 finding on this line or the next
    ```

    ## How to fix
    Give the reason after the codes: `# hotfix-guard: ignore[HG007] the client calls the old
    name` or `Hotfix-Guard-Ignore: HG004 generated migration, reviewed by DBA`. Remove
    suppressions that no longer suppress anything.

    ## Workflows
    The same under every preset (git-flow, github-flow, gitlab-flow) and on a release
    line.
    """

    code = "HG013"
    name = "justified-suppression"
    summary = "Every suppression gives a reason and suppresses a finding"

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()  # produced by hotfix_guard.engine.suppress after the other rules ran


@hookimpl
def hotfix_guard_register_rules(register: Callable[[type[Rule]], None]) -> None:
    for rule in (DiffSize, HotfixComment, TodoTicket, NoRefactor, TestsTouched, NoNewModules,
                 FollowUpTicket, JustifiedSuppression):
        register(rule)
