"""JUnit XML, the test report every CI shows (GitLab ``artifacts:reports:junit``, Jenkins,
Azure ``PublishTestResults``, CircleCI ``store_test_results``).

One ``<testsuite>`` per report (per branch or pushed ref), named after the branch. In it
one ``<testcase>`` per rule that ran: passing when it found nothing, ``<skipped>`` when
it could not run here (with the reason), ``<error>`` when it crashed (its HG000
finding). A rule with findings has one testcase per finding instead, each with a
``<failure>`` (type ``error`` or ``warning``; warnings do not fail ``check``, but a
test report has no softer outcome) or ``<skipped>`` for a suppressed one. A report with
nothing to check has one skipped testcase saying why.

Valid against the Jenkins xunit plugin's ``junit-10.xsd`` (tests/test_schemas.py).
Built with :mod:`xml.etree.ElementTree`, which escapes; characters XML 1.0 cannot
carry become U+FFFD, and anything beyond ASCII is written as a character reference, so
the document is well-formed whatever the console's encoding.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import IO, TYPE_CHECKING

from hotfix_guard.report._common import clean_xml

if TYPE_CHECKING:
    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding

_CRASHED = re.compile(r"^rule (\S+) \(")


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=clean_xml(classname), name=clean_xml(name), time="0")


def _finding_name(f: Finding) -> str:
    return f"{f.code} {f.name} [{f.location}]"


def _details(f: Finding) -> str:
    lines = [f"{f.severity}: {f.message}", f"location: {f.location}"]
    if f.ref:
        lines.append(f"ref: {f.ref}")
    if f.help:
        lines.append(f"help: {f.help}")
    return clean_xml("\n".join(lines))


def _suite(root: ET.Element, report: Report, index: int) -> None:
    branch = report.branch or "(no branch)"
    classname = f"hotfix-guard.{branch}"
    suite = ET.SubElement(root, "testsuite", name=clean_xml(f"hotfix-guard {branch}"), id=str(index))
    props = ET.SubElement(suite, "properties")
    for key, value in (("stage", report.stage), ("branch", report.branch), ("ref", report.ref),
                       ("base", report.base), ("head", report.head)):
        if value:
            ET.SubElement(props, "property", name=key, value=clean_xml(value))
    tests = failures = errors = skipped = 0

    if report.note:
        case = _case(suite, classname, "nothing to check")
        ET.SubElement(case, "skipped", message=clean_xml(report.note))
        tests, skipped = 1, 1

    crashed = {}
    for f in report.findings:
        m = _CRASHED.match(f.message) if f.code == "HG000" else None
        if m:
            crashed[m.group(1)] = f
    skipped_rules = dict(report.skipped)
    by_code: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f not in crashed.values():
            by_code.setdefault(f.code, []).append(f)

    def finding_case(f: Finding) -> None:
        nonlocal tests, failures, skipped
        case = _case(suite, classname, _finding_name(f))
        tests += 1
        if f.suppressed:
            skipped += 1
            ET.SubElement(case, "skipped",
                          message=clean_xml(f"suppressed ({f.suppression_source}): {f.suppression_reason}"))
        else:
            failures += 1
            failure = ET.SubElement(case, "failure", message=clean_xml(f.message), type=f.severity)
            failure.text = _details(f)

    for code, name in report.rules:
        label = f"{code} {name}"
        if code in crashed:
            case = _case(suite, classname, label)
            tests += 1
            errors += 1
            error = ET.SubElement(case, "error", message=clean_xml(crashed[code].message), type="HG000")
            error.text = _details(crashed[code])
        elif by_code.get(code):
            for f in by_code.pop(code):
                finding_case(f)
        elif code in skipped_rules:
            case = _case(suite, classname, label)
            tests += 1
            skipped += 1
            ET.SubElement(case, "skipped", message=clean_xml(skipped_rules[code]))
        else:
            _case(suite, classname, label)
            tests += 1
    # Findings of no rule that ran (suppression meta-findings, a crash we could not place).
    for code in sorted(by_code):
        for f in by_code[code]:
            finding_case(f)
    for code, f in crashed.items():
        if code not in dict(report.rules):
            case = _case(suite, classname, f"HG000 internal-error [{code}]")
            tests += 1
            errors += 1
            error = ET.SubElement(case, "error", message=clean_xml(f.message), type="HG000")
            error.text = _details(f)

    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    suite.set("time", "0")


def build(reports: list[Report]) -> ET.Element:
    root = ET.Element("testsuites", name="hotfix-guard")
    for i, report in enumerate(reports):
        _suite(root, report, i)
    # The totals the Jenkins xunit schema (junit-10.xsd) allows on <testsuites>: no
    # `skipped` there (each <testsuite> has its own).
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root.findall("testsuite"))))
    root.set("time", "0")
    return root


def render(reports: list[Report], out: IO[str]) -> None:
    root = build(reports)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(text.encode("ascii", "xmlcharrefreplace").decode("ascii") + "\n")
