"""``hotfix-guard init``: read the repository, infer the workflow and the keys that differ
from its defaults, show the table and why, and write it.

What it reads (five git processes, whatever the size of the history): the remotes; the
branches, local and on the remote, and the tags (one ``for-each-ref``); the subjects of
merges and of production's first-parent commits, the newest :data:`SUBJECTS` of each. What
it infers, each with the evidence it counted:

- ``workflow``: ``gitlab-flow`` when a ``production`` branch stands beside main (or
  master); ``git-flow`` when a development branch (develop, development) exists;
  ``github-flow`` otherwise;
- ``production-branch`` / ``development-branch``: when the branch found is not the
  preset's first name (``master`` for ``main``);
- ``tag-prefix``: the prefix most release tags (``<prefix>X.Y.Z``) carry;
- ``hotfix-prefix`` / ``release-prefix`` / ``support-prefix``: the spelling most branch
  names and merge subjects use (``hotfix-``, ``releases/``, ``maint/``);
- ``remote``: when there is no ``origin`` and one other remote.

It writes to ``pyproject.toml`` when the project has one, else ``.hotfix-guard.toml``, and
never replaces an existing table unless ``--force`` (then only the table's own keys:
``[rules.*]`` tables stay).
"""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Callable, NamedTuple

from hotfix_guard.errors import UsageError
from hotfix_guard.workflow import GIT_FLOW, GITHUB_FLOW, GITLAB_FLOW, NAMES, PRESETS

if TYPE_CHECKING:
    from hotfix_guard.git import Git

SUBJECTS = 20_000  # the most merge (and first-parent) subjects read
STALE = 90 * 86_400  # a main this much older than production is not where work goes
_VERSION = r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))?"
RELEASE_TAG_RE = re.compile(r"(?P<prefix>.{0,40}?)" + _VERSION)
HOTFIX_WORD_RE = re.compile(r"(?<![A-Za-z0-9])(hot-?fix(?:es)?)([/_-])(?=[A-Za-z0-9])", re.IGNORECASE)
RELEASE_WORD_RE = re.compile(r"(?<![A-Za-z0-9])(releases?)([/_-])(?=v?\d)", re.IGNORECASE)
# A branch that holds a release line: support/1.1, maint-2.0, stable/3.4.x, a bare 1.7
LINE_RE = re.compile(r"(?P<prefix>(?:(?:support|maint|maintenance|stable|lts|releases?|versions?)[/-])?)"
                     r"v?(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:\.x)?", re.IGNORECASE)
