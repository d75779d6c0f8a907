"""HG001 branch-from-main, HG002 branch-name, HG003 next-patch-version on real repositories."""

from __future__ import annotations

import json

import pytest
from conftest import Repo, hotfix_from_main, run_cli


def check(r: Repo, *args: str) -> tuple[int, list[dict]]:
    proc = run_cli("check", "--format", "json", *args, cwd=r.path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    return proc.returncode, data["findings"]


def codes(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings if not f["suppressed"]]


# -- HG001 ------------------------------------------------------------------------


def test_clean_hotfix_passes(project: Repo) -> None:
    hotfix_from_main(project)
    rc, findings = check(project, "--select", "HG001,HG002,HG003")
    assert rc == 0
    assert findings == []


def test_branch_cut_from_develop_is_flagged(project: Repo) -> None:
    project.checkout("hotfix/v1.2.4-fix-crash", new=True, start="develop")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    rc, findings = check(project, "--select", "HG001")
    assert rc == 1
    [f] = findings
    assert f["code"] == "HG001"
    assert "cut from develop" in f["message"]
    assert "2 commits" in f["message"]
    assert f["ref"] == project.sha("develop")
    assert "git rebase --onto main" in f["help"]


def test_develop_merged_into_hotfix_is_flagged(project: Repo) -> None:
    hotfix_from_main(project)
    merge = project.merge("develop")
    rc, findings = check(project, "--select", "HG001")
    assert rc == 1
    [f] = findings
    assert "develop was merged into this hotfix" in f["message"]
    assert f["ref"] == merge


def test_hotfix_later_merged_into_develop_is_not_flagged(project: Repo) -> None:
    hotfix_from_main(project)
    project.checkout("develop")
    project.merge("hotfix/v1.2.4-fix-payment-crash")
    project.commit("more develop work", {"src/more.py": "MORE = 1\n"})
    project.checkout("hotfix/v1.2.4-fix-payment-crash")
    project.commit("second fix commit", {"src/app.py": "# HOTFIX v1.2.4: more\n"})
    rc, findings = check(project, "--select", "HG001")
    assert (rc, findings) == (0, [])


def test_main_merged_into_hotfix_is_not_flagged(project: Repo) -> None:
    hotfix_from_main(project)
    project.checkout("main")
    project.commit("another production fix", {"README.md": "# app 2\n"})
    project.checkout("hotfix/v1.2.4-fix-payment-crash")
    project.merge("main")
    assert check(project, "--select", "HG001") == (0, [])


def test_develop_only_on_origin(project: Repo, tmp_path) -> None:
    """CI clones have no local develop: origin/develop is used."""
    bare = tmp_path / "remote.git"
    project.git("init", "-q", "--bare", str(bare))
    project.git("remote", "add", "origin", str(bare))
    project.git("push", "-q", "origin", "main", "develop", "--tags")
    project.git("fetch", "-q", "origin")
    project.checkout("hotfix/v1.2.4-fix-crash", new=True, start="develop")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    project.git("branch", "-D", "develop")
    rc, findings = check(project, "--select", "HG001")
    assert rc == 1 and codes(findings) == ["HG001"]


def test_development_fallback_name(repo: Repo) -> None:
    repo.commit("init", {"a.py": "a = 1\n"})
    repo.tag("v1.0.0")
    repo.checkout("development", new=True)
    repo.commit("dev work", {"b.py": "b = 1\n"})
    repo.checkout("hotfix/v1.0.1-fix", new=True)
    repo.commit("fix", {"a.py": "a = 2\n"})
    rc, findings = check(repo, "--select", "HG001")
    assert codes(findings) == ["HG001"]
    assert "development" in findings[0]["message"]


def test_missing_development_skips_hg001(repo: Repo) -> None:
    repo.commit("init", {"a.py": "a = 1\n"})
    repo.checkout("hotfix/v0.0.1-fix", new=True)
    repo.commit("fix", {"a.py": "a = 2\n"})
    proc = run_cli("check", "--select", "HG001", cwd=repo.path)
    assert proc.returncode == 0, proc.stderr
    assert "skipped HG001: development branch" in proc.stdout


def test_master_fallback_for_production(tmp_path) -> None:
    from conftest import make_repo

    r = make_repo(tmp_path / "m")
    r.git("symbolic-ref", "HEAD", "refs/heads/master")
    r.commit("init", {"a.py": "a = 1\n"})
    r.tag("v2.0.0")
    r.branch("develop")
    r.checkout("develop")
    r.commit("dev", {"b.py": "b\n"})
    r.checkout("hotfix/v2.0.1-fix", new=True, start="master")
    r.commit("fix", {"a.py": "a = 2\n"})
    assert check(r, "--select", "HG001,HG003") == (0, [])


# -- HG002 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, problem",
    [
        ("hotfix/fix-payment", "no version"),
        ("hotfix/v1.2-fix", "not a X.Y.Z version"),
        ("hotfix/v1.2.4", "no description"),
        ("hotfix/v1.2.4-Fix_Payment", "not lowercase kebab-case"),
        ("hotfix/v1.2.4-fix--payment", "not lowercase kebab-case"),
        ("hotfix/v1.2.4-rc1-fix", None),  # "rc1-fix" is a valid description
        ("hotfix/v1.2.4-" + "a" * 60, "over the limit of 60"),
    ],
)
def test_branch_name(project: Repo, name: str, problem: str | None) -> None:
    project.checkout(name, new=True, start="main")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    rc, findings = check(project, "--select", "HG002")
    if problem is None:
        assert findings == []
    else:
        [f] = findings
        assert problem in f["message"]
        assert f["help"].startswith("rename it: git branch -m hotfix/v1.2.4-")


