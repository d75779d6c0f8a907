"""Release versions, hotfix branch names and slugs: pure functions, no git."""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable

DESCRIPTION_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBER = r"(?:0|[1-9]\d*)"
VERSION_PATTERN = rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:\.{_NUMBER})?"  # X.Y.Z or X.Y.Z.W, for callers' regexes
VERSION_RE = re.compile(VERSION_PATTERN)


class Version(tuple):
    """A release version, ``X.Y.Z`` or ``X.Y.Z.W``: the last part is the patch.

    Versions compare part by part, so ``1.2.3 < 1.2.3.1 < 1.2.4``.
    """

    __slots__ = ()

    def __new__(cls, *parts: int) -> Version:
        if len(parts) not in (3, 4):
            raise ValueError(f"a version has 3 or 4 parts, not {len(parts)}")
        return super().__new__(cls, parts)

    def __getnewargs__(self) -> tuple[int, ...]:  # copy and pickle call __new__ with these
        return tuple(self)

    def __repr__(self) -> str:
        return f"Version({', '.join(map(str, self))})"

    def __str__(self) -> str:
        return ".".join(map(str, self))

    @property
    def major(self) -> int:
        return self[0]

    @property
    def minor(self) -> int:
        return self[1]

    @property
    def patch(self) -> int:
        """The last part: what a hotfix increments."""
        return self[-1]

    @property
    def line(self) -> tuple[int, ...]:
        """Every part but the patch: the release line a patch belongs to (``(1, 2)`` for 1.2.3)."""
        return tuple(self[:-1])

    def next_patch(self) -> Version:
        return Version(*self[:-1], self[-1] + 1)

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """``1.2.3`` or ``1.2.3.4`` exactly (no pre-release, no build metadata), else None."""
        if not VERSION_RE.fullmatch(text):
            return None
        return cls(*(int(part) for part in text.split(".")))


def parse_tag(tag: str, tag_prefix: str = "v") -> Version | None:
    """The release a tag names: ``v1.2.3`` and ``v1.2.3.4`` are; ``v1.2.4-rc1``, ``v1.2`` are not.

    ``tag-prefix`` applies to tags: with prefix ``v``, the tag ``1.2.3`` names no release.
    """
    if not tag.startswith(tag_prefix):
        return None
    return Version.parse(tag[len(tag_prefix):])


def version_in_branch(text: str, tag_prefix: str = "v") -> str:
    """``text`` without a leading ``tag_prefix``: a branch name may carry it or not."""
    return text[len(tag_prefix):] if tag_prefix and text.startswith(tag_prefix) else text


def latest_release(tags: Iterable[str], tag_prefix: str = "v") -> tuple[Version, str] | None:
    """The highest release among tag names, with its tag; pre-releases never count."""
    best: tuple[Version, str] | None = None
    for tag in tags:
        version = parse_tag(tag, tag_prefix)
        if version is not None and (best is None or version > best[0]):
            best = (version, tag)
    return best


class HotfixName(namedtuple("HotfixName", "branch version version_text description problems")):
    """What a hotfix branch name says. ``version`` is None when it names none."""
    # version_text: as written, e.g. "1.2" when malformed

    __slots__ = ()

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_hotfix_branch(
    branch: str, hotfix_prefix: str = "hotfix/", tag_prefix: str = "v", max_length: int = 60,
    written_prefix: str | None = None,
) -> HotfixName:
    """Parse ``hotfix/vX.Y.Z-<short-description>`` and list what is wrong with it.

    The version may be ``X.Y.Z`` or ``X.Y.Z.W``, with or without ``tag_prefix``
    (``hotfix/1.2.4-fix`` names 1.2.4 under prefix ``v``). ``written_prefix``: the near
    miss of the prefix the branch starts with instead (``Hotfix/``), itself a problem.
    """
    problems: list[str] = []
    if branch.startswith(hotfix_prefix):
        rest = branch[len(hotfix_prefix):]
    elif written_prefix and branch.startswith(written_prefix):  # a near miss: Hotfix/, hotfix-...
        rest = branch[len(written_prefix):]
        problems.append(f"`{written_prefix}` is not the hotfix prefix `{hotfix_prefix}`")
    else:
        rest = branch
    version: Version | None = None
    version_text = ""
    description = ""
    match = re.fullmatch(r"(?P<ver>[0-9][0-9A-Za-z.]*?)(?:-(?P<desc>.*))?",
                         version_in_branch(rest, tag_prefix), re.DOTALL)
    if not match:
        problems.append(f"no version: the name must start with `{hotfix_prefix}{tag_prefix}X.Y.Z-`")
        description = rest
    else:
        version_text = match.group("ver")
        version = Version.parse(version_text)
        if version is None:
            problems.append(f"`{tag_prefix}{version_text}` is not a X.Y.Z version (nor X.Y.Z.W)")
        description = match.group("desc") or ""
        if not description:
            problems.append("no description after the version")
    if description and not DESCRIPTION_RE.fullmatch(description):
        problems.append(f"description `{description}` is not lowercase kebab-case (a-z, 0-9, single hyphens)")
    if len(branch) > max_length:
        problems.append(f"{len(branch)} characters, over the limit of {max_length}")
    return HotfixName(branch, version, version_text, description, tuple(problems))


def hotfix_branch_name(version: Version, description: str, hotfix_prefix: str = "hotfix/",
                       tag_prefix: str = "v", max_length: int = 60) -> str:
    """The branch name for a version and a free-text description, within ``max_length``."""
    head = f"{hotfix_prefix}{tag_prefix}{version}-"
    return head + slugify(description, max(8, max_length - len(head)))


def slugify(text: str, max_length: int = 40) -> str:
    """Lowercase kebab-case ASCII, cut at a word boundary within ``max_length``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            if not slug:
                slug = word[:max_length]
            break
        slug = candidate
    return slug or "fix"
