"""Machine formats carry the real file names; only text escapes them (issue #16).

A file named ``a<LF>b.py`` is not ``a\\nb.py`` (a file literally named so): JSON,
GitLab and GitHub carry the real name in their own escaping, SARIF percent-encodes its
real bytes. Text output writes control characters as escapes, so neither a name nor a
commit subject can move the cursor or clear the terminal."""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

import pytest
from conftest import Repo, run_cli

NAMES = ["src/a\nb.py", "src/a\\nb.py", "src/tab\there.py", "src/back\\slash.py"]


@pytest.fixture
def odd_names(project: Repo) -> Repo:
    project.checkout("hotfix/v1.2.4-fix-names", new=True, start="main")
    project.commit("Fix names", {name: "x = 1\n" for name in NAMES})
    (project.path / ".hotfix-guard.toml").write_text('select = ["HG005"]\n')
    return project


def check(r: Repo, fmt: str) -> str:
    proc = run_cli("check", "--format", fmt, cwd=r.path)
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


def test_json_carries_the_real_paths(odd_names: Repo) -> None:
    data = json.loads(check(odd_names, "json"))
    assert sorted(f["path"] for f in data["findings"]) == sorted(NAMES)


def test_sarif_percent_encodes_the_real_bytes(odd_names: Repo) -> None:
    data = json.loads(check(odd_names, "sarif"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in data["runs"][0]["results"]]
    assert len(set(uris)) == len(NAMES)
    assert sorted(unquote_to_bytes(u).decode() for u in uris) == sorted(NAMES)
    assert "src/a%0Ab.py" in uris and "src/a%5Cnb.py" in uris
    assert all(u.isascii() and " " not in u for u in uris)


def test_gitlab_carries_the_real_paths(odd_names: Repo) -> None:
    issues = json.loads(check(odd_names, "gitlab"))
    assert sorted(i["location"]["path"] for i in issues) == sorted(NAMES)


def test_github_escapes_as_the_toolkit_and_keeps_the_name(odd_names: Repo) -> None:
    out = check(odd_names, "github")
    files = []
    for line in out.splitlines():
        if line.startswith("::error "):
            props = line.split("::")[1].removeprefix("error ")
            value = next(p for p in props.split(",") if p.startswith("file=")).removeprefix("file=")
            files.append(value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":")
                         .replace("%2C", ",").replace("%25", "%"))
    assert sorted(files) == sorted(NAMES)


def test_text_escapes_control_characters_in_names(odd_names: Repo) -> None:
    out = check(odd_names, "text")
    lines = out.splitlines()
    assert any(line.startswith("src/a\\nb.py:1: HG005") for line in lines)
    assert any(line.startswith("src/tab\\there.py:1: HG005") for line in lines)
    assert "\t" not in out
    # every finding is one line (plus its help): a newline in a name never splits it
    assert sum(1 for line in lines if ": HG005 [error]" in line) == len(NAMES)


def test_text_escapes_control_characters_in_commit_subjects(project: Repo) -> None:
    project.checkout("develop")
    project.commit("Add \x1b[2J\x1b[Hcleared", {"src/clear.py": "X = 1\n"})
    project.checkout("hotfix/v1.2.4-fix-crash", new=True, start="develop")
    project.commit("fix", {"src/app.py": "def main():\n    # HOTFIX v1.2.4: x\n    return 1\n"})
    (project.path / ".hotfix-guard.toml").write_text('select = ["HG001"]\n')
    out = check(project, "text")
    assert "\x1b" not in out
    assert '"Add \\x1b[2J\\x1b[Hcleared"' in out
    data = json.loads(check(project, "json"))
    assert "\x1b[2J" in data["findings"][0]["message"]  # the machine format keeps it, JSON-escaped
