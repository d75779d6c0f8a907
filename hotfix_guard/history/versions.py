"""Release versions, hotfix branch names and slugs: pure functions, no git."""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable

DESCRIPTION_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CORE = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
CORE_RE = re.compile(_CORE)


class Version(namedtuple("Version", "major minor patch")):

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def next_patch(self) -> Version:
        return Version(self.major, self.minor, self.patch + 1)

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """``1.2.3`` exactly (no pre-release, no build metadata), else None."""
        match = CORE_RE.fullmatch(text)
        return cls(*(int(g) for g in match.groups())) if match else None


def parse_tag(tag: str, tag_prefix: str = "v") -> Version | None:
    """The release a tag names: ``v1.2.3`` is one; ``v1.2.4-rc1`` and ``v1.2`` are not."""
    if not tag.startswith(tag_prefix):
        return None
    return Version.parse(tag[len(tag_prefix):])


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
    branch: str, hotfix_prefix: str = "hotfix/", tag_prefix: str = "v", max_length: int = 60
) -> HotfixName:
    """Parse ``hotfix/vX.Y.Z-<short-description>`` and list what is wrong with it."""
    rest = branch[len(hotfix_prefix):] if branch.startswith(hotfix_prefix) else branch
    problems: list[str] = []
    version: Version | None = None
    version_text = ""
    description = ""
    match = re.fullmatch(
        re.escape(tag_prefix) + r"(?P<ver>[0-9][0-9A-Za-z.]*?)(?:-(?P<desc>.*))?", rest, re.DOTALL
    )
    if not match:
        problems.append(f"no version: the name must start with `{hotfix_prefix}{tag_prefix}X.Y.Z-`")
        description = rest
    else:
        version_text = match.group("ver")
        version = Version.parse(version_text)
        if version is None:
            problems.append(f"`{tag_prefix}{version_text}` is not a X.Y.Z version")
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
