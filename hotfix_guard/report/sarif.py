"""SARIF 2.1.0, as GitHub code scanning takes it (``github/codeql-action/upload-sarif``).

One run for all the reports (code scanning rejects several runs of one tool in one
upload). ``tool.driver.rules`` describes each rule that has a result: id (the code),
name, short and full description, the rule's documentation as help (text and
Markdown, from ``Rule.documentation()``), default level and ``problem.severity``.

Every result has a physical location (code scanning needs one): the file and line,
line 1 for a whole file, and for a branch-level finding the pseudo path
:data:`~hotfix_guard.report._common.BRANCH_LEVEL_PATH`. ``partialFingerprints`` carries
our own stable fingerprint; branch-level results also get ``primaryLocationLineHash``
(code scanning's key, which upload-sarif cannot compute for a path that is no file).
Suppressed findings are results with ``suppressions`` (kind ``inSource`` for a comment,
``external`` for a commit trailer or the config) and the reason as justification.
Skipped rules are tool notifications of the invocation.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any, Mapping

from hotfix_guard.report._common import BRANCH_LEVEL_PATH, Fingerprints, all_findings, clean, location, rule_classes

if TYPE_CHECKING:
    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/hotfix-guard/"
FINGERPRINT_KEY = "hotfixGuard/v1"


def render(reports: list[Report], out: IO[str], *, rules: Mapping[str, type[Rule]] | None = None) -> None:
    out.write(json.dumps(build(reports, rules=rules), indent=2) + "\n")


def build(reports: list[Report], *, rules: Mapping[str, type[Rule]] | None = None) -> dict[str, Any]:
    from hotfix_guard import __version__

    pairs = list(all_findings(reports))
    codes = sorted({f.code for _, f in pairs})
    known = rule_classes(codes, rules)
    descriptors = [_descriptor(code, known.get(code), next(f for _, f in pairs if f.code == code))
                   for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    fingerprint = Fingerprints()
    results = [_result(report, f, index[f.code], fingerprint(f)) for report, f in pairs]

    notifications = [
        {
            "level": "note",
            "message": {"text": clean(f"{code} skipped on {report.branch}: {why}")},
            "descriptor": {"id": code},
        }
        for report in reports for code, why in report.skipped
    ] + [
        {"level": "note", "message": {"text": clean(f"{report.branch}: {report.binary_line()}")}}
        for report in reports if report.binary
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    driver: dict[str, Any] = {
        "name": "hotfix-guard",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": descriptors,
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "results": results,
                "properties": {"reports": [_report_properties(r) for r in reports]},
            }
        ],
    }


def _report_properties(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {"branch": clean(report.branch), "stage": report.stage,
                            "base": report.base, "head": report.head, "summary": report.summary()}
    if report.ref is not None:
        data["ref"] = report.ref
    if report.note:
        data["note"] = report.note
    return data


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _descriptor(code: str, rule: type[Rule] | None, example: Finding) -> dict[str, Any]:
    if rule is None:  # a finding from no registered rule (e.g. a plugin's meta finding)
        name, summary, severity, doc = example.name, example.name.replace("-", " "), example.severity, None
        tags = ["hotfix-guard"]
    else:
        name, summary, severity = rule.name, rule.summary, rule.severity
        doc = rule.documentation()
        tags = ["hotfix-guard", f"plugin:{rule.plugin}"] if rule.plugin not in ("?", "") else ["hotfix-guard"]
    full = summary
    if rule is not None:
        what = rule.doc_sections().get("What it does", "").strip()
        if what:
            full = " ".join(what.split())
    full = full if len(full) <= 1024 else full[:1021] + "..."
    help_md = doc or f"# {code} {name}\n\n{summary}.\n"
    descriptor: dict[str, Any] = {
        "id": code,
        "name": name,
        "shortDescription": {"text": clean(summary)[:1024]},
        "fullDescription": {"text": clean(full)},
        "help": {"text": clean(help_md), "markdown": clean(help_md)},
        "defaultConfiguration": {"level": _level(severity)},
        "properties": {
            "tags": tags,
            "precision": "very-high",
            "problem.severity": "error" if severity == "error" else "warning",
        },
    }
    return descriptor


def _uri(path: str) -> str:
    """A repository-relative path as a URI reference: its real bytes, percent-encoded
    (``my file.py`` -> ``my%20file.py``, a newline ``%0A``, a byte that is not UTF-8
    ``%FF``), so two files never share a URI. The pseudo path stays as it is, as
    Scorecard writes it."""
    if path == BRANCH_LEVEL_PATH:
        return path
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _related(k: int, loc: Any) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": loc.line or 1}
    if loc.end_line and loc.end_line != loc.line:
        region["endLine"] = loc.end_line
    related: dict[str, Any] = {
        "id": k,
        "physicalLocation": {"artifactLocation": {"uri": _uri(loc.path), "uriBaseId": "%SRCROOT%"}, "region": region},
    }
    if loc.message:
        related["message"] = {"text": clean(loc.message)}
    return related


def _result(report: Report, f: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    path, line = location(f)
    text = clean(f.message)
    if f.path is None and report.branch:
        text = f"{clean(report.branch)}: {text}"
    if f.help:
        text += f"\n\nHow to fix: {clean(f.help)}"
    fingerprints = {FINGERPRINT_KEY: fingerprint}
    if path == BRANCH_LEVEL_PATH:
        fingerprints["primaryLocationLineHash"] = f"{fingerprint[:16]}:1"
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _level(f.severity),
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                }
            }
        ],
        "partialFingerprints": fingerprints,
        "properties": {"branch": clean(report.branch), "stage": report.stage},
    }
    if f.locations:  # a grouped finding: every occurrence, as code scanning shows them
        result["relatedLocations"] = [_related(k, loc) for k, loc in enumerate(f.locations)]
    if f.ref:
        result["properties"]["ref"] = clean(f.ref)
    if f.suppressed:
        result["suppressions"] = [
            {
                "kind": "inSource" if f.suppression_source == "comment" else "external",
                "status": "accepted",
                "justification": clean(f.suppression_reason),
                "properties": {"source": f.suppression_source},
            }
        ]
    return result
