"""The pre-push protocol, fed to ``check --stage pre-push`` on stdin and through the
pre-commit framework's variables: which refs are checked, under which names, and how the
outcome of several refs is reported."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli

from hotfix_guard.errors import UsageError
from hotfix_guard.targets.prepush import parse, read_input

pytestmark = pytest.mark.usefixtures("branch_rules_only")

Z40 = "0" * 40
Z64 = "0" * 64
GOOD = "hotfix/v1.2.4-fix-payment-crash"


@pytest.fixture(autouse=True)
def no_hook_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTFIX_GUARD_HOOK", raising=False)


def push(r: Repo, *lines: str, env: dict[str, str] | None = None, fmt: str = "json"):
    proc = run_cli("check", "--stage", "pre-push", "--format", fmt, cwd=r.path,
                   input="".join(line + "\n" for line in lines), env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, (json.loads(proc.stdout) if fmt == "json" else proc.stdout)


def codes(report: dict) -> list[str]:
    return [f["code"] for f in report["findings"] if not f["suppressed"]]


@pytest.fixture
def shas(project: Repo) -> dict[str, str]:
    """A good hotfix, a badly named one (HG002), one cut from develop (HG001); HEAD on main."""
    good = hotfix_from_main(project)
    project.checkout("hotfix/oops", new=True, start="main")
    oops = project.commit("fix", {"src/app.py": "# HOTFIX v1.2.4: x\n"})
    project.checkout("wip", new=True, start="develop")
    wip = project.commit("fix", {"src/app.py": "x = 1\n"})
    project.checkout("main")
    return {"good": good, "oops": oops, "wip": wip, "main": project.sha("main")}


# -- parsing -------------------------------------------------------------------------


def test_parse_lines_with_spaces_and_both_hash_lengths() -> None:
    a, b = "a" * 40, "b" * 64
    [one, two, three] = parse(
        f"refs/heads/my branch {a} refs/heads/hotfix/v1.2.4-x {Z40}\n"
        f"HEAD {b} refs/heads/odd name {Z64}\r\n"
        "\n"
        f"(delete) {Z40} refs/heads/gone {a}\n"
    )
    assert one.local_ref == "refs/heads/my branch" and one.remote_ref == "refs/heads/hotfix/v1.2.4-x"
    assert one.new_branch and not one.deletion
    assert two.local_sha == b and two.remote_ref == "refs/heads/odd name" and two.new_branch
    assert three.deletion and three.remote_sha == a


@pytest.mark.parametrize("line", ["garbage", f"HEAD {'a' * 39} refs/heads/x {Z40}", f"HEAD {'a' * 40} refs/heads/x"])
def test_parse_rejects_malformed_lines(line: str) -> None:
    with pytest.raises(UsageError, match="pre-push input line 1"):
        parse(line + "\n")


def test_read_input_never_reads_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert read_input(Tty("refs/heads/x ..."), wait=True) == ""
    assert read_input(None, wait=True) == ""
    assert read_input(io.StringIO("line\n"), wait=False) == "line\n"


# -- refs, names, outcomes --------------------------------------------------------------


def test_several_refs_in_one_push(project: Repo, shas: dict[str, str]) -> None:
    rc, data = push(
        project,
        f"refs/heads/{GOOD} {shas['good']} refs/heads/{GOOD} {Z40}",
        f"refs/heads/hotfix/oops {shas['oops']} refs/heads/hotfix/oops {Z40}",
        f"refs/tags/v1.2.4 {shas['good']} refs/tags/v1.2.4 {Z40}",
        f"refs/heads/feature {shas['wip']} refs/heads/feature/loyalty {Z40}",
    )
    assert rc == 1  # the worst of the refs
    assert data["stage"] == "pre-push" and data["summary"]["errors"] == 1
    good, oops, tag, feature = data["refs"]
    assert (good["branch"], good["ref"], codes(good)) == (GOOD, f"refs/heads/{GOOD}", [])
    assert good["head"] == shas["good"]
    assert (oops["branch"], codes(oops)) == ("hotfix/oops", ["HG002"])
    assert (tag["branch"], tag["ref"], tag["note"]) == (None, "refs/tags/v1.2.4", "not a branch: nothing to check")
    assert feature["branch"] == "feature/loyalty" and "nothing to check" in feature["note"]


def test_every_ref_is_checked_not_only_the_first(project: Repo, shas: dict[str, str]) -> None:
    rc, text = push(
        project,
        f"refs/heads/{GOOD} {shas['good']} refs/heads/{GOOD} {Z40}",
        f"refs/heads/wip {shas['wip']} refs/heads/hotfix/v1.2.4-fix-crash {Z40}",
        fmt="text",
    )
    assert rc == 1
    assert "HG001" in text and "hotfix/v1.2.4-fix-crash (pushed as" not in text
    assert f"{GOOD}: all checks passed" in text


def test_one_ref_has_the_single_object_shape(project: Repo, shas: dict[str, str]) -> None:
    rc, data = push(project, f"refs/heads/hotfix/oops {shas['oops']} refs/heads/hotfix/oops {shas['main']}")
    assert rc == 1 and "refs" not in data
    assert data["branch"] == "hotfix/oops" and data["ref"] == "refs/heads/hotfix/oops" and codes(data) == ["HG002"]


@pytest.mark.parametrize("zero", [Z40, Z64])
def test_deletion_passes(project: Repo, shas: dict[str, str], zero: str) -> None:
    rc, data = push(project, f"(delete) {zero} refs/heads/hotfix/oops {shas['oops']}")
    assert rc == 0
    assert data["branch"] == "hotfix/oops" and data["note"] == "deleted on the remote: nothing to check"


def test_new_branch_is_checked_against_production(project: Repo, shas: dict[str, str]) -> None:
    rc, data = push(project, f"refs/heads/wip {shas['wip']} refs/heads/hotfix/v1.2.4-fix-crash {Z40}")
    assert rc == 1 and codes(data) == ["HG001"]
    assert data["base"] == shas["main"]


def test_new_branch_without_new_commits_is_still_checked(project: Repo, shas: dict[str, str]) -> None:
    """pre-commit skips a push whose commits are all on the remote; the name is still new."""
    rc, data = push(project, f"refs/heads/main {shas['main']} refs/heads/hotfix/oops {Z40}")
    assert rc == 1 and codes(data) == ["HG002"]


def test_checked_under_the_remote_name(project: Repo, shas: dict[str, str]) -> None:
    # a badly cut branch pushed under a hotfix name is a hotfix push
    rc, data = push(project, f"refs/heads/wip {shas['wip']} refs/heads/hotfix/v1.2.4-fix-crash {Z40}")
    assert (rc, data["branch"], codes(data)) == (1, "hotfix/v1.2.4-fix-crash", ["HG001"])
    # a badly named local hotfix pushed as a feature branch is not
    rc, data = push(project, f"refs/heads/hotfix/oops {shas['oops']} refs/heads/feature/oops {Z40}")
    assert rc == 0 and data["branch"] == "feature/oops" and "nothing to check" in data["note"]


def test_pushing_a_hotfix_while_main_is_checked_out(project: Repo, shas: dict[str, str]) -> None:
    assert project.git("symbolic-ref", "--short", "HEAD") == "main"
    rc, data = push(project, f"refs/heads/hotfix/oops {shas['oops']} refs/heads/hotfix/oops {Z40}")
    assert rc == 1 and data["head"] == shas["oops"] and codes(data) == ["HG002"]


def test_detached_head(project: Repo, shas: dict[str, str]) -> None:
    project.git("checkout", "-q", "--detach", shas["good"])
    rc, data = push(project, f"HEAD {shas['good']} refs/heads/{GOOD} {Z40}")
    assert (rc, data["branch"], codes(data)) == (0, GOOD, [])
    rc, data = push(project, f"HEAD {shas['good']} refs/heads/hotfix/v1.2.5-fix {Z40}")
    assert rc == 1 and codes(data) == ["HG003"]


def test_ref_names_with_spaces(project: Repo, shas: dict[str, str]) -> None:
    rc, data = push(project, f"refs/heads/my local work {shas['oops']} refs/heads/hotfix/oops and more {Z40}")
    assert rc == 1
    assert data["branch"] == "hotfix/oops and more" and codes(data) == ["HG002"]
    rc, data = push(project, f"refs/heads/my local work {shas['good']} refs/heads/{GOOD} {Z40}")
    assert (rc, codes(data)) == (0, [])


def test_text_output_names_the_remote_ref(project: Repo, shas: dict[str, str]) -> None:
    rc, text = push(project,
                    f"(delete) {Z40} refs/heads/hotfix/old {shas['oops']}",
                    f"refs/tags/v1.2.4 {shas['good']} refs/tags/v1.2.4 {Z40}", fmt="text")
    assert rc == 0
    assert text.splitlines() == [
        "hotfix/old: deleted on the remote: nothing to check",
        "(no branch) (pushed as refs/tags/v1.2.4): not a branch: nothing to check",
    ]


def test_malformed_input_is_a_clean_error(project: Repo) -> None:
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path, input="refs/heads/x 1234 refs/heads/y\n")
    assert_clean_error(proc, "pre-push input line 1 is not")


@pytest.mark.parametrize("branch", ["hotfix/oops", "feature/oops"])
def test_unknown_object_is_a_clean_error(project: Repo, branch: str) -> None:
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path,
                   input=f"refs/heads/x {'a' * 40} refs/heads/{branch} {Z40}\n")
    assert_clean_error(proc, f"{'a' * 40} (pushed to refs/heads/{branch}) is not an object in this repository")


def test_unknown_object_after_a_good_one_is_a_clean_error(project: Repo) -> None:
    """The pushed commits are looked up while the rules load, and all of them before the
    first is checked: no report for the good one, exit 2 for the push."""
    good = hotfix_from_main(project)
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path,
                   input=f"refs/heads/hotfix/v1.2.4-fix-payment-crash {good} refs/heads/hotfix/v1.2.4-fix-payment-crash {Z40}\n"
                         f"refs/heads/y {'b' * 40} refs/heads/hotfix/v1.2.5-other {Z40}\n")
    assert_clean_error(proc, f"{'b' * 40} (pushed to refs/heads/hotfix/v1.2.5-other) is not an object")
    assert proc.stdout == ""


# -- no input: the framework's variables, the hook marker, the current branch -----------


def test_empty_stdin_without_variables_falls_back_to_the_current_branch(project: Repo, shas) -> None:
    project.checkout("hotfix/oops")
    rc, data = push(project)
    assert rc == 1 and data["branch"] == "hotfix/oops" and codes(data) == ["HG002"] and "ref" not in data
    project.checkout("feature/x", new=True)
    rc, data = push(project)
    assert rc == 0 and "nothing to check" in data["note"]


def test_empty_stdin_from_the_native_hook_means_nothing_was_pushed(project: Repo, shas) -> None:
    """git runs pre-push even for "Everything up-to-date": no lines, nothing to check."""
    project.checkout("hotfix/oops")
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path, input="",
                   env={"HOTFIX_GUARD_HOOK": "pre-push"})
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_terminal_on_stdin_is_not_read(project: Repo, shas) -> None:
    """Typed by hand: no waiting for input; the current branch is checked."""
    pexpect = pytest.importorskip("pexpect")
    project.checkout("hotfix/oops")
    child = pexpect.spawn(sys.executable, ["-m", "hotfix_guard", "check", "--stage", "pre-push"],
                          cwd=str(project.path), env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
                          encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "HG002" in child.before


def test_framework_variables(project: Repo, shas: dict[str, str]) -> None:
    env = {"PRE_COMMIT_FROM_REF": shas["main"], "PRE_COMMIT_TO_REF": shas["oops"],
           "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/oops", "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/hotfix/oops",
           "PRE_COMMIT_REMOTE_NAME": "origin"}
    rc, data = push(project, env=env)
    assert rc == 1 and (data["branch"], data["head"], codes(data)) == ("hotfix/oops", shas["oops"], ["HG002"])
    # renamed target: the remote name decides
    rc, data = push(project, env={**env, "PRE_COMMIT_REMOTE_BRANCH": f"refs/heads/{GOOD}",
                                  "PRE_COMMIT_TO_REF": shas["good"]})
    assert rc == 0 and data["branch"] == GOOD and codes(data) == []
    # a tag
    rc, data = push(project, env={**env, "PRE_COMMIT_REMOTE_BRANCH": "refs/tags/v1.2.4"})
    assert rc == 0 and data["note"] == "not a branch: nothing to check"


def test_framework_variables_local_branch_head(project: Repo, shas: dict[str, str]) -> None:
    """No from/to refs (pre-commit's push of a whole new history); LOCAL_BRANCH may be `HEAD`."""
    project.git("checkout", "-q", "--detach", shas["wip"])
    env = {"PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/v1.2.4-fix-crash", "PRE_COMMIT_LOCAL_BRANCH": "HEAD"}
    rc, data = push(project, env=env)
    assert rc == 1 and data["head"] == shas["wip"] and codes(data) == ["HG001"]


def test_framework_to_ref_without_remote_branch_uses_the_current_branch(project: Repo, shas) -> None:
    """`pre-commit run --hook-stage pre-push --from-ref A --to-ref B`: no remote branch given."""
    project.checkout("hotfix/oops")
    rc, data = push(project, env={"PRE_COMMIT_FROM_REF": shas["main"], "PRE_COMMIT_TO_REF": "HEAD"})
    assert rc == 1 and data["branch"] == "hotfix/oops" and codes(data) == ["HG002"]
    project.git("checkout", "-q", "--detach")
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path, input="",
                   env={"PRE_COMMIT_FROM_REF": shas["main"], "PRE_COMMIT_TO_REF": "HEAD"})
    assert_clean_error(proc, "PRE_COMMIT_REMOTE_BRANCH is not set and HEAD is detached")


