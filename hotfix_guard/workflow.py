"""The branching model: which branch is production, where a hotfix is cut from, where it
lands and where it must be merged back -- per workflow preset, and for release lines.

Presets (the ``workflow`` key; SPEC §9):

============  ======================  =====================================  ==============
workflow      production              merge-back target                      cut from
============  ======================  =====================================  ==============
git-flow      main (master)           develop (development), or the open     production
                                      release/* branch
github-flow   main (master)           none                                   production
gitlab-flow   production              main (master)                          production
============  ======================  =====================================  ==============

Release lines, in every workflow: a branch ``<support-prefix>X.Y`` (``support/1.1``) holds
an older line. A hotfix whose version is a patch of that line, while production has moved
on to another minor, is cut from the line's branch (or its latest tag), lands and is tagged
there, and is merged forward into development (production under github-flow) only when
``forward-port = true``.

Two halves. The presets are data that :mod:`hotfix_guard.config` reads on every run, so
this module imports nothing at load time. :func:`plan` answers, for one hotfix, every
question the rules, ``start``, ``finish``, ``status`` and ``audit`` ask of the model; it
takes the refs as :func:`hotfix_guard.engine.context.resolve_refs` found them (anything
with ``production``, ``development``, ``releases`` and ``found``) and never runs git.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: this module is on every hook run
if TYPE_CHECKING:
    from typing import Any, Iterable

# Annotations only (never imported: config imports this module, and this module is a
# leaf): Settings is hotfix_guard.config.Settings; Branch and Refs are what
# hotfix_guard.engine.context.resolve_refs returns.

GIT_FLOW = "git-flow"
GITHUB_FLOW = "github-flow"
GITLAB_FLOW = "gitlab-flow"
DEFAULT = GIT_FLOW

# name -> what the preset sets. "production"/"development": the branch names to look for,
# the first is the key's default, the others fallbacks used while the key is left unset;
# "development" empty: no merge-back target. "releases": open release/* branches take the
# merge-back in development's stead.
PRESETS: dict[str, dict[str, Any]] = {
    GIT_FLOW: {
        "production": ("main", "master"),
        "development": ("develop", "development"),
        "releases": True,
        "summary": "main plus develop; a hotfix is cut from main and merged back into develop "
                   "(or the open release branch)",
    },
    GITHUB_FLOW: {
        "production": ("main", "master"),
        "development": (),
        "releases": False,
        "summary": "one long-lived branch, main; a hotfix is cut from main (its latest release "
                   "tag or tip), lands by pull request, often squashed, and has no merge-back target",
    },
    GITLAB_FLOW: {
        "production": ("production",),
        "development": ("main", "master"),
        "releases": False,
        "summary": "main upstream of an environment branch, production; a hotfix is cut from "
                   "production and must reach main too",
    },
}
NAMES = tuple(PRESETS)

NO_MERGE_BACK = ("github-flow has no merge-back target: main is the only long-lived branch, "
                 "so a hotfix is done once it is in main and tagged")


def preset(settings: Settings) -> dict[str, Any]:
    return PRESETS[settings.workflow]


def default_branch(workflow: str, key: str) -> str | None:
    """The default of ``production-branch`` / ``development-branch`` under a preset
    (None: github-flow has no development branch)."""
    names = PRESETS[workflow][key]
    return names[0] if names else None


def branch_names(settings: Settings, key: str) -> list[str]:
    """The names to look for: the configured one, or the preset's default and fallbacks.
    ``key`` is ``"production"`` or ``"development"``."""
    if f"{key}-branch" in settings.explicit:
        return [getattr(settings, f"{key}_branch")]
    return list(preset(settings)[key])


def has_merge_back(settings: Settings) -> bool:
    """Whether the workflow has a development branch a hotfix must reach."""
    return bool(branch_names(settings, "development"))


def uses_release_branches(settings: Settings) -> bool:
    return bool(preset(settings)["releases"])


# -- release lines -------------------------------------------------------------------------


def support_patterns(settings: Settings) -> list[str]:
    """``for-each-ref`` patterns of the support branches, local and on the remote."""
    prefix = settings.support_prefix
    bases = ("refs/heads/", f"refs/remotes/{settings.remote}/")
    if prefix.endswith("/"):
        return [base + prefix.rstrip("/") for base in bases]
    return [f"{base}{prefix}*" for base in bases]


def parse_line(name: str, settings: Settings) -> tuple[int, int] | None:
    """The (major, minor) a support branch holds: ``support/1.1``, ``support/v1.1``,
    ``support/1.1.x``; None for any other name."""
    prefix = settings.support_prefix
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix):]
    for lead in (settings.tag_prefix, "v"):
        if lead and rest.startswith(lead):
            rest = rest[len(lead):]
            break
    if rest.endswith((".x", ".X")):
        rest = rest[:-2]
    parts = rest.split(".")
    if len(parts) != 2 or not all(p.isdigit() and (p == "0" or not p.startswith("0")) for p in parts):
        return None
    return int(parts[0]), int(parts[1])


class Line:
    """A release line: its support branch as found (``support/1.1``, local or on the
    remote) and the (major, minor) it holds. It reads like a found branch (``name``,
    ``ref``, ``sha``, ``remote``), so a plan can land on it."""

    __slots__ = ("key", "name", "ref", "sha")

    def __init__(self, key: tuple[int, int], name: str, ref: str, sha: str) -> None:
        self.key = key
        self.name = name
        self.ref = ref
        self.sha = sha

    @property
    def label(self) -> str:
        """``1.1``"""
        return f"{self.key[0]}.{self.key[1]}"

    @property
    def remote(self) -> bool:
        return self.ref.startswith("refs/remotes/")

    def holds(self, version: Any) -> bool:
        return version is not None and (version.major, version.minor) == self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Line) and (self.key, self.ref, self.sha) == (other.key, other.ref, other.sha)

    def __hash__(self) -> int:
        return hash((self.key, self.ref, self.sha))

    def __repr__(self) -> str:
        return f"Line({self.label}, {self.name})"


def lines(settings: Settings, refs: Refs) -> dict[tuple[int, int], Line]:
    """Every release line found: (major, minor) -> Line. A local branch wins over the
    remote-tracking one of the same name; of two names for one line, the first in name
    order."""
    remote_base = f"refs/remotes/{settings.remote}/"
    found: dict[tuple[int, int], Line] = {}
    for ref in sorted(refs.found, key=lambda r: (not r.startswith("refs/heads/"), r)):
        if ref.startswith("refs/heads/"):
            name = ref[len("refs/heads/"):]
        elif ref.startswith(remote_base):
            name = ref[len(remote_base):]
        else:
            continue
        key = parse_line(name, settings)
        if key is not None and key not in found:
            found[key] = Line(key, name, ref, refs.found[ref])
    return found


def line_for(settings: Settings, refs: Refs, version: Any, current: Any = None) -> Line | None:
    """The release line a hotfix of ``version`` patches, or None when it patches
    production's own line. ``current``: production's latest release (a Version), when
    known: a version of production's own minor is production's, even with a support
    branch of that minor."""
    if version is None:
        return None
    line = lines(settings, refs).get((version.major, version.minor))
    if line is None:
        return None
    if current is not None and (current.major, current.minor) == line.key:
        return None
    return line


# -- the plan for one hotfix ---------------------------------------------------------------


class Plan:
    """What the workflow says of one hotfix.

    - ``lands_on``: the branch it is merged into first and tagged on: production, or
      the line's branch (None when that branch was not found);
    - ``merge_back``: the branches it must reach after that, in order (empty under
      github-flow, and for a line without ``forward-port``);
    - ``cut_from``: the branch it is cut from (the same as ``lands_on``);
    - ``line``: the release line, or None;
    - ``missing``: names of branches the workflow asks for that were not found;
    - ``note``: why there is no merge-back target, when there is none.
    """

    __slots__ = ("workflow", "lands_on", "merge_back", "cut_from", "line", "missing", "note")

    def __init__(self, workflow: str, lands_on: Branch | Line | None, merge_back: tuple[Branch, ...],
                 line: Line | None, missing: tuple[str, ...], note: str | None) -> None:
        self.workflow = workflow
        self.lands_on = lands_on
        self.cut_from = lands_on
        self.merge_back = merge_back
        self.line = line
        self.missing = missing
        self.note = note

    @property
    def targets(self) -> tuple[Branch | Line, ...]:
        """Every branch the hotfix must reach: where it lands, then the merge-backs."""
        return ((self.lands_on,) if self.lands_on else ()) + self.merge_back

    def __repr__(self) -> str:
        names = [b.name for b in self.merge_back]
        return (f"Plan({self.workflow}, lands_on={self.lands_on.name if self.lands_on else None}, "
                f"merge_back={names}, line={self.line}, missing={list(self.missing)})")


def plan(settings: Settings, refs: Refs, version: Any = None, *, current: Any = None,
         releases: Iterable[Branch] | None = None, line: Line | None = None) -> Plan:
    """The plan for a hotfix of ``version`` (a Version, or None when the name gives none).

    ``current``: production's latest release, to tell production's own line from a
    support line (see :func:`line_for`). ``releases``: the open release branches (default:
    every one found; the history decides which are still open). ``line``: the line when
    the caller knows it already (``start --line``).
    """
    workflow = settings.workflow
    if line is None:
        line = line_for(settings, refs, version, current)
    development = branch_names(settings, "development")
    missing: list[str] = []
    note = None
    if line is not None:
        lands_on: Branch | Line | None = line
        merge_back: list[Branch] = []
        if settings.forward_port:
            forward = refs.development if development else refs.production
            if forward is not None:
                merge_back.append(forward)
            else:
                missing.append(" or ".join(development or branch_names(settings, "production")))
        else:
            note = (f"{line.name} is a release line and forward-port is off: the fix goes "
                    "no further than the line")
        return Plan(workflow, lands_on, tuple(merge_back), line, tuple(missing), note)
    lands_on = refs.production
    if lands_on is None:
        missing.append(" or ".join(branch_names(settings, "production")))
    if not development:
        return Plan(workflow, lands_on, (), None, tuple(missing), NO_MERGE_BACK)
    open_releases = tuple(refs.releases if releases is None else releases)
    if uses_release_branches(settings) and open_releases:
        return Plan(workflow, lands_on, open_releases[:1], None, tuple(missing), None)
    if refs.development is None:
        missing.append(" or ".join(development))
        return Plan(workflow, lands_on, (), None, tuple(missing), None)
    return Plan(workflow, lands_on, (refs.development,), None, tuple(missing), None)
