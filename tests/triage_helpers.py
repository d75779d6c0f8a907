"""Shared by the triage and start tests: the decision's leaves as a table, golden files,
and a snapshot of a repository to prove a command changed nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple

GOLDEN = Path(__file__).resolve().parent / "golden" / "triage"


class Leaf(NamedTuple):
    """One path through the decision: the answers exactly as the prompts ask them, in
    order, and the outcome."""

    name: str
    asked: tuple[tuple[str, str], ...]  # (question id, answer as typed / --set)
    workflow: str
    severity: str
    step: int

    @property
    def answers(self) -> dict[str, Any]:
        """The same answers as a JSON/TOML file holds them (typed)."""
        typed: dict[str, Any] = {}
        for qid, raw in self.asked:
            if raw in ("yes", "no"):
                typed[qid] = raw == "yes"
            elif raw.isdigit():
                typed[qid] = int(raw)
            else:
                typed[qid] = raw
        return typed

    @property
    def sets(self) -> list[str]:
        args: list[str] = []
        for qid, raw in self.asked:
            args += ["--set", f"{qid}={raw}"]
        return args


NO_EMERGENCY = (("feature_request", "no"), ("security_breach", "no"), ("data_loss", "no"))
BROKEN = NO_EMERGENCY + (("production_broken", "yes"),)
NOT_CRITICAL = BROKEN + (("core_features_unusable", "no"), ("business_critical_broken", "no"))

LEAVES = (
    # 1. a feature request (or non-critical UI issue) is never a hotfix
    Leaf("feature-request", (("feature_request", "yes"),), "bug-fix", "low", 1),
    # 2. security breach or data loss: hotfix, whatever else is answered
    Leaf("security-breach", (("feature_request", "no"), ("security_breach", "yes")), "hotfix", "critical", 2),
    Leaf("data-loss", (("feature_request", "no"), ("security_breach", "no"), ("data_loss", "yes")),
         "hotfix", "critical", 2),
    # 3. production not broken: bug-fix, by the share of users
    Leaf("not-broken-many", NO_EMERGENCY + (("production_broken", "no"), ("users_affected_percent", "10")),
         "bug-fix", "medium", 3),
    Leaf("not-broken-few", NO_EMERGENCY + (("production_broken", "no"), ("users_affected_percent", "9")),
         "bug-fix", "low", 3),
    # 4. production broken and critical
    Leaf("core-features", BROKEN + (("core_features_unusable", "yes"),), "hotfix", "critical", 4),
    Leaf("business-critical", BROKEN + (("core_features_unusable", "no"), ("business_critical_broken", "yes")),
         "hotfix", "critical", 4),
    Leaf("most-users", NOT_CRITICAL + (("users_affected_percent", "51"),), "hotfix", "critical", 4),
    # 5. production broken otherwise
    Leaf("broken-few", NOT_CRITICAL + (("users_affected_percent", "9"),), "bug-fix", "medium", 5),
    Leaf("broken-some", NOT_CRITICAL + (("users_affected_percent", "50"), ("workaround_exists", "yes")),
         "expedited-bug-fix", "high", 5),
    Leaf("broken-some-no-workaround", NOT_CRITICAL + (("users_affected_percent", "10"), ("workaround_exists", "no")),
         "expedited-bug-fix", "high", 5),
    # unsure counts as no
    Leaf("unsure-production", NO_EMERGENCY + (("production_broken", "unsure"), ("users_affected_percent", "30")),
         "bug-fix", "medium", 3),
    Leaf("unsure-core", BROKEN + (("core_features_unusable", "unsure"), ("business_critical_broken", "unsure"),
                                  ("users_affected_percent", "unsure")), "bug-fix", "medium", 5),
)


def golden(name: str, actual: str) -> None:
    """Compare with tests/golden/triage/<name>; HOTFIX_GUARD_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("HOTFIX_GUARD_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path} (run with HOTFIX_GUARD_UPDATE_GOLDEN=1)"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file"


def snapshot(r: Any) -> dict[str, Any]:
    """Everything a command could change in a repository: refs, HEAD, index, config,
    the working tree's files, and the git dir's top-level entries."""
    git_dir = r.path / ".git"
    files = {}
    for path in sorted(r.path.rglob("*")):
        rel = path.relative_to(r.path)
        if rel.parts[0] != ".git" and path.is_file():
            files[rel.as_posix()] = hashlib.sha1(path.read_bytes()).hexdigest()
    return {
        "refs": r.git("for-each-ref", "--format=%(refname) %(objectname)"),
        "head": (git_dir / "HEAD").read_text(),
        "index": hashlib.sha1((git_dir / "index").read_bytes()).hexdigest() if (git_dir / "index").exists() else None,
        "config": (git_dir / "config").read_text(),
        "git_dir": sorted(p.name for p in git_dir.iterdir()),
        "files": files,
        "status": r.git("--no-optional-locks", "status", "--porcelain=v1", "-uall"),
    }
