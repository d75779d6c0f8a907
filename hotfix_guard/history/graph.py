"""The commit graph, read once: first-parent lines, containment, patch ids.

What :mod:`hotfix_guard.history.hotfixes` asks of history, answered from one ``git rev-list`` and, for
patch equivalence, one ``diff-tree --stdin`` piped into one ``patch-id``: never a git
process per commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from hotfix_guard.git import Git


class Graph:
    """Commits reachable from the heads that matter: parents, commit dates and subjects,
    from one ``git rev-list`` (which a commit-graph file makes fast)."""

    def __init__(self) -> None:
        self.parents: dict[str, tuple[str, ...]] = {}
        self.commit_date: dict[str, int] = {}
        self.subjects: dict[str, str] = {}

    @classmethod
    def load(cls, git: Git, heads: Iterable[str]) -> Graph:
        """``heads`` are revisions for ``rev-list --stdin`` (``^sha`` excludes a history)."""
        graph = cls()
        revs = [h for h in dict.fromkeys(heads) if h]
        if not any(not r.startswith("^") for r in revs):
            return graph
        # "commit <sha>" then "<date> <parents>\0<subject>" per commit (--no-commit-header
        # would drop the first line, but needs git 2.33)
        out = git.run("rev-list", "--format=%ct %P%x00%s", "--stdin", input="\n".join(revs) + "\n")
        parents, dates, subjects = graph.parents, graph.commit_date, graph.subjects
        sha = ""
        for line in out.split("\n"):
            if line.startswith("commit ") and len(line) in (47, 71) and "\0" not in line:
                sha = line[7:]
                continue
            head, sep, subject = line.partition("\0")
            if not sep or not sha:
                continue
            date, *ps = head.split(" ")
            parents[sha] = tuple(p for p in ps if p)
            dates[sha] = int(date or 0)
            subjects[sha] = subject
            sha = ""
        return graph

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


# How many times a failing ``diff-tree`` is split to find the commits git cannot read
# (a partial clone without its remote, a damaged pack): each split is one more process.
UNREADABLE_PROBES = 16


def patch_ids(git: Git, wanted: list[tuple[str, str | None]], unreadable: dict[str, str] | None = None,
              ) -> tuple[dict[tuple[str, str | None], str | None], dict[str, str]]:
    """``git patch-id --stable`` of commits (``(commit, None)``: against its parent) and of
    combined changes (``(top, base)``: base to top), with the full messages of the single
    commits. One ``diff-tree --stdin`` piped into one ``patch-id``.

    A commit whose objects git cannot read gets no patch id; it goes into
    ``unreadable`` (commit -> git's reason), and the others are still read."""
    pids: dict[tuple[str, str | None], str | None] = {w: None for w in wanted}
    bodies: dict[str, str] = {}
    if not wanted:
        return pids, bodies
    chunks = _diff_tree(git, wanted, {} if unreadable is None else unreadable)
    # One header per input line (--always), "\x01<sha>\n<message>\0", then its patch.
    # Keep the message (for `cherry picked from` lines) and renumber the headers, so
    # that patch-id's answer maps back to the input line even when a commit appears
    # twice (alone, and as the top of a combined change).
    parts: list[bytes] = []
    order: list[tuple[str, str | None]] = []
    for chunk, out in chunks:
        pos, n = 0, 0
        while pos < len(out) and out[pos:pos + 1] == b"\x01" and n < len(chunk):
            end = out.find(b"\0", pos)
            if end < 0:
                break
            _sha, _, body = out[pos + 1:end].partition(b"\n")
            if chunk[n][1] is None:
                bodies[chunk[n][0]] = body.decode("utf-8", "replace")
            nxt = out.find(b"\n\x01", end)
            nxt = len(out) if nxt < 0 else nxt + 1
            parts.append(b"commit %040x\n" % len(order) + out[end + 1:nxt])
            order.append(chunk[n])
            pos, n = nxt, n + 1
    if not parts:
        return pids, bodies
    _, ids, _ = git.run_bytes(["patch-id", "--stable"], input=b"".join(parts))
    for line in ids.split(b"\n"):
        fields = line.split()
        if len(fields) == 2:
            k = int(fields[1], 16)
            if k < len(order):
                pids[order[k]] = fields[0].decode()
    return pids, bodies


def _diff_tree(git: Git, wanted: list[tuple[str, str | None]], unreadable: dict[str, str]
               ) -> list[tuple[list[tuple[str, str | None]], bytes]]:
    """``diff-tree --stdin`` output for ``wanted``, in chunks. When git cannot read an
    object, the chunk is split in halves until the unreadable inputs are found (at most
    UNREADABLE_PROBES splits; past that, a failing chunk is unreadable as a whole)."""
    done: list[tuple[list[tuple[str, str | None]], bytes]] = []
    budget = UNREADABLE_PROBES
    pending = [wanted]
    while pending:
        chunk = pending.pop(0)
        stdin = "".join(f"{c} {b}\n" if b else f"{c}\n" for c, b in chunk).encode()
        code, out, err = git.run_bytes(
            ["diff-tree", "--stdin", "-p", "-r", "--root", "--always", "--no-renames", "--no-color",
             "--format=%x01%H%n%B%x00"],
            input=stdin, ok=range(256),
        )
        if code == 0:
            done.append((chunk, out))
            continue
        if len(chunk) > 1 and budget > 0:
            budget -= 1
            mid = len(chunk) // 2
            pending[:0] = [chunk[:mid], chunk[mid:]]
            continue
        reason = unreadable_reason(err)
        for commit, _base in chunk:
            unreadable.setdefault(commit, reason)
    return done


def unreadable_reason(stderr: bytes) -> str:
    """git's own words for an object it could not read."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for prefix in ("fatal: ", "error: "):
        for ln in lines:
            if ln.startswith(prefix) and ("read" in ln or "object" in ln or "missing" in ln):
                return ln[len(prefix):]
    first = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    return first.removeprefix("fatal: ").removeprefix("error: ") or "git could not read it"
