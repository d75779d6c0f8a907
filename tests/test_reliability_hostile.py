"""Hostile names (issue #8): branch names, file names, config values, pushed refs, CI
variables and descriptions holding shell metacharacters are never run by a shell, and
never read as an option by git.

Every hostile string would create a marker file if anything ran it. (Branch names through
`check` in every format: tests/test_repo_states.py::test_hostile_branch_names_are_never_run.)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, Repo, hotfix_from_main, run_cli

from hotfix_guard.commands._hooks import script


def payloads(marker: Path) -> list[str]:
    """Shell metacharacters around a command that creates ``marker``; no spaces (git ref
    names cannot hold them), ${IFS} instead."""
    touch = f"touch${{IFS}}{marker}"
    return [f"$({touch})", f"`{touch}`", f"x;{touch}", f"x&&{touch}", f"x|{touch}", f"$(touch\t{marker})"]


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a hostile string was run by a shell"


# -- file names ------------------------------------------------------------------------------


def test_hostile_file_names_through_every_stage_and_format(project: Repo, marker: Path) -> None:
    project.checkout("hotfix/v1.2.4-fix-names", new=True, start="main")
    names = [f"src/{p}.py" for p in payloads(marker)] + [f"src/{p} {p}.sh" for p in payloads(marker)[:2]]
    names += [f"--exec={marker}.py", f"-c{marker}.py"]  # options, if they ever reached git as arguments
    for name in names:
        project.write(name, "value = 1  # TODO: no ticket\n")
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "hostile names")
    project.write(names[0], "value = 2\n")
    project.git("add", "-A")  # staged for the pre-commit stage
    sha = project.sha()
    push = f"refs/heads/hotfix/v1.2.4-fix-names {sha} refs/heads/hotfix/v1.2.4-fix-names {'0' * 40}\n"
    for stage in ("pre-commit", "pre-push", "ci", "manual"):
        # every format once; the stages with the report every format shares (json)
        for fmt in ("text", "json", "github", "sarif", "gitlab", "junit") if stage == "manual" else ("json",):
            env = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/hotfix/v1.2.4-fix-names"} \
                if stage == "ci" else {}
            proc = run_cli("check", "--stage", stage, "--format", fmt, cwd=project.path, env=env,
                           input=push if stage == "pre-push" else None)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, (stage, fmt, proc.stderr)
            if fmt == "json":
                paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
                assert {n for n in names if "\t" not in n} <= paths


# -- the native hooks ------------------------------------------------------------------------


def test_hostile_branch_and_file_names_through_the_native_hooks(project: Repo, tmp_path: Path, marker: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """git runs the hook for a commit and a push of a hotfix branch whose name and files
    are hostile; the hook passes them to hotfix-guard, which refuses the branch name."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    assert run_cli("install", cwd=project.path).returncode == 0
    for payload in payloads(marker)[:3]:
        branch = f"hotfix/v1.2.4-{payload}"
        project.checkout(branch, new=True, start="main")
        project.write(f"src/{payload}.py", "# HOTFIX v1.2.4: x\nvalue = 1\n")
        project.git("add", "-A")
        commit = subprocess.run(["git", "commit", "-q", "-m", f"fix {payload}"], cwd=project.path,
                                capture_output=True, text=True)
        assert commit.returncode == 1 and "HG002" in commit.stderr, commit.stderr  # refused: the name
        project.git("commit", "-q", "--no-verify", "-m", f"fix {payload}")
        pushed = subprocess.run(["git", "push", "-q", "origin", branch], cwd=project.path,
                                capture_output=True, text=True)
        # (git gives a pre-push hook the user's stdout; a pre-commit hook's goes to stderr)
        assert pushed.returncode != 0 and "HG002" in pushed.stdout, pushed.stdout + pushed.stderr


@pytest.mark.parametrize("hook", ["pre-commit", "pre-push"])
def test_hook_fallback_with_hostile_prefix_and_branch(project: Repo, tmp_path: Path, marker: Path, hook: str) -> None:
    """When hotfix-guard cannot run, the hook decides by the branch name in sh, with the
    hotfix prefix from config written into it: neither is ever evaluated."""
    touch = f"touch${{IFS}}{marker}"
    prefix = f"hf/$({touch})`{touch}`;{touch}'\"/"
    hook_path = tmp_path / hook
    hook_path.write_text(script(hook, str(tmp_path / "no-such-python"), prefix))
    hook_path.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ["HOME"]}  # no hotfix-guard there
    ref_names = [f"hf/$({touch})`{touch}`;{touch}'\"/fix", f"other/$({touch})"]
    for name in ref_names:
        project.git("checkout", "-q", "-B", name, "main")
        if hook == "pre-commit":
            proc = subprocess.run(["sh", str(hook_path)], cwd=project.path, env=env, capture_output=True, text=True)
        else:
            line = f"refs/heads/{name} {project.sha()} refs/heads/{name} {'0' * 40}\n"
            proc = subprocess.run(["sh", str(hook_path), "origin", "url"], cwd=project.path, env=env, input=line,
                                  capture_output=True, text=True)
        refused = name.startswith("hf/")
        assert proc.returncode == (1 if refused else 0), (name, proc.stderr)
        assert "cannot run hotfix-guard" in proc.stderr


# -- config values and pushed refs -----------------------------------------------------------


