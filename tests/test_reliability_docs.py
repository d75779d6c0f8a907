"""docs/reliability.md is the matrix of issue #8: every test it names exists, and every
test of the reliability files is named there (so a row cannot lose its proof, and a new
test cannot go undocumented)."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "reliability.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
DOCUMENTED_FILES = sorted(
    [*ROOT.glob("tests/test_reliability_*.py"), ROOT / "tests" / "test_read_only.py",
     *ROOT.glob("tests/test_properties_*.py")]
)


def _tests_in(path) -> set[str]:
    return set(re.findall(r"^(?:async )?def (test_\w+)\(", path.read_text(), re.M))


def test_every_test_the_page_names_exists() -> None:
    refs = REFERENCE.findall(DOC.read_text())
    assert len(refs) > 80
    missing = []
    for file, name in refs:
        path = ROOT / file
        if not path.exists() or (name and name not in _tests_in(path)):
            missing.append(f"{file}::{name}" if name else file)
    assert not missing, missing


def test_every_reliability_test_is_on_the_page() -> None:
    text = DOC.read_text()
    named = {(file, name) for file, name in REFERENCE.findall(text)}
    whole_files = {file for file, name in named if not name}
    absent = []
    for path in DOCUMENTED_FILES:
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "test_reliability_docs.py" or rel in whole_files:
            continue
        absent += [f"{rel}::{name}" for name in sorted(_tests_in(path)) if (rel, name) not in named]
    assert not absent, absent
