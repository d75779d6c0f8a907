"""`hotfix-guard audit`: every hotfix in history, on small real repositories and on a
generated long one (bench/make_history.py)."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import BASE_DATE, Repo, assert_clean_error, hotfix_from_main, make_repo, run_cli
from mergeback_helpers import HOTFIX, another_hotfix, audit_json, by_name, load_generator, merge_into

from hotfix_guard.commands import audit as audit_cmd
from hotfix_guard.config import Settings
from hotfix_guard.git import Git

DAY = 86_400


def git_at(r: Repo, when: int, *args: str) -> str:
    """git with a chosen author and committer date (the Repo helper ticks a minute per call)."""
    env = dict(os.environ, GIT_AUTHOR_DATE=f"{when} +0000", GIT_COMMITTER_DATE=f"{when} +0000")
    proc = subprocess.run(["git", *args], cwd=r.path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def history(project: Repo) -> Repo:
    """Three hotfixes after v1.2.3:
    - v1.2.4 merged into main, tagged, merged into develop three days later, branch deleted;
    - v1.2.5 merged into main only, with a lightweight tag, branch kept;
    - v1.2.6 in progress (not merged anywhere)."""
    r = project
    hotfix_from_main(r)
    merge_into(r, "main")
    r.tag("v1.2.4")
    r.checkout("develop")
    git_at(r, BASE_DATE + 3 * DAY, "merge", "-q", "--no-ff", HOTFIX, "-m", f"Merge branch '{HOTFIX}' into develop")
    r.git("branch", "-D", HOTFIX)
    another_hotfix(r, "hotfix/v1.2.5-fix-login")
    merge_into(r, "main", "hotfix/v1.2.5-fix-login")
    r.tag("v1.2.5", annotated=False)
    another_hotfix(r, "hotfix/v1.2.6-fix-search")
    r.checkout("main")
    return r


def test_json(history: Repo) -> None:
    rc, data = audit_json(history)
    assert rc == 1
    # v1.2.2, the repository's first release, is no hotfix (SPEC §8)
    assert [h["name"] for h in data["hotfixes"]] == [
        "v1.2.3", HOTFIX, "hotfix/v1.2.5-fix-login", "hotfix/v1.2.6-fix-search"]
    assert (data["production"], data["development"], data["stage"]) == ("main", "develop", "audit")

    # the fixture's patch releases, made on main directly, are found by their tags
    old = by_name(data, "v1.2.3")
    assert old["branch"] is None and old["found_by"] == ["tag"] and old["production"]["how"] == "commit"
    assert old["merged_into_development"] is True and old["branch_deleted"] is None and old["findings"] == []

    first = by_name(data, HOTFIX)
    assert first["version"] == "1.2.4"
    assert first["found_by"] == ["merge", "tag"]
    assert first["tag"] == {"name": "v1.2.4", "commit": history.sha("v1.2.4^{commit}"), "annotated": True,
                            "state": "ok"}
    assert first["production"]["how"] == "merge" and first["production"]["commit"] == history.sha("v1.2.4^{commit}")
    assert first["development"]["how"] == "merge"
    assert first["merged_into_production"] and first["merged_into_development"]
    assert first["branch_deleted"] is True
    assert 2.9 < first["days_to_development"] < 3.1
    assert first["findings"] == []

    second = by_name(data, "hotfix/v1.2.5-fix-login")
    assert second["tag"]["annotated"] is False and second["tag"]["state"] == "lightweight"
    assert second["merged_into_development"] is False and second["development"] is None
    assert second["branch_deleted"] is False and second["branch_exists"] == {"local": True, "remote": False}
    assert second["days_to_development"] is None
    assert second["findings"] == ["HG008", "HG009"]

    third = by_name(data, "hotfix/v1.2.6-fix-search")
    assert third["production"] is None and third["merged_into_production"] is False
    assert third["findings"] == []  # not landed: nothing to judge yet

    assert [(f["code"], f["ref"]) for f in data["findings"]] == [
        ("HG008", "hotfix/v1.2.5-fix-login"), ("HG009", "hotfix/v1.2.5-fix-login")]
    assert data["summary"] == {"errors": 2, "warnings": 0, "suppressed": 0, "hotfixes": 4}


def test_text_table(history: Repo) -> None:
    proc = run_cli("audit", cwd=history.path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["hotfix", "version", "tag", "main", "develop", "branch", "days", "issues"]
    row = next(line for line in lines if line.startswith(HOTFIX))
    assert "v1.2.4" in row and "deleted" in row and " 3 " in row and row.rstrip().endswith("-")
    row = next(line for line in lines if line.startswith("hotfix/v1.2.5-fix-login "))
    assert "v1.2.5 (lightweight)" in row and "missing" in row and "exists (local)" in row
    assert row.rstrip().endswith("HG008 HG009")
    row = next(line for line in lines if line.startswith("hotfix/v1.2.6-fix-search "))
    assert "not merged" in row
    assert any(line.startswith("hotfix/v1.2.5-fix-login: HG008 [error] merged-into-both:") for line in lines)
    assert any(line.startswith("  help:") for line in lines)
    assert lines[-1] == "4 hotfixes: 3 in main, 2 also in develop; 2 problems in 1 hotfix"
    assert "\x1b[" not in proc.stdout


def test_rich_table(history: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(history.path)
    result = audit_cmd.audit(Git(), Settings())
    out = io.StringIO()
    audit_cmd.render_text(result, out, color=True)
    assert "hotfix/v1.2.5-fix-login" in out.getvalue() and "HG008" in out.getvalue()


def test_clean_history_exits_0(project: Repo) -> None:
    hotfix_from_main(project)
    merge_into(project, "main")
    project.tag("v1.2.4")
    merge_into(project, "develop")
    project.git("branch", "-D", HOTFIX)
    proc = run_cli("audit", cwd=project.path)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[-1] == "2 hotfixes: 2 in main, 2 also in develop; no problems"


def test_no_hotfixes(repo: Repo) -> None:
    repo.commit("init", {"a": "a\n"})
    repo.tag("v1.0.0")
    repo.branch("develop")
    rc, data = audit_json(repo)
    assert rc == 0 and data["hotfixes"] == [] and data["findings"] == []
    assert run_cli("audit", cwd=repo.path).stdout == "0 hotfixes: 0 in main, 0 also in develop; no problems\n"


def test_since(history: Repo) -> None:
    _, data = audit_json(history, "--since", "v1.2.4")
    assert [h["name"] for h in data["hotfixes"]] == ["hotfix/v1.2.5-fix-login", "hotfix/v1.2.6-fix-search"]
    assert data["since"] == "v1.2.4"
    _, data = audit_json(history, "--since", "v1.2.3")
    assert len(data["hotfixes"]) == 3
    rc, data = audit_json(history, "--since", "2099-01-01")
    assert rc == 0 and [h["name"] for h in data["hotfixes"]] == ["hotfix/v1.2.6-fix-search"]
    _, data = audit_json(history, "--since", "2000-01-01")
    assert len(data["hotfixes"]) == 4


def test_since_errors(history: Repo) -> None:
    assert_clean_error(run_cli("audit", "--since", "yesterday-ish", cwd=history.path),
                       "--since: 'yesterday-ish' is neither a tag, a commit nor a date")
    assert_clean_error(run_cli("audit", "--since", "develop", cwd=history.path), "--since: develop is not on main")


def test_config_ignore(history: Repo) -> None:
    history.write(".hotfix-guard.toml", 'ignore = ["HG009"]\n')
    _, data = audit_json(history)
    assert [f["code"] for f in data["findings"]] == ["HG008"]


def test_no_production_branch(repo: Repo) -> None:
    repo.commit("init", {"a": "a\n"})
    repo.git("branch", "-m", "trunk")
    assert_clean_error(run_cli("audit", cwd=repo.path), "production branch (main or master) not found")


def test_no_development_branch(repo: Repo) -> None:
    repo.commit("init", {"a": "a\n"})
    repo.tag("v1.0.0")
    hotfix_from_main(repo, "hotfix/v1.0.1-fix")
    merge_into(repo, "main", "hotfix/v1.0.1-fix")
    repo.tag("v1.0.1")
    rc, data = audit_json(repo)
    assert rc == 0
    assert data["skipped"][0]["code"] == "HG008"
    assert data["hotfixes"][0]["merged_into_development"] is None


def test_reports_for_other_renderers(history: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(history.path)
    [report] = audit_cmd.audit(Git(), Settings()).reports()
    assert report.stage == "audit" and report.branch == "main"
    assert [(f.code, f.ref) for f in report.findings] == [
        ("HG008", "hotfix/v1.2.5-fix-login"), ("HG009", "hotfix/v1.2.5-fix-login")]
    assert report.errors == 2 and report.to_dict()["summary"]["errors"] == 2


@pytest.mark.parametrize("fmt", ["github", "sarif", "gitlab", "junit"])
def test_ci_formats(history: Repo, fmt: str) -> None:
    proc = run_cli("audit", "--format", fmt, cwd=history.path)
    if importlib.util.find_spec(f"hotfix_guard.report.{fmt}") is None:
        assert_clean_error(proc, f"--format {fmt} is not available")
    else:  # the renderers of the report-formats work, once merged
        assert proc.returncode == 1 and "hotfix/v1.2.5-fix-login" in proc.stdout


def test_output_file(history: Repo, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    proc = run_cli("audit", "--format", "json", "--output", str(out), cwd=history.path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(json.loads(out.read_text())["hotfixes"]) == 4


def test_squash_rebase_and_cherry_pick_history(project: Repo) -> None:
    """Three hotfixes that left no ancestry in develop, one that never arrived."""
    r = project
    fixes = {}
    for n, name in enumerate(("squash", "pick", "rebase", "lost"), start=4):
        branch = f"hotfix/v1.2.{n}-{name}"
        r.checkout(branch, new=True, start="main")
        fixes[name] = [r.commit(f"{name} part {k}", {f"src/{name}{k}.py": f"# HOTFIX v1.2.{n}: {k}\n"})
                       for k in range(2)]
        merge_into(r, "main", branch)
        r.tag(f"v1.2.{n}")
        r.checkout("develop")
        if name == "squash":
            r.git("merge", "--squash", branch)
            r.git("commit", "-q", "-m", "squashed")
        elif name == "pick":
            r.git("cherry-pick", *fixes[name])
        elif name == "rebase":
            r.checkout("copy", new=True, start=branch)
            r.git("rebase", "-q", "develop")
            r.checkout("develop")
            r.merge("copy", ff=True)
            r.git("branch", "-D", "copy")
        r.git("branch", "-D", branch)
    r.checkout("main")
    rc, data = audit_json(r)
    how = {h["name"]: (h["development"] or {}).get("how") for h in data["hotfixes"] if h["branch"]}
    assert how == {"hotfix/v1.2.4-squash": "squash", "hotfix/v1.2.5-pick": "cherry-pick",
                   "hotfix/v1.2.6-rebase": "cherry-pick", "hotfix/v1.2.7-lost": None}
    assert rc == 1 and [(f["code"], f["ref"]) for f in data["findings"]] == [("HG008", "hotfix/v1.2.7-lost")]


# -- a long generated history -----------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[int, object]:
    """Two 5,000-commit histories, with 20 and with 60 hotfixes."""
    make = load_generator().make_history
    with pytest.MonkeyPatch.context() as mp:  # module scope runs before the autouse clean_env
        mp.setenv("HOME", str(tmp_path_factory.mktemp("gen-home")))
        return {n: make(tmp_path_factory.mktemp(f"gen{n}") / "repo", commits=5_000, hotfixes=n)
                for n in (20, 60)}


def _audit_in_process(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[audit_cmd.Audit, int]:
    monkeypatch.chdir(path)
    git = Git()
    result = audit_cmd.audit(git, Settings())
    return result, git.calls


def test_generated_history(generated: dict[int, object], monkeypatch: pytest.MonkeyPatch) -> None:
    summary = generated[60]
    result, _ = _audit_in_process(summary.path, monkeypatch)  # type: ignore[attr-defined]
    landed = [h for h in result.hotfixes if h.production]
    assert len(landed) == 60
    flagged = {(f.code, h.tag.name if h.tag else f"v{h.version}") for h in result.hotfixes for f in result.of(h)}
    expected = {("HG008", t) for t in summary.unmerged}  # type: ignore[attr-defined]
    expected |= {("HG009", t) for t in summary.untagged + summary.lightweight}  # type: ignore[attr-defined]
    assert flagged == expected
    hows = {h.development.how for h in landed if h.development}
    assert {"merge", "squash", "cherry-pick"} <= hows


def test_git_processes_do_not_grow_with_hotfixes(generated: dict[int, object],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    counts = {n: _audit_in_process(s.path, monkeypatch)[1] for n, s in generated.items()}  # type: ignore[attr-defined]
    assert counts[20] == counts[60], counts
    assert counts[60] <= 10, counts


def test_generated_history_through_the_cli(generated: dict[int, object]) -> None:
    summary = generated[60]
    proc = run_cli("audit", "--format", "json", cwd=summary.path)  # type: ignore[attr-defined]
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["summary"]["hotfixes"] == 61  # and the one in progress
    proc = run_cli("check", "--branch", "main", "--format", "json", cwd=summary.path)  # type: ignore[attr-defined]
    assert proc.returncode == 1  # the last hotfix never reached develop
    assert {f["code"] for f in json.loads(proc.stdout)["findings"]} == {"HG008"}


def test_generator_makes_what_it_says(tmp_path: Path) -> None:
    summary = load_generator().make_history(tmp_path / "g", commits=1_500, hotfixes=10)
    r = make_repo.__globals__["Repo"](summary.path)
    assert int(r.git("rev-list", "--count", "--all")) == summary.commits >= 1_500
    assert r.git("for-each-ref", "--format=%(objecttype)", "refs/tags/v1.0.1") == "tag"
    assert r.git("branch", "--list", "hotfix/*").strip().startswith("hotfix/")


def test_shallow_clone_cannot_be_audited(history: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{history.path}",
                    str(clone)], check=True)
    assert_clean_error(run_cli("audit", cwd=clone), "shallow clone", "git fetch --unshallow")
    assert_clean_error(run_cli("status", "--branch", "hotfix/v1.2.6-fix-search", cwd=clone), "shallow clone")


def test_maintenance_branch_release_is_listed_not_judged(project: Repo) -> None:
    project.checkout("support/1.1", new=True, start="v1.2.2")
    for k in range(3):
        project.commit(f"backport {k}", {f"src/backport{k}.py": f"# {k}\n"})
    project.tag("v1.1.5")
    project.checkout("main")
    rc, data = audit_json(project)
    assert rc == 0, data["findings"]
    h = by_name(data, "v1.1.5")
    assert h["production"] is None and h["findings"] == []


def test_windows() -> None:
    from hotfix_guard.history.hotfixes import _in_windows, _merge_windows

    starts, ends = _merge_windows([(10, 20), (15, 30), (50, 60)])
    assert (starts, ends) == ([10, 50], [30, 60])
    assert [_in_windows(t, starts, ends) for t in (5, 10, 25, 30, 40, 55, 61)] == [
        False, True, True, True, False, True, False]
