"""Property tests for comment, marker and ticket detection (hotfix_guard.diff.comments and the
HG005/HG006 logic).

Two layers:

- the lexers alone (fast, many examples): a line of code holding string literals full of
  comment openers, markers and TODOs, then maybe a comment: exactly that comment is
  found, by the whole-file map and by the one-line fallback alike;
- HG005 and HG006 against an oracle, on real repositories (bounded: each example builds
  one): files in several languages get added lines that are markers (right or wrong
  version), TODO/FIXME/XXX with or without a ticket, each either in a comment or inside
  a string literal, or plain code. The findings must be exactly the ones the oracle
  predicts, at the predicted lines.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_guard.diff.comments import comment_map, language_for, line_comment
from hotfix_guard.history.versions import Version

# -- layer 1: the lexers ---------------------------------------------------------------------


class Syntax(NamedTuple):
    path: str  # a file name that selects the language
    comment: str  # the line-comment opener
    quote: str  # the string delimiter used in generated code


SYNTAXES = [
    Syntax("a.py", "#", '"'), Syntax("a.py", "#", "'"), Syntax("a.js", "//", '"'), Syntax("a.js", "//", "'"),
    Syntax("a.go", "//", '"'), Syntax("a.c", "//", '"'), Syntax("a.rs", "//", '"'), Syntax("a.java", "//", '"'),
    Syntax("a.sh", "#", '"'), Syntax("a.sh", "#", "'"), Syntax("a.rb", "#", '"'), Syntax("a.yaml", "#", '"'),
    Syntax("a.toml", "#", '"'), Syntax("a.sql", "--", "'"), Syntax("a.lua", "--", '"'), Syntax("a.php", "//", '"'),
]
# what may sit inside a string literal: comment openers of every language, markers, TODOs
STRING_PIECES = ["#", "//", "--", "/*", "*/", "<!--", "-->", "TODO: x", "HOTFIX v1.2.4: y", "FIXME #12", " ",
                 "a", "é", "🚑", ";", "(", ")", "%", "$", "{", "}", "|", "=", "?"]
identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
comment_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                       max_size=30)


def string_literal(quote: str, pieces: list[str]) -> str:
    other = {'"': "'", "'": '"'}[quote]
    # the other quote kind is fine inside; no backslashes, no newline, never the delimiter
    body = "".join(pieces).replace(quote, other).replace("\\", "/")
    return quote + body + quote


@st.composite
def code_lines(draw: st.DrawFn) -> tuple[Syntax, str, str | None]:
    syntax = draw(st.sampled_from(SYNTAXES))
    items = draw(st.lists(st.one_of(identifiers, st.integers(0, 999).map(str),
                                    st.lists(st.sampled_from(STRING_PIECES), max_size=6)
                                    .map(lambda p: string_literal(syntax.quote, p))), min_size=1, max_size=4))
    code = f"{draw(identifiers)} = " + " + ".join(items)
    comment = None
    if draw(st.booleans()):
        comment = f"{syntax.comment} {draw(comment_text)}".rstrip()
        code += "  " + comment
    return syntax, code, comment


@settings(max_examples=400, deadline=None)
@given(code_lines())
def test_exactly_the_trailing_comment_is_found(case: tuple[Syntax, str, str | None]) -> None:
    syntax, line, comment = case
    lang = language_for(syntax.path)
    assert lang is not None
    found = comment_map(line + "\n", lang)
    assert found.get(1) == comment, (line, found)
    assert line_comment(line, lang) == comment, line


@settings(max_examples=200, deadline=None)
@given(st.lists(code_lines(), min_size=1, max_size=8))
def test_whole_file_map_agrees_line_by_line(cases: list[tuple[Syntax, str, str | None]]) -> None:
    """A file of such lines (one language): each line's comment, at its own line number."""
    syntax = cases[0][0]
    lines = [c[1] for c in cases if c[0] == syntax]
    expected = {i: c[2] for i, c in enumerate((c for c in cases if c[0] == syntax), 1) if c[2] is not None}
    lang = language_for(syntax.path)
    assert lang is not None
    assert comment_map("\n".join(lines) + "\n", lang) == expected


# -- layer 2: HG005 and HG006 against an oracle, on real repositories ------------------------


class Lang(NamedTuple):
    ext: str
    comment: str  # "# {}" style
    string: str  # a line holding a string literal: "{}" is the text
    code: str  # a plain line


LANGS = [
    Lang("py", "# {}", 's = "{}"', "x = 1"),
    Lang("js", "// {}", 'const s = "{}";', "x = 1;"),
    Lang("go", "// {}", 's := "{}"', "x := 1"),
    Lang("sh", "# {}", 's="{}"', "x=1"),
    Lang("yaml", "# {}", 's: "{}"', "x: 1"),
    Lang("sql", "-- {}", "SELECT '{}';", "SELECT 1;"),
    Lang("rb", "# {}", 's = "{}"', "x = 1"),
]


