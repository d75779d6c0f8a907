"""Real repositories, built with the git CLI in tmp_path. No mocks of git.

Every test runs with inherited GIT_* and CI variables scrubbed, HOME pointed at an
empty temporary directory (so no test reads or touches the user's config), and the
author and committer pinned; commit dates advance one minute per commit so history
order is deterministic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI_VARIABLES = (
    "CI", "GITHUB_ACTIONS", "GITHUB_HEAD_REF", "GITHUB_BASE_REF", "GITHUB_REF", "GITHUB_REF_NAME",
    "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_SHA", "GITHUB_STEP_SUMMARY", "GITLAB_CI",
    "BITBUCKET_BRANCH", "BITBUCKET_PR_DESTINATION_BRANCH", "BUILD_SOURCEBRANCH", "TF_BUILD",
    "SYSTEM_PULLREQUEST_SOURCEBRANCH", "JENKINS_URL", "BRANCH_NAME", "CHANGE_BRANCH", "CIRCLECI",
    "CIRCLE_BRANCH", "PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_REMOTE_BRANCH", "PRE_COMMIT_LOCAL_BRANCH", "PRE_COMMIT_REMOTE_NAME",
    "PRE_COMMIT_REMOTE_URL", "NO_COLOR", "FORCE_COLOR", "HOTFIX_GUARD_DEBUG",
    "HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD", "HOTFIX_GUARD_TRACE_GIT",
)
BASE_DATE = 1_700_000_000  # 2023-11-14


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for key in list(os.environ):
        if key.startswith(("GIT_", "CI_")) or key in CI_VARIABLES:
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
        "[protocol \"file\"]\n\tallow = always\n"
        "[commit]\n\tgpgSign = false\n[tag]\n\tgpgSign = false\n"
    )
    # Keep pre-commit's cache inside the test's HOME, never the user's.
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home / ".cache" / "pre-commit"))


class Repo:
    """A real repository and the git verbs tests need to shape its history."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tick = 0

    # -- plumbing ----------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        self._tick += 1
        date = f"{BASE_DATE + 60 * self._tick} +0000"
        env = dict(os.environ)
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
        return env

    def git(self, *args: str, check: bool = True, input: str | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, env=self._env(), input=input,
            capture_output=True, text=True,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc.stdout.strip()

    def sha(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev)

    # -- shaping history -----------------------------------------------------------

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    def commit(self, message: str = "change", files: dict[str, str | bytes] | None = None,
               *, allow_empty: bool = False) -> str:
        for name, content in (files or {}).items():
            self.write(name, content)
            self.git("add", "--", name)
        args = ["commit", "-q", "-m", message]
        if allow_empty or not files:
            args.append("--allow-empty")
        self.git(*args)
        return self.sha()

    def stage(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            self.write(name, content)
            self.git("add", "--", name)

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("branch", name, start)

    def checkout(self, name: str, *, new: bool = False, start: str | None = None) -> None:
        if new:
            self.git("checkout", "-q", "-b", name, *([start] if start else []))
        else:
            self.git("checkout", "-q", name)

    def merge(self, name: str, *, ff: bool = False, message: str | None = None) -> str:
        args = ["merge", "-q", "--ff" if ff else "--no-ff", name]
        args += ["-m", message or f"Merge {name}"]
        self.git(*args)
        return self.sha()

    def tag(self, name: str, rev: str = "HEAD", *, annotated: bool = True) -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"Release {name}", rev)
        else:
            self.git("tag", name, rev)


def make_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True, env=dict(os.environ))
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=path, check=True)
    return Repo(path)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository on main."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def project(tmp_path: Path) -> Repo:
    """The usual shape: main with releases v1.2.2 and v1.2.3 (annotated), develop ahead of
    main with two commits of its own, HEAD on main."""
    r = make_repo(tmp_path / "project")
    r.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n", "README.md": "# app\n"})
    r.tag("v1.2.2")
    r.commit("Fix typo in readme", {"README.md": "# The app\n"})
    r.tag("v1.2.3")
    r.branch("develop")
    r.checkout("develop")
    r.commit("Add loyalty points", {"src/loyalty.py": "POINTS = 10\n"})
    r.commit("Add loyalty page", {"src/page.py": "PAGE = 'loyalty'\n"})
    r.checkout("main")
    return r


@pytest.fixture
def branch_rules_only(request: pytest.FixtureRequest) -> None:
    """For tests about which refs get checked and how hooks run: the ``project`` repository
    checks with the branch rules only (an untracked config file), since the diff rules'
    own tests judge the content of a change."""
    if "project" in request.fixturenames:
        project = request.getfixturevalue("project")
        (project.path / ".hotfix-guard.toml").write_text('select = ["HG001", "HG002", "HG003"]\n')


def hotfix_from_main(r: Repo, name: str = "hotfix/v1.2.4-fix-payment-crash") -> str:
    """A clean hotfix branch off main with one small fix commit; HEAD on it."""
    r.checkout(name, new=True, start="main")
    return r.commit(
        "Fix payment crash on empty amount",
        {"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n"},
    )


def run_cli(*args: str, cwd: Path | str, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hotfix_guard`` as a user would, from this checkout."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hotfix_guard", *args],
        cwd=cwd, input=input, capture_output=True, text=True, env=full_env, timeout=120,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def assert_clean_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2, one clear error line (plus an optional hint), no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("hotfix-guard: error: "), proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= 2, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, (fragment, proc.stderr)


@pytest.fixture
def cli() -> Iterator[object]:
    yield run_cli
