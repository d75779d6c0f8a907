"""Starting a program and reading it to the end: the plumbing under the git gateway.

:mod:`hotfix_guard.git` decides *what* to ask git; this module only starts processes,
feeds them their input, drains their output and reaps them. Where the platform has
``os.posix_spawn`` and ``select.poll`` (Linux, macOS, the BSDs) it uses them directly;
elsewhere (Windows) it goes through :mod:`subprocess`, which does the same for every
platform but costs the every-commit path a few milliseconds to import. Why that matters,
and the figure, are in docs/architecture.md ("Devices kept").

A :class:`Process` is started by :func:`start` and collected by :func:`finish` (or
stopped by :func:`stop`); :func:`run` does both. Non-zero exit codes are returned, never
raised; a signal gives ``-N``.
"""

from __future__ import annotations

import os
import select
from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: whether :func:`start` uses posix_spawn and poll (else subprocess). Tests switch it off
#: to run the portable path on a POSIX machine.
POSIX = hasattr(os, "posix_spawn") and hasattr(select, "poll")

_FOUND: dict[tuple[str, str], str] = {}
_CHUNK = 65536


class Process(namedtuple("Process", "pid stdout stderr stdin pending popen")):
    """A started process: its ``pid``; the read ends of its ``stdout`` and ``stderr``
    pipes and the write end of its ``stdin`` pipe (file descriptors; ``stdin`` is -1
    when it reads /dev/null or has been given all its input); ``pending``, the input
    not yet written; ``popen``, the :class:`subprocess.Popen` on the portable path
    (None on the POSIX one, where the descriptors are ours)."""

    __slots__ = ()