def test_a_remote_name_is_never_an_option(project: Repo, tmp_path: Path, marker: Path) -> None:
    """`remote` in config names a remote that exists and is called `--upload-pack=...`:
    `git fetch <remote>` used to run that upload-pack (a command) against origin; the
    gateway now puts `--` before the remote. Same for `check --deepen`."""
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.git("push", "-q", "origin", "main", "develop", "--tags")
    hostile = f"--upload-pack=touch {marker}"
    project.git("config", f"remote.{hostile}.url", str(bare))
    project.git("config", f"remote.{hostile}.fetch", f"+refs/heads/*:refs/remotes/{hostile}/*")
    project.write(".hotfix-guard.toml", f'remote = "{hostile}"\n')
    proc = run_cli("start", "fix it", "--fetch", "--dry-run", cwd=project.path)
    assert "Traceback" not in proc.stderr
    # and in a shallow CI clone with --deepen
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "main", f"file://{bare}", str(clone)], check=True)
    ci = Repo(clone)
    ci.git("config", f"remote.{hostile}.url", str(bare))
    ci.write(".hotfix-guard.toml", f'remote = "{hostile}"\n')
    ci.git("checkout", "-q", "-b", "hotfix/v1.2.4-x")
    proc = run_cli("check", "--stage", "ci", "--deepen", "--branch", "hotfix/v1.2.4-x", cwd=clone,
                   env={"CI": "true"})
    assert "Traceback" not in proc.stderr


def test_hostile_pushed_ref_names(project: Repo, marker: Path) -> None:
    sha = hotfix_from_main(project)
    lines = "".join(f"refs/heads/x {sha} refs/heads/hotfix/v1.2.4-{p} {'0' * 40}\n" for p in payloads(marker))
    lines += f"refs/heads/x {sha} refs/heads/$(touch {marker}) name with spaces {'0' * 40}\n"
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", "--select", "HG002", cwd=project.path,
                   input=lines)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    refs = [r["ref"] for r in json.loads(proc.stdout)["refs"]]
    assert refs[-1] == f"refs/heads/$(touch {marker}) name with spaces"


@pytest.mark.parametrize("variables", [
    {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/hotfix/v1.2.4-{p}", "GITHUB_REF_NAME": "hotfix/v1.2.4-{p}"},
    {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "hotfix/v1.2.4-{p}"},
    {"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_BRANCH": "hotfix/v1.2.4-{p}"},
    {"JENKINS_URL": "http://jenkins/", "BRANCH_NAME": "hotfix/v1.2.4-{p}"},
    {"CIRCLECI": "true", "CIRCLE_BRANCH": "hotfix/v1.2.4-{p}"},
    {"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/heads/hotfix/v1.2.4-{p}"},
], ids=["github", "gitlab", "bitbucket", "jenkins", "circleci", "azure"])
def test_hostile_ci_variables(project: Repo, marker: Path, variables: dict[str, str]) -> None:
    hotfix_from_main(project)
    project.git("checkout", "-q", "--detach")
    for payload in payloads(marker)[:3]:
        env = {"CI": "true", **{k: v.replace("{p}", payload) for k, v in variables.items()}}
        proc = run_cli("check", "--format", "github", "--head", "HEAD", cwd=project.path, env=env)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert f"hotfix/v1.2.4-{payload}" in proc.stdout  # the branch is named, as data


def test_hostile_descriptions_and_titles(project: Repo, marker: Path, tmp_path: Path) -> None:
    """start's description and triage's title become a slug; the record stays in its
    directory whatever the title says."""
    for payload in payloads(marker):
        proc = run_cli("start", f"{payload} ../../etc/passwd", "--dry-run", cwd=project.path)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        assert "would create branch hotfix/v1.2.4-" in proc.stdout
    records = tmp_path / "records"
    answers = ["--set", "production_broken=yes", "--set", "core_features_unusable=yes", "--set", "data_loss=no",
               "--set", "security_breach=no", "--set", "feature_request=no"]
    for i, payload in enumerate(payloads(marker)):
        proc = run_cli("triage", *answers, "--set", f"title={i} ../../{payload}", "--write", str(records),
                       "--format", "markdown", cwd=project.path)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert len(list(records.iterdir())) == len(payloads(marker))
    assert all(p.parent == records for p in records.iterdir())


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_ref_names_holding_line_separators(project: Repo, separator: str) -> None:
    """Git allows U+2028, U+2029 and U+0085 in ref names; Python's str.splitlines() splits
    on them. A tag `v1<U+2028>x` made HG003 an internal error, a
    release branch so named made every hotfix check and `start` exit 2, and a hotfix
    branch so named was refused at pre-push as malformed input."""
    sha = hotfix_from_main(project)
    name = f"hotfix/v1.2.4-a{separator}b"
    for ref in (f"refs/tags/v1{separator}x", f"refs/heads/release/a{separator}b", f"refs/heads/{name}"):
        project.git("update-ref", ref, sha)
    proc = run_cli("check", "--format", "json", cwd=project.path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, \
        proc.stderr
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "HG000"]
    proc = run_cli("start", "another fix", "--dry-run", "--allow-parallel", cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    line = f"refs/heads/{name} {sha} refs/heads/{name} {'0' * 40}\n"
    proc = run_cli("check", "--stage", "pre-push", "--format", "json", "--select", "HG002", cwd=project.path,
                   input=line)
    assert proc.returncode == 1 and json.loads(proc.stdout)["branch"] == name, proc.stderr
    project.checkout(name)
    proc = run_cli("check", "--format", "json", "--select", "HG002", cwd=project.path)
    assert proc.returncode == 1 and json.loads(proc.stdout)["branch"] == name, proc.stderr
