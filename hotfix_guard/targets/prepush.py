"""The pre-push protocol: which refs a push updates, under which names (issue #4).

Where the pushed refs come from, first match wins:

1. **git's lines on stdin** (a native pre-push hook): one line per ref the push updates,
   ``<local ref> SP <local sha> SP <remote ref> SP <remote sha>``. Every line is used, not
   only the first. Ref names could hold spaces in hand-fed input, so a line is split
   around its two object names (40 or 64 hex digits), not on every space.
2. **the pre-commit framework's variables** (``PRE_COMMIT_REMOTE_BRANCH``,
   ``PRE_COMMIT_TO_REF``, ``PRE_COMMIT_LOCAL_BRANCH``, ``PRE_COMMIT_FROM_REF``): the
   framework has read git's lines itself and describes one ref (the first one with new
   commits) in these.
3. nothing at all, and the native hook ran us (``HOTFIX_GUARD_HOOK=pre-push``): git runs
   the hook even when the push updates nothing ("Everything up-to-date"); nothing to check.
4. nothing at all, by hand: :func:`targets` returns None and ``check`` falls back to the
   current branch, as at the manual stage.

stdin is never read when it is a terminal (``check --stage pre-push`` typed by hand), and
when the framework's variables are set it is read only if data is already waiting. Once
read, the input must end within a bounded wait (git closes it after its lines): a stdin
left open by some wrapper (ssh, ``docker run -i``) is exit 2 with a hint, never a hang.

Each ref is checked under the name it gets **on the remote**: pushing ``wip`` to
``refs/heads/hotfix/v1.2.4-x`` is a hotfix push, whatever is checked out. A deletion (local
sha all zeros) and refs outside ``refs/heads/`` (tags, notes, Gerrit's ``refs/for/``) pass
with a note. A new remote branch (remote sha all zeros) is checked against production like
any hotfix, even when it brings no new commits (which the pre-commit framework skips).
"""

from __future__ import annotations

import os
from collections import namedtuple

from hotfix_guard.errors import UsageError
from hotfix_guard.git import ZERO_SHAS

TYPE_CHECKING = False  # not typing's: the every-push path imports neither typing nor re
if TYPE_CHECKING:
    from typing import IO, Any, Mapping

    from hotfix_guard.targets.target import Target
    from hotfix_guard.config import Settings
    from hotfix_guard.git import Git, RepoInfo

HOOK_VARIABLE = "HOTFIX_GUARD_HOOK"  # set by the native hook for the check it runs
FRAMEWORK_VARIABLES = ("PRE_COMMIT_REMOTE_BRANCH", "PRE_COMMIT_TO_REF", "PRE_COMMIT_FROM_REF",
                       "PRE_COMMIT_LOCAL_BRANCH")
_HEX = frozenset("0123456789abcdef")
_HEADS = "refs/heads/"


class PushedRef(namedtuple("PushedRef", "local_ref local_sha remote_ref remote_sha")):
    """One line of git's pre-push input."""

    __slots__ = ()

    @property
    def deletion(self) -> bool:
        return self.local_sha in ZERO_SHAS

    @property
    def new_branch(self) -> bool:
        return self.remote_sha in ZERO_SHAS


def parse(text: str) -> list[PushedRef]:
    """git's pre-push lines; blank lines are skipped, anything else malformed is exit 2."""
    result = []
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines(): ref names may hold U+2028
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = _split(line)
        if fields is None:
            shown = line if len(line) <= 120 else line[:117] + "..."
            raise UsageError(
                f"pre-push input line {number} is not '<local ref> <local sha> <remote ref> <remote sha>': {shown!r}",
                hint="the pre-push stage reads the lines git gives a pre-push hook; "
                     "to check a branch by hand use --branch/--head",
            )
        result.append(PushedRef(*fields))
    return result


def _is_sha(token: str) -> bool:
    return len(token) in (40, 64) and not set(token) - _HEX


