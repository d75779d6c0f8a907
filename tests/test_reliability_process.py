"""The process around hotfix-guard (issue #8): Ctrl-C, a reader that goes away, outputs
that cannot be written, closed standard streams.

(No git on PATH, git older than 2.25, and a small `| head -1`: tests/test_repo_states.py;
Ctrl-C at a triage prompt: tests/test_triage_pty.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli

HOTFIX = "hotfix/v1.2.4-fix-payment-crash"
FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    """Until ``path`` exists (the fake git reached its slow command), or the run ended."""
    for _ in range(6000):
        if path.exists() or proc.poll() is not None:
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


def gone(pid: int) -> bool:
    for _ in range(500):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


# -- Ctrl-C ----------------------------------------------------------------------------------


@pytest.fixture
def slow_git(tmp_path: Path) -> tuple[Path, Path]:
    """A `git` first on PATH that runs the real one, except `git diff`: it writes its pid
    to a file and sleeps (so a signal lands while hotfix-guard waits on git)."""
    real = shutil.which("git")
    assert real
    bin_dir = tmp_path / "slowbin"
    bin_dir.mkdir()
    ready = tmp_path / "git-diff-started"
    script = bin_dir / "git"
    script.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do\n'
        f'  if [ "$arg" = diff ]; then echo $$ > "{ready}.tmp"; mv "{ready}.tmp" "{ready}"; exec sleep 60; fi\n'
        "done\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o755)
    return bin_dir, ready


@pytest.mark.parametrize("to", ["process-group", "python-only"])
def test_ctrl_c_while_git_runs_is_exit_130_without_a_traceback(project: Repo, slow_git: tuple[Path, Path],
                                                               to: str) -> None:
    """A terminal's Ctrl-C reaches the whole process group (hotfix-guard and git); `kill
    -INT` only Python. Either way: exit 130, one line, and no git left running."""
    hotfix_from_main(project)
    bin_dir, ready = slow_git
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix_guard", "check"], cwd=project.path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True,
        env=cli_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"),
    )
    try:
        wait_for(ready, proc)
        assert proc.poll() is None, proc.communicate()
        if to == "process-group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert err == "\nhotfix-guard: interrupted\n", err
    assert out == ""
    assert gone(int(ready.read_text())), "the git hotfix-guard was waiting on is still running"


def test_ctrl_c_on_a_big_check(tmp_path: Path) -> None:
    """No fake git: SIGINT to the process group at several moments of a real check of a
    big change, counted from hotfix-guard's first git call (so Python's own start-up is
    over). Whatever it interrupts (git, parsing, rules, rendering), the run ends with 130
    and one line, or, if it had finished, with its whole report."""
    from conftest import make_repo

    r = make_repo(tmp_path / "big")
    r.commit("base", {f"src/m{i}.py": "".join(f"v{j} = {j}\n" for j in range(3000)) for i in range(10)})
    r.tag("v1.2.3")
    r.checkout("hotfix/v1.2.4-big", new=True)
    r.commit("change", {f"src/m{i}.py": "".join(f"v{j} = {j + 1}\n" for j in range(3000)) for i in range(10)})
    for delay in (0.0, 0.2, 0.4, 0.8, 1.2, 1.6):
        proc = subprocess.Popen([sys.executable, "-m", "hotfix_guard", "check", "--format", "json"], cwd=r.path,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env=cli_env(HOTFIX_GUARD_TRACE_GIT="1"))
        assert proc.stderr is not None
        first = proc.stderr.readline()  # "git rev-parse ...": hotfix-guard's code is running
        assert first.startswith("git "), first
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, (delay, err)
        if proc.returncode == 130:
            assert err.endswith("\nhotfix-guard: interrupted\n"), err
        elif proc.returncode == 1:
            json.loads(out)  # it had finished: a whole report
        else:
            # the signal came as Python was exiting, after hotfix-guard returned: Python's
            # default (killed by SIGINT, which a shell shows as 130 too)
            assert proc.returncode == -signal.SIGINT and out, (delay, proc.returncode, err)


# -- a reader that goes away -----------------------------------------------------------------


def piped_into_head(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``hotfix-guard ARGS | head -1``: the exit code and stderr of hotfix-guard."""
    producer = subprocess.Popen([sys.executable, "-m", "hotfix_guard", *args], cwd=cwd, env=env or cli_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    assert producer.stdout is not None
    producer.stdout.close()  # head holds the only read end
    first, _ = head.communicate(timeout=120)
    _, err = producer.communicate(timeout=120)
    return producer.returncode, first.decode(), err.decode()


@pytest.fixture
def many_findings(project: Repo) -> Repo:
    """A hotfix whose report is far bigger than a pipe's buffer (64 KiB)."""
    project.checkout(HOTFIX, new=True, start="main")
    project.commit("todos", {"src/todo.py": "".join(f"# TODO: thing {i}\nx{i} = {i}\n" for i in range(1500))})
    return project


@pytest.mark.parametrize("fmt", FORMATS)
def test_big_report_piped_into_head(many_findings: Repo, fmt: str) -> None:
    full = run_cli("check", "--format", fmt, cwd=many_findings.path)
    assert len(full.stdout) > 100_000
    rc, first, err = piped_into_head(["check", "--format", fmt], many_findings.path)
    assert first and full.stdout.startswith(first)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert rc in (1, 141), (rc, err)  # 141: stopped by the closed pipe, as `yes | head` would be


@pytest.mark.parametrize("args", [["rules"], ["rules", "--format", "json"], ["explain", "HG007"], ["demo"],
                                  ["--help"], ["check", "--help"]])
def test_other_commands_piped_into_head(tmp_path: Path, args: list[str]) -> None:
    rc, first, err = piped_into_head(args, tmp_path)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert rc in (0, 141), (rc, err)


# -- outputs that cannot be written ----------------------------------------------------------


def unwritable_outputs(tmp_path: Path) -> list[tuple[str, str]]:
    tmp_path.mkdir()
    cases = [(str(tmp_path), "Is a directory"),
             (str(tmp_path / "a-file" / "report.json"), "Not a directory"),
             (str(tmp_path / "missing" / "report.json"), "No such file or directory")]
    (tmp_path / "a-file").write_text("x")
    if os.path.exists("/dev/full"):
        cases.append(("/dev/full", "No space left on device"))
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases.append((str(locked / "report.json"), "Permission denied"))
    return cases


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_unwritable_output_is_exit_2(project: Repo, tmp_path: Path, fmt: str) -> None:
    hotfix_from_main(project)
    for path, reason in unwritable_outputs(tmp_path / "out"):
        proc = run_cli("check", "--format", fmt, "--output", path, cwd=project.path)
        assert_clean_error(proc, f"cannot write --output {path}: {reason}")


def test_unwritable_output_on_the_fast_path(project: Repo, tmp_path: Path) -> None:
    """A branch with nothing to check still reports, so a bad --output is still exit 2."""
    project.checkout("feature/x", new=True)
    assert_clean_error(run_cli("check", "--output", str(tmp_path), cwd=project.path), "cannot write --output")


# -- closed standard streams -----------------------------------------------------------------


def test_closed_stdout(project: Repo, tmp_path: Path) -> None:
    """`hotfix-guard check >&-` said "internal error: AttributeError"; now a clear exit 2,
    and --output still works."""
    hotfix_from_main(project)
    for branch in (HOTFIX, "develop"):
        project.checkout(branch)
        proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check"], cwd=project.path, env=cli_env(),
                              stdout=None, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                              close_fds=True, preexec_fn=lambda: os.close(1))
        assert_clean_error(proc, "standard output is closed", "--output")
    out = tmp_path / "report.txt"
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check", "--output", str(out)], cwd=project.path,
                          env=cli_env(), stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0 and out.read_text().startswith("develop: all checks passed (")


def test_closed_stdin_at_pre_push(project: Repo) -> None:
    """No push input at all (stdin closed): the current branch is checked, as by hand."""
    hotfix_from_main(project)
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check", "--stage", "pre-push", "--format", "json",
                           "--select", "HG002"], cwd=project.path, env=cli_env(), capture_output=True, text=True,
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["branch"] == HOTFIX


def test_binary_garbage_on_pre_push_stdin(project: Repo) -> None:
    hotfix_from_main(project)
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check", "--stage", "pre-push"], cwd=project.path,
                          env=cli_env(), input=b"\xff\xfe\x00garbage\n" * 1000, capture_output=True)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.startswith(b"hotfix-guard: error: pre-push input line 1 is not")
