"""docs/architecture.md stays true to the code: every module it names exists, and every
package and top-level module of hotfix_guard/ has its line in the table of packages."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hotfix_guard"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CODE = re.findall(r"`([^`\n]+)`", DOC)


def _exists(name: str, within: Path) -> bool:
    """A path relative to the repository, the package or the package row's folder
    (`hotfix_guard/diff/`, `engine/rule.py`, `hunks.py`), or a dotted module, perhaps
    followed by a class (`hotfix_guard.rule`, `hotfix_guard.rule.Rule`)."""
    if name.startswith("hotfix_guard.") and "/" not in name:
        parts = name.split(".")
        while parts and parts[-1][:1].isupper():
            parts.pop()
        return (ROOT.joinpath(*parts).with_suffix(".py").is_file()
                or (ROOT.joinpath(*parts) / "__init__.py").is_file())
    return any((base / name).exists() for base in (ROOT, PACKAGE, within))


def named_modules() -> list[tuple[str, Path]]:
    """(name, the folder a bare file name is relative to), for every module the page names."""
    found = []
    for line in DOC.splitlines():
        within = PACKAGE
        row = re.match(r"\| `hotfix_guard/(\w+)/`", line)
        if row:
            within = PACKAGE / row.group(1)
        for text in re.findall(r"`([^`]+)`", line):
            for token in re.split(r"[\s,]+", text):
                token = token.strip("()")
                if (re.fullmatch(r"(hotfix_guard/)?(\w+/)*\w+\.py|hotfix_guard/(\w+/)*", token)
                        or re.fullmatch(r"hotfix_guard(\.\w+)+", token)):
                    found.append((token, within))
    return found


def test_every_module_the_page_names_exists() -> None:
    names = named_modules()
    assert len(names) > 30, names  # the page does name the code
    missing = [name for name, within in names if not _exists(name, within)]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_package_has_its_line() -> None:
    table = DOC.split("## The packages", 1)[1].split("\n## ", 1)[0]
    for entry in sorted(PACKAGE.iterdir()):
        if entry.name.startswith(("_", ".")) or entry.name in ("py.typed",):
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            assert f"`hotfix_guard/{entry.name}/`" in table, f"package {entry.name}/ has no line in the table"
        elif entry.suffix == ".py":
            assert re.search(rf"`(hotfix_guard/)?{re.escape(entry.name)}`", table), \
                f"module {entry.name} has no line in the table"


def test_the_page_has_one_mermaid_data_flow() -> None:
    assert DOC.count("```mermaid") == 1
