"""The CI formats (github, sarif, gitlab, junit): golden files, escaping, structure.

Golden files live in tests/golden/. Regenerate them after an intended change with
``HOTFIX_GUARD_UPDATE_GOLDEN=1 python -m pytest tests/test_formats.py`` and review the diff.

Two kinds of goldens: the renderers on a fixed set of reports (rules defined here, so
they do not move when built-in rules change), and the CLI end to end on a real
repository with HG001-HG003 selected (commit ids and the version normalised).

The SARIF is checked structurally here, and against the OASIS SARIF 2.1.0 JSON schema
shipped in tests/data/schemas (or the copy ``HOTFIX_GUARD_SARIF_SCHEMA`` names); the
JUnit against the Jenkins xunit junit-10.xsd in tests/test_schemas.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ci_helpers import HOTFIX, event_file, no_ci  # noqa: F401 (autouse fixture)
from conftest import Repo, run_cli

from hotfix_guard.report import Report
from hotfix_guard.report import github, gitlab, junit, sarif
from hotfix_guard.report._common import BRANCH_LEVEL_PATH, Fingerprints
from hotfix_guard.engine.rule import Finding, Rule

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("HOTFIX_GUARD_UPDATE_GOLDEN"))


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {name} was missing and has been written; review and commit it")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs (HOTFIX_GUARD_UPDATE_GOLDEN=1 to update)"


# -- a fixed set of reports ------------------------------------------------------------


class BranchRule(Rule):
    """
    ## What it does
    Flags a branch the test says is wrong.

    ## Why
    Golden files need a rule that never changes.

    ## Example
    ```console
    $ hotfix-guard check
    ```

    ## How to fix
    Nothing to fix: it is a test.
    """

    code = "ACME001"
    name = "acme-branch"
    summary = "A branch rule for the golden files"
    plugin = "acme-test"


class FileRule(Rule):
    """
    ## What it does
    Flags lines.

    ## Why
    To have file findings.

    ## Example
    (none)

    ## How to fix
    Change the line.
    """

    code = "ACME002"
    name = "acme-file"
    summary = "A file rule for the golden files"
    severity = "warning"
    plugin = "acme-test"


RULES = {r.code: r for r in (BranchRule, FileRule)}
BRANCH = "hotfix/v1.2.4-odd,name%x"
TRICKY = 'a: b, c% <tag> & "quoted" \'single\'\nsecond line ]]> \u2192 \udcff \x01'


def sample_reports() -> list[Report]:
    f = Finding
    findings = [
        f("ACME001", "acme-branch", "error", f"branch {BRANCH} is odd: {TRICKY}", ref="abcdef1234567890",
          help="rename it: git branch -m hotfix/v1.2.4-odd-name"),
        f("ACME002", "acme-file", "warning", "line too clever", path="src/pay ments,1.py", line=12,
          help="make it plain"),
        f("ACME002", "acme-file", "warning", "line too clever", path="src/pay ments,1.py", line=40),
        f("ACME002", "acme-file", "warning", "whole file", path="src/whole.py"),
        f("ACME002", "acme-file", "warning", "tolerated", path="src/a.py", line=3).suppress(
            "vendored code, PROJ-12", "comment"),
        f("ACME001", "acme-branch", "error", "tolerated on the branch").suppress("agreed in PROJ-7", "trailer"),
        f("HG000", "internal-error", "error",
          "rule ACME003 (acme-crash) from plugin 'acme-test' crashed: KeyError: 'x' at rules.py:3",
          help="the other rules still ran"),
        f("XYZ001", "unused-suppression", "warning", "a suppression that suppresses nothing", path="src/b.py",
          line=7),
    ]
    first = Report("ci", BRANCH, base="1" * 40, head="2" * 40, findings=findings,
                   skipped=[("ACME004", "development branch (develop) not found")], checked=4,
                   rules=[("ACME001", "acme-branch"), ("ACME002", "acme-file"), ("ACME003", "acme-crash"),
                          ("ACME004", "acme-skip")])
    note = Report("ci", "feature/x", note="not a hotfix, production or development branch: nothing to check")
    clean = Report("pre-push", "hotfix/v1.2.5-clean", base="3" * 40, head="4" * 40, checked=1,
                   ref="refs/heads/hotfix/v1.2.5-clean", rules=[("ACME001", "acme-branch")])
    return [first, note, clean]


def rendered(module, **kwargs) -> str:
    out = io.StringIO()
    module.render(sample_reports(), out, **kwargs)
    return out.getvalue()


def normalise_version(text: str) -> str:
    from hotfix_guard import __version__

    return text.replace(f'"{__version__}"', '"<version>"')


def test_github_golden() -> None:
    golden("sample.github.txt", rendered(github, step_summary=False))
    golden("sample.github-summary.md", github.markdown(sample_reports()))


def test_sarif_golden() -> None:
    golden("sample.sarif.json", normalise_version(rendered(sarif, rules=RULES)))


def test_gitlab_golden() -> None:
    golden("sample.gitlab.json", rendered(gitlab))


def test_junit_golden() -> None:
    golden("sample.junit.xml", rendered(junit))


# -- github ------------------------------------------------------------------------------


def test_github_escaping_follows_the_actions_toolkit() -> None:
    assert github.escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert github.escape_property("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext%3A a%2Cb"
    line = github.command("error", "x\ny", file="a,b:c.py", line=3, title="T: 1, 2")
    assert line == "::error file=a%2Cb%3Ac.py,line=3,title=T%3A 1%2C 2::x%0Ay"


def test_github_annotations_one_line_each() -> None:
    lines = rendered(github, step_summary=False).splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == 6  # the two suppressed findings are not annotated
    assert all(ln.startswith(("::error ", "::warning ")) for ln in commands)
    assert all(ln.startswith(("::", "hotfix-guard: ")) for ln in lines)  # no user text starts a line
    branch_level = commands[0]
    assert "file=" not in branch_level and "title=ACME001 acme-branch::" in branch_level
    assert "file=src/pay ments%2C1.py,line=12," in rendered(github, step_summary=False)


def test_github_step_summary_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    github.render(sample_reports(), io.StringIO())
    text = summary.read_text()
    assert text.startswith("# earlier step\n## hotfix-guard\n")
    assert "&lt;tag&gt; &amp;" in text and "<tag>" not in text  # no raw HTML from user text
    assert "odd,name%x" in text and "2 suppressed findings" in text and "Skipped: ACME004" in text
    for line in text.splitlines():
        if line.startswith("| :"):
            assert line.count(" | ") == 3  # no cell split by a | from user text


def test_github_step_summary_write_error_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "dir" / "summary.md"))
    github.render(sample_reports(), io.StringIO())
    assert "cannot write the job summary" in capsys.readouterr().err


# -- sarif -------------------------------------------------------------------------------


def check_sarif(data: dict) -> None:
    """What GitHub code scanning needs of every run and result."""
    assert data["version"] == "2.1.0" and data["$schema"].endswith("sarif-2.1.0.json")
    [run] = data["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hotfix-guard"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"]
        [loc] = result["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"]
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert result["partialFingerprints"][sarif.FINGERPRINT_KEY]
    schema = os.environ.get("HOTFIX_GUARD_SARIF_SCHEMA") or GOLDEN.parent / "data" / "schemas" / "sarif-schema-2.1.0.json"
    if schema:
        jsonschema = pytest.importorskip("jsonschema")
        spec = json.loads(Path(schema).read_text())
        # validate against it without checking the schema itself against its meta-schema
        # (some published copies trip the 2020-12 meta-schema on a detail)
        jsonschema.validators.validator_for(spec)(spec).validate(data)


def test_sarif_structure() -> None:
    data = json.loads(rendered(sarif, rules=RULES))
    check_sarif(data)
    results = data["runs"][0]["results"]
    assert len(results) == 8  # suppressed findings stay, marked
    branch = results[0]
    loc = branch["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == BRANCH_LEVEL_PATH and loc["region"]["startLine"] == 1
    assert branch["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    by_uri = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert "src/pay%20ments%2C1.py" in by_uri
    suppressed = [r for r in results if r.get("suppressions")]
    assert [s["suppressions"][0]["kind"] for s in suppressed] == ["inSource", "external"]
    assert suppressed[0]["suppressions"][0]["justification"] == "vendored code, PROJ-12"
    rules = {r["id"]: r for r in data["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ACME001"]["help"]["markdown"] == BranchRule.documentation()
    assert rules["ACME002"]["defaultConfiguration"]["level"] == "warning"
    assert rules["XYZ001"]["name"] == "unused-suppression"  # no rule class: built from the finding
    notes = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "ACME004"


def test_sarif_loads_rule_metadata_from_the_plugins() -> None:
    report = Report("ci", HOTFIX, findings=[Finding("HG002", "branch-name", "error", "bad name")])
    data = sarif.build([report])
    [rule] = data["runs"][0]["tool"]["driver"]["rules"]
    from hotfix_guard.rules.branch import BranchName

    assert rule["help"]["markdown"] == BranchName.documentation()
    assert rule["properties"]["tags"] == ["hotfix-guard", "plugin:hotfix_guard.rules.branch"]


def test_fingerprints_are_stable_and_unique() -> None:
    fp = Fingerprints()
    a = fp(Finding("HG005", "x", "error", "no marker in commit 3f2a1c9d0e", path="a.py", line=3))
    b = fp(Finding("HG005", "x", "error", "no marker in commit 3f2a1c9d0e", path="a.py", line=9))
    assert a != b  # same key twice in one output: still unique
    again = Fingerprints()
    moved = again(Finding("HG005", "x", "error", "no marker in commit 0123456789", path="a.py", line=30))
    assert moved == a  # line numbers and commit ids do not change the identity
    assert again(Finding("HG005", "x", "error", "no marker", path="b.py", line=3)) != a


# -- gitlab ------------------------------------------------------------------------------


def test_gitlab_code_quality_fields() -> None:
    issues = json.loads(rendered(gitlab))
    assert len(issues) == 7  # suppressed findings are left out; the skipped rule is an info issue
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    [skipped] = [i for i in issues if i["severity"] == "info"]
    assert skipped["check_name"] == "ACME004" and "skipped" in skipped["description"]
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("major", "minor", "info")
        assert issue["location"]["path"] and issue["location"]["lines"]["begin"] >= 1
    assert issues[0]["location"]["path"] == BRANCH_LEVEL_PATH
    assert issues[0]["description"].startswith(f"ACME001 acme-branch: {BRANCH}: ")
    assert {i["severity"] for i in issues if i["check_name"] == "ACME002"} == {"minor"}


# -- junit -------------------------------------------------------------------------------


def test_junit_is_well_formed_and_counts_add_up() -> None:
    text = rendered(junit)
    assert text.isascii()
    root = ET.fromstring(text.encode("ascii"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"hotfix-guard {BRANCH}", "hotfix-guard feature/x",
                                               "hotfix-guard hotfix/v1.2.5-clean"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
        assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    first = suites[0]
    names = [c.get("name") for c in first.findall("testcase")]
    assert "ACME003 acme-crash" in names  # the crashed rule is an <error>, not a pass
    crashed = first.find("testcase[@name='ACME003 acme-crash']")
    assert crashed.find("error") is not None
    failure = first.find("testcase/failure")
    assert "<tag>" in failure.get("message") and "\u2192" in failure.get("message")
    assert "\ufffd" in failure.get("message")  # the control char and the undecodable byte
    assert first.find("testcase[@name='ACME004 acme-skip']/skipped").get("message").startswith("development")
    passing = suites[2].findall("testcase")
    assert [c.get("name") for c in passing] == ["ACME001 acme-branch"] and len(passing[0]) == 0
    assert suites[1].find("testcase/skipped").get("message").endswith("nothing to check")


# -- end to end, on a real repository ----------------------------------------------------


@pytest.fixture
def bad_pr(project: Repo, tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """A pull request of a branch cut from develop, badly named, a minor bump: HG001-HG003 all fire."""
    branch = "hotfix/v1.3.0-Fix_Crash"
    main = project.sha("main")
    project.checkout(branch, new=True, start="develop")
    fix = project.commit("Fix crash, 100% sure: really", {"src/app.py": "x = 1\n"})
    project.git("checkout", "-q", "--detach", "main")
    project.merge(branch, message=f"Merge {fix} into {main}")
    payload = {"pull_request": {"base": {"sha": main}, "head": {"sha": fix}}}
    env = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/9/merge", "GITHUB_HEAD_REF": branch,
           "GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": event_file(tmp_path, payload)}
    return project, env


def normalise(r: Repo, text: str) -> str:
    from hotfix_guard import __version__

    labels = {}
    for line in r.git("log", "--all", "--format=%H %s").splitlines():
        sha, subject = line.split(" ", 1)
        labels[sha] = "<" + re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:24] + ">"
    for sha, label in labels.items():
        text = re.sub(rf"\b{sha[:7]}[0-9a-f]{{0,33}}\b", label, text)
    return text.replace(__version__, "<version>")


def without_rule_docs(sarif_text: str) -> str:
    """The SARIF with each rule's documentation replaced by a placeholder, after checking
    it is the rule's page: the golden file holds the shape, tests/test_docs.py the pages,
    so editing a rule's docstring does not change a snapshot of the output format."""
    data = json.loads(sarif_text)
    for run in data["runs"]:
        for rule in run["tool"]["driver"]["rules"]:
            assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}\n"), rule["id"]
            assert rule["fullDescription"]["text"] and rule["help"]["text"]
            rule["fullDescription"]["text"] = rule["help"]["text"] = rule["help"]["markdown"] = "<the rule's page>"
    return json.dumps(data, indent=2) + "\n"


