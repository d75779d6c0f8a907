"""hotfix_guard.process: both ways of starting git -- posix_spawn and poll, and the
portable subprocess path that platforms without them take -- give the same answers."""

from __future__ import annotations

import os

import pytest

from hotfix_guard import process
from hotfix_guard.errors import GitError
from hotfix_guard.git import Git

from conftest import Repo


@pytest.fixture(params=["posix", "portable"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "posix" and not process.POSIX:
        pytest.skip("no posix_spawn/poll on this platform")
    monkeypatch.setattr(process, "POSIX", request.param == "posix")
    return request.param


def test_both_paths_answer_the_same(project: Repo, path: str) -> None:
    git = Git(str(project.path))
    assert git.run("rev-parse", "main").strip() == project.sha("main")
    assert git.try_run("rev-parse", "--verify", "-q", "no-such-branch") is None


def test_both_paths_feed_more_input_than_a_pipe_holds(project: Repo, path: str) -> None:
    git = Git(str(project.path))
    names = [project.sha("main"), "0" * 40] * 20000  # ~1.6 MB: many times a pipe's buffer
    assert git.object_types(names) == {project.sha("main"): "commit", "0" * 40: None}


def test_both_paths_collect_a_started_query(project: Repo, path: str) -> None:
    git = Git(str(project.path))
    git.start("rev-parse", "main")
    assert git.run("rev-parse", "main").strip() == project.sha("main")
    assert git.calls == 1 and git._started == {}


def test_both_paths_stop_and_reap_what_nobody_asked_for(project: Repo, path: str) -> None:
    git = Git(str(project.path))
    git.start("rev-list", "--all")
    (started,) = git._started.values()
    git.close()
    assert git._started == {}
    with pytest.raises(ChildProcessError):
        os.waitpid(started.pid, os.WNOHANG)  # reaped already: no zombie left behind


def test_both_paths_turn_a_failure_into_one_readable_error(project: Repo, path: str) -> None:
    git = Git(str(project.path))
    with pytest.raises(GitError, match="rev-list"):
        git.run("rev-list", "no-such-branch")


def test_no_git_on_path_is_one_clear_error(project: Repo, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(project.path / "nowhere"))
    git = Git(str(project.path))
    git.start("rev-parse", "HEAD")  # nothing to start: the query, when asked, says so
    with pytest.raises(GitError, match="git was not found on PATH"):
        git.run("rev-parse", "HEAD")


def test_both_paths_drain_both_pipes_and_feed_stdin(path: str) -> None:
    env = dict(os.environ)
    big = b"".join(b"line %06d\n" % i for i in range(60_000))  # 720 kB, well over a pipe's buffer
    code, out, err = process.run("/bin/sh", ["sh", "-c", "cat; printf 'err%.0s' $(seq 1 20000) >&2"], env, big)
    assert code == 0 and out == big and err == b"err" * 20000
    code, out, _ = process.run("/bin/sh", ["sh", "-c", "head -c 10; exit 3"], env, big)
    assert code == 3 and out == big[:10]  # it stopped reading early: no hang, no error
    _, out, _ = process.run("/bin/sh", ["sh", "-c", "read x || echo none"], env, None)
    assert out == b"none\n"  # no input: stdin is /dev/null