def test_framework_zero_to_ref_is_a_deletion(project: Repo, shas) -> None:
    """pre-commit tests deletions against 40 zeros only; a SHA-256 deletion reaches hooks."""
    rc, data = push(project, env={"PRE_COMMIT_FROM_REF": shas["oops"], "PRE_COMMIT_TO_REF": Z64,
                                  "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/oops"})
    assert rc == 0 and data["note"] == "deleted on the remote: nothing to check"


def test_framework_bad_to_ref(project: Repo, shas) -> None:
    proc = run_cli("check", "--stage", "pre-push", cwd=project.path, input="",
                   env={"PRE_COMMIT_TO_REF": "nope", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/oops"})
    assert_clean_error(proc, "PRE_COMMIT_TO_REF: cannot resolve 'nope'")


def test_stdin_lines_win_over_the_variables(project: Repo, shas: dict[str, str]) -> None:
    env = {"PRE_COMMIT_TO_REF": shas["good"], "PRE_COMMIT_REMOTE_BRANCH": f"refs/heads/{GOOD}"}
    rc, data = push(project, f"refs/heads/hotfix/oops {shas['oops']} refs/heads/hotfix/oops {Z40}", env=env)
    assert rc == 1 and data["branch"] == "hotfix/oops"


def test_variables_with_a_stdin_left_open_do_not_hang(project: Repo, shas: dict[str, str]) -> None:
    """Under the framework, a stdin pipe nobody closes is not waited on."""
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT), "PRE_COMMIT_TO_REF": shas["oops"],
           "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/oops"}
    proc = subprocess.Popen([sys.executable, "-m", "hotfix_guard", "check", "--stage", "pre-push"],
                            cwd=project.path, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        rc = proc.wait(timeout=60)  # stdin still open: TimeoutExpired if it waited on it
        out = proc.stdout.read()
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert rc == 1 and "HG002" in out


def test_flags_bypass_the_push_input(project: Repo, shas: dict[str, str]) -> None:
    proc = run_cli("check", "--stage", "pre-push", "--branch", "hotfix/oops", "--format", "json", cwd=project.path,
                   input=f"refs/heads/{GOOD} {shas['good']} refs/heads/{GOOD} {Z40}\n")
    assert proc.returncode == 1 and json.loads(proc.stdout)["branch"] == "hotfix/oops"
