"""What the CI formats share: where branch-level findings point, fingerprints, text hygiene."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from hotfix_guard.report import Report
    from hotfix_guard.engine.rule import Finding, Rule

# Code scanning (SARIF) and Code Quality (GitLab) want a file for every result, and a
# branch-level finding (a bad branch name, a branch cut from development) has none.
# This is the pseudo path they get: the sentinel OpenSSF Scorecard uses for its
# repository-level results, which GitHub code scanning accepts and shows as is, and
# which never names a real file (a real one would make upload-sarif compute, and
# warn about, a fingerprint of its first line). See docs/ci.md.
BRANCH_LEVEL_PATH = "no file associated with this alert"

_HEX = re.compile(r"\b[0-9a-f]{7,64}\b")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Text that encodes: bytes git gave us that were not UTF-8 (kept as surrogate
    escapes by the gateway) become U+FFFD."""
    if not text:
        return ""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def clean_xml(text: str | None) -> str:
    """Text XML 1.0 can carry: control characters (other than tab, newline, CR) become U+FFFD."""
    return _XML_BAD.sub("\ufffd", clean(text))


def location(finding: Finding) -> tuple[str, int]:
    """(path, line) for formats that need one: branch-level findings get the pseudo path,
    findings on a whole file line 1."""
    if finding.path is None:
        return BRANCH_LEVEL_PATH, 1
    return finding.path, finding.line or 1


class Fingerprints:
    """Stable, unique fingerprints for the findings of one output.

    Stable: a hash of the rule code, the path (or the pseudo path) and the message with
    commit ids masked, so a result keeps its identity when lines move or commits are
    rewritten. Never line numbers alone. Unique: a repeat of the same key within one
    output gets an occurrence number (GitLab keeps one issue per fingerprint).
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, finding: Finding) -> str:
        path, _ = location(finding)
        return self.of(finding.code, path, finding.message)

    def of(self, code: str, path: str, message: str) -> str:
        """The fingerprint of a result that is not a finding (a skipped rule)."""
        message = _HEX.sub("<sha>", clean(message))
        key = "\0".join((code, path, message))
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        if n:
            key += f"\0{n}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


def all_findings(reports: Iterable[Report]) -> Iterable[tuple[Report, Finding]]:
    for report in reports:
        for finding in report.findings:
            yield report, finding


def rule_classes(codes: Iterable[str], rules: Mapping[str, type[Rule]] | None = None) -> dict[str, type[Rule]]:
    """The rule classes for these codes: from ``rules`` when given, else from the plugins
    (loaded only now: formats that need no metadata never import pluggy)."""
    wanted = set(codes)
    if rules is None:
        if not wanted:
            return {}
        from hotfix_guard.engine.plugins import Plugins

        rules = {r.code: r for r in Plugins().rules}
    return {code: rules[code] for code in wanted if code in rules}


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