def _split(line: str) -> tuple[str, str, str, str] | None:
    """``<local ref> <local sha> <remote ref> <remote sha>``; either ref may hold spaces,
    so the line is cut at the first sha that leaves a remote ref before the last sha."""
    tokens = line.split(" ")
    if len(tokens) < 4 or not _is_sha(tokens[-1]):
        return None
    for i in range(1, len(tokens) - 2):
        if _is_sha(tokens[i]):
            return " ".join(tokens[:i]), tokens[i], " ".join(tokens[i + 1:-1]), tokens[-1]
    return None


def read_input(stdin: IO[Any] | None, *, wait: bool) -> str:
    """What is on stdin, without ever blocking on a terminal or on a pipe left open.

    ``wait=False``: read only when data (or end of file) is already there. Either way,
    once reading, the input must end (git closes the pipe after its lines) within
    :func:`input_timeout` seconds, else a UsageError: a caller that keeps stdin open and
    silent (ssh, ``docker run -i``, some runners) gets exit 2, not a hang.
    """
    if stdin is None or getattr(stdin, "closed", False):
        return ""
    try:
        if stdin.isatty():
            return ""
    except (OSError, ValueError):
        return ""
    try:
        fd = stdin.fileno()
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests' StringIO)
        fd = -1
    import select

    if fd < 0 or not hasattr(select, "poll"):  # pragma: no cover - Windows pipes: read as before
        raw = getattr(stdin, "buffer", None)
        if raw is not None:
            return raw.read().decode("utf-8", "surrogateescape")
        data = stdin.read()
        return data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    return _read_to_end(fd, select.poll(), wait=wait).decode("utf-8", "surrogateescape")


#: seconds the pre-push stage waits for its input to end; ``HOTFIX_GUARD_STDIN_TIMEOUT`` sets it
INPUT_TIMEOUT = 5.0


def input_timeout() -> float:
    value = os.environ.get("HOTFIX_GUARD_STDIN_TIMEOUT", "")
    try:
        return max(0.0, float(value)) if value else INPUT_TIMEOUT
    except ValueError:
        raise UsageError(f"HOTFIX_GUARD_STDIN_TIMEOUT: expected a number of seconds, got {value!r}") from None


def _read_to_end(fd: int, poller: Any, *, wait: bool) -> bytes:
    import time

    timeout = input_timeout()
    poller.register(fd, 1 | 8 | 16)  # POLLIN | POLLERR | POLLHUP
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    first = True
    while True:
        left = 0.0 if first and not wait else max(0.0, deadline - time.monotonic())
        if not poller.poll(int(left * 1000)):
            if first and not wait:
                return b""  # nothing waiting (the framework's variables describe the push)
            got = sum(len(c) for c in chunks)
            raise UsageError(
                f"pre-push: standard input stayed open {timeout:g} s without ending"
                f" ({got} bytes read): expected git's pre-push lines, then the end of the input",
                hint="git closes the input after its lines; when calling it yourself, close stdin "
                     "(`< /dev/null`, or `ssh -n`, `docker run` without -i), or check a branch with --branch/--head",
            )
        first = False
        block = os.read(fd, 65536)
        if not block:
            return b"".join(chunks)
        chunks.append(block)


def targets(git: Git, info: RepoInfo, settings: Settings, stdin: IO[Any] | None,
            environ: Mapping[str, str] | None = None) -> list[Target] | None:
    """The refs a push updates, as check targets; None when there is no push input at all
    (then ``check`` checks the current branch)."""
    env = os.environ if environ is None else environ
    framework = any(env.get(name) for name in FRAMEWORK_VARIABLES)
    pushed = parse(read_input(stdin, wait=not framework))
    if pushed:
        return from_lines(git, pushed)
    if framework:
        return [from_variables(git, info, env)]
    if env.get(HOOK_VARIABLE) == "pre-push":
        return []  # git ran the hook for a push that updates nothing
    return None


