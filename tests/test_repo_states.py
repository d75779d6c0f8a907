"""How check behaves in every state a repository can be in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, make_repo, run_cli


def test_bare_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "b.git")], check=True)
    assert_clean_error(run_cli("check", cwd=tmp_path / "b.git"), "bare repository")


def test_repository_without_commits(repo: Repo) -> None:
    proc = run_cli("check", cwd=repo.path)
    assert proc.returncode == 0 and "no commits yet" in proc.stdout
    repo.git("symbolic-ref", "HEAD", "refs/heads/hotfix/v1.0.1-fix")
    assert_clean_error(run_cli("check", cwd=repo.path), "has no commits yet")


def test_sha256_repository(tmp_path: Path) -> None:
    path = tmp_path / "s256"
    subprocess.run(["git", "init", "-q", "--object-format=sha256", str(path)], check=True)
    r = Repo(path)
    r.git("symbolic-ref", "HEAD", "refs/heads/main")
    r.commit("init", {"a.py": "a\n"})
    r.tag("v1.0.0")
    r.checkout("develop", new=True)
    r.commit("dev", {"b.py": "b\n"})
    r.checkout("hotfix/v1.0.1-fix", new=True, start="develop")
    r.commit("fix", {"a.py": "b\n"})
    proc = run_cli("check", "--format", "json", "--select", "HG001,HG002,HG003", cwd=path)
    data = json.loads(proc.stdout)
    assert len(data["head"]) == 64
    assert [f["code"] for f in data["findings"]] == ["HG001"]


def test_rebase_in_progress_checks_the_rebased_branch(project: Repo) -> None:
    project.checkout("hotfix/oops", new=True, start="main")
    project.commit("one", {"src/a.py": "a\n"})
    project.commit("two", {"src/b.py": "b\n"})
    project.git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "main")
    assert project.git("symbolic-ref", "-q", "HEAD", check=False) == ""
    proc = run_cli("check", "--stage", "pre-commit", "--format", "json", "--select", "HG002", cwd=project.path)
    data = json.loads(proc.stdout)
    assert data["branch"] == "hotfix/oops" and data["findings"][0]["code"] == "HG002"
    project.git("rebase", "--abort")


def test_detached_head_at_pre_commit_is_not_blocked(project: Repo) -> None:
    project.git("checkout", "-q", "--detach")
    proc = run_cli("check", "--stage", "pre-commit", cwd=project.path)
    assert proc.returncode == 0 and "HEAD is detached: no branch to check" in proc.stdout


def test_linked_worktree(project: Repo, tmp_path: Path) -> None:
    hotfix_from_main(project)
    project.checkout("main")
    wt = tmp_path / "wt"
    project.git("worktree", "add", "-q", str(wt), "hotfix/v1.2.4-fix-payment-crash")
    proc = run_cli("check", "--format", "json", "--select", "HG001,HG002,HG003", cwd=wt)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["branch"] == "hotfix/v1.2.4-fix-payment-crash"


def test_hook_variables_are_honoured(project: Repo) -> None:
    """Git exports GIT_DIR (relative, sometimes) to hooks: it must keep working."""
    project.checkout("hotfix/oops", new=True, start="main")
    project.commit("fix", {"src/a.py": "a\n"})
    proc = run_cli("check", "--format", "json", "--select", "HG002", cwd=project.path,
                   env={"GIT_DIR": ".git", "GIT_INDEX_FILE": ".git/index"})
    assert json.loads(proc.stdout)["branch"] == "hotfix/oops"


def test_no_git_on_path(project: Repo, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check"], cwd=project.path,
                          capture_output=True, text=True,
                          env={**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT)})
    assert_clean_error(proc, "git was not found on PATH")


def test_git_too_old(project: Repo, tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "git"
    script.write_text('#!/bin/sh\nif [ "$1" = version ]; then echo "git version 2.17.1"; exit 0; fi\n'
                      'echo "error: unknown option \\`absolute-git-dir\'" >&2\necho "usage: git rev-parse" >&2\nexit 129\n')
    script.chmod(0o755)
    proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check"], cwd=project.path,
                          capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
                               "PYTHONPATH": str(ROOT)})
    assert_clean_error(proc, "git 2.17.1 is too old", "2.25 or newer")


def test_output_piped_into_head(project: Repo) -> None:
    project.checkout("hotfix/oops", new=True, start="develop")
    project.commit("fix", {"src/a.py": "a\n"})
    proc = subprocess.run(
        f"{sys.executable} -m hotfix_guard check --format json | head -1",
        shell=True, cwd=project.path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.strip() == "{"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_hostile_branch_names_are_never_run(project: Repo, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for name in (f"hotfix/v1.2.4-$(touch${{IFS}}{marker})", f"hotfix/v1.2.4-`touch${{IFS}}{marker}`",
                 f"hotfix/v1.2.4-x;touch${{IFS}}{marker}"):
        project.checkout(name, new=True, start="main")
        project.commit("fix", {"src/app.py": f"# {name}\n"})
        for fmt in ("text", "json"):
            proc = run_cli("check", "--format", fmt, cwd=project.path)
            assert proc.returncode == 1, proc.stderr  # HG002: not kebab-case
            assert "Traceback" not in proc.stderr
        proc = run_cli("check", "--branch", name, "--select", "HG002", cwd=project.path)
        assert name in proc.stdout
    assert not marker.exists()
