"""Native git hooks from `hotfix-guard install`: real commits and real pushes to a local
bare remote, with git running the hooks."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, make_repo, run_cli

from hotfix_guard.commands._hooks import BACKUP_SUFFIX, MARKER, script

pytestmark = pytest.mark.usefixtures("branch_rules_only")

GOOD = "hotfix/v1.2.4-fix-payment-crash"
MINIMAL_PATH = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin")
                               if os.path.isdir(p))


def git(r: Repo | Path, *args: str, env: dict[str, str] | None = None, input: str | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """git as a user runs it (hooks and all), without failing the test on a non-zero exit.
    stdout and stderr in one (git sends a pre-commit hook's stdout to stderr)."""
    path = r.path if isinstance(r, Repo) else r
    return subprocess.run(["git", *args], cwd=path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, input=input, env=env or dict(os.environ), timeout=120)


def remote_heads(bare: Path) -> dict[str, str]:
    out = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"],
                         cwd=bare, capture_output=True, text=True, check=True).stdout
    return dict(line.split(" ") for line in out.splitlines())


@pytest.fixture
def hooked(project: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """The project with a bare remote holding main, develop and the tags, and the native
    hooks installed. hotfix_guard is importable by PYTHONPATH (it is not installed)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.git("push", "-q", "origin", "main", "develop", "--tags")
    proc = run_cli("install", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    project.bare = bare  # type: ignore[attr-defined]
    return project


def hooks_dir(r: Repo) -> Path:
    return r.path / ".git" / "hooks"


# -- commits -----------------------------------------------------------------------------


def test_install_says_what_it_wrote(project: Repo) -> None:
    proc = run_cli("install", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    d = hooks_dir(project)
    assert proc.stdout.splitlines() == [
        f"wrote {d / 'pre-commit'}: the pre-commit hook, runs `hotfix-guard check --stage pre-commit`",
        f"wrote {d / 'pre-push'}: the pre-push hook, runs `hotfix-guard check --stage pre-push`",
        f"the hooks run hotfix-guard with {sys.executable} (else `hotfix-guard` on PATH)",
    ]
    for hook in ("pre-commit", "pre-push"):
        path = d / hook
        assert os.access(path, os.X_OK)
        assert path.read_text() == script(hook, sys.executable, "hotfix/")
        assert subprocess.run(["sh", "-n", str(path)]).returncode == 0
    assert sorted(p.name for p in d.iterdir() if not p.name.endswith(".sample")) == ["pre-commit", "pre-push"]


def test_bad_hotfix_commit_is_refused_with_the_finding(hooked: Repo) -> None:
    hooked.checkout("hotfix/oops", new=True, start="main")
    before = hooked.sha()
    hooked.stage({"src/app.py": "# HOTFIX v1.2.4: x\n"})
    proc = git(hooked, "commit", "-m", "fix")
    assert proc.returncode == 1
    assert "HG002 [error] branch-name: `hotfix/oops` does not follow" in proc.stdout
    assert "hotfix/oops: 1 error (stage pre-commit)" in proc.stdout
    assert hooked.sha() == before  # no commit


def test_good_hotfix_commit_and_push_go_through(hooked: Repo) -> None:
    hooked.checkout(GOOD, new=True, start="main")
    hooked.stage({"src/app.py": "def main():\n    # HOTFIX v1.2.4: guard\n    return 0\n"})
    proc = git(hooked, "commit", "-m", "Fix payment crash")
    assert proc.returncode == 0, proc.stdout
    assert f"{GOOD}: all checks passed" in proc.stdout
    proc = git(hooked, "push", "origin", GOOD)
    assert proc.returncode == 0, proc.stdout
    assert f"{GOOD}: all checks passed" in proc.stdout
    assert remote_heads(hooked.bare)[f"refs/heads/{GOOD}"] == hooked.sha()


def test_commit_on_an_ordinary_branch_says_nothing_to_check(hooked: Repo) -> None:
    hooked.checkout("feature/loyalty", new=True)
    proc = git(hooked, "commit", "--allow-empty", "-m", "wip")
    assert proc.returncode == 0
    assert "feature/loyalty: not a hotfix, production or development branch: nothing to check" in proc.stdout


def test_commit_on_a_detached_head_passes(hooked: Repo) -> None:
    """A rebase or bisect commits on a detached HEAD: no branch to check yet."""
    hooked.git("checkout", "-q", "--detach", "main")
    proc = git(hooked, "commit", "--allow-empty", "-m", "wip")
    assert proc.returncode == 0, proc.stdout
    assert "HEAD is detached: no branch to check at pre-commit" in proc.stdout


# -- pushes --------------------------------------------------------------------------------


def test_bad_push_is_refused_with_the_finding(hooked: Repo) -> None:
    hooked.checkout("hotfix/v1.2.4-fix-crash", new=True, start="develop")  # cut from develop
    hooked.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    proc = git(hooked, "push", "origin", "hotfix/v1.2.4-fix-crash")
    assert proc.returncode != 0
    assert "HG001 [error] branch-from-main" in proc.stdout
    assert "failed to push some refs" in proc.stdout
    assert "refs/heads/hotfix/v1.2.4-fix-crash" not in remote_heads(hooked.bare)


def test_renamed_push_target_is_checked_under_its_remote_name(hooked: Repo) -> None:
    hooked.checkout("wip", new=True, start="develop")
    hooked.commit("fix", {"src/app.py": "x = 1\n"})
    hooked.checkout("main")
    proc = git(hooked, "push", "origin", "wip:refs/heads/hotfix/v1.2.4-fix-crash")
    assert proc.returncode != 0
    assert "HG001" in proc.stdout
    proc = git(hooked, "push", "origin", "wip:refs/heads/feature/wip")  # wip is fine as a feature
    assert proc.returncode == 0, proc.stdout
    assert "feature/wip" in remote_heads(hooked.bare).__str__()


def test_several_refs_in_one_push(hooked: Repo) -> None:
    hotfix_from_main(hooked)
    hooked.checkout("hotfix/oops", new=True, start="main")
    hooked.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    hooked.checkout("main")
    proc = git(hooked, "push", "origin", GOOD, "hotfix/oops")
    assert proc.returncode != 0
    assert f"{GOOD}: all checks passed" in proc.stdout
    assert "hotfix/oops: 1 error (stage pre-push)" in proc.stdout
    heads = remote_heads(hooked.bare)
    assert f"refs/heads/{GOOD}" not in heads and "refs/heads/hotfix/oops" not in heads  # all or nothing
    proc = git(hooked, "push", "origin", GOOD, "v1.2.3", "develop")
    assert proc.returncode == 0, proc.stdout


def test_deletion_and_tag_pushes_pass(hooked: Repo) -> None:
    hooked.checkout("hotfix/oops", new=True, start="main")
    hooked.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    hooked.git("push", "-q", "--no-verify", "origin", "hotfix/oops")
    proc = git(hooked, "push", "origin", "--delete", "hotfix/oops")
    assert proc.returncode == 0, proc.stdout
    assert "hotfix/oops: deleted on the remote: nothing to check" in proc.stdout
    hooked.tag("v1.2.4")
    proc = git(hooked, "push", "origin", "v1.2.4")
    assert proc.returncode == 0, proc.stdout
    assert "not a branch: nothing to check" in proc.stdout


def test_push_of_a_detached_head(hooked: Repo) -> None:
    hotfix_from_main(hooked)
    hooked.git("checkout", "-q", "--detach")
    proc = git(hooked, "push", "origin", "HEAD:refs/heads/hotfix/oops")
    assert proc.returncode != 0 and "HG002" in proc.stdout
    proc = git(hooked, "push", "origin", f"HEAD:refs/heads/{GOOD}")
    assert proc.returncode == 0, proc.stdout


def test_up_to_date_push_passes_quietly(hooked: Repo) -> None:
    hooked.checkout("hotfix/oops", new=True, start="main")  # a bad name, but nothing is pushed
    proc = git(hooked, "push", "origin", "main")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip() == "Everything up-to-date"


# -- foreign hooks -------------------------------------------------------------------------

FOREIGN_COMMIT = b"#!/bin/sh\n# a team's own hook\necho foreign-pre-commit ran >> foreign.log\nexit ${FOREIGN_EXIT:-0}\n"
FOREIGN_PUSH = b"#!/bin/sh\necho \"foreign-pre-push ran: $1\" >> foreign.log\ncat >> foreign.log\nexit ${FOREIGN_EXIT:-0}\n"


@pytest.fixture
def foreign(project: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """Foreign hooks in place (one executable with an unusual mode), then install."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    d = hooks_dir(project)
    (d / "pre-commit").write_bytes(FOREIGN_COMMIT)
    os.chmod(d / "pre-commit", 0o750)
    (d / "pre-push").write_bytes(FOREIGN_PUSH)
    os.chmod(d / "pre-push", 0o700)
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.git("push", "-q", "--no-verify", "origin", "main", "develop", "--tags")
    proc = run_cli("install", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == [
        f"kept {d / ('pre-commit' + BACKUP_SUFFIX)}: the pre-commit hook that was there; it still runs first",
        f"wrote {d / 'pre-commit'}: the pre-commit hook, runs `hotfix-guard check --stage pre-commit` "
        "(after the kept hook)",
    ]
    (project.path / ".gitignore").write_text("foreign.log\n")
    project.bare = bare  # type: ignore[attr-defined]
    return project


def test_foreign_hooks_still_run_first_with_the_same_input(foreign: Repo) -> None:
    log = foreign.path / "foreign.log"
    foreign.checkout("hotfix/oops", new=True, start="main")
    proc = git(foreign, "commit", "--allow-empty", "-m", "fix")
    assert proc.returncode == 1 and "HG002" in proc.stdout
    assert log.read_text() == "foreign-pre-commit ran\n"  # it ran, and ours still refused

    foreign.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    log.unlink()
    proc = git(foreign, "push", "origin", "hotfix/oops")
    assert proc.returncode != 0 and "HG002" in proc.stdout
    sha = foreign.sha()
    z = "0" * 40
    # the foreign hook got git's arguments and its line, and ours read the same line
    assert log.read_text() == f"foreign-pre-push ran: origin\nrefs/heads/hotfix/oops {sha} refs/heads/hotfix/oops {z}\n"


def test_a_failing_foreign_hook_still_blocks(foreign: Repo) -> None:
    foreign.checkout(GOOD, new=True, start="main")
    env = {**os.environ, "FOREIGN_EXIT": "3"}
    before = foreign.sha()
    proc = git(foreign, "commit", "--allow-empty", "-m", "fix", env=env)
    assert proc.returncode != 0 and foreign.sha() == before
    assert "all checks passed" not in proc.stdout  # stopped before hotfix-guard
    foreign.git("commit", "-q", "--allow-empty", "-m", "fix")  # good, and the foreign hook passes
    proc = git(foreign, "push", "origin", GOOD, env=env)
    assert proc.returncode != 0
    assert f"refs/heads/{GOOD}" not in remote_heads(foreign.bare)
    proc = git(foreign, "push", "origin", GOOD)
    assert proc.returncode == 0, proc.stdout


def test_uninstall_restores_foreign_hooks_exactly(foreign: Repo) -> None:
    d = hooks_dir(foreign)
    proc = run_cli("uninstall", cwd=foreign.path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"restored {d / 'pre-commit'}: the pre-commit hook that was there before (from pre-commit{BACKUP_SUFFIX})",
        f"restored {d / 'pre-push'}: the pre-push hook that was there before (from pre-push{BACKUP_SUFFIX})",
    ]
    assert (d / "pre-commit").read_bytes() == FOREIGN_COMMIT
    assert stat.S_IMODE((d / "pre-commit").stat().st_mode) == 0o750
    assert (d / "pre-push").read_bytes() == FOREIGN_PUSH
    assert stat.S_IMODE((d / "pre-push").stat().st_mode) == 0o700
    assert not list(d.glob(f"*{BACKUP_SUFFIX}"))
    proc = run_cli("uninstall", cwd=foreign.path)  # foreign hooks are left alone
    assert proc.stdout.splitlines() == [
        f"left {d / 'pre-commit'}: not hotfix-guard's pre-commit hook; nothing removed",
        f"left {d / 'pre-push'}: not hotfix-guard's pre-push hook; nothing removed",
    ]
    assert (d / "pre-commit").read_bytes() == FOREIGN_COMMIT


def test_a_non_executable_hook_is_kept_but_not_run(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    d = hooks_dir(project)
    (d / "pre-commit").write_bytes(FOREIGN_COMMIT)
    os.chmod(d / "pre-commit", 0o644)
    proc = run_cli("install", "--hook", "pre-commit", cwd=project.path)
    assert proc.stdout.splitlines()[:2] == [
        f"kept {d / ('pre-commit' + BACKUP_SUFFIX)}: the pre-commit hook that was there; it is not executable, "
        "so git did not run it, and neither will this",
        f"wrote {d / 'pre-commit'}: the pre-commit hook, runs `hotfix-guard check --stage pre-commit`",
    ]
    assert git(project, "commit", "--allow-empty", "-m", "x").returncode == 0
    assert not (project.path / "foreign.log").exists()
    run_cli("uninstall", cwd=project.path)
    assert (d / "pre-commit").read_bytes() == FOREIGN_COMMIT
    assert stat.S_IMODE((d / "pre-commit").stat().st_mode) == 0o644


def test_uninstall_removes_what_install_wrote(project: Repo) -> None:
    d = hooks_dir(project)
    before = sorted(p.name for p in d.iterdir())
    run_cli("install", "--hook", "pre-push", cwd=project.path)
    assert not (d / "pre-commit").exists() and (d / "pre-push").exists()
    proc = run_cli("uninstall", cwd=project.path)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        f"unchanged {d / 'pre-commit'}: no pre-commit hook installed; nothing removed",
        f"removed {d / 'pre-push'}: the pre-push hook",
    ]
    assert sorted(p.name for p in d.iterdir()) == before


def test_install_refuses_when_the_backup_name_is_taken(project: Repo) -> None:
    d = hooks_dir(project)
    (d / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    (d / f"pre-commit{BACKUP_SUFFIX}").write_text("#!/bin/sh\nexit 0\n")
    proc = run_cli("install", "--hook", "pre-commit", cwd=project.path)
    assert_clean_error(proc, "is not hotfix-guard's", "is already taken")
    assert (d / "pre-commit").read_text() == "#!/bin/sh\nexit 0\n"


def test_install_twice_changes_nothing(project: Repo) -> None:
    d = hooks_dir(project)
    (d / "pre-push").write_bytes(FOREIGN_PUSH)
    os.chmod(d / "pre-push", 0o755)
    assert run_cli("install", cwd=project.path).returncode == 0

    def snapshot() -> dict[str, tuple[bytes, int, int]]:
        return {p.name: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns) for p in d.iterdir()}

    first = snapshot()
    proc = run_cli("install", cwd=project.path)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[:2] == [
        f"unchanged {d / 'pre-commit'}: the pre-commit hook is already installed; nothing written",
        f"unchanged {d / 'pre-push'}: the pre-push hook is already installed; nothing written",
    ]
    assert snapshot() == first


def test_install_updates_a_stale_hook(project: Repo) -> None:
    d = hooks_dir(project)
    (d / "pre-commit").write_text(f"#!/bin/sh\n{MARKER}pre-commit\nexit 0\n")  # an older one of ours
    proc = run_cli("install", "--hook", "pre-commit", cwd=project.path)
    assert proc.stdout.splitlines()[0].startswith(f"updated {d / 'pre-commit'}")
    assert not (d / f"pre-commit{BACKUP_SUFFIX}").exists()


# -- where the hooks go -------------------------------------------------------------------


def test_core_hooks_path(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    project.git("config", "core.hooksPath", ".githooks")
    (project.path / "src").mkdir(exist_ok=True)
    proc = run_cli("install", cwd=project.path / "src")  # from a subdirectory: still the top's .githooks
    assert proc.returncode == 0, proc.stderr
    hooks = project.path / ".githooks"
    assert proc.stdout.splitlines()[0] == f"created {hooks}: the hooks directory"
    assert (hooks / "pre-commit").exists() and not (hooks_dir(project) / "pre-commit").exists()
    project.checkout("hotfix/oops", new=True, start="main")
    proc = git(project, "commit", "--allow-empty", "-m", "fix")
    assert proc.returncode == 1 and "HG002" in proc.stdout
    proc = run_cli("uninstall", cwd=project.path)
    assert not (hooks / "pre-commit").exists() and not (hooks / "pre-push").exists()


def test_global_core_hooks_path_is_pointed_out(project: Repo, tmp_path: Path) -> None:
    shared = tmp_path / "team-hooks"
    project.git("config", "--global", "core.hooksPath", str(shared))
    proc = run_cli("install", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {shared / 'pre-commit'}" in proc.stdout
    assert proc.stdout.splitlines()[-1] == (
        f"note: core.hooksPath is set in {Path(os.environ['HOME']) / '.gitconfig'}, not in this repository: "
        "these hooks run in every repository that uses that setting")
    project.git("config", "core.hooksPath", ".githooks")  # the repository's own: no note
    assert "note:" not in run_cli("install", cwd=project.path).stdout


def test_linked_worktree(project: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    wt = tmp_path / "linked"
    project.git("worktree", "add", "-q", "-b", "hotfix/oops", str(wt), "main")
    proc = run_cli("install", cwd=wt)
    assert proc.returncode == 0, proc.stderr
    common_hooks = hooks_dir(project)
    assert f"wrote {common_hooks / 'pre-commit'}" in proc.stdout  # the common dir, shared by all worktrees
    proc = git(wt, "commit", "--allow-empty", "-m", "fix")
    assert proc.returncode == 1 and "HG002" in proc.stdout and "hotfix/oops: 1 error" in proc.stdout
    hotfix_from_main(project)  # the main worktree, same hooks
    assert "all checks passed" in git(project, "commit", "--allow-empty", "-m", "again").stdout


def test_bare_repository_is_a_clean_error(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "b.git")], check=True)
    assert_clean_error(run_cli("install", cwd=tmp_path / "b.git"), "bare repository")


# -- finding hotfix-guard ------------------------------------------------------------------


def make_venv(path: Path, *, importable: bool = True) -> Path:
    """A venv (system site-packages for the dependencies) where hotfix_guard is importable
    the way an editable install makes it: through a .pth file, not PYTHONPATH."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(path)],
                   check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    if importable:
        Path(purelib, "zz_hotfix_guard_dev.pth").write_text(str(ROOT) + "\n")
    return python


def bare_env() -> dict[str, str]:
    """No venv on PATH, no PYTHONPATH, no hotfix-guard on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = MINIMAL_PATH
    return env


@pytest.fixture
def venv_hooked(project: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Repo, Path]:
    if not shutil.which("git", path=MINIMAL_PATH) or shutil.which("hotfix-guard", path=MINIMAL_PATH):
        pytest.skip("needs git, and no hotfix-guard, on a minimal PATH")
    python = make_venv(tmp_path / "venv")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    proc = subprocess.run([str(python), "-m", "hotfix_guard", "install"], cwd=project.path, env=bare_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"the hooks run hotfix-guard with {python} " in proc.stdout  # the venv's, not resolved
    return project, python


def test_hook_works_when_the_venv_is_not_on_path(venv_hooked: tuple[Repo, Path]) -> None:
    project, python = venv_hooked
    env = bare_env()
    assert str(python.parent) not in env["PATH"]
    project.checkout("hotfix/oops", new=True, start="main")
    proc = git(project, "commit", "--allow-empty", "-m", "fix", env=env)
    assert proc.returncode == 1 and "HG002" in proc.stdout, proc.stdout
    hotfix_from_main(project, GOOD)
    proc = git(project, "commit", "--allow-empty", "-m", "more", env=env)
    assert proc.returncode == 0 and "all checks passed" in proc.stdout, proc.stdout


def test_checked_repository_cannot_shadow_the_tool(venv_hooked: tuple[Repo, Path]) -> None:
    """A hotfix_guard/ package at the top of the checked repository is not imported."""
    project, _ = venv_hooked
    project.write("hotfix_guard/__init__.py", "raise SystemExit('shadowed!')\n")
    project.write("hotfix_guard/cli.py", "raise SystemExit('shadowed!')\n")
    project.checkout("hotfix/oops", new=True, start="main")
    proc = git(project, "commit", "--allow-empty", "-m", "fix", env=bare_env())
    assert "shadowed" not in proc.stdout and "HG002" in proc.stdout


@pytest.mark.parametrize("how", ["interpreter gone", "cannot import"])
def test_neither_interpreter_nor_path_works(venv_hooked: tuple[Repo, Path], tmp_path: Path, how: str) -> None:
    """A hotfix is refused (it cannot be checked); any other branch goes through, with the warning."""
    project, python = venv_hooked
    shutil.rmtree(python.parent.parent)
    if how == "cannot import":
        # an interpreter that exists but has no hotfix_guard (no system site-packages, no
        # .pth): installed through PYTHONPATH, which the hook does not get
        lonely = tmp_path / "lonely"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(lonely)], check=True, timeout=120)
        proc = subprocess.run([str(lonely / "bin" / "python"), "-m", "hotfix_guard", "install"], cwd=project.path,
                              env={**bare_env(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
        assert proc.returncode == 0 and "updated" in proc.stdout, proc.stdout + proc.stderr
    env = bare_env()
    bare = project.path.parent / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))

    project.checkout("feature/x", new=True)
    proc = git(project, "commit", "--allow-empty", "-m", "wip", env=env)
    assert proc.returncode == 0
    assert "hotfix-guard: cannot run hotfix-guard" in proc.stdout and "reinstall hotfix-guard" in proc.stdout
    assert "letting the commit through: feature/x is not a hotfix branch" in proc.stdout
    proc = git(project, "push", "origin", "feature/x", env=env)
    assert proc.returncode == 0 and "letting the push through" in proc.stdout

    project.checkout(GOOD, new=True, start="main")
    project.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "fix")
    proc = git(project, "commit", "--allow-empty", "-m", "more", env=env)
    assert proc.returncode == 1 and "refusing the commit" in proc.stdout
    proc = git(project, "push", "origin", GOOD, env=env)
    assert proc.returncode != 0 and "refusing the push" in proc.stdout
    proc = git(project, "push", "origin", f"feature/x:refs/heads/{GOOD}", env=env)  # renamed: still a hotfix
    assert proc.returncode != 0 and "refusing the push" in proc.stdout
    proc = git(project, "push", "origin", "--delete", "feature/x", env=env)  # deletions pass
    assert proc.returncode == 0, proc.stdout


def test_falls_back_to_hotfix_guard_on_path(venv_hooked: tuple[Repo, Path], tmp_path: Path) -> None:
    project, python = venv_hooked
    shutil.rmtree(python.parent.parent)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "hotfix-guard"
    shim.write_text(f"#!/bin/sh\necho via-path >&2\nPYTHONPATH={ROOT} exec {sys.executable} -m hotfix_guard \"$@\"\n")
    shim.chmod(0o755)
    env = bare_env()
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    project.checkout("hotfix/oops", new=True, start="main")
    proc = git(project, "commit", "--allow-empty", "-m", "fix", env=env)
    assert proc.returncode == 1 and "via-path" in proc.stdout and "HG002" in proc.stdout