def test_branch_name_length_option(project: Repo) -> None:
    project.write(".hotfix-guard.toml", "[rules.branch-name]\nmax-branch-length = 20\n")
    hotfix_from_main(project)
    rc, findings = check(project, "--select", "HG002")
    assert "over the limit of 20" in findings[0]["message"]


def test_suggested_name_is_slugified(project: Repo) -> None:
    project.checkout("hotfix/Fix_Payment_Crash", new=True, start="main")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    rc, findings = check(project, "--select", "HG002")
    assert findings[0]["help"] == "rename it: git branch -m hotfix/v1.2.4-fix-payment-crash"


# -- HG003 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version, fragment",
    [
        ("1.2.3", "already released (tag v1.2.3)"),
        ("1.2.2", "already released (tag v1.2.2)"),
        ("1.2.5", "skips v1.2.4"),
        ("1.2.7", "skips v1.2.4..v1.2.6"),
        ("1.3.0", "minor bump"),
        ("2.0.0", "major bump"),
        ("1.1.9", "older than the latest release v1.2.3"),
    ],
)
def test_next_patch_version_errors(project: Repo, version: str, fragment: str) -> None:
    project.checkout(f"hotfix/v{version}-fix-crash", new=True, start="main")
    project.commit("fix", {"src/app.py": "x = 1\n"})
    rc, findings = check(project, "--select", "HG003")
    [f] = findings
    assert fragment in f["message"]
    assert f["message"].endswith("expected hotfix/v1.2.4-fix-crash")


def test_prerelease_tags_are_not_releases(project: Repo) -> None:
    project.tag("v1.2.4-rc2", "main")
    project.tag("v1.2.4-rc1", "main")
    hotfix_from_main(project)
    assert check(project, "--select", "HG003") == (0, [])


def test_tags_only_on_develop_do_not_count(project: Repo) -> None:
    project.tag("v1.3.0", "develop")
    hotfix_from_main(project)
    assert check(project, "--select", "HG003") == (0, [])


def test_lightweight_release_tags_count(project: Repo) -> None:
    project.commit("prod fix", {"README.md": "x\n"})
    project.tag("v1.2.4", annotated=False)
    hotfix_from_main(project)  # v1.2.4 is taken now
    rc, findings = check(project, "--select", "HG003")
    assert "already released" in findings[0]["message"]
    assert "expected hotfix/v1.2.5-fix-payment-crash" in findings[0]["message"]


def test_no_release_tag_no_finding(repo: Repo) -> None:
    repo.commit("init", {"a.py": "a\n"})
    repo.checkout("hotfix/v0.9.9-fix", new=True)
    repo.commit("fix", {"a.py": "b\n"})
    assert check(repo, "--select", "HG003") == (0, [])


def test_custom_tag_prefix(project: Repo) -> None:
    project.tag("release-1.2.3")
    project.write(".hotfix-guard.toml", 'tag-prefix = "release-"\n')
    project.checkout("hotfix/release-1.2.4-fix-crash", new=True, start="main")
    project.commit("fix", {"src/app.py": "x\n"})
    assert check(project, "--select", "HG002,HG003") == (0, [])


@pytest.mark.parametrize("tag, branch, fragment", [
    ("v0.1.7.1", "hotfix/v0.1.7.2-fix-crash", None),
    ("v0.1.7", "hotfix/v0.1.7.1-fix-crash", None),  # a fourth part for the patch
    ("v0.1.7", "hotfix/v0.1.8-fix-crash", None),
    ("v0.1.7.1", "hotfix/v0.1.7.4-fix-crash", "skips v0.1.7.2..v0.1.7.3"),
    ("v0.1.7.1", "hotfix/v0.1.7.1-fix-crash", "already released"),
])
def test_four_part_versions_patch_their_last_part(repo: Repo, tag: str, branch: str, fragment: str | None) -> None:
    repo.commit("init", {"a.py": "a\n"})
    repo.tag(tag)
    repo.branch("develop")
    repo.checkout(branch, new=True)
    repo.commit("fix", {"a.py": "b\n"})
    rc, findings = check(repo, "--select", "HG002,HG003")
    if fragment is None:
        assert (rc, findings) == (0, [])
    else:
        [f] = findings
        assert f["code"] == "HG003" and fragment in f["message"], f


def test_branch_version_without_the_tag_prefix_is_read(project: Repo) -> None:
    """`hotfix/1.2.4-...` under tag-prefix `v` names 1.2.4: no HG002, and HG003 judges it."""
    project.checkout("hotfix/1.2.4-fix-crash", new=True, start="main")
    project.commit("fix", {"src/app.py": "x\n"})
    assert check(project, "--select", "HG002,HG003") == (0, [])
    project.checkout("hotfix/1.2.3-fix-crash", new=True, start="main")
    rc, findings = check(project, "--select", "HG002,HG003")
    assert codes(findings) == ["HG003"] and "already released" in findings[0]["message"]
