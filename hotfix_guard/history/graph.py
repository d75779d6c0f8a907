"""The commit graph, read once: first-parent lines, containment, patch ids.

What :mod:`hotfix_guard.history.hotfixes` asks of history, answered from one ``git log`` and, for
patch equivalence, one ``diff-tree --stdin`` piped into one ``patch-id``: never a git
process per commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from hotfix_guard.git import Git


class Graph:
    """Commits reachable from the heads that matter: parents and commit dates from one
    ``git rev-list`` (which a commit-graph file makes fast), and the subjects of the
    merges on one first-parent line from one ``git log``."""

    def __init__(self) -> None:
        self.parents: dict[str, tuple[str, ...]] = {}
        self.commit_date: dict[str, int] = {}
        self.subjects: dict[str, str] = {}  # merges on production's first-parent line only

    @classmethod
    def load(cls, git: Git, heads: Iterable[str]) -> Graph:
        """``heads`` are revisions for ``rev-list --stdin`` (``^sha`` excludes a history)."""
        graph = cls()
        revs = [h for h in dict.fromkeys(heads) if h]
        if not any(not r.startswith("^") for r in revs):
            return graph
        out = git.run("rev-list", "--parents", "--timestamp", "--stdin", input="\n".join(revs) + "\n")
        parents, dates = graph.parents, graph.commit_date
        for line in out.splitlines():
            date, sha, *ps = line.split(" ")
            parents[sha] = tuple(ps)
            dates[sha] = int(date)
        return graph

    def load_subjects(self, git: Git, head: str, bound: str | None = None) -> None:
        """Subjects of the merges on ``head``'s first-parent line (where hotfixes land)."""
        args = ["log", "-z", "--no-show-signature", "--first-parent", "--merges", "--format=%H %s", head]
        if bound:
            args.append(f"^{bound}")
        for record in git.run(*args, "--").split("\0"):
            sha, _, subject = record.lstrip("\n").partition(" ")
            if sha:
                self.subjects[sha] = subject

    def subject(self, sha: str) -> str:
        return self.subjects.get(sha, "")

    def is_merge(self, sha: str) -> bool:
        return len(self.parents.get(sha, ())) > 1


class Line:
    """A branch as seen from its head: its first-parent line, and for every commit it
    contains, the index of the first first-parent commit that contains it (its label).

    ``anc(fp[i])`` is exactly the commits labelled ``<= i``, which makes containment
    questions about first-parent commits an integer comparison.
    """

    def __init__(self, graph: Graph, name: str, head: str) -> None:
        self.graph = graph
        self.name = name
        self.head = head
        fp: list[str] = []
        parents = graph.parents
        sha: str | None = head
        seen: set[str] = set()
        while sha is not None and sha in parents and sha not in seen:
            seen.add(sha)
            fp.append(sha)
            ps = parents[sha]
            sha = ps[0] if ps else None
        fp.reverse()
        self.fp = fp
        self.index = {sha: i for i, sha in enumerate(fp)}
        label: dict[str, int] = {}
        get = parents.get
        for i, top in enumerate(fp):  # commits outside the graph (behind a bound) get no label
            label[top] = i
            stack = [p for p in get(top, ()) if p not in label and p in parents]
            while stack:
                sha = stack.pop()
                if sha in label:
                    continue
                label[sha] = i
                stack.extend(p for p in get(sha, ()) if p not in label and p in parents)
        self.label = label
        self._newly: dict[int, list[str]] | None = None

    def __contains__(self, sha: object) -> bool:
        return sha in self.label

    def date(self, i: int) -> int:
        return self.graph.commit_date.get(self.fp[i], 0)

    def newly(self, i: int) -> list[str]:
        """The commits first-parent commit ``i`` brought in (itself included)."""
        if self._newly is None:
            inverse: dict[int, list[str]] = {}
            for sha, j in self.label.items():
                inverse.setdefault(j, []).append(sha)
            self._newly = inverse
        return self._newly.get(i, [])

    def contains(self, outer: str, inner: str) -> bool:
        """Is ``inner`` ``outer`` or one of its ancestors (both in this line)?"""
        if outer == inner:
            return True
        lo, li = self.label.get(outer), self.label.get(inner)
        if lo is None or li is None or li > lo:
            return False
        if self.index.get(outer) is not None:
            return True  # outer is on the first-parent line: anc(outer) is labels <= lo
        # outer is off the line: walk its ancestry, never below inner's label
        stack, seen = [outer], {outer}
        parents = self.graph.parents
        while stack:
            sha = stack.pop()
            if sha == inner:
                return True
            for p in parents.get(sha, ()):
                if p not in seen and self.label.get(p, -1) >= li:
                    seen.add(p)
                    stack.append(p)
        return False


def patch_ids(git: Git, wanted: list[tuple[str, str | None]]
              ) -> tuple[dict[tuple[str, str | None], str | None], dict[str, str]]:
    """``git patch-id --stable`` of commits (``(commit, None)``: against its parent) and of
    combined changes (``(top, base)``: base to top), with the full messages of the single
    commits. One ``diff-tree --stdin`` piped into one ``patch-id``."""
    pids: dict[tuple[str, str | None], str | None] = {w: None for w in wanted}
    bodies: dict[str, str] = {}
    if not wanted:
        return pids, bodies
    stdin = "".join(f"{c} {b}\n" if b else f"{c}\n" for c, b in wanted).encode()
    _, out, _ = git.run_bytes(
        ["diff-tree", "--stdin", "-p", "-r", "--root", "--always", "--no-renames", "--no-color",
         "--format=%x01%H%n%B%x00"],
        input=stdin,
    )
    # One header per input line (--always), "\x01<sha>\n<message>\0", then its patch.
    # Keep the message (for `cherry picked from` lines) and renumber the headers, so
    # that patch-id's answer maps back to the input line even when a commit appears
    # twice (alone, and as the top of a combined change).
    parts: list[bytes] = []
    pos, n = 0, 0
    while pos < len(out) and out[pos:pos + 1] == b"\x01":
        end = out.find(b"\0", pos)
        if end < 0:
            break
        sha, _, body = out[pos + 1:end].partition(b"\n")
        if wanted[n][1] is None:
            bodies[wanted[n][0]] = body.decode("utf-8", "replace")
        nxt = out.find(b"\n\x01", end)
        nxt = len(out) if nxt < 0 else nxt + 1
        parts.append(b"commit %040x\n" % n + out[end + 1:nxt])
        pos, n = nxt, n + 1
    _, ids, _ = git.run_bytes(["patch-id", "--stable"], input=b"".join(parts))
    for line in ids.split(b"\n"):
        fields = line.split()
        if len(fields) == 2:
            k = int(fields[1], 16)
            if k < len(wanted):
                pids[wanted[k]] = fields[0].decode()
    return pids, bodies
