"""Our machine formats against the schemas their consumers validate with (issue #16):
JUnit against the Jenkins xunit plugin's junit-10.xsd (with xmlschema), SARIF against
the OASIS SARIF 2.1.0 JSON schema (with jsonschema). The schemas are shipped in
tests/data/schemas with their licences."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo, hotfix_from_main, run_cli
from test_formats import RULES, sample_reports

from hotfix_guard.report import junit, sarif

SCHEMAS = Path(__file__).parent / "data" / "schemas"
xmlschema = pytest.importorskip("xmlschema")
jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def junit_schema() -> Any:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    spec = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def assert_valid_junit(schema: Any, text: str) -> None:
    errors = [str(e) for e in schema.iter_errors(text)]
    assert not errors, errors[0]


def assert_valid_sarif(validator: Any, text: str) -> None:
    errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.path))
    assert not errors, f"{list(errors[0].path)}: {errors[0].message}"


def test_the_schemas_reject_what_they_should(junit_schema: Any, sarif_validator: Any) -> None:
    """The validators are live: the old `skipped` on <testsuites> and a result without a
    message fail."""
    bad = '<testsuites name="x" tests="0" failures="0" errors="0" skipped="0" time="0"/>'
    assert list(junit_schema.iter_errors(bad))
    assert list(sarif_validator.iter_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                                            "results": [{"ruleId": "X"}]}]}))


def test_junit_of_every_kind_of_report_is_valid(junit_schema: Any) -> None:
    out = io.StringIO()
    junit.render(sample_reports(), out)  # findings, suppressed, a crash, skipped, a note, a clean ref
    assert_valid_junit(junit_schema, out.getvalue())


def test_sarif_of_every_kind_of_report_is_valid(sarif_validator: Any) -> None:
    out = io.StringIO()
    sarif.render(sample_reports(), out, rules=RULES)
    assert_valid_sarif(sarif_validator, out.getvalue())


# -- end to end, on real repositories -----------------------------------------------------


def cases(project: Repo) -> dict[str, list[str]]:
    """Argument lists that give each shape of report on the project: a clean hotfix, one
    with findings, skipped rules, nothing to check, several pushed refs."""
    good = hotfix_from_main(project)
    project.checkout("hotfix/v1.3.0-Fix_Crash", new=True, start="develop")
    bad = project.commit("fix", {"src/app.py": "x = 1\n", "src/new module.py": "y = 2  # TODO later\n"})
    project.checkout("hotfix/v1.2.4-fix-payment-crash")
    push = (f"refs/heads/hotfix/v1.2.4-fix-payment-crash {good} refs/heads/hotfix/v1.2.4-fix-payment-crash {'0' * 40}\n"
            f"refs/heads/x {bad} refs/heads/hotfix/v1.3.0-Fix_Crash {'0' * 40}\n"
            f"(delete) {'0' * 40} refs/heads/old {good}\n")
    return {
        "clean": ["check"],
        "findings": ["check", "--branch", "hotfix/v1.3.0-Fix_Crash", "--head", bad],
        "skipped": ["check", "--branch", "hotfix/v1.3.0-Fix_Crash", "--head", bad,
                    "--config", str(project.path / "no-dev.toml")],
        "nothing": ["check", "--branch", "feature/x", "--head", good],
        "push": ["check", "--stage", "pre-push", push],
    }


@pytest.mark.parametrize("case", ["clean", "findings", "skipped", "nothing", "push"])
def test_cli_output_is_valid(project: Repo, junit_schema: Any, sarif_validator: Any, case: str) -> None:
    (project.path / "no-dev.toml").write_text('development-branch = "nowhere"\n')
    args = cases(project)[case]
    stdin = args.pop() if case == "push" else None
    for fmt, check in (("junit", lambda t: assert_valid_junit(junit_schema, t)),
                       ("sarif", lambda t: assert_valid_sarif(sarif_validator, t))):
        proc = run_cli(*args, "--format", fmt, cwd=project.path, input=stdin)
        assert proc.returncode in (0, 1), proc.stderr
        check(proc.stdout)