@pytest.mark.parametrize("fmt, name", [("github", "cli.github.txt"), ("sarif", "cli.sarif.json"),
                                       ("gitlab", "cli.gitlab.json"), ("junit", "cli.junit.xml")])
def test_cli_golden(bad_pr: tuple[Repo, dict], tmp_path: Path, fmt: str, name: str) -> None:
    r, env = bad_pr
    summary = tmp_path / "summary.md"
    proc = run_cli("check", "--select", "HG001,HG002,HG003", "--format", fmt, cwd=r.path,
                   env={**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1, proc.stderr
    out = normalise(r, proc.stdout)
    if fmt == "sarif":
        out = without_rule_docs(out)
    golden(name, out)
    if fmt == "github":
        golden("cli.github-summary.md", normalise(r, summary.read_text()))
    elif fmt == "sarif":
        check_sarif(json.loads(proc.stdout))
        assert not summary.exists()


def test_cli_output_file_and_exit_zero(bad_pr: tuple[Repo, dict], tmp_path: Path) -> None:
    r, env = bad_pr
    out = tmp_path / "hotfix-guard.sarif"
    proc = run_cli("check", "--select", "HG001,HG002,HG003", "--format", "sarif", "--output", str(out),
                   "--exit-zero", cwd=r.path, env=env)
    assert proc.returncode == 0 and proc.stdout == ""
    assert "hotfix/v1.3.0-Fix_Crash: 3 errors (stage ci)" in proc.stderr
    check_sarif(json.loads(out.read_text()))
