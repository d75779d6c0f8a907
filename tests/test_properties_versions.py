"""Property tests for the policy arithmetic: versions, branch names, slugs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotfix_guard.history.versions import (
    DESCRIPTION_RE,
    Version,
    hotfix_branch_name,
    latest_release,
    parse_hotfix_branch,
    parse_tag,
    slugify,
)

numbers = st.integers(min_value=0, max_value=10**6)
versions = st.builds(Version, numbers, numbers, numbers)
descriptions = st.from_regex(DESCRIPTION_RE, fullmatch=True).filter(lambda d: len(d) <= 30)
prefixes = st.sampled_from(["v", "", "release-", "V"])
bounded = settings(max_examples=200, deadline=None)


@bounded
@given(versions, prefixes)
def test_tag_round_trip(version: Version, prefix: str) -> None:
    assert parse_tag(f"{prefix}{version}", prefix) == version


@bounded
@given(versions, st.sampled_from(["-rc1", "-beta.2", "+build5", ".1.1", ".01", "-"]))
def test_prereleases_and_junk_are_not_releases(version: Version, suffix: str) -> None:
    assert parse_tag(f"v{version}{suffix}", "v") is None


@bounded
@given(versions)
def test_next_patch(version: Version) -> None:
    nxt = version.next_patch()
    assert nxt > version
    assert (nxt.major, nxt.minor, nxt.patch - 1) == version
    assert nxt.line == version.line


@bounded
@given(versions, numbers)
def test_four_part_versions_patch_the_last_part(version: Version, w: int) -> None:
    four = Version(*version, w)
    assert parse_tag(f"v{four}", "v") == four and str(four).count(".") == 3
    assert four.next_patch() == Version(*version, w + 1) and four.line == tuple(version)
    assert version < four < version.next_patch()


@bounded
@given(versions, descriptions, prefixes)
def test_branch_may_carry_the_version_with_or_without_the_tag_prefix(
        version: Version, description: str, prefix: str) -> None:
    for written in (f"{prefix}{version}", str(version)):
        parsed = parse_hotfix_branch(f"hotfix/{written}-{description}", tag_prefix=prefix, max_length=200)
        assert parsed.valid and parsed.version == version, parsed.problems


def test_a_bare_version_branch_names_its_version() -> None:
    parsed = parse_hotfix_branch("hotfix/0.1.0", tag_prefix="v")
    assert parsed.version == Version(0, 1, 0)
    assert parsed.problems == ("no description after the version",)


def test_tags_without_the_prefix_name_no_release() -> None:
    assert parse_tag("1.2.3", "v") is None and parse_tag("release-1.2.3", "v") is None


@bounded
@given(st.lists(versions, min_size=1, max_size=20), st.lists(st.text(max_size=8), max_size=5))
def test_latest_release_is_the_maximum(vs: list[Version], noise: list[str]) -> None:
    tags = [f"v{v}" for v in vs] + [f"v{v}-rc1" for v in vs] + noise
    best = latest_release(tags, "v")
    assert best is not None and best[0] == max(vs)


@bounded
@given(versions, descriptions)
def test_branch_name_round_trip(version: Version, description: str) -> None:
    name = f"hotfix/v{version}-{description}"
    parsed = parse_hotfix_branch(name, max_length=200)
    assert parsed.valid, parsed.problems
    assert parsed.version == version and parsed.description == description


@bounded
@given(st.text(max_size=80))
def test_branch_parser_never_crashes(name: str) -> None:
    parsed = parse_hotfix_branch("hotfix/" + name)
    assert parsed.valid == (not parsed.problems)


@bounded
@given(st.text(max_size=120), st.integers(min_value=1, max_value=60))
def test_slug_is_always_valid(text: str, limit: int) -> None:
    slug = slugify(text, limit)
    assert DESCRIPTION_RE.fullmatch(slug)
    assert len(slug) <= max(limit, 3)


@bounded
@given(versions, st.text(max_size=120))
def test_suggested_names_pass_the_name_rule(version: Version, text: str) -> None:
    name = hotfix_branch_name(version, text, max_length=60)
    parsed = parse_hotfix_branch(name, max_length=60)
    if len(f"hotfix/v{version}-") + 8 <= 60:
        assert parsed.valid, (name, parsed.problems)
    assert parsed.version == version
