"""`hotfix-guard status`: the workflow's checklist, item by item, from real repositories."""

from __future__ import annotations

import io
import json
import sys
import types
from typing import Any, Iterable

import pytest
from conftest import Repo, assert_clean_error, hotfix_from_main, run_cli
from mergeback_helpers import HOTFIX, merge_into

from hotfix_guard.commands import status as status_cmd
from hotfix_guard.config import Settings
from hotfix_guard.git import Git
from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import Finding, Rule

GIT_ITEMS = ("branched-from-main", "tests-touched", "tagged", "merged-production", "merged-development",
             "branch-deleted", "follow-up-tickets")


def status(r: Repo, *args: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("status", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def states(data: dict[str, Any]) -> dict[str, str]:
    return {i["id"]: i["state"] for i in data["items"]}


def detail(data: dict[str, Any], item: str) -> str:
    return next(i["detail"] for i in data["items"] if i["id"] == item) or ""


def good_hotfix(r: Repo) -> str:
    hotfix_from_main(r)
    return r.commit("Add a regression test\n\nFollow-up: PROJ-99",
                    {"tests/test_app.py": "def test_main():\n    assert True\n"})


def test_fresh_hotfix(project: Repo) -> None:
    good_hotfix(project)
    rc, data = status(project)
    assert rc == 0
    assert data["hotfix"]["branch"] == HOTFIX and data["hotfix"]["version"] == "1.2.4"
    s = states(data)
    assert s["branched-from-main"] == "done"
    assert s["tests-touched"] == "done"
    assert s["follow-up-tickets"] == "done"
    assert s["tagged"] == "not-done"
    assert s["merged-production"] == "not-done"
    assert s["merged-development"] == "not-done"
    assert s["branch-deleted"] == "not-done"
    assert f"git checkout main && git merge --no-ff {HOTFIX}" in detail(data, "merged-production")
    # what git cannot show is said to be so, never guessed
    for item in ("issue-confirmed", "stakeholders-notified", "staging-deployed", "smoke-tests",
                 "monitoring", "users-notified", "incident-documented", "lessons-learned"):
        assert s[item] == "not-checkable"
    assert data["summary"]["done"] + data["summary"]["not_done"] + data["summary"]["not_checkable"] == len(s)
    assert data["complete"] is False


def test_the_seed_checklist_is_all_there(project: Repo) -> None:
    good_hotfix(project)
    _, data = status(project)
    sections = [i["section"] for i in data["items"]]
    assert list(dict.fromkeys(sections)) == ["Investigation", "Development", "Deployment", "Post-Deployment"]
    assert len(data["items"]) == 21


def test_cut_from_develop_and_no_tests_no_ticket(project: Repo) -> None:
    project.checkout(HOTFIX, new=True, start="develop")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    _, data = status(project)
    s = states(data)
    assert s["branched-from-main"] == "not-done"
    assert "cut from develop" in detail(data, "branched-from-main")
    assert s["tests-touched"] == "not-done"
    assert s["follow-up-tickets"] == "not-done"


def test_merged_into_main_only(project: Repo) -> None:
    good_hotfix(project)
    merge = merge_into(project, "main")
    project.tag("v1.2.4", merge)
    project.checkout(HOTFIX)
    _, data = status(project)
    s = states(data)
    assert s["merged-production"] == "done" and merge[:7] in detail(data, "merged-production")
    assert s["tagged"] == "done"
    assert s["merged-development"] == "not-done"
    assert f"git checkout develop && git merge --no-ff {HOTFIX}" in detail(data, "merged-development")
    assert s["branch-deleted"] == "not-done"
    assert "once merged into main and develop" in detail(data, "branch-deleted")
    # the rules judged the hotfix as it was before it landed
    assert s["branched-from-main"] == "done" and s["tests-touched"] == "done"


def test_done_but_branch_left_behind(project: Repo, tmp_path) -> None:
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    good_hotfix(project)
    project.git("push", "-q", "origin", HOTFIX)
    project.git("fetch", "-q", "origin")
    merge_into(project, "main")
    project.tag("v1.2.4")
    merge_into(project, "develop")
    rc, data = status(project, "--branch", HOTFIX)
    assert states(data)["branch-deleted"] == "not-done"
    assert detail(data, "branch-deleted") == (
        f"still exists locally and on origin: run `git branch -d {HOTFIX} && git push origin --delete {HOTFIX}`")
    assert states(data)["merged-development"] == "done"


def test_complete_after_the_branch_is_deleted(project: Repo) -> None:
    good_hotfix(project)
    merge_into(project, "main")
    project.tag("v1.2.4")
    merge_into(project, "develop")
    project.git("branch", "-D", HOTFIX)
    rc, data = status(project, "--branch", HOTFIX, "--exit-code")
    assert rc == 0
    s = states(data)
    for item in GIT_ITEMS:
        assert s[item] == "done", (item, detail(data, item))
    assert data["complete"] is True
    # by version too
    assert status(project, "--branch", "v1.2.4")[1]["hotfix"]["branch"] == HOTFIX


def test_lightweight_tag_is_not_done(project: Repo) -> None:
    good_hotfix(project)
    merge_into(project, "main")
    project.tag("v1.2.4", annotated=False)
    _, data = status(project, "--branch", HOTFIX)
    assert states(data)["tagged"] == "not-done"
    assert "lightweight" in detail(data, "tagged")


def test_tag_on_the_branch_before_merging_is_done(project: Repo) -> None:
    good_hotfix(project)
    project.tag("v1.2.4")
    _, data = status(project)
    assert states(data)["tagged"] == "done"
    assert "not in main yet" in detail(data, "tagged")


def test_release_branch_open(project: Repo) -> None:
    project.branch("release/1.3.0", "develop")
    good_hotfix(project)
    merge_into(project, "main")
    project.tag("v1.2.4")
    merge_into(project, "release/1.3.0")
    _, data = status(project, "--branch", HOTFIX)
    assert states(data)["merged-development"] == "done"
    assert detail(data, "merged-development").startswith("release/1.3.0: merge")


def test_exit_code_option(project: Repo) -> None:
    good_hotfix(project)
    assert status(project)[0] == 0
    assert status(project, "--exit-code")[0] == 1


def test_text_is_a_markdown_checklist_when_piped(project: Repo) -> None:
    good_hotfix(project)
    proc = run_cli("status", cwd=project.path)
    assert proc.returncode == 0
    out = proc.stdout
    assert out.startswith(f"{HOTFIX}  v1.2.4  (tip ")
    assert "- [x] Branched from `main` (not development)" in out
    assert "- [ ] Merged to main — run `git checkout main" in out
    assert "- [?] Stakeholders notified" in out
    assert "\x1b[" not in out
    assert out.rstrip().endswith("not checkable from git")


def test_rich_rendering(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    good_hotfix(project)
    monkeypatch.chdir(project.path)
    git = Git()
    h, items, history = status_cmd.checklist(git, git.info(), Settings(), None)
    out = io.StringIO()
    status_cmd.render_text(history, h, items, out, color=True)
    text = out.getvalue()
    assert "✔" in text and "✘" in text and "Post-Deployment" in text


def test_not_on_a_hotfix_branch(project: Repo) -> None:
    good_hotfix(project)
    project.checkout("main")
    proc = run_cli("status", cwd=project.path)
    assert_clean_error(proc, "'main' is not a hotfix branch", HOTFIX)


def test_unknown_hotfix(project: Repo) -> None:
    assert_clean_error(run_cli("status", "--branch", "hotfix/v9.9.9-nope", cwd=project.path),
                       "no hotfix 'hotfix/v9.9.9-nope'")


def test_not_a_repository(tmp_path) -> None:
    assert_clean_error(run_cli("status", cwd=tmp_path), "not a git repository")


def test_status_never_writes(project: Repo) -> None:
    good_hotfix(project)
    refs, st = project.git("for-each-ref"), project.git("status", "--porcelain")
    status(project)
    assert (project.git("for-each-ref"), project.git("status", "--porcelain")) == (refs, st)


# -- the diff-size item goes through the plugin registry ---------------------------------------


class FakeDiffSize(Rule):
    """
    ## What it does
    Test double.
    """

    code = "HG004"
    name = "diff-size"
    summary = "Test double for the diff-size rule"
    verdict: str = "clean"

    def check(self, ctx: Any) -> Iterable[Finding]:
        if FakeDiffSize.verdict == "crash":
            raise RuntimeError("boom")
        if FakeDiffSize.verdict == "big":
            yield self.finding("212 changed lines, over the limit of 150")
        if FakeDiffSize.verdict == "warn":
            yield self.finding("90 changed lines, over half the limit", severity="warning")


@pytest.fixture
def fake_diff_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the built-in diff rules module by one that registers FakeDiffSize."""
    import hotfix_guard.engine.plugins as plugins

    module = types.ModuleType("fake_diff_rules")

    @hookimpl
    def hotfix_guard_register_rules(register: Any) -> None:
        register(FakeDiffSize)

    module.hotfix_guard_register_rules = hotfix_guard_register_rules  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_diff_rules", module)
    builtins = tuple(m for m in plugins.BUILTIN_PLUGINS if m != "hotfix_guard.rules.diff")
    monkeypatch.setattr(plugins, "BUILTIN_PLUGINS", (*builtins, "fake_diff_rules"))
    monkeypatch.setenv("HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.mark.parametrize("verdict, state, fragment", [
    ("clean", "done", ""),
    ("warn", "done", "HG004 warns: 90 changed lines"),
    ("big", "not-done", "HG004: 212 changed lines"),
    ("crash", "not-checkable", "HG004 (diff-size) could not run: RuntimeError: boom"),
])
def test_minimal_fix_uses_the_diff_size_rule(project: Repo, monkeypatch: pytest.MonkeyPatch,
                                             fake_diff_plugin: None, verdict: str, state: str,
                                             fragment: str) -> None:
    good_hotfix(project)
    monkeypatch.chdir(project.path)
    monkeypatch.setattr(FakeDiffSize, "verdict", verdict)
    git = Git()
    _, items, _ = status_cmd.checklist(git, git.info(), Settings(), None)
    [item] = [i for i in items if i.id == "minimal-fix"]
    assert item.state == state
    assert fragment in item.detail
    assert item.rule == "HG004"


def test_minimal_fix_turned_off_in_config(project: Repo, monkeypatch: pytest.MonkeyPatch,
                                          fake_diff_plugin: None) -> None:
    good_hotfix(project)
    monkeypatch.chdir(project.path)
    git = Git()
    _, items, _ = status_cmd.checklist(git, git.info(), Settings({"ignore": ["HG004"]}), None)
    [item] = [i for i in items if i.id == "minimal-fix"]
    assert (item.state, item.detail) == ("not-checkable", "HG004 (diff-size) is turned off in config")


def test_minimal_fix_without_the_rule(project: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    import hotfix_guard.engine.plugins as plugins

    monkeypatch.setattr(plugins, "BUILTIN_PLUGINS",
                        tuple(m for m in plugins.BUILTIN_PLUGINS if m != "hotfix_guard.rules.diff"))
    monkeypatch.setenv("HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD", "1")
    good_hotfix(project)
    monkeypatch.chdir(project.path)
    git = Git()
    _, items, _ = status_cmd.checklist(git, git.info(), Settings(), None)
    [item] = [i for i in items if i.id == "minimal-fix"]
    assert (item.state, item.detail) == ("not-checkable", "rule HG004 is not installed")
