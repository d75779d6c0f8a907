"""The gateway to git: the only module that runs it.

Everything here speaks to git through plumbing (``rev-parse``, ``for-each-ref``,
``rev-list``, ``log -z``, ``diff``) with NUL-separated output where names can hold
odd characters. Every failure becomes a :class:`~hotfix_guard.errors.GitError` with
one readable line and a hint. Nothing here writes to the repository except the few
methods named ``write*`` / ``create_*`` that the writing commands (``install``,
``start``, ``finish``) call, and they say so.

This module is on the every-commit path: it imports only the standard library, and
only the cheap parts of it. Processes are started and read by :mod:`hotfix_guard.process`
(``posix_spawn`` and ``poll``, not :mod:`subprocess`); the records are
:func:`collections.namedtuple` classes, not dataclasses or ``typing.NamedTuple``. Both
are devices kept for their measured cost: see docs/architecture.md ("Devices kept").
"""

from __future__ import annotations

import os
from collections import namedtuple

from hotfix_guard import process
from hotfix_guard.errors import GitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Sequence

MIN_GIT_VERSION = (2, 25)
ZERO_SHAS = frozenset({"0" * 40, "0" * 64})

# Variables that say *which* repository git works on. Git exports some of them to
# hooks (GIT_DIR, GIT_INDEX_FILE, GIT_WORK_TREE...); they are right for the
# repository the hook runs in, and wrong for any other one (the demo, a test).
_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
# Kept even in an isolated environment (as pre-commit does): how to reach git and
# remotes, not which repository to use.
_SAFE_VARS = frozenset(
    {
        "GIT_EXEC_PATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_NO_VERIFY",
        "GIT_ASKPASS",
        "GIT_ALLOW_PROTOCOL",
        "GIT_HTTP_PROXY_AUTHORIZATION",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
    }
)


def git_environment(cwd: str, *, isolated: bool) -> dict[str, str]:
    """The environment git runs with.

    ``isolated`` (a repository of our own, such as the demo's): every variable that
    would point git at another repository is dropped. Otherwise the location variables
    a hook exported are kept but made absolute, so they stay right whatever directory
    git is started in.
    """
    env = dict(os.environ)
    if isolated:
        for key in list(env):
            if key.startswith("GIT_") and key not in _SAFE_VARS and not key.startswith(
                ("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_CONFIG_COUNT")
            ):
                del env[key]
    else:
        for key in _LOCATION_VARS:
            value = env.get(key)
            if value and key != "GIT_ALTERNATE_OBJECT_DIRECTORIES" and not os.path.isabs(value):
                env[key] = os.path.normpath(os.path.join(cwd, value))
    # Never let git wait on a pager, an editor or a credential prompt.
    env["GIT_TERMINAL_PROMPT"] = "0"
    # Reads stay reads: no opportunistic index refresh (`git status` rewrites .git/index
    # otherwise). Writes (`git switch`) take their locks anyway. Porcelain `git diff` on
    # the worktree refreshes the index regardless: use `diff-files`/`diff-index` instead.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.pop("GIT_PAGER", None)
    env["LC_ALL"] = "C"  # git's messages in English: the gateway reads some of them
    env.pop("LANGUAGE", None)
    return env


class Commit(namedtuple("Commit", "sha parents message")):
    """A commit: ``sha`` (str), ``parents`` (tuple of str), full ``message`` (str)."""

    __slots__ = ()

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def short(self) -> str:
        return self.sha[:10]


class RepoInfo(namedtuple("RepoInfo", "git_dir common_dir bare shallow toplevel head_ref")):
    """Where the repository is: ``git_dir``, ``common_dir`` (str), ``bare``, ``shallow``
    (bool), ``toplevel`` (str or None when bare), ``head_ref`` ("refs/heads/x"; None when
    HEAD is detached)."""

    __slots__ = ()