class Added(NamedTuple):
    kind: str  # marker, todo, code
    in_comment: bool
    version: Version | None = None  # marker
    word: str = ""  # todo
    ticket: str | None = None  # todo


versions = st.builds(Version, st.integers(0, 3), st.integers(0, 3), st.integers(1, 5))
tickets = st.one_of(st.from_regex(r"[A-Z][A-Z0-9]{1,3}-[0-9]{1,4}", fullmatch=True),
                    st.integers(1, 9999).map(lambda n: f"#{n}"))


@st.composite
def added_lines(draw: st.DrawFn, own: Version) -> Added:
    kind = draw(st.sampled_from(["marker", "todo", "code"]))
    in_comment = draw(st.booleans())
    if kind == "marker":
        return Added("marker", in_comment, version=draw(st.one_of(st.just(own), versions)))
    if kind == "todo":
        return Added("todo", in_comment, word=draw(st.sampled_from(["TODO", "FIXME", "XXX"])),
                     ticket=draw(st.one_of(st.none(), tickets)))
    return Added("code", False)


def render(lang: Lang, item: Added) -> str:
    if item.kind == "code":
        return lang.code
    if item.kind == "marker":
        text = f"HOTFIX v{item.version}: guard the crash"
    else:
        text = f"{item.word}: handle the other case" + (f" (ticket {item.ticket})" if item.ticket else "")
    return (lang.comment if item.in_comment else lang.string).format(text)


@st.composite
def changes(draw: st.DrawFn) -> tuple[Version, dict[str, tuple[Lang, list[Added]]]]:
    own = draw(versions)
    langs = draw(st.lists(st.sampled_from(LANGS), min_size=1, max_size=3, unique=True))
    files = {f"src/mod.{lang.ext}": (lang, draw(st.lists(added_lines(own), min_size=1, max_size=6))) for lang in langs}
    return own, files


def oracle(own: Version, files: dict[str, tuple[Lang, list[Added]]]) -> set[tuple[str, str, int]]:
    """(code, path, line) of every finding HG005 and HG006 must give. Line 1 of each file
    is on production; the added lines are 2, 3, ..."""
    expected = set()
    for path, (_lang, items) in files.items():
        markers = [(n, it) for n, it in enumerate(items, 2) if it.kind == "marker" and it.in_comment]
        wrong = [(n, it) for n, it in markers if it.version != own]
        for n, _ in wrong:
            expected.add(("HG005", path, n))
        if not markers:
            expected.add(("HG005", path, 2))  # no marker: at the first added line
        for n, it in enumerate(items, 2):
            if it.kind == "todo" and it.in_comment and it.ticket is None:
                expected.add(("HG006", path, n))
    return expected


_counter = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes())
def test_hg005_and_hg006_match_the_oracle(tmp_path_factory: pytest.TempPathFactory,
                                          change: tuple[Version, dict[str, tuple[Lang, list[Added]]]]) -> None:
    from conftest import make_repo

    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context, resolve_refs
    from hotfix_guard.git import Git
    from hotfix_guard.engine.plugins import Plugins
    from hotfix_guard.engine.runner import run_rules

    own, files = change
    r = make_repo(tmp_path_factory.mktemp("oracle") / f"repo{next(_counter)}")
    r.commit("Release", {path: lang.code + "\n" for path, (lang, _) in files.items()})
    branch = f"hotfix/v{own}-prop"
    r.checkout(branch, new=True)
    r.commit("Fix", {path: lang.code + "\n" + "".join(render(lang, it) + "\n" for it in items)
                     for path, (lang, items) in files.items()})
    git = Git(str(r.path))
    ctx = Context(git, git.info(), Settings(), stage="manual", branch=branch, kind="hotfix", head=r.sha(),
                  refs=resolve_refs(git, Settings()))
    rules = Plugins(autoload=False).rules
    report = run_rules(ctx, [rules.by_name_or_code("HG005"), rules.by_name_or_code("HG006")], debug=True)
    got = {(f.code, f.path, f.line) for f in report.findings}
    assert got == oracle(own, files), {p: [render(lang, it) for it in items] for p, (lang, items) in files.items()}


def test_the_oracle_layer_sees_a_real_case(tmp_path: Path) -> None:
    """One hand-written example of what the property explores, readable."""
    own = Version(1, 2, 4)
    py = LANGS[0]
    items = [Added("marker", False, version=own), Added("todo", True, word="TODO"),
             Added("todo", False, word="FIXME"), Added("marker", True, version=Version(1, 2, 3))]
    assert [render(py, it) for it in items] == [
        's = "HOTFIX v1.2.4: guard the crash"', "# TODO: handle the other case",
        's = "FIXME: handle the other case"', "# HOTFIX v1.2.3: guard the crash"]
    assert oracle(own, {"src/mod.py": (py, items)}) == {("HG006", "src/mod.py", 3), ("HG005", "src/mod.py", 5)}
