#!/usr/bin/env python3
"""Make a large synthetic repository history with ``git fast-import``, in seconds.

The shape is the hotfix workflow's, repeated: a long ``develop`` line of ordinary
commits; every few hotfixes a regular release (``develop`` merged into ``main``, tagged
``vX.Y.0``); each hotfix branched from ``main`` (one or two commits), merged into
``main`` with ``--no-ff`` and tagged ``vX.Y.Z`` (annotated), then brought into
``develop`` — mostly by a merge, some by squash, some by cherry-pick — and its branch
deleted. With ``broken=True`` some hotfixes break the rules on purpose: left untagged,
or tagged with a lightweight tag (2% each), and the last one never merged into develop.

    python bench/make_history.py /tmp/big --commits 50000 --hotfixes 300

Used by ``bench/audit_perf.py`` and (smaller) by the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

EPOCH = 1_600_000_000
AUTHOR = b"Dev Eloper <dev@example.com>"
FILES = 200  # develop's commits rotate over this many source files


def _source(k: int) -> str:
    # small directories: fast-import writes every tree on a changed path, so a commit
    # costs the size of the directories it touches
    return f"pkg{k // 10:02d}/mod{k % 10}.py"


class Summary(NamedTuple):
    path: Path
    commits: int
    hotfixes: int
    releases: int
    unmerged: list[str]  # hotfix tags never merged into develop
    untagged: list[str]  # versions without a tag
    lightweight: list[str]  # lightweight tags


class _Stream:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.time = EPOCH
        self.commits = 0

    def data(self, payload: bytes) -> None:
        self.parts.append(b"data %d\n%s\n" % (len(payload), payload))

    def commit(self, message: str, parents: list[int], files: dict[str, str]) -> int:
        self.mark += 1
        self.time += 60
        self.commits += 1
        stamp = b"%s %d +0000" % (AUTHOR, self.time)
        self.parts.append(b"commit refs/generate/scratch\nmark :%d\nauthor %s\ncommitter %s\n"
                          % (self.mark, stamp, stamp))
        self.data(message.encode())
        if parents:
            self.parts.append(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                self.parts.append(b"merge :%d\n" % p)
        else:
            self.parts.append(b"from 0000000000000000000000000000000000000000\n")
        for path, content in files.items():
            self.parts.append(b"M 100644 inline %s\n" % path.encode())
            self.data(content.encode())
        return self.mark

    def tag(self, name: str, mark: int, annotated: bool = True) -> None:
        if annotated:
            self.parts.append(b"tag %s\nfrom :%d\ntagger %s %d +0000\n"
                              % (name.encode(), mark, AUTHOR, self.time))
            self.data(f"Release {name}".encode())
        else:
            self.parts.append(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), mark))

    def ref(self, ref: str, mark: int) -> None:
        self.parts.append(b"reset %s\nfrom :%d\n\n" % (ref.encode(), mark))


def make_history(path: str | os.PathLike[str], commits: int = 50_000, hotfixes: int = 300, *,
                 per_release: int = 5, broken: bool = True, open_hotfix: bool = True) -> Summary:
    """Write the repository at ``path`` (created, must not exist or be empty)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    # the same repository whoever runs it: no system or user git config
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", "init", "-q", str(path)], check=True, env=env)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=path, check=True, env=env)

    s = _Stream()
    releases = max(1, hotfixes // per_release)
    # commits: ~4 per hotfix, 1 per release, the rest are develop's own
    dev_budget = max(hotfixes + 1, commits - 6 * hotfixes - releases - 2)
    dev_per_gap = max(1, dev_budget // (hotfixes + 1))
    content = {_source(k): f"# module {k}\n" for k in range(FILES)}
    root = s.commit("Initial commit", [], dict(content))
    main = develop = root
    major, minor, patch = 1, 0, 0
    s.tag("v1.0.0", root)
    dev_counter = 0
    unmerged: list[str] = []
    untagged: list[str] = []
    lightweight: list[str] = []

    def develop_work(n: int) -> None:
        nonlocal develop, dev_counter
        for _ in range(n):
            dev_counter += 1
            name = _source(dev_counter % FILES)
            content[name] = f"# module {dev_counter % FILES}\nVALUE = {dev_counter}\n"
            develop = s.commit(f"Develop work {dev_counter}", [develop], {name: content[name]})

    for i in range(hotfixes):
        develop_work(dev_per_gap)
        patch += 1
        version = f"{major}.{minor}.{patch}"
        branch = f"hotfix/v{version}-fix-issue-{i}"
        last = hotfixes - 1 - i
        parts = 2 if i % 3 == 1 or last == 1 else 1
        fixes = {f"fixes/{i // 16:02d}/fix-{i}-{k}.txt": f"fix {i} part {k}\n" for k in range(parts)}
        tip = main
        for k, (name, text) in enumerate(fixes.items()):
            tip = s.commit(f"Fix issue {i} (part {k})\n\nHOTFIX v{version}", [tip], {name: text})
        if i % 10 == 3:
            message = f"Merge pull request #{1000 + i} from acme/{branch}\n\nFix issue {i}"
        elif i % 10 == 6:
            message = f"Merge branch '{branch}' into 'main'"
        else:
            message = f"Merge branch '{branch}'"
        main = s.commit(message, [main, tip], fixes)
        tag = f"v{version}"
        kind = i % 50
        if broken and kind == 23:
            s.tag(tag, main, annotated=False)
            lightweight.append(tag)
        elif broken and kind == 37:
            untagged.append(tag)
        else:
            s.tag(tag, main)
        develop_work(1 + i % 4)
        # The last three hotfixes go to develop by cherry-pick, by squash, and not at all
        # (when broken): earlier ones of those kinds get carried into develop by the next
        # hotfix's merge anyway, as in any real repository (it brings main along).
        last = hotfixes - 1 - i
        if broken and last == 0:
            unmerged.append(tag)
        elif i % 10 == 5 or last == 2:  # cherry-picked, one commit at a time
            for k, (name, text) in enumerate(fixes.items()):
                develop = s.commit(f"Fix issue {i} (part {k})\n\nHOTFIX v{version}", [develop], {name: text})
        elif i % 10 == 7 or last == 1:  # squash-merged
            develop = s.commit(f"Fix issue {i} ({branch}, squashed)", [develop], fixes)
        else:
            develop = s.commit(f"Merge branch '{branch}' into develop", [develop, tip], fixes)
        if (i + 1) % per_release == 0 and i + 1 < hotfixes:
            minor += 1
            patch = 0
            main = s.commit(f"Merge branch 'release/{major}.{minor}.0'", [main, develop], dict(content))
            s.tag(f"v{major}.{minor}.0", main)
    develop_work(max(0, commits - s.commits - (1 if open_hotfix else 0)))
    s.ref("refs/heads/main", main)
    s.ref("refs/heads/develop", develop)
    if open_hotfix:  # one hotfix in progress
        version = f"{major}.{minor}.{patch + 1}"
        tip = s.commit(f"Fix the open issue\n\nHOTFIX v{version}", [main], {"fixes/open.txt": "open\n"})
        s.ref(f"refs/heads/hotfix/v{version}-open-issue", tip)
    s.parts.append(b"done\n")
    subprocess.run(["git", "fast-import", "--quiet", "--done", "--depth=10"], cwd=path, input=b"".join(s.parts),
                   check=True, env=env)
    subprocess.run(["git", "update-ref", "-d", "refs/generate/scratch"], cwd=path, check=True, env=env)
    subprocess.run(["git", "read-tree", "-u", "--reset", "main"], cwd=path, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return Summary(path, s.commits, hotfixes, releases, unmerged, untagged, lightweight)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--hotfixes", type=int, default=300)
    parser.add_argument("--clean", action="store_true", help="no rule-breaking hotfixes")
    args = parser.parse_args(argv)
    if Path(args.path).exists() and any(Path(args.path).iterdir()):
        parser.error(f"{args.path} exists and is not empty")
    summary = make_history(args.path, args.commits, args.hotfixes, broken=not args.clean)
    print(f"{summary.path}: {summary.commits} commits, {summary.hotfixes} hotfixes, "
          f"{summary.releases} releases; broken on purpose: {len(summary.unmerged)} never merged "
          f"into develop, {len(summary.untagged)} untagged, {len(summary.lightweight)} lightweight")
    return 0


if __name__ == "__main__":
    sys.exit(main())