DEVELOPMENT_NAMES = ("develop", "development", "dev", "devel")  # any case
MERGED_BRANCH_RES = (
    re.compile(r"^Merge (?:remote-tracking )?branch '(?P<b>[^']+)'"),
    re.compile(r"^Merge pull request #\d+ from [^/\s]+/(?P<b>\S+)"),
    re.compile(r"^Merged in (?P<b>\S+)"),
    re.compile(r"^Merge branch (?P<b>\S+)"),
)
PULL_FROM_RE = re.compile(r"^Merge pull request #\d+ from ([^/\s]+)/")
SQUASH_RE = re.compile(r"\(#\d+\)\s*$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="print the table and why; write nothing")
    p.add_argument("--workflow", choices=NAMES, help="use this preset instead of inferring one")
    p.add_argument("--force", action="store_true", help="replace an existing [tool.hotfix-guard] table")


def run(args: argparse.Namespace) -> int:
    init(dry_run=args.dry_run, workflow=args.workflow, force=args.force)
    return 0


# -- what the repository shows -------------------------------------------------------------


class Observed(NamedTuple):
    remotes: list[str]
    branches: dict[str, set[str]]  # name -> {"local", "<remote>"}
    tags: list[str]
    merges: list[str]  # merge subjects, newest first
    mainline: list[str]  # production's first-parent subjects (not merges), newest first
    production_merges: list[str] = []  # merges on production's first-parent line, newest first
    stale_main: bool = False  # main (master) had no commit for STALE days before production's newest


def observe(git: Git) -> Observed:
    remotes = [r for r in git.run("remote").split("\n") if r]
    out = git.run("for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes", "refs/tags")
    branches: dict[str, set[str]] = {}
    tags: list[str] = []
    for ref in out.split("\n"):
        if ref.startswith("refs/heads/"):
            branches.setdefault(ref[len("refs/heads/"):], set()).add("local")
        elif ref.startswith("refs/tags/"):
            tags.append(ref[len("refs/tags/"):])
        elif ref.startswith("refs/remotes/"):
            remote, _, name = ref[len("refs/remotes/"):].partition("/")
            if name and name != "HEAD":
                branches.setdefault(name, set()).add(remote)
    merges = _subjects(git, "--merges", "--branches", "--remotes")
    return Observed(remotes, branches, tags, merges, [])


def _subjects(git: Git, *args: str) -> list[str]:
    out = git.try_run("log", "--format=%s", f"-n{SUBJECTS}", *args)
    return [s for s in (out or "").split("\n") if s]


# -- inference -----------------------------------------------------------------------------


class Key(NamedTuple):
    key: str
    value: object
    why: str


class Inferred(NamedTuple):
    workflow: str
    keys: list[Key]  # workflow first, then what differs from the preset's defaults
    notes: list[str]  # what was seen but sets no key


def _count_word(texts: list[str], pattern: re.Pattern[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        match = pattern.search(text)
        if match:
            counts[match.group(1) + match.group(2)] += 1
    return counts


def _merged_branch(subject: str) -> str | None:
    for pattern in MERGED_BRANCH_RES:
        match = pattern.match(subject)
        if match:
            return match.group("b").rstrip(".,;:)")
    return None


def _plural(n: int, word: str) -> str:
    plural = word + ("es" if word.endswith(("ch", "sh", "s", "x")) else "s")
    return f"{n} {word if n == 1 else plural}"


def _pick(found: set[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in found), None)


def _pick_any_case(found: set[str], names: tuple[str, ...]) -> str | None:
    lowered = {n.lower(): n for n in sorted(found, reverse=True)}
    return next((lowered[n] for n in names if n in lowered), None)


def infer(seen: Observed, workflow: str | None = None) -> Inferred:
    names = set(seen.branches)
    keys: list[Key] = []
    notes: list[str] = []
    merged = [b for b in (_merged_branch(s) for s in seen.merges) if b]

    production_name = _pick(names, ("main", "master"))
    development_name = _pick_any_case(names, DEVELOPMENT_NAMES)
    has_production_branch = "production" in names
    if workflow is None:
        workflow, why = _infer_workflow(seen, names, merged, production_name, development_name,
                                        has_production_branch)
    else:
        why = "as --workflow says"
    keys.append(Key("workflow", workflow, why))
    preset = PRESETS[workflow]

    # production and development, as the preset would look for them
    production_names = preset["production"]
    if workflow == GITLAB_FLOW:
        found = "production" if has_production_branch else None
    else:
        found = production_name
    if found is None:
        notes.append(f"no production branch ({' or '.join(production_names)}) was found; "
                     "set production-branch by hand")
    elif found != production_names[0]:
        keys.append(Key("production-branch", found,
                        f"there is no {production_names[0]} branch, and {found} is the branch releases come from"))
    development_names = preset["development"]
    if development_names:
        dev = production_name if workflow == GITLAB_FLOW else development_name
        if workflow == GITLAB_FLOW:
            upstream = _upstream(seen, names, production_name)
            if upstream is not None:
                keys.append(upstream)
                dev = None
                development_names = ()
        if dev is None and not development_names:
            pass  # set from production's upstream
        elif dev is None:
            notes.append(f"no development branch ({' or '.join(development_names)}) was found; "
                         "HG008 will say so until one exists")
        elif dev != development_names[0]:
            keys.append(Key("development-branch", dev,
                            f"there is no {development_names[0]} branch, and {dev} is where the work is integrated"))

    keys += _tag_prefix(seen.tags)
    texts = list(seen.branches) + merged
    keys += _prefix_key(texts, HOTFIX_WORD_RE, "hotfix-prefix", "hotfix/", "hotfix branch names")
    if preset["releases"]:
        keys += _prefix_key(texts, RELEASE_WORD_RE, "release-prefix", "release/", "release branch names")
    keys += _support_prefix(seen, workflow)
    keys += _remote(seen.remotes)
    return Inferred(workflow, keys, notes)


def _infer_workflow(seen: Observed, names: set[str], merged: list[str], production: str | None,
                    development: str | None, has_production_branch: bool) -> tuple[str, str]:
    if has_production_branch:
        into = len(seen.production_merges)
        evidence = f", and {_plural(into, 'merge')} went into it" if into else ""
        beside = f" beside {production}" if production else ""
        return GITLAB_FLOW, f"a production branch stands{beside}{evidence}"
    hotfix_merges = [b for b in merged if HOTFIX_WORD_RE.match(b)]
    if development:
        evidence = f"; {_plural(len(hotfix_merges), 'merge')} of hotfix branches found" if hotfix_merges else ""
        return GIT_FLOW, f"{development} exists beside {production or 'the production branch'}{evidence}"
    pulls = sum(1 for s in seen.merges if s.startswith("Merge pull request #"))
    squashes = sum(1 for s in seen.mainline if SQUASH_RE.search(s))
    evidence = []
    if pulls:
        evidence.append(_plural(pulls, "pull-request merge"))
    if squashes:
        evidence.append(_plural(squashes, "squash-merged pull request"))
    tail = f"; {' and '.join(evidence)} landed on it" if evidence else ""
    return GITHUB_FLOW, f"there is no develop or development branch: {production or 'main'} is the only long-lived branch{tail}"


def _upstream(seen: Observed, names: set[str], main: str | None) -> Key | None:
    """gitlab-flow: the branch production is fed from when main (or master) is absent or
    stale (a main left behind beside staging -> production): the branch most merges on
    production's first-parent line bring (pull requests from forks not counted)."""
    sources: Counter[str] = Counter()
    owners = Counter(m.group(1) for m in map(PULL_FROM_RE.match, seen.production_merges) if m)
    ours = owners.most_common(1)[0][0] if owners else None
    for subject in seen.production_merges:
        pull = PULL_FROM_RE.match(subject)
        if pull and pull.group(1) != ours:
            continue  # a fork's branch of the same name is not ours
        branch = _merged_branch(subject)
        if branch is None:
            continue
        branch = branch.split(" into ")[0].removeprefix("origin/")
        if branch in names and branch != "production" and not HOTFIX_WORD_RE.match(branch):
            sources[branch] += 1
    if not sources or (main is not None and not seen.stale_main):
        return None
    best, count = sources.most_common(1)[0]
    total = sum(sources.values())
    return Key("development-branch", best,
               f"{count} of {total} merges into production came from {best}"
               + (f", and {main} has had no commit for months" if main else ""))


def _tag_prefix(tags: list[str]) -> list[Key]:
    prefixes: Counter[str] = Counter()
    for tag in tags:
        match = RELEASE_TAG_RE.fullmatch(tag)
        if match:
            prefixes[match.group("prefix")] += 1
    if not prefixes:
        return []
    total = sum(prefixes.values())
    best, count = max(prefixes.items(), key=lambda kv: (kv[1], kv[0] == "v"))
    if best == "v":
        return []
    what = "have no prefix" if best == "" else f"start with {best!r}"
    return [Key("tag-prefix", best, f"{count} of {total} release tags {what}")]


def _prefix_key(texts: list[str], pattern: re.Pattern[str], key: str, default: str, what: str) -> list[Key]:
    counts = _count_word(texts, pattern)
    if not counts:
        return []
    total = sum(counts.values())
    best, count = max(counts.items(), key=lambda kv: (kv[1], kv[0] == default))
    if best == default:
        return []
    return [Key(key, best, f"{count} of {total} {what} (branches and merge subjects) start with {best!r}")]


def _support_prefix(seen: Observed, workflow: str) -> list[Key]:
    counts: Counter[str] = Counter()
    for name in seen.branches:
        match = LINE_RE.fullmatch(name)
        if not match:
            continue
        prefix = match.group("prefix")
        if PRESETS[workflow]["releases"] and RELEASE_WORD_RE.match(name):
            continue  # git-flow's release branches are not lines
        counts[prefix] += 1
    if not counts:
        return []
    best, count = max(counts.items(), key=lambda kv: (kv[1], kv[0] == "support/"))
    if best == "support/":
        return []
    what = f"named {best}X.Y" if best else "named X.Y, with no prefix,"
    return [Key("support-prefix", best,
                f"{_plural(count, 'branch')} {what} {'holds an older release line' if count == 1 else 'hold older release lines'}")]


def _remote(remotes: list[str]) -> list[Key]:
    if "origin" in remotes or len(remotes) != 1:
        return []
    return [Key("remote", remotes[0], f"there is no remote origin, and {remotes[0]} is the only remote")]


# -- the table -------------------------------------------------------------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def table_lines(inferred: Inferred, header: str | None) -> list[str]:
    lines = [header] if header else []
    lines += [f"{k.key} = {_toml(k.value)}" for k in inferred.keys]
    return lines


def reason_lines(inferred: Inferred) -> list[str]:
    return [f"{k.key} = {_toml(k.value)} because {k.why}" for k in inferred.keys]


# -- where it goes ---------------------------------------------------------------------------


class Target(NamedTuple):
    path: str
    header: str | None  # "[tool.hotfix-guard]" in pyproject.toml; None: the file's top level
    exists: bool  # a table (or file) of ours is there already


def choose_target(toplevel: str) -> Target:
    from hotfix_guard.config import CONFIG_FILE

    own = os.path.join(toplevel, CONFIG_FILE)
    if os.path.isfile(own):
        return Target(own, None, True)
    pyproject = os.path.join(toplevel, "pyproject.toml")
    if os.path.isfile(pyproject):
        return Target(pyproject, "[tool.hotfix-guard]", _has_table(pyproject))
    return Target(own, None, False)


def _has_table(path: str) -> bool:
    from hotfix_guard.config import _parse_toml, _read

    data = _parse_toml(_read(path), path)
    tool = data.get("tool")
    return isinstance(tool, dict) and "hotfix-guard" in tool


HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$")


def rewrite(text: str, header: str | None, body: list[str]) -> str:
    """``text`` with the table ``header`` (None: the top-level keys) replaced by ``body``,
    or ``body`` appended when the table is not there. Sub-tables stay."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    wanted = None if header is None else header.strip("[]").strip()
    start = 0 if wanted is None else None
    for i, line in enumerate(lines):
        match = HEADER_RE.match(line)
        if match and wanted is not None and _same_table(match.group(1), wanted):
            start = i + 1
            break
    if start is None:
        block = ([""] if lines and lines[-1].strip() else []) + [header or ""] + body
        return "\n".join(lines + block) + "\n"
    end = next((j for j in range(start, len(lines)) if HEADER_RE.match(lines[j])), len(lines))
    kept = [ln for ln in lines[start:end] if not ln.strip() or ln.lstrip().startswith("#")]
    trailing = [""] if end < len(lines) else []
    new = lines[:start] + body + ([ln for ln in kept if ln.strip()]) + trailing + lines[end:]
    return "\n".join(new) + "\n"


def _same_table(found: str, wanted: str) -> bool:
    return found.replace('"', "").replace(" ", "") == wanted.replace('"', "").replace(" ", "")


# -- the command -----------------------------------------------------------------------------


def init(*, dry_run: bool = False, workflow: str | None = None, force: bool = False,
         out: Callable[[str], None] = print) -> Inferred:
    from hotfix_guard.git import Git

    git = Git()
    info = git.info()
    if info.bare or not info.toplevel:
        raise UsageError("init needs a working tree (this repository is bare)", hint="run it in a checkout")
    seen = observe(git)
    production = _pick(set(seen.branches), ("main", "master"))
    if production:
        seen = seen._replace(mainline=_subjects(git, "--first-parent", "--no-merges", _ref(seen, production)))
    if "production" in seen.branches:
        seen = seen._replace(production_merges=_subjects(git, "--first-parent", "--merges",
                                                         _ref(seen, "production")))
        if production:
            dates = git.run("log", "--no-walk=unsorted", "--format=%ct", _ref(seen, production),
                            _ref(seen, "production")).split()
            seen = seen._replace(stale_main=len(dates) == 2 and int(dates[1]) - int(dates[0]) > STALE)
    inferred = infer(seen, workflow)
    target = choose_target(info.toplevel)
    where = os.path.relpath(target.path, info.toplevel)
    body = table_lines(inferred, None)
    out(f"hotfix-guard init: this repository looks like {inferred.workflow} "
        f"({PRESETS[inferred.workflow]['summary']})")
    out("")
    for line in table_lines(inferred, target.header):
        out(f"  {line}")
    out("")
    out("why:")
    for line in reason_lines(inferred):
        out(f"  {line}")
    for note in inferred.notes:
        out(f"  note: {note}")
    if target.exists and not force:
        table = target.header or where
        raise UsageError(f"{where} already has {'a ' + table + ' table' if target.header else 'the config'}; "
                         "init never overwrites it",
                         hint="compare it with the table above, or rerun with --force to replace its keys")
    if dry_run:
        out(f"(dry run: {where} not written)")
        return inferred
    try:
        with open(target.path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        text = ""
    new = rewrite(text, target.header, body)
    _check_written(new, target, where)
    with open(target.path, "w", encoding="utf-8") as fh:
        fh.write(new)
    verb = "replaced the keys of" if target.exists else "wrote"
    out(f"{verb} {target.header + ' in ' if target.header else ''}{where}")
    return inferred


def _check_written(text: str, target: Target, where: str) -> None:
    """The new file must read back as exactly one table of ours (a table spelled as dotted
    keys cannot be replaced line by line)."""
    from hotfix_guard.config import _parse_toml
    from hotfix_guard.errors import ConfigError

    try:
        _parse_toml(text.encode("utf-8"), target.path)
    except ConfigError:
        raise UsageError(f"{where}: its [tool.hotfix-guard] keys are not written under a "
                         "[tool.hotfix-guard] header, so init cannot replace them",
                         hint="move them under a [tool.hotfix-guard] header, or edit them by hand") from None


def _ref(seen: Observed, name: str) -> str:
    places = seen.branches.get(name, set())
    if "local" in places:
        return f"refs/heads/{name}"
    remote = "origin" if "origin" in places else sorted(places)[0]
    return f"refs/remotes/{remote}/{name}"
