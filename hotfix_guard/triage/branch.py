"""Where a hotfix starts: the production branch, its latest release, the next patch.

Shared by ``triage`` (which suggests the branch name) and ``start`` (which creates it).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import TYPE_CHECKING, NamedTuple

from hotfix_guard.history.versions import Version, hotfix_branch_name, parse_tag

if TYPE_CHECKING:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Branch
    from hotfix_guard.git import Git

DEFAULT_MAX_BRANCH_LENGTH = 60


class Release(NamedTuple):
    """Production as found, and the latest release tag reachable from it."""

    production: Branch
    version: Version | None  # the latest release on production
    tag: str | None
    tag_sha: str | None

    @property
    def next(self) -> Version | None:
        return self.version.next_patch() if self.version else None


def latest_release_on(git: Git, settings: Settings, production: Branch) -> Release:
    """The highest release tag reachable from production (pre-releases never count)."""
    best: tuple[Version, str, str] | None = None
    for name, sha, _annotated in git.tags(f"{settings.tag_prefix}*", merged=production.sha):
        version = parse_tag(name, settings.tag_prefix)
        if version is not None and (best is None or version > best[0]):
            best = (version, name, sha)
    if best is None:
        return Release(production, None, None, None)
    return Release(production, best[0], best[1], best[2])


def max_branch_length(settings: Settings) -> int:
    """HG002's ``max-branch-length`` as configured, so `start` never names a branch
    that the linter then rejects."""
    value = settings.rules.get("branch-name", {}).get("max-branch-length", DEFAULT_MAX_BRANCH_LENGTH)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_MAX_BRANCH_LENGTH


def has_words(text: str) -> bool:
    """Whether a description leaves anything for a slug (letters or digits)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.search(r"[A-Za-z0-9]", ascii_text) is not None


def branch_name(version: Version, description: str, settings: Settings) -> str:
    return hotfix_branch_name(version, description, settings.hotfix_prefix, settings.tag_prefix,
                              max_branch_length(settings))


class Suggestion(NamedTuple):
    """What triage can say about the branch, in a repository with release tags."""

    production: str  # the production branch's name
    development: str  # the development branch's name (configured)
    version: Version  # the next patch
    after: str  # the latest release tag
    branch: str | None  # the full name, when there is a title to slug
    pattern: str  # hotfix/v1.2.4-<short-description>


def suggest(title: str | None, config: str | None = None) -> Suggestion | None:
    """The hotfix branch to create, or None outside a repository, without a production
    branch or without a release tag on it. Never writes; a broken config found on its
    own (not named by ``--config``) only costs the suggestion, with a warning."""
    from hotfix_guard.config import find_config, load
    from hotfix_guard.engine.context import resolve_refs
    from hotfix_guard.errors import ConfigError, GitError
    from hotfix_guard.git import Git

    try:
        git = Git()
        info = git.info()
    except GitError:
        return None
    try:
        settings = load(config, explicit=True) if config else load(find_config(info.toplevel))
    except ConfigError as exc:
        if config:
            raise
        print(f"hotfix-guard: warning: {exc.message}; no branch suggestion", file=sys.stderr)
        return None
    try:
        refs = resolve_refs(git, settings)
        if refs.production is None:
            return None
        release = latest_release_on(git, settings, refs.production)
    except GitError:
        return None
    if release.next is None or release.tag is None:
        return None
    head = f"{settings.hotfix_prefix}{settings.tag_prefix}{release.next}-"
    name = branch_name(release.next, title, settings) if title and has_words(title) else None
    development = refs.development.name if refs.development else settings.development_branch
    return Suggestion(refs.production.name, development, release.next, release.tag, name,
                      head + "<short-description>")
