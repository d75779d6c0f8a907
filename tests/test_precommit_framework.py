"""The real pre-commit framework running this repository's `.pre-commit-hooks.yaml`.

`pre-commit try-repo` builds a fresh environment for every run (it uses a throwaway
store, whatever PRE_COMMIT_HOME says), so those runs are few: each hook id at its
stage, one failing and one passing case. The installed-framework test uses a store
shared by the session (PRE_COMMIT_HOME below), so its environment is built once. pip and
virtualenv caches are shared by the session too, and on Python < 3.12 pip builds the
package without build isolation (with the setuptools virtualenv seeds), for speed. pip installs the dependencies (pluggy,
pathspec, rich) from the package index, so these tests need it reachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Repo, hotfix_from_main

GOOD = "hotfix/v1.2.4-fix-payment-crash"

pytestmark = [
    pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
    pytest.mark.usefixtures("branch_rules_only"),
]


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as pre-commit sees a hook repository: a git repository whose HEAD
    commit holds the working tree as it is now (uncommitted and untracked files too)."""
    src = tmp_path_factory.mktemp("hook-source") / "hotfix-guard"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    ident = ["-c", "user.name=hotfix-guard tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgSign=false"]
    for args in (["init", "-q"], ["add", "-A"], [*ident, "commit", "-q", "--no-verify", "-m", "hook source"]):
        subprocess.run(["git", *args], cwd=src, env=env, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    return src, sha


@pytest.fixture(scope="session")
def caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("framework-caches")
    env = {
        "PRE_COMMIT_HOME": str(base / "pre-commit"),
        "PIP_CACHE_DIR": str(base / "pip"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(base / "virtualenv"),
    }
    if sys.version_info < (3, 12):
        # virtualenv seeds setuptools into the hook environment on these versions, so pip
        # can build the package with it instead of a fresh isolated build environment for
        # every env (about 10 of the ~15 seconds each try-repo costs)
        env["PIP_NO_BUILD_ISOLATION"] = "0"
    return env


@pytest.fixture(autouse=True)
def shared_caches(caches: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Override conftest's per-test PRE_COMMIT_HOME: one store (and pip cache) per session."""
    for key, value in caches.items():
        monkeypatch.setenv(key, value)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ), timeout=900)


def try_repo(r: Repo, src: Path, hook_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["pre-commit", "try-repo", str(src), hook_id, *args], cwd=r.path)


# -- pre-commit try-repo: each hook id at its stage, failing and passing ------------------


@pytest.mark.parametrize("branch, ok", [("hotfix/oops", False), (GOOD, True)])
def test_try_repo_pre_commit_stage(project: Repo, hook_source: tuple[Path, str], branch: str, ok: bool) -> None:
    project.checkout(branch, new=True, start="main")
    project.stage({"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard\n    return 0\n"})
    proc = try_repo(project, hook_source[0], "hotfix-guard")
    if ok:
        assert proc.returncode == 0, proc.stdout
        assert "hotfix-guard....." in proc.stdout and "Passed" in proc.stdout
    else:
        assert proc.returncode == 1, proc.stdout
        assert "Failed" in proc.stdout
        assert "HG002 [error] branch-name: `hotfix/oops` does not follow" in proc.stdout
        assert "hotfix/oops: 1 error (stage pre-commit)" in proc.stdout


def test_try_repo_pre_push_stage_fails_under_the_remote_name(project: Repo, hook_source: tuple[Path, str],
                                                             tmp_path: Path) -> None:
    """What pre-commit's own pre-push hook passes: from/to refs and the four push variables.
    A branch cut from develop, pushed under a hotfix name while main is checked out."""
    project.checkout("wip", new=True, start="develop")
    wip = project.commit("fix", {"src/app.py": "x = 1\n"})
    project.checkout("main")
    proc = try_repo(project, hook_source[0], "hotfix-guard-push", "--hook-stage", "pre-push",
                    "--from-ref", project.sha("main"), "--to-ref", wip,
                    "--remote-branch", "refs/heads/hotfix/v1.2.4-fix-crash", "--local-branch", "refs/heads/wip",
                    "--remote-name", "origin", "--remote-url", str(tmp_path / "remote.git"))
    assert proc.returncode == 1, proc.stdout
    assert "HG001 [error] branch-from-main" in proc.stdout
    assert "hotfix/v1.2.4-fix-crash: 1 error (stage pre-push)" in proc.stdout


def test_try_repo_pre_push_stage_passes(project: Repo, hook_source: tuple[Path, str]) -> None:
    """Only --from-ref/--to-ref (no push variables): the current branch is the name."""
    good = hotfix_from_main(project)
    proc = try_repo(project, hook_source[0], "hotfix-guard-push", "--hook-stage", "pre-push",
                    "--from-ref", project.sha("main"), "--to-ref", good)
    assert proc.returncode == 0, proc.stdout
    assert "Passed" in proc.stdout


# -- the framework installed: real commits and pushes ---------------------------------------


CONFIG = """\
repos:
-   repo: {src}
    rev: {sha}
    hooks:
    -   id: hotfix-guard
    -   id: hotfix-guard-push
"""


def git(r: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["git", *args], cwd=r.path)


def test_installed_framework_commits_and_pushes(project: Repo, hook_source: tuple[Path, str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    src, sha = hook_source
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.commit("Add pre-commit config", {".pre-commit-config.yaml": CONFIG.format(src=src, sha=sha)})
    project.git("push", "-q", "origin", "main", "develop", "--tags")
    proc = run(["pre-commit", "install", "--hook-type", "pre-commit", "--hook-type", "pre-push"], cwd=project.path)
    assert proc.returncode == 0, proc.stdout

    # a bad commit is refused, a good one goes through
    project.checkout("hotfix/oops", new=True, start="main")
    proc = git(project, "commit", "--allow-empty", "-m", "fix")
    assert proc.returncode == 1 and "HG002" in proc.stdout, proc.stdout
    project.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    hotfix_from_main(project, GOOD)  # through the framework's pre-commit hook: passes

    # a bad push is refused, a good one goes through
    proc = git(project, "push", "origin", "hotfix/oops")
    assert proc.returncode != 0 and "HG002" in proc.stdout, proc.stdout
    proc = git(project, "push", "origin", GOOD)
    assert proc.returncode == 0, proc.stdout

    # the framework hands its hooks one pushed ref only: with the good ref first (an
    # update of a remote branch is listed before a new one), the bad second one is not
    # looked at (docs/hooks.md; the native hook reads every line)
    project.checkout(GOOD)
    project.commit("second fix", {"src/app.py": "# HOTFIX v1.2.4: more\n"})
    proc = git(project, "push", "origin", GOOD, "hotfix/oops")
    assert proc.returncode == 0, proc.stdout  # the framework let the bad name through
    assert "refs/heads/hotfix/oops" in git(project, "ls-remote", "origin").stdout
    # and a new branch made of commits the remote already has runs no hook at all
    proc = git(project, "push", "origin", "main:refs/heads/hotfix/no-version")
    assert proc.returncode == 0 and "hotfix-guard" not in proc.stdout, proc.stdout
    git(project, "push", "--no-verify", "origin", "--delete", "hotfix/oops", "hotfix/no-version")

    # the native hook installed over the framework's: the framework's hook is kept and
    # chained, both get git's lines, and every ref is checked
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    proc = run([sys.executable, "-m", "hotfix_guard", "install", "--hook", "pre-push"], cwd=project.path)
    assert proc.returncode == 0 and "kept" in proc.stdout, proc.stdout
    project.commit("third fix", {"src/app.py": "# HOTFIX v1.2.4: again\n"})
    proc = git(project, "push", "origin", GOOD, "hotfix/oops", "main:refs/heads/hotfix/no-version")
    assert proc.returncode != 0, proc.stdout
    assert "hotfix/no-version: 1 error (stage pre-push)" in proc.stdout
    assert "hotfix-guard (pre-push)" in proc.stdout  # the framework's hook ran (and passed)
    assert "hotfix/oops: 1 error (stage pre-push)" in proc.stdout  # the native one saw the second ref
    proc = run([sys.executable, "-m", "hotfix_guard", "uninstall", "--hook", "pre-push"], cwd=project.path)
    assert "restored" in proc.stdout
    assert "pre-commit" in (project.path / ".git" / "hooks" / "pre-push").read_text()  # the framework's again


def test_framework_installed_after_the_native_hooks(project: Repo, hook_source: tuple[Path, str],
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team hook, then `hotfix-guard install`, then `pre-commit install` (which renames
    ours to pre-push.legacy): all three still run, and uninstalling in reverse order gives
    the team hook back exactly."""
    src, sha = hook_source
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    hooks = project.path / ".git" / "hooks"
    team = b"#!/bin/sh\necho team-hook-ran >&2\ncat > team-hook.stdin\n"
    (hooks / "pre-push").write_bytes(team)
    (hooks / "pre-push").chmod(0o755)
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.commit("Add pre-commit config", {".pre-commit-config.yaml": CONFIG.format(src=src, sha=sha),
                                             ".gitignore": "team-hook.stdin\n"})
    project.git("push", "-q", "--no-verify", "origin", "main", "develop", "--tags")
    assert run([sys.executable, "-m", "hotfix_guard", "install", "--hook", "pre-push"], cwd=project.path).returncode == 0
    proc = run(["pre-commit", "install", "--hook-type", "pre-push"], cwd=project.path)
    assert proc.returncode == 0 and "legacy" in proc.stdout.lower(), proc.stdout

    project.checkout("hotfix/oops", new=True, start="main")
    project.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    proc = git(project, "push", "origin", "hotfix/oops", "main:refs/heads/hotfix/no-version")
    assert proc.returncode != 0, proc.stdout
    assert "team-hook-ran" in proc.stdout
    assert "refs/heads/hotfix/oops" in (project.path / "team-hook.stdin").read_text()
    assert "hotfix/oops: 1 error (stage pre-push)" in proc.stdout  # the native hook ran
    assert "hotfix/no-version: 1 error (stage pre-push)" in proc.stdout  # and read every line

    assert run(["pre-commit", "uninstall", "--hook-type", "pre-push"], cwd=project.path).returncode == 0
    proc = run([sys.executable, "-m", "hotfix_guard", "uninstall", "--hook", "pre-push"], cwd=project.path)
    assert "restored" in proc.stdout, proc.stdout
    assert (hooks / "pre-push").read_bytes() == team
    assert sorted(p.name for p in hooks.iterdir() if p.name.startswith("pre-push")) == ["pre-push", "pre-push.sample"]


# -- warnings on a passing hook (docs/hooks.md) ---------------------------------------------


@pytest.mark.parametrize("verbose", [False, True])
def test_warnings_of_a_passing_hook_show_only_with_verbose(project: Repo, hook_source: tuple[Path, str],
                                                          verbose: bool) -> None:
    """The framework hides the output of a hook that passes, warnings (HG010-HG012)
    included; `verbose: true` on the hook shows them."""
    src, sha = hook_source
    config = CONFIG.format(src=src, sha=sha).replace(
        "    -   id: hotfix-guard\n", "    -   id: hotfix-guard\n        verbose: true\n" if verbose else
        "    -   id: hotfix-guard\n")
    project.commit("Add pre-commit config", {".pre-commit-config.yaml": config})
    hotfix_from_main(project)
    project.stage({"src/extra.py": "# HOTFIX v1.2.4: a new module\n"})  # HG011 warns
    (project.path / ".hotfix-guard.toml").write_text('select = ["HG011"]\n')
    proc = run(["pre-commit", "run", "hotfix-guard"], cwd=project.path)
    assert proc.returncode == 0, proc.stdout
    assert "Passed" in proc.stdout
    assert ("HG011 [warning] no-new-modules" in proc.stdout) is verbose, proc.stdout
