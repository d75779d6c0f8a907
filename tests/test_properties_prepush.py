"""Property tests for git's pre-push input lines (hotfix_guard.targets.prepush.parse).

`<local ref> SP <local sha> SP <remote ref> SP <remote sha> LF`, one line per ref. Ref
names are anything git allows and more (hand-fed input may hold spaces); object names are
40 (SHA-1) or 64 (SHA-256) hex digits. Found by these tests: a ref name holding U+2028
or U+0085 (both valid in git ref names) was split in two by ``str.splitlines`` and the
push refused as malformed input.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hotfix_guard.errors import UsageError
from hotfix_guard.git import ZERO_SHAS
from hotfix_guard.targets.prepush import PushedRef, parse

bounded = settings(max_examples=200, deadline=None)

HEX40 = re.compile(r"[0-9a-f]{40}")
# anything but the line feed that ends a line; carriage returns only where git never puts
# them (not at the end), every other separator Python knows (U+2028, U+0085, \v, \f, \x1c...)
ref_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
separators = st.sampled_from(["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"])
ref_names = st.one_of(
    st.text(ref_chars, min_size=1, max_size=40),
    st.builds(lambda a, s, b: f"refs/heads/{a}{s}{b}", st.text("abc/-._", min_size=1, max_size=8), separators,
              st.text("xyz", min_size=1, max_size=8)),
    st.sampled_from(["HEAD", "refs/heads/hotfix/v1.2.4-x", "refs/tags/v1.2.4", "refs/for/main", "(delete)"]),
).filter(lambda r: r.strip() and not HEX40.search(r))
shas = st.one_of(st.text("0123456789abcdef", min_size=40, max_size=40),
                 st.text("0123456789abcdef", min_size=64, max_size=64), st.sampled_from(sorted(ZERO_SHAS)))
pushed_refs = st.builds(PushedRef, ref_names, shas, ref_names, shas)


def line(p: PushedRef) -> str:
    return f"{p.local_ref} {p.local_sha} {p.remote_ref} {p.remote_sha}"


@bounded
@given(st.lists(pushed_refs, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_round_trip(refs: list[PushedRef], newline: str, blank_lines: bool) -> None:
    lines = [line(p) for p in refs]
    if blank_lines:
        lines = [x for p in lines for x in (p, "", "   ")]
    text = newline.join(lines) + (newline if refs else "")
    assert parse(text) == refs


@bounded
@given(pushed_refs)
def test_deletion_and_new_branch(p: PushedRef) -> None:
    [parsed] = parse(line(p) + "\n")
    assert parsed.deletion == (p.local_sha in ZERO_SHAS)
    assert parsed.new_branch == (p.remote_sha in ZERO_SHAS)


@bounded
@given(st.text(max_size=300))
def test_any_input_is_refs_or_a_usage_error(text: str) -> None:
    try:
        result = parse(text)
    except UsageError as exc:
        assert exc.message.startswith("pre-push input line ")
        assert "\n" not in exc.message  # one line, however long the input
        return
    for p in result:
        assert isinstance(p, PushedRef) and line(p) in text


@bounded
@given(pushed_refs, st.sampled_from(["drop-field", "short-sha", "upper-sha", "no-space", "tab"]))
def test_malformed_lines_are_usage_errors(p: PushedRef, how: str) -> None:
    if how == "drop-field":
        text = f"{p.local_ref} {p.local_sha} {p.remote_ref}"
    elif how == "short-sha":
        text = f"{p.local_ref} {p.local_sha[:39]} {p.remote_ref} {p.remote_sha[:39]}"
    elif how == "upper-sha":
        assume(any(c in "abcdef" for c in p.local_sha + p.remote_sha))
        text = f"{p.local_ref} {p.local_sha.upper()} {p.remote_ref} {p.remote_sha.upper()}"
    elif how == "no-space":
        text = f"{p.local_ref}{p.local_sha}{p.remote_ref}{p.remote_sha}"
    else:
        text = f"{p.local_ref}\t{p.local_sha}\t{p.remote_ref}\t{p.remote_sha}"
    assume(" " not in p.local_ref and " " not in p.remote_ref or how != "no-space")
    with pytest.raises(UsageError):
        parse(text + "\n")


def test_ref_names_with_unicode_line_separators() -> None:
    """The regression the round trip found, spelled out."""
    sha = "1" * 40
    for sep in ("\u2028", "\x85", "\x0c"):
        name = f"refs/heads/hotfix/v1.2.4-a{sep}b"
        assert parse(f"{name} {sha} {name} {'0' * 40}\n") == [PushedRef(name, sha, name, "0" * 40)]