def find_executable(name: str, env: dict[str, str]) -> str:
    """``name`` looked up on the environment's PATH, as subprocess would; remembered.
    Raises FileNotFoundError when it is nowhere."""
    path = env.get("PATH") or os.defpath
    found = _FOUND.get((name, path))
    if found is None:
        for directory in path.split(os.pathsep):  # os.get_exec_path imports warnings
            candidate = os.path.join(directory or ".", name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                found = _FOUND[(name, path)] = candidate
                break
        else:
            raise FileNotFoundError(name)
    return found


def start(exe: str, argv: list[str], env: dict[str, str], input: bytes | None = None,
          stdout_fd: int = -1) -> Process:
    """Start ``exe`` with ``argv`` and ``env``; its stdin is ``input`` (as much as the
    pipe takes now, the rest in :func:`finish`) or /dev/null when ``input`` is None. With
    ``stdout_fd`` (an open file), it writes its output straight there (see :func:`follow`)."""
    if not POSIX:
        return _start_portable(exe, argv, env, input, stdout_fd)
    out_r, out_w = os.pipe() if stdout_fd < 0 else (-1, stdout_fd)
    err_r, err_w = os.pipe()
    in_r = in_w = -1
    if input is not None:
        in_r, in_w = os.pipe()
        stdin_action: tuple[Any, ...] = (os.POSIX_SPAWN_DUP2, in_r, 0)
    else:
        stdin_action = (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)
    try:
        pid = os.posix_spawn(exe, argv, env, setsigdef=_default_signals(), file_actions=[
            stdin_action, (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
    except BaseException:
        _close(out_r, err_r, in_w)
        raise
    finally:
        _close(out_w if stdout_fd < 0 else -1, err_w, in_r)
    pending = input or b""
    if in_w >= 0:  # give it its input now (what the pipe takes), so it can get on with it
        os.set_blocking(in_w, False)
        try:
            pending = pending[os.write(in_w, pending):] if pending else b""
        except (BlockingIOError, BrokenPipeError):
            pass
        if not pending:
            os.close(in_w)
            in_w = -1
    return Process(pid, out_r, err_r, in_w, pending, None)


def finish(proc: Process) -> tuple[int, bytes, bytes]:
    """Write what is left of the input, read both outputs to the end (together, so
    neither pipe can fill up and stall the child), reap it: (exit code, stdout, stderr).
    A huge output goes to a file instead (``stdout_fd``, :func:`follow`)."""
    if proc.popen is not None:
        out, err = proc.popen.communicate(proc.pending if proc.popen.stdin else None)
        return proc.popen.returncode, out, err
    chunks: dict[int, list[bytes]] = {proc.stdout: [], proc.stderr: []}
    reading = {proc.stdout, proc.stderr}
    in_w, pending = proc.stdin, memoryview(proc.pending)
    try:
        poller = select.poll()
        for fd in reading:
            poller.register(fd, select.POLLIN)
        if in_w >= 0:
            poller.register(in_w, select.POLLOUT)
        while reading or in_w >= 0:
            for fd, _event in poller.poll():
                if fd == in_w:
                    try:
                        pending = pending[os.write(fd, pending[:_CHUNK]):]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # it stopped reading: it will say why
                        pending = pending[:0]
                    if not pending:
                        poller.unregister(fd)
                        os.close(fd)
                        in_w = -1
                    continue
                block = os.read(fd, _CHUNK)
                if block:
                    chunks[fd].append(block)
                else:
                    poller.unregister(fd)
                    reading.discard(fd)
        _, status = os.waitpid(proc.pid, 0)
    except BaseException:  # Ctrl-C and the like: leave nothing running behind
        _kill(proc.pid)
        raise
    finally:
        _close(proc.stdout, proc.stderr, in_w)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[proc.stdout]), b"".join(chunks[proc.stderr])


def follow(proc: Process, progress: Any, interval: float = 0.002) -> tuple[int, bytes]:
    """Wait for a process started with ``stdout_fd`` while calling ``progress()`` every
    ``interval`` seconds it has said nothing on stderr (so what it has written so far
    can be read while it goes on), reap it: (exit code, stderr). It is never held up:
    its output goes to the file, not through a pipe that Python must drain."""
    if proc.popen is not None:
        _, err = proc.popen.communicate()
        progress()
        return proc.popen.returncode, err
    chunks: list[bytes] = []
    try:
        poller = select.poll()
        poller.register(proc.stderr, select.POLLIN)
        wait = int(interval * 1000) or 1
        while True:
            if poller.poll(wait):
                block = os.read(proc.stderr, _CHUNK)
                if not block:
                    break
                chunks.append(block)
            else:
                progress()
        _, status = os.waitpid(proc.pid, 0)
    except BaseException:  # Ctrl-C and the like: leave nothing running behind
        _kill(proc.pid)
        raise
    finally:
        _close(proc.stderr, proc.stdin)
    return os.waitstatus_to_exitcode(status), b"".join(chunks)


def stop(proc: Process) -> None:
    """Stop a started process nobody will collect, and reap it."""
    if proc.popen is not None:
        proc.popen.kill()
        proc.popen.communicate()
        return
    _close(proc.stdout, proc.stderr, proc.stdin)
    _kill(proc.pid)


def run(exe: str, argv: list[str], env: dict[str, str], input: bytes | None = None) -> tuple[int, bytes, bytes]:
    """Run a program to completion: (exit code, stdout, stderr)."""
    return finish(start(exe, argv, env, input))


def scratch_file() -> Any:
    """A new, empty, unnamed file for a big output (read and write, unbuffered; it is
    gone when closed). Made in the temporary directory without importing ``tempfile``
    (4 ms) where the platform allows."""
    directory = os.environ.get("TMPDIR") or "/tmp"
    if hasattr(os, "O_TMPFILE") and os.path.isdir(directory):
        try:
            return open(os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o600), "r+b", buffering=0)
        except OSError:  # a file system without O_TMPFILE
            pass
    if os.name == "posix" and os.path.isdir(directory):
        for _ in range(10):
            path = os.path.join(directory, f"hotfix-guard-{os.getpid()}-{os.urandom(6).hex()}")
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
            except FileExistsError:
                continue
            os.unlink(path)
            return open(fd, "r+b", buffering=0)
    import tempfile

    return tempfile.TemporaryFile(buffering=0)


# -- helpers -------------------------------------------------------------------------------


def _start_portable(exe: str, argv: list[str], env: dict[str, str], input: bytes | None,
                    stdout_fd: int = -1) -> Process:
    import subprocess

    popen = subprocess.Popen(
        argv, executable=exe, env=env,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout_fd < 0 else stdout_fd, stderr=subprocess.PIPE,
    )
    return Process(popen.pid, -1, -1, -1, input or b"", popen)


def _default_signals() -> tuple[int, ...]:
    # Python ignores SIGPIPE, and an ignored signal stays ignored across exec: give the
    # child the default dispositions back, as subprocess does (restore_signals=True).
    try:
        import _signal as sig  # the C module, loaded at startup; `signal` would import enum
    except ImportError:  # pragma: no cover
        import signal as sig  # type: ignore[no-redef]
    return tuple(getattr(sig, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(sig, name))



def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            os.close(fd)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:  # pragma: no cover - gone already
        pass