def from_lines(git: Git, pushed: list[PushedRef]) -> list[Target]:
    """The targets of git's pre-push lines. That each pushed commit is in the repository is
    asked of git now and checked by :func:`verify` later, so git answers while the rules
    load; the targets to verify are marked ``unverified``."""
    from hotfix_guard.targets.target import Target

    result = []
    for p in pushed:
        remote_ref = p.remote_ref
        if p.deletion:
            name = remote_ref.removeprefix(_HEADS) if remote_ref.startswith(_HEADS) else None
            result.append(Target(name, ref=remote_ref, note="deleted on the remote: nothing to check"))
        elif not remote_ref.startswith(_HEADS):
            result.append(Target(None, ref=remote_ref, note="not a branch: nothing to check"))
        else:
            name = remote_ref.removeprefix(_HEADS)
            result.append(Target(name, head=p.local_sha, ref=remote_ref, explicit_branch=True,
                                 unverified=True, pushed_from=_local_name(p.local_ref, name)))
    git.start_object_types(_unverified_heads(result))
    return result


def _local_name(local_ref: str, remote_name: str) -> str | None:
    """The local branch pushed, when it is one and its name is not the remote one."""
    if not local_ref.startswith(_HEADS):
        return None
    local = local_ref.removeprefix(_HEADS)
    return local if local != remote_name else None


def _unverified_heads(targets: list[Target]) -> list[str]:
    """The commits pushed to branches, once each, in the order of the lines."""
    return list(dict.fromkeys(t.head for t in targets if t.unverified))


def verify(git: Git, targets: list[Target]) -> None:
    """Every pushed commit is an object of this repository, else a UsageError (the answer
    to the question :func:`from_lines` asked)."""
    kinds = git.object_types(_unverified_heads(targets))
    for target in targets:
        if target.unverified and kinds.get(target.head) is None:
            raise UsageError(
                f"pre-push input: {target.head} (pushed to {target.ref}) is not an object in this repository",
                hint="the pre-push stage reads the lines git gives a pre-push hook",
            )


def from_variables(git: Git, info: RepoInfo, env: Mapping[str, str]) -> Target:
    """The one ref the pre-commit framework describes.

    ``PRE_COMMIT_REMOTE_BRANCH`` names the branch (``refs/heads/x`` or ``x``); without it the
    local branch (``PRE_COMMIT_LOCAL_BRANCH`` when it is a branch, else HEAD's) stands in.
    ``PRE_COMMIT_TO_REF`` is the commit pushed, else ``PRE_COMMIT_LOCAL_BRANCH`` (which may be
    the literal ``HEAD``). ``PRE_COMMIT_FROM_REF`` is not the base: a hotfix is judged as a
    whole against production, not by what this one push adds.
    """
    from hotfix_guard.targets.target import Target

    remote_branch = env.get("PRE_COMMIT_REMOTE_BRANCH") or ""
    local_branch = env.get("PRE_COMMIT_LOCAL_BRANCH") or ""
    to_ref = env.get("PRE_COMMIT_TO_REF") or ""
    if remote_branch:
        ref = remote_branch if remote_branch.startswith("refs/") else _HEADS + remote_branch
    elif local_branch.startswith(_HEADS):
        ref = local_branch
    elif info.head_ref:
        ref = info.head_ref
    else:
        raise UsageError(
            "pre-push: PRE_COMMIT_REMOTE_BRANCH is not set and HEAD is detached, so there is no branch name to check",
            hint="pass --remote-branch to `pre-commit run`, or run `hotfix-guard check --branch NAME`",
        )
    if not ref.startswith(_HEADS):
        return Target(None, ref=ref, note="not a branch: nothing to check")
    if to_ref in ZERO_SHAS:  # pre-commit knows only the 40-zero deletion: a SHA-256 one gets here
        return Target(ref.removeprefix(_HEADS), ref=ref, note="deleted on the remote: nothing to check")
    head_source, head_rev = ("PRE_COMMIT_TO_REF", to_ref) if to_ref else ("PRE_COMMIT_LOCAL_BRANCH", local_branch)
    head = None
    if head_rev:
        head = git.rev_parse(head_rev)
        if head is None:
            raise UsageError(f"{head_source}: cannot resolve '{head_rev}' to a commit")
    name = ref.removeprefix(_HEADS)
    return Target(name, head=head, ref=ref, explicit_branch=True, pushed_from=_local_name(local_branch, name))