class Git:
    """Runs git in one repository. ``isolated`` for repositories the tool made itself."""

    def __init__(self, cwd: str | None = None, *, isolated: bool = False) -> None:
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.env = git_environment(self.cwd, isolated=isolated)
        self.calls = 0  # how many git processes this gateway started (for tests)
        self._memo: dict[tuple[str, ...], object] = {}  # answers that cannot change (see _fixed)
        self._started: dict[tuple[tuple[str, ...], bytes | None], process.Process] = {}
        self._writing: dict[tuple[str, ...], tuple[process.Process, Any]] = {}  # into scratch files

    # -- running ---------------------------------------------------------------

    def start(self, *args: str, input: bytes | None = None) -> None:
        """Start a query now, for the first later :meth:`run_bytes` with the same arguments
        and input to collect: queries whose arguments are known early run alongside each
        other and alongside Python's own work. A query that is never asked for is stopped
        by :meth:`close`. Only read-only queries belong here."""
        key = (args, input)
        if key in self._started:
            return
        try:
            self._started[key] = process.start(process.find_executable("git", self.env),
                                               ["git", "-C", self.cwd, *args], self.env, input)
        except OSError:  # no git on PATH and the like: the query, when asked, says so
            return
        self._trace(args)

    def close(self) -> None:
        """Stop and reap the started queries nobody asked for."""
        pending = [(args, proc, None) for (args, _), proc in self._started.items()]
        pending += [(args, proc, fh) for args, (proc, fh) in self._writing.items()]
        self._started.clear()
        self._writing.clear()
        for args, proc, fh in pending:
            process.stop(proc)
            if fh is not None:
                fh.close()
            if os.environ.get("HOTFIX_GUARD_TRACE_GIT"):
                import sys

                print("git (started, never asked for, stopped) " + " ".join(args), file=sys.stderr)

    def start_into_file(self, *args: str) -> None:
        """:meth:`start`, with git's output going straight into a scratch file (for
        :meth:`follow_file` to read as it grows)."""
        if args in self._writing:
            return
        fh = process.scratch_file()
        try:
            proc = process.start(process.find_executable("git", self.env), ["git", "-C", self.cwd, *args],
                                 self.env, stdout_fd=fh.fileno())
        except OSError:  # no git on PATH and the like: the query, when asked, says so
            fh.close()
            return
        self._writing[args] = (proc, fh)
        self._trace(args)

    def follow_file(self, *args: str) -> tuple[Any, Callable[[Callable[[int, bool], None]], None]]:
        """git's output for ``args``, written straight into a scratch file (started now,
        or collected if :meth:`start_into_file` started it): (the file, ``follow``).
        ``follow(feed)`` calls ``feed(size, False)`` each time git has written more and
        Python is free, ``feed(size, True)`` once git is done, and raises GitError if git
        failed: what git wrote is read while git goes on writing."""
        if args not in self._writing:
            self.start_into_file(*args)
        if args not in self._writing:
            raise GitError("git was not found on PATH",
                           hint="install git (2.25 or newer) and make sure `git --version` works")
        fh = self._writing[args][1]
        fd = fh.fileno()

        def follow(feed: Callable[[int, bool], None]) -> None:
            # taken over only here: until then a Ctrl-C leaves it to close() to stop
            proc, _ = self._writing.pop(args)
            try:
                code, err = process.follow(proc, lambda: feed(os.fstat(fd).st_size, False))
            except BaseException:
                fh.close()
                raise
            if code != 0:
                fh.close()
                raise self._failure(args, code, err)
            feed(os.fstat(fd).st_size, True)

        return fh, follow

    def _trace(self, args: Sequence[str]) -> None:
        self.calls += 1
        if os.environ.get("HOTFIX_GUARD_TRACE_GIT"):
            import sys

            print("git " + " ".join(args), file=sys.stderr)

    def run_bytes(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        ok: Iterable[int] = (0,),
    ) -> tuple[int, bytes, bytes]:
        """Run git (or collect the started query): (exit code, stdout, stderr)."""
        started = self._started.pop((tuple(args), input), None) if self._started else None
        if started is None:
            self._trace(args)
        try:
            if started is not None:
                code, out, err = process.finish(started)
            else:
                code, out, err = process.run(process.find_executable("git", self.env),
                                             ["git", "-C", self.cwd, *args], self.env, input)
        except FileNotFoundError:
            raise GitError(
                "git was not found on PATH",
                hint="install git (2.25 or newer) and make sure `git --version` works",
            ) from None
        except OSError as exc:  # pragma: no cover - exotic
            raise GitError(f"could not run git: {exc}") from None
        if code not in tuple(ok):
            raise self._failure(args, code, err)
        return code, out, err

    def run(self, *args: str, input: str | None = None, ok: Iterable[int] = (0,)) -> str:
        """Run git and return stdout as text (UTF-8, undecodable bytes escaped)."""
        _, out, _ = self.run_bytes(
            args, input=input.encode("utf-8", "surrogateescape") if input is not None else None, ok=ok
        )
        return decode(out)

    def try_run(self, *args: str) -> str | None:
        """Run git; None when it fails (for questions whose answer may be 'no')."""
        code, out, _ = self.run_bytes(args, ok=range(256))
        return decode(out) if code == 0 else None

    def _failure(self, args: Sequence[str], code: int, stderr: bytes) -> GitError:
        text = decode(stderr).strip()
        lines = [ln for ln in text.splitlines() if ln.strip()]
        first = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), lines[0] if lines else "")
        first = first.removeprefix("fatal: ").removeprefix("error: ")
        if "not a git repository" in text:
            return GitError(
                f"not a git repository: {self.cwd}",
                hint="run hotfix-guard inside a git checkout",
            )
        if "unknown option" in text or "usage: git" in text:
            version = self.version()
            if version < MIN_GIT_VERSION:
                return GitError(
                    f"git {'.'.join(map(str, version))} is too old; hotfix-guard needs git "
                    f"{'.'.join(map(str, MIN_GIT_VERSION))} or newer",
                    hint="upgrade git",
                )
        if "dubious ownership" in text:
            return GitError(first or "git refused the repository (dubious ownership)",
                            hint="see `git config --global --add safe.directory`")
        cmd = "git " + " ".join(args[:3]) + (" ..." if len(args) > 3 else "")
        return GitError(f"{cmd} failed (exit {code}): {first or 'no message'}")

    def version(self) -> tuple[int, ...]:
        try:
            _, out, _ = process.run(process.find_executable("git", self.env), ["git", "version"], self.env)
        except OSError:
            return (0,)
        words = decode(out).split()
        raw = words[2] if len(words) >= 3 else "0"
        parts = []
        for piece in raw.split(".")[:3]:
            digits = "".join(ch for ch in piece if ch.isdigit())
            if not digits:
                break
            parts.append(int(digits))
        return tuple(parts) or (0,)

    # -- the repository --------------------------------------------------------

    def info(self) -> RepoInfo:
        """Where the repository is and what HEAD is, in one git call (two when unborn)."""
        code, out, err = self.run_bytes(
            [
                "rev-parse",
                "--absolute-git-dir",
                "--git-common-dir",
                "--is-bare-repository",
                "--is-shallow-repository",
                "--show-toplevel",
                "--symbolic-full-name",
                "HEAD",
            ],
            ok=range(256),
        )
        lines = records(decode(out))
        if len(lines) < 4:
            raise self._failure(["rev-parse"], code, err)
        git_dir, common, bare, shallow = lines[:4]
        common = os.path.normpath(os.path.join(self.cwd, common)) if not os.path.isabs(common) else common
        toplevel = lines[4] if len(lines) > 4 and bare != "true" else None
        if bare == "true":
            head_ref = self.try_run("symbolic-ref", "-q", "HEAD")
            head_ref = head_ref.strip() if head_ref else None
        elif code == 0 and len(lines) > 5:
            head_ref = lines[5] if lines[5].startswith("refs/") else None
        else:  # unborn HEAD: rev-parse cannot name it, symbolic-ref can
            head_ref = (self.try_run("symbolic-ref", "-q", "HEAD") or "").strip() or None
        return RepoInfo(git_dir, common, bare == "true", shallow == "true", toplevel, head_ref)

    @staticmethod
    def rebasing_branch(info: RepoInfo) -> str | None:
        """The branch a rebase in progress will update (HEAD is detached meanwhile)."""
        for state in ("rebase-merge", "rebase-apply"):
            try:
                with open(os.path.join(info.git_dir, state, "head-name"), encoding="utf-8") as fh:
                    name = fh.read().strip()
            except OSError:
                continue
            if name.startswith("refs/heads/"):
                return name
        return None

    def refs(self, candidates: Iterable[str]) -> dict[str, str]:
        """Which of the full ref names exist, and their commit: one git call."""
        wanted = list(dict.fromkeys(candidates))
        if not wanted:
            return {}
        out = self.run("for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)", *wanted)
        found: dict[str, str] = {}
        want = set(wanted)
        for line in records(out):
            name, obj, peeled = line.split("\0")
            if name in want:
                found[name] = peeled or obj
        return found

    def rev_parse(self, rev: str) -> str | None:
        """The commit a revision names, or None."""
        if ("commit", rev) in self._memo:  # a full id object_types() found to be a commit
            return rev
        out = self.try_run("rev-parse", "--verify", "-q", "--end-of-options", rev + "^{commit}")
        return out.strip() if out else None

    # Questions about commit ids alone have answers that cannot change while we run: they
    # are asked of git once per process (rules that need the same range share one call).

    def merge_base(self, a: str, b: str) -> str | None:
        key = ("merge-base", a, b)
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        out = self.try_run("merge-base", a, b)
        result = out.strip() if out else None
        if _fixed(key[1:]):
            self._memo[key] = result
        return result

    def is_ancestor(self, a: str, b: str) -> bool:
        key = ("is-ancestor", a, b)
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        if a == b and _fixed(key[1:]):
            return True  # a commit is its own ancestor (the release tag at production's tip)
        code, _, err = self.run_bytes(["merge-base", "--is-ancestor", a, b], ok=(0, 1, 128))
        if _fixed(key[1:]) and code in (0, 1):
            self._memo[key] = code == 0
        return code == 0

    def rev_list(self, *args: str) -> list[str]:
        key = ("rev-list", *args)
        if key in self._memo:
            return list(self._memo[key])  # type: ignore[call-overload]
        result = self.run(*key).split()
        if _fixed(args):
            self._memo[key] = tuple(result)
        return result

    def commits(self, *rev_args: str) -> list[Commit]:
        """Commits of a range, newest first, with parents and full message: one git call."""
        key = ("log", *rev_args)
        if key in self._memo:
            return list(self._memo[key])  # type: ignore[call-overload]
        out = self.run(*_log_args(rev_args))
        result = []
        for record in out.split("\0"):
            if not record.strip():
                continue
            sha, parents, message = (record.lstrip("\n").split("\n", 2) + ["", ""])[:3]
            result.append(Commit(sha, tuple(parents.split()), message.rstrip("\n")))
        if _fixed(rev_args):
            self._memo[key] = tuple(result)
        return result

    # The same queries, started early (see start()): their arguments come from the same
    # functions, so the later call finds its process.

    def start_rev_list(self, *args: str) -> None:
        if ("rev-list", *args) not in self._memo:
            self.start("rev-list", *args)

    def start_commits(self, *rev_args: str) -> None:
        if ("log", *rev_args) not in self._memo:
            self.start(*_log_args(rev_args))

    def start_tags(self, pattern: str) -> None:
        self.start(*_tags_args(pattern, None))

    def start_diff(self, *args: str, config: Sequence[str] = ()) -> None:
        """Start the query :meth:`diff_into_file` will collect."""
        self.start_into_file(*_diff_args(args, config))

    def start_object_types(self, names: Sequence[str]) -> None:
        if names:
            self.start(*_TYPES_QUERY, input="".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape"))

    def listed_commits(self, *rev_args: str) -> list[Commit] | None:
        """What :meth:`commits` gave for these arguments, without asking git; None when it
        was not asked (or the answer could change)."""
        found = self._memo.get(("log", *rev_args))
        return None if found is None else list(found)  # type: ignore[call-overload]

    def tags(self, pattern: str, *, merged: str | None = None) -> list[tuple[str, str, bool]]:
        """(tag name, commit, annotated) for tags matching ``refs/tags/<pattern>``."""
        result = []
        for line in records(self.run(*_tags_args(pattern, merged))):
            name, kind, obj, peeled = line.split("\0")
            result.append((name, peeled or obj, kind == "tag"))
        return result

    def diff(self, *args: str, config: Sequence[str] = ()) -> bytes:
        """A patch, as bytes: file contents need not be UTF-8. ``config``: ``key=value``
        settings for this one call (``git -c``), to pin what user config would change."""
        _, out, _ = self.run_bytes(_diff_args(args, config))
        return out

    def diff_into_file(self, *args: str,
                       config: Sequence[str] = ()) -> tuple[Any, Callable[[Callable[[int, bool], None]], None]]:
        """:meth:`diff`, with git writing its output straight into a scratch file, read
        from there as it grows (a huge change is never held in memory): see
        :meth:`follow_file`."""
        return self.follow_file(*_diff_args(args, config))

    def cat_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many blobs, in ONE ``git cat-file --batch`` process.

        Missing objects and non-blobs (a submodule's commit) are left out of the result.
        """
        wanted = [s for s in dict.fromkeys(shas) if s and s not in ZERO_SHAS]
        if not wanted:
            return {}
        _, out, _ = self.run_bytes(["cat-file", "--batch"], input="\n".join(wanted).encode() + b"\n")
        result: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            end = out.find(b"\n", pos)
            if end < 0:
                break
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3:  # "<sha> missing" / "<name> ambiguous"
                continue
            size = int(header[2])
            if header[1] == b"blob":
                result[sha] = out[pos:pos + size]
            pos += size + 1  # the content, then a newline
        return result

    def object_types(self, names: Sequence[str]) -> dict[str, str | None]:
        """The type of each object (commit, tag, tree, blob), None when missing: one git call."""
        if not names:
            return {}
        out = self.run(*_TYPES_QUERY, input="".join(f"{n}\n" for n in names))
        kinds = records(out)
        result = {name: (None if " " in kind else kind) for name, kind in zip(names, kinds)}  # "<x> missing"
        for name, kind in result.items():
            if kind == "commit" and _fixed((name,)):
                self._memo[("commit", name)] = True  # rev_parse(name) needs no second process
        return result

    def git_path(self, name: str) -> str:
        """Absolute path of ``$GIT_DIR/<name>`` as git resolves it (``rev-parse --git-path``).

        For ``hooks`` this honours ``core.hooksPath`` (a relative one is relative to the
        worktree's top) and, in a linked worktree, gives the common directory's hooks.
        """
        out = self.run("rev-parse", "--git-path", name).rstrip("\n")
        return os.path.normpath(os.path.join(self.cwd, out))

    def hooks_dir(self) -> str:
        """Where git looks for hooks: ``core.hooksPath`` or ``<common git dir>/hooks``."""
        return self.git_path("hooks")

    def config_get(self, key: str) -> str | None:
        out = self.try_run("config", "--get", key)
        return out.strip() if out is not None else None

    # -- for `start`: what it reads, then the one thing it writes -------------------

    def list_refs(self, *patterns: str, no_merged: str | None = None) -> dict[str, str]:
        """Refs matching ``for-each-ref`` patterns (a trailing ``/`` takes everything
        below), with their commit; ``no_merged``: only those whose tip is not
        reachable from that commit. One git call."""
        if not patterns:
            return {}
        args = ["for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)"]
        if no_merged:
            args.append(f"--no-merged={no_merged}")
        found: dict[str, str] = {}
        for line in records(self.run(*args, *patterns)):
            name, obj, peeled = line.split("\0")
            found[name] = peeled or obj
        return found

    def status_porcelain(self) -> list[tuple[str, str]]:
        """Uncommitted changes to tracked files, staged or not: (XY status, path) from
        ``status --porcelain -z`` (untracked files are not changes). Read-only: it never
        refreshes the index (``--no-optional-locks``)."""
        out = self.run("--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no")
        entries: list[tuple[str, str]] = []
        fields = out.split("\0")
        i = 0
        while i < len(fields):
            field = fields[i]
            i += 1
            if len(field) < 4:
                continue
            xy, path = field[:2], field[3:]
            if "R" in xy or "C" in xy:
                i += 1  # the original path of a rename or copy follows
            entries.append((xy, path))
        return entries

    def upstream(self, branch_ref: str) -> str | None:
        """The full ref a local branch tracks (``refs/remotes/origin/main``), or None."""
        out = self.run("for-each-ref", "--format=%(upstream)", branch_ref).strip()
        return out or None

    def ahead_behind(self, ref: str, other: str) -> tuple[int, int]:
        """(commits on ``ref`` not on ``other``, commits on ``other`` not on ``ref``)."""
        ahead, behind = self.run("rev-list", "--left-right", "--count", f"{ref}...{other}").split()
        return int(ahead), int(behind)

    def fetch(self, remote: str) -> None:
        """Update the remote-tracking branches (and the tags that follow them) of one
        remote. Writes only remote-tracking refs and tags; never a local branch."""
        self.run_bytes(["fetch", "--quiet", "--", remote])  # "--": a remote name is never an option

    def create_branch(self, name: str, start: str, *, switch: bool = True) -> None:
        """WRITES: create branch ``name`` at commit ``start`` without an upstream and, with
        ``switch``, check it out (``git switch -c``: the branch is created only if the
        switch succeeds, so a failure leaves no branch behind)."""
        if switch:
            self.run("switch", "--quiet", "--no-track", "-c", name, start)
        else:
            self.run("branch", "--no-track", name, start)

    # -- where a change's commits come from (HG001) ----------------------------

    def equivalent_commits(self, left: str, right: str) -> set[str]:
        """Commits of ``left...right``, either side, with an equal patch on the other
        side (``rev-list --cherry-mark``: git compares cheap file-name ids first)."""
        out = self.run("rev-list", "--cherry-mark", "--no-merges", f"{left}...{right}", "--")
        return {line[1:] for line in out.split() if line.startswith("=")}

    def reflog_created(self, ref: str) -> set[str]:
        """Commits made on a branch, as its reflog records them (commit, amend,
        cherry-pick, revert, a rebase's picks, am); empty without a reflog (CI clones)."""
        out = self.try_run("reflog", "show", "--format=%H %gs", ref, "--")
        made = set()
        for line in (out or "").splitlines():
            sha, _, what = line.partition(" ")
            if what.startswith(("commit", "cherry-pick", "revert", "am:")) or (
                    what.startswith("rebase") and "(pick)" in what.split(":")[0]):
                made.add(sha)
        return made

    def commits_changing(self, regex: str, shas: Sequence[str]) -> set[str]:
        """Those of ``shas`` whose own diff adds or removes a line matching ``regex``
        (POSIX extended, any case: ``log -G -i``)."""
        if not shas:
            return set()
        out = self.run("log", "--no-walk=unsorted", "--format=%H", "-i", f"-G{regex}", *shas, "--")
        return set(out.split())

    def touched_paths(self, *shas: str) -> dict[str, tuple[str, ...]]:
        """The paths each of these (non-merge) commits changes: one ``git log``."""
        if not shas:
            return {}
        out = self.run("log", "-z", "--no-walk=unsorted", "--no-renames", "--format=%x01%H",
                       "--name-only", *shas, "--")
        touched: dict[str, tuple[str, ...]] = {}
        for chunk in out.split("\x01"):
            sha, _, rest = chunk.partition("\0")
            if sha:
                touched[sha] = tuple(p for p in rest.lstrip("\n").split("\0") if p)
        return touched

    def commit_dates(self, shas: Sequence[str]) -> dict[str, int]:
        """Committer dates (Unix time) of commits."""
        if not shas:
            return {}
        out = self.run("log", "--no-walk=unsorted", "--format=%H %ct", *shas, "--")
        return {sha: int(when) for sha, when in (line.split() for line in out.splitlines() if line)}

    def staged_paths(self) -> set[str]:
        """Paths whose staged content differs from HEAD's."""
        out = self.run("diff-index", "--cached", "--name-only", "-z", "--no-renames", "HEAD", "--")
        return {p for p in out.split("\0") if p}

    # -- for `finish`: the reads it needs, and the one door its writes go through -----

    def ref_objects(self, names: Iterable[str]) -> dict[str, str]:
        """The object each of these exact ref names holds, unpeeled (an annotated tag gives
        its tag object, as ``for-each-ref`` shows it); absent refs are left out. One call."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        found: dict[str, str] = {}
        for line in records(self.run("for-each-ref", "--format=%(refname)%00%(objectname)", *wanted)):
            name, obj = line.split("\0")
            if name in wanted:
                found[name] = obj
        return found

    def unmerged_paths(self) -> list[str]:
        """The paths a merge in progress left conflicted (``ls-files -u``)."""
        out = self.run("ls-files", "--unmerged", "-z")
        return list(dict.fromkeys(entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry))

    def local_config(self, prefix: str) -> dict[str, str]:
        """The repository's own config entries (``--local``) whose key starts with ``prefix``."""
        out = self.try_run("config", "--local", "--null", "--list") or ""
        found: dict[str, str] = {}
        for entry in out.split("\0"):
            key, _, value = entry.partition("\n")
            if key.startswith(prefix):
                found[key] = value
        return found

    WRITE_COMMANDS = frozenset({"switch", "merge", "tag", "branch", "update-ref", "push", "config", "reset"})

    def write(self, *args: str) -> tuple[int, str]:
        """WRITES: run one git command that changes the repository (``finish``'s steps:
        switch, merge, tag, branch, update-ref, push, config) and hand back its exit code
        and what it printed (stdout, then stderr), since a conflict or a hook's refusal is
        an outcome the caller reports, not an error of ours. (``reset --hard``: only to put
        back what a command that failed half-way left.)"""
        if not args or args[0] not in self.WRITE_COMMANDS:
            raise ValueError(f"not a write this gateway allows: git {' '.join(args[:1])}")
        code, out, err = self.run_bytes(args, ok=range(-64, 256))
        return code, decode(out + err)

    # -- shallow clones (issue #5) --------------------------------------------

    def shallow_boundary(self) -> frozenset[str]:
        """The commits of a shallow clone whose parents it lacks (empty when complete)."""
        path = os.path.join(self.cwd, self.run("rev-parse", "--git-path", "shallow").strip())
        try:
            with open(path, encoding="ascii", errors="replace") as fh:
                return frozenset(line.strip() for line in fh if line.strip())
        except OSError:
            return frozenset()

    def parents(self, rev: str) -> tuple[str, ...] | None:
        """A commit's parents, or None when the commit is not here."""
        out = self.try_run("rev-list", "--parents", "-n", "1", "--end-of-options", rev)
        if not out or not out.split():
            return None
        return tuple(out.split()[1:])

    def fetch_full_history(self, remote: str, *, unshallow: bool = True) -> list[str]:
        """Fetch every branch (as ``<remote>/*``) and every tag, and with ``unshallow``
        the whole history of a shallow clone. The one place hotfix-guard fetches, and
        only when asked (``check --deepen``). Returns the git command it ran."""
        if self.try_run("remote", "get-url", "--", remote) is None:
            raise GitError(f"--deepen: there is no remote '{remote}' to fetch the history from",
                           hint="set `remote` in the config to the remote to fetch from")
        args = ["fetch", *(["--unshallow"] if unshallow else []), "--tags", "--no-recurse-submodules",
                "--", remote, f"+refs/heads/*:refs/remotes/{remote}/*"]
        self.run(*args)
        return ["git", *args]


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


_HEX = frozenset("0123456789abcdef")
# Options that select commits by what they are, not by which refs exist.
_FIXED_OPTIONS = frozenset({"--first-parent", "--no-merges", "--merges", "--topo-order", "--date-order",
                            "--reverse", "--ancestry-path", "--not", "--count", "--parents"})


_TYPES_QUERY = ("cat-file", "--batch-check=%(objecttype)")


def _log_args(rev_args: Sequence[str]) -> tuple[str, ...]:
    return ("log", "-z", "--format=%H%n%P%n%B", *rev_args, "--")


def _tags_args(pattern: str, merged: str | None) -> tuple[str, ...]:
    fmt = "--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)"
    return ("for-each-ref", fmt, *([f"--merged={merged}"] if merged else []), f"refs/tags/{pattern}")


def _diff_args(args: Sequence[str], config: Sequence[str]) -> tuple[str, ...]:
    pinned = [item for kv in config for item in ("-c", kv)]
    return (*pinned, "diff", "--no-color", "--no-ext-diff", "--no-textconv", *args)


def _fixed(args: Sequence[str]) -> bool:
    """Whether a query names commits by full id only (``sha``, ``^sha``) with options
    from :data:`_FIXED_OPTIONS`: then its answer is the same for as long as we run."""
    for arg in args:
        if arg in _FIXED_OPTIONS:
            continue
        arg = arg[1:] if arg.startswith("^") else arg
        if len(arg) not in (40, 64) or not set(arg) <= _HEX:
            return False
    return True


def records(text: str) -> list[str]:
    """git's output lines, split on newlines only. Never ``str.splitlines()``: it also
    splits on U+2028, U+0085, form feeds..., which ref names and paths may hold."""
    return text.removesuffix("\n").split("\n") if text else []
