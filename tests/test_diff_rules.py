"""HG004-HG007, HG010-HG012 on real repositories: what each must catch, and the look-alikes
it must leave alone. The corpus (tests/data/corpus) holds realistic hotfixes that must come
out clean and refactor-shaped changes that must be caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Repo, make_repo, run_cli
from diff_helpers import HOTFIX, active, cases, check, hotfix_repo, load_case, messages, replay  # noqa: F401 (check: a fixture)

PAY_BEFORE = (
    "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
    "def process_payment(amount, card):\n"
    "    total = amount * 100\n"
    "    charge_card(card, total)\n"
    "    return total\n"
)


# -- the corpus ---------------------------------------------------------------------------------


def test_corpus_is_big_enough() -> None:
    clean = cases("clean")
    assert len(clean) >= 15
    languages = {Path(spec["path"]).suffix for path in clean for spec in load_case(path)["file"]}
    assert {".py", ".js", ".go", ".java", ".rb", ".rs", ".sql", ".yaml"} <= languages
    assert len(cases("refactor")) >= 10


@pytest.mark.parametrize("path", cases("clean"), ids=lambda p: p.stem)
def test_realistic_hotfixes_come_out_clean(path: Path, tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = replay(load_case(path), tmp_path / "repo")
    rc, data = check(r)
    assert active(data, "HG004") == [] and active(data, "HG007") == [], data["findings"]
    errors = [f for f in active(data) if f["severity"] == "error"]
    assert errors == [] and rc == 0, errors


@pytest.mark.parametrize("path", cases("refactor"), ids=lambda p: p.stem)
def test_refactor_shaped_changes_are_caught(path: Path, tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    case = load_case(path)
    r = replay(case, tmp_path / "repo")
    rc, data = check(r, "--select", "HG007")
    # a finding that groups several occurrences keeps each one's message in its locations
    found = messages(data, "HG007") + [loc["message"] for f in active(data, "HG007") for loc in f["locations"]]
    assert rc == 1
    for expected in case["expect"]:
        assert any(expected in m for m in found), (expected, found)
    for unexpected in case.get("unexpected", []):
        assert not any(unexpected in m for m in found), (unexpected, found)
    for f in active(data, "HG007"):
        assert f["path"] and f["path"] in {spec["path"] for spec in case["file"]}


# -- HG004 diff-size ---------------------------------------------------------------------------


def _lines(n: int, word: str = "v") -> str:
    return "".join(f"{word}_{i} = {i}\n" for i in range(n))


def test_diff_size_error_warning_and_silence(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"app/a.py": _lines(200)}, {"app/a.py": _lines(200, "w")})
    _, data = check(r, "--select", "HG004")
    [f] = active(data, "HG004")
    assert f["severity"] == "error" and f["path"] is None
    assert f["message"].startswith("the change is 400 changed lines (200 added, 200 deleted) in 1 file, "
                                   "over the limit of 150 lines; biggest: app/a.py (400)")
    r2 = hotfix_repo(tmp_path / "two", {"app/a.py": _lines(50)}, {"app/a.py": _lines(40, "w") + _lines(10)})
    _, data = check(r2, "--select", "HG004")
    [f] = active(data, "HG004")
    assert f["severity"] == "warning" and "80 changed lines" in f["message"]
    assert "over half the limit of 150 lines" in f["message"]
    r3 = hotfix_repo(tmp_path / "three", {"app/a.py": _lines(50)}, {"app/a.py": _lines(10, "w") + _lines(50)})
    assert check(r3, "--select", "HG004")[1]["findings"] == []


def test_diff_size_counts_files(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = {f"src/m{i}.py": "x = 1\n" for i in range(10)}
    after = {f"src/m{i}.py": "x = 2\n" for i in range(9)}
    r = hotfix_repo(tmp_path, before, after)
    _, data = check(r, "--select", "HG004")
    [f] = active(data, "HG004")
    assert f["severity"] == "error" and "in 9 files" in f["message"] and "over the limit of 8 files" in f["message"]
    r2 = hotfix_repo(tmp_path / "b", before, {f"src/m{i}.py": "x = 2\n" for i in range(5)})
    [f] = active(check(r2, "--select", "HG004")[1], "HG004")
    assert f["severity"] == "warning" and "over half the limit of 8 files" in f["message"]


def test_diff_size_leaves_out_tests_and_lock_files(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    lock = "".join(f'{{name = "pkg{i}", version = "1.0.{i}"}}\n' for i in range(400))
    r = hotfix_repo(
        tmp_path,
        {"app/a.py": "x = 1\n", "poetry.lock": lock, "web/package-lock.json": lock},
        {"app/a.py": "# HOTFIX v1.2.4: x\nx = 2\n", "poetry.lock": lock.replace("1.0.", "1.1."),
         "web/package-lock.json": lock.replace("1.0.", "2.0."),
         "tests/test_a.py": _lines(300), "pkg/tests/helpers.py": _lines(100),
         "web/src/a.test.ts": _lines(100)},
    )
    _, data = check(r, "--select", "HG004,HG005")
    assert active(data) == []


def test_diff_size_options_from_config(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"app/a.py": _lines(10)}, {"app/a.py": _lines(10, "w")})
    r.write(".hotfix-guard.toml", "[rules.diff-size]\nmax-lines = 10\nmax-files = 1\n")
    [f] = active(check(r, "--select", "HG004")[1], "HG004")
    assert f["severity"] == "error" and "over the limit of 10 lines" in f["message"]


def test_bad_glob_in_config_is_a_clear_error(tmp_path: Path) -> None:
    r = hotfix_repo(tmp_path, {"app/a.py": "x = 1\n"}, {"app/a.py": "x = 2\n"})
    r.write(".hotfix-guard.toml", 'extend-exclude = ["ok/**", "bad\\\\"]\n')
    proc = run_cli("check", cwd=r.path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "extend-exclude" in proc.stderr and "invalid glob" in proc.stderr


# -- HG005 hotfix-comment ----------------------------------------------------------------------


def test_missing_marker_points_at_the_first_added_line(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    after = PAY_BEFORE.replace("    total = amount * 100\n",
                               "    if amount is None:\n        return None\n    total = amount * 100\n")
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE}, {"src/pay.py": after})
    [f] = active(check(r, "--select", "HG005")[1])
    assert (f["path"], f["line"]) == ("src/pay.py", 7)
    assert f["message"] == "no `HOTFIX v1.2.4:` comment among the lines this change adds to src/pay.py"
    assert "# HOTFIX v1.2.4: <what and why>" in f["help"]


def test_marker_in_a_string_does_not_count(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    py = PAY_BEFORE.replace("    total = amount * 100\n",
                            '    logger.info("HOTFIX v1.2.4: amount checked")\n    total = amount * 100\n')
    js_before = "export function f(a) {\n  return a;\n}\n"
    js = "export function f(a) {\n  const note = '// HOTFIX v1.2.4: in a string';\n  return a;\n}\n"
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE, "web/f.js": js_before}, {"src/pay.py": py, "web/f.js": js})
    found = active(check(r, "--select", "HG005")[1])
    assert sorted((f["path"], f["line"]) for f in found) == [("src/pay.py", 7), ("web/f.js", 2)]
    assert all(f["message"].startswith("no `HOTFIX v1.2.4:` comment") for f in found)
    assert "// HOTFIX v1.2.4: <what and why>" in next(f["help"] for f in found if f["path"] == "web/f.js")


def test_marker_with_another_version_is_reported_as_such(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    py = PAY_BEFORE.replace("    total = amount * 100\n",
                            "    # HOTFIX v1.2.3: copied from the last hotfix\n    total = amount * 100 or 0\n")
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE}, {"src/pay.py": py})
    [f] = active(check(r, "--select", "HG005")[1])
    assert (f["line"], f["message"]) == (7, "the marker names v1.2.3, but this hotfix is v1.2.4")


def test_marker_forms(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = {f"src/{n}.py": "x = 1\n" for n in "abcd"}
    after = {
        "src/a.py": "# hotfix v1.2.4: lower case is fine\nx = 2\n",
        "src/b.py": "# HOTFIX: no version\nx = 2\n",
        "src/c.py": "# HOTFIX v1.2: short version\nx = 2\n",
        "src/d.py": "x = 2  # HOTFIX 1.2.4: no v prefix is fine\n",
    }
    r = hotfix_repo(tmp_path, before, after)
    found = {f["path"]: f["message"] for f in active(check(r, "--select", "HG005")[1])}
    assert set(found) == {"src/b.py", "src/c.py"}
    assert "is not in the form `HOTFIX v1.2.4: <what and why>`" in found["src/b.py"]
    assert found["src/c.py"] == "the marker `HOTFIX v1.2:` does not name a version X.Y.Z"


def test_marker_not_needed_for_tests_deletions_docs_data_and_renames(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = {"src/old.py": "x = 1\n", "docs/guide.md": "# Guide\n", "data/rates.json": '{"a": 1}\n',
              "src/keep.py": _lines(30)}
    r = make_repo(tmp_path / "repo")
    r.commit("base", before)
    r.tag("v1.2.3")
    r.checkout(HOTFIX, new=True)
    r.git("rm", "-q", "src/old.py")
    r.git("mv", "src/keep.py", "src/kept.py")
    r.commit("fix", {"docs/guide.md": "# Guide\n\nFixed.\n", "data/rates.json": '{"a": 2}\n',
                     "tests/test_x.py": "def test_x():\n    assert True\n",
                     "src/x_test.go": "package x\n", "config.json": "{}\n", "logo.png": b"\x89PNG\x00"})
    assert active(check(r, "--select", "HG005")[1]) == []


def test_version_bump_needs_no_marker(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = {"pyproject.toml": '[project]\nname = "svc"\nversion = "1.2.3"\n',
              "svc/__init__.py": '__version__ = "1.2.3"\n', "setup.cfg": "[metadata]\nversion = 1.2.3\n"}
    after = {"pyproject.toml": '[project]\nname = "svc"\nversion = "1.2.4"\n',
             "svc/__init__.py": '__version__ = "1.2.4"\n', "setup.cfg": "[metadata]\nversion = 1.2.5\n"}
    r = hotfix_repo(tmp_path, before, after)
    _, data = check(r, "--select", "HG005,HG010")
    assert [(f["code"], f["path"]) for f in active(data)] == [("HG005", "setup.cfg")]  # 1.2.5 is not this hotfix


def test_marker_inside_a_block_comment_opened_above(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "/*\n * Totals.\n */\nint total(void) { return 1; }\n"
    after = "/*\n * Totals.\n * HOTFIX v1.2.4: return 2 since the tax change\n */\nint total(void) { return 2; }\n"
    r = hotfix_repo(tmp_path, {"src/t.c": before}, {"src/t.c": after})
    assert active(check(r, "--select", "HG005")[1]) == []


def test_marker_per_language(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    files = {
        "a.go": ("package a\n", "package a\n\n// HOTFIX v1.2.4: x\nvar X = 1\n"),
        "a.sql": ("select 1;\n", "-- HOTFIX v1.2.4: x\nselect 2;\n"),
        "a.html": ("<p>a</p>\n", "<!-- HOTFIX v1.2.4: x -->\n<p>b</p>\n"),
        "a.css": ("a { color: red; }\n", "/* HOTFIX v1.2.4: x */\na { color: blue; }\n"),
        "a.yml": ("a: 1\n", "a: 2 # HOTFIX v1.2.4: x\n"),
        "a.lua": ("x = 1\n", "--[[ HOTFIX v1.2.4: x ]]\nx = 2\n"),
        "Dockerfile": ("FROM python:3.11\n", "# HOTFIX v1.2.4: pin the patch release\nFROM python:3.11.7\n"),
    }
    r = hotfix_repo(tmp_path, {k: v[0] for k, v in files.items()}, {k: v[1] for k, v in files.items()})
    assert active(check(r, "--select", "HG005")[1]) == []


# -- HG006 todo-ticket -------------------------------------------------------------------------


def test_todo_without_ticket(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    after = PAY_BEFORE.replace(
        "    total = amount * 100\n",
        "    # HOTFIX v1.2.4: guard\n"
        "    # TODO: fix the frontend validation\n"
        "    # TODO: add tests (ticket PROJ-099)\n"
        "    # FIXME: the rounding is wrong,\n"
        "    # see #412\n"
        '    msg = "TODO: not a comment"\n'
        "    # card format: XXX-XXX-XXXX\n"
        "    total = amount * 100  # XXX why\n",
    )
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE, "tests/test_pay.py": "x = 1\n"},
                    {"src/pay.py": after, "tests/test_pay.py": "x = 1\n# TODO later\n"})
    found = sorted((f["path"], f["line"], f["message"]) for f in active(check(r, "--select", "HG006")[1]))
    assert found == [
        ("src/pay.py", 8, "TODO without a ticket: `# TODO: fix the frontend validation`"),
        ("src/pay.py", 14, "XXX without a ticket: `# XXX why`"),
        ("tests/test_pay.py", 2, "TODO without a ticket: `# TODO later`"),
    ]


def test_ticket_pattern_from_config(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"a.js": "x();\n"}, {"a.js": "// HOTFIX v1.2.4: y\n// TODO: JIRA:77 later\ny();\n"})
    assert len(active(check(r, "--select", "HG006")[1])) == 1
    r.write(".hotfix-guard.toml", 'ticket-pattern = "JIRA:[0-9]+"\n')
    assert active(check(r, "--select", "HG006")[1]) == []


# -- HG007 no-refactor: the look-alikes ----------------------------------------------------------


def test_guard_clause_next_to_an_unrelated_line(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    after = PAY_BEFORE.replace(
        "    total = amount * 100\n    charge_card(card, total)\n",
        "    # HOTFIX v1.2.4: Prevent crash on None amount\n"
        "    if amount is None:\n"
        '        logger.error("Invalid payment amount: %s", amount)\n'
        "        return None\n"
        "    total = int(amount * 100)\n"
        "    charge_card(card, total)\n",
    )
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE}, {"src/pay.py": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_reindented_block_that_also_changed_content(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = ("def sync(items):\n"
              "    for item in items:\n"
              "        item.refresh()\n"
              "        item.price = lookup(item.sku)\n"
              "        item.save()\n"
              "    return len(items)\n")
    after = ("def sync(items):\n"
             "    # HOTFIX v1.2.4: one bad SKU aborted the whole sync\n"
             "    for item in items:\n"
             "        try:\n"
             "            item.refresh()\n"
             "            item.price = lookup(item.sku) or item.price\n"
             "            item.save()\n"
             "        except LookupError:\n"
             "            continue\n"
             "    return len(items)\n")
    r = hotfix_repo(tmp_path, {"src/sync.py": before}, {"src/sync.py": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_reindented_block_without_a_wrapper_is_caught(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def f(a):\n  b = a + 1\n  c = b * 2\n  return c\n"
    after = "def f(a):\n    b = a + 1\n    # HOTFIX v1.2.4: double after the increment\n    c = b * 2\n    return c\n"
    r = hotfix_repo(tmp_path, {"src/f.py": before}, {"src/f.py": after})
    [found] = active(check(r, "--select", "HG007")[1])  # one finding for the file, both places in it
    assert (found["line"], found["message"]) == (
        2, "whitespace-only changes (indentation) in 2 places, lines 2–5: 3 lines changed only in whitespace")
    assert [(loc["line"], loc["end_line"], loc["message"]) for loc in found["locations"]] == [
        (2, 2, "whitespace-only change (indentation): 1 line changed only in whitespace"),
        (4, 5, "whitespace-only change (indentation): 2 lines changed only in whitespace"),
    ]


def test_unwrapping_a_block_is_explained_by_the_removed_wrapper(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def f(a):\n    if FEATURE_FLAG:\n        a.x = 1\n        a.y = 2\n    return a\n"
    after = "def f(a):\n    # HOTFIX v1.2.4: the flag is off in production; always set them\n    a.x = 1\n    a.y = 2\n    return a\n"
    r = hotfix_repo(tmp_path, {"src/f.py": before}, {"src/f.py": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_python_statement_moved_out_of_a_block_is_not_formatting(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = ("def close(conn):\n    if conn.dirty:\n        conn.flush()\n        conn.release()\n"
              "    return conn\n")
    after = ("def close(conn):\n    # HOTFIX v1.2.4: clean connections were never released\n"
             "    if conn.dirty:\n        conn.flush()\n    conn.release()\n    return conn\n")
    r = hotfix_repo(tmp_path, {"src/c.py": before}, {"src/c.py": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_yaml_reindentation_is_structure(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "app:\n  workers: 4\nlimits:\n  timeout: 30\n"
    after = "app:\n  workers: 4\n  # HOTFIX v1.2.4: the timeout belongs to the app section\n  limits:\n    timeout: 30\n"
    r = hotfix_repo(tmp_path, {"deploy/app.yaml": before}, {"deploy/app.yaml": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_whitespace_change_inside_a_hunk_with_a_real_fix(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def f(a):\n    x=a+1\n    return x\n"
    after = "def f(a):\n    x = a + 1\n    # HOTFIX v1.2.4: never negative\n    return max(x, 0)\n"
    r = hotfix_repo(tmp_path, {"src/f.py": before}, {"src/f.py": after})
    found = active(check(r, "--select", "HG007")[1])
    assert [(f["path"], f["line"], f["message"]) for f in found] == [
        ("src/f.py", 2, "whitespace-only change (spacing): 1 line changed only in whitespace")]


def test_small_moves_and_duplicates_are_not_moved_code(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = ("def f(a):\n    validate(a)\n    prepare(a)\n    return run(a)\n\n\n"
              "def g(b):\n    log(b)\n    return b\n")
    after = ("def f(a):\n    # HOTFIX v1.2.4: prepare before validating\n    prepare(a)\n    validate(a)\n"
             "    return run(a)\n\n\ndef g(b):\n    log(b)\n    prepare(b)\n    validate(b)\n    return b\n")
    r = hotfix_repo(tmp_path, {"src/f.py": before}, {"src/f.py": after})
    assert active(check(r, "--select", "HG007")[1]) == []


def test_new_test_copied_from_another_test_is_not_a_copy(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    test_a = "".join(f"def test_case_{i}():\n    assert compute({i}) == {i * 2}\n\n\n" for i in range(8))
    r = hotfix_repo(tmp_path, {"tests/test_a.py": test_a},
                    {"tests/test_a.py": test_a + "def test_more():\n    assert True\n",
                     "tests/test_b.py": test_a.replace("test_case_0", "test_none")})
    _, data = check(r, "--select", "HG007,HG011")
    assert active(data) == []


def test_python_api_checks(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = ("class Cart:\n"
              "    def total(self, tax):\n        return self.sum * tax\n\n"
              "    async def load(self):\n        return await fetch(self.id)\n\n"
              "    def clear(self):\n        self.items = []\n\n\n"
              "def helper(a, b=1, *, c):\n    return a\n\n\n"
              "def _private():\n    return 1\n")
    after = ("class Cart:\n"
             "    def total(self, tax, discount=0):\n        return self.sum * tax - discount\n\n"
             "    def load(self):\n        return fetch_sync(self.id)\n\n"
             "    def empty(self):\n        self.items = []\n\n\n"
             "def helper(a, b=2, *, c: int):\n    # HOTFIX v1.2.4: default\n    return a\n")
    r = hotfix_repo(tmp_path, {"src/cart.py": before}, {"src/cart.py": after})
    found = {f["message"]: f["line"] for f in active(check(r, "--select", "HG007")[1])}
    assert found == {
        "signature of `Cart.total` changed: (self, tax) → (self, tax, discount=…)": 2,
        "signature of `Cart.load` changed: async method → method": 5,
        "method `Cart.clear` renamed to `empty`": 8,
        "function `_private` removed": 15,
    }


def test_python_multiline_signature(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    before = "def send(\n    to,\n    body,\n):\n    return post(to, body)\n"
    after = "def send(\n    to,\n    body,\n    retries=3,\n):\n    # HOTFIX v1.2.4: retry\n    return post(to, body)\n"
    r = hotfix_repo(tmp_path, {"src/s.py": before}, {"src/s.py": after})
    found = active(check(r, "--select", "HG007")[1])
    assert [(f["line"], f["message"]) for f in found] == [
        (1, "signature of `send` changed: (to, body) → (to, body, retries=…)")]


def test_python_files_that_do_not_parse_are_skipped(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"src/a.py": "def f(:\n    pass\n"},
                    {"src/a.py": "def g(:\n    # HOTFIX v1.2.4: x\n    pass\n"})
    _, data = check(r, "--select", "HG007")
    assert not [f for f in data["findings"] if f["code"] == "HG000"]


def test_excluded_files_are_not_looked_at(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"vendor/lib/x.py": "a=1\n", "generated/api.py": "def f():\n  return 1\n",
                               "app/a.py": "x = 1\n"},
                    {"vendor/lib/x.py": None, "generated/api.py": "def g():\n    return 1\n",
                     "app/a.py": "# HOTFIX v1.2.4: y\nx = 2\n"})
    assert active(check(r, "--select", "HG005,HG007,HG011")[1]) == []


# -- HG010, HG011, HG012 -----------------------------------------------------------------------


def test_tests_touched(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    base = {"src/pay.py": PAY_BEFORE}
    fix = PAY_BEFORE.replace("    total = amount * 100\n", "    # HOTFIX v1.2.4: x\n    total = (amount or 0) * 100\n")
    r = hotfix_repo(tmp_path, base, {"src/pay.py": fix})
    [f] = active(check(r, "--select", "HG010")[1])
    assert f["severity"] == "warning" and f["path"] is None and "src/pay.py" in f["message"]
    r2 = hotfix_repo(tmp_path / "t", base, {"src/pay.py": fix, "tests/test_pay.py": "def test_x():\n    pass\n"})
    assert active(check(r2, "--select", "HG010")[1]) == []
    deferred = fix.replace("    # HOTFIX v1.2.4: x\n", "    # HOTFIX v1.2.4: x\n    # TODO: Add comprehensive tests (ticket PROJ-099)\n")
    r3 = hotfix_repo(tmp_path / "d", base, {"src/pay.py": deferred})
    assert active(check(r3, "--select", "HG010")[1]) == []
    r4 = hotfix_repo(tmp_path / "c", {"deploy/app.yaml": "a: 1\n"}, {"deploy/app.yaml": "a: 2 # HOTFIX v1.2.4: x\n"})
    assert active(check(r4, "--select", "HG010")[1]) == []  # config, not code


def test_no_new_modules(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    r = hotfix_repo(tmp_path, {"src/a.py": "x = 1\n"},
                    {"src/retry.py": "def retry():\n    pass\n", "tests/test_retry.py": "x = 1\n",
                     "deploy/extra.yaml": "a: 1\n", "docs/incident.md": "# Incident\n"})
    found = active(check(r, "--select", "HG011")[1])
    assert [(f["path"], f["line"], f["severity"]) for f in found] == [("src/retry.py", 1, "warning")]


def test_follow_up_ticket(tmp_path: Path, check) -> None:  # type: ignore[no-untyped-def]
    base = {"src/a.py": "x = 1\n"}
    fix = {"src/a.py": "# HOTFIX v1.2.4: y\nx = 2\n"}
    r = hotfix_repo(tmp_path, base, fix)
    [f] = active(check(r, "--select", "HG012")[1])
    assert f["severity"] == "warning"
    r2 = hotfix_repo(tmp_path / "t", base, fix, message="Fix x\n\nFollow-up: PROJ-100\n")
    assert active(check(r2, "--select", "HG012")[1]) == []
    r3 = hotfix_repo(tmp_path / "n", base, fix, message="Fix x\n\nFollow-up: none\n")
    assert len(active(check(r3, "--select", "HG012")[1])) == 1
    r4 = hotfix_repo(tmp_path / "todo", base, {"src/a.py": "# HOTFIX v1.2.4: y\n# TODO: root cause (PROJ-7)\nx = 2\n"})
    assert active(check(r4, "--select", "HG012")[1]) == []


# -- end to end, through the CLI -----------------------------------------------------------------


def test_cli_json_end_to_end(tmp_path: Path) -> None:
    before = {"src/pay.py": PAY_BEFORE, "src/util.py": "def cents(a):\n  return a*100\n"}
    r = hotfix_repo(tmp_path, before, {
        "src/pay.py": PAY_BEFORE.replace("    total = amount * 100\n",
                                         "    # TODO: fix properly\n    total = cents(amount or 0)\n"),
        "src/util.py": "def to_cents(a):\n    return a * 100\n",
    })
    proc = run_cli("check", "--format", "json", cwd=r.path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    got = {(f["code"], f["path"], f["line"]) for f in data["findings"]}
    assert ("HG005", "src/pay.py", 7) in got and ("HG005", "src/util.py", 1) in got
    assert ("HG006", "src/pay.py", 7) in got
    assert ("HG007", "src/util.py", 1) in got  # cents -> to_cents
    for f in data["findings"]:
        assert set(f) >= {"code", "name", "severity", "message", "path", "line", "ref", "help", "suppressed"}
    assert data["summary"]["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")


def test_pre_commit_stage_checks_what_is_staged(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    r.commit("Release 1.2.3", {"src/pay.py": PAY_BEFORE})
    r.tag("v1.2.3")
    r.checkout(HOTFIX, new=True)
    # nothing committed on the branch yet: the staged change is the whole change
    r.stage({"src/pay.py": PAY_BEFORE.replace("    total = amount * 100\n", "    total = (amount or 0) * 100\n")})
    r.write("src/pay.py", "unstaged junk that must not be read\n")
    proc = run_cli("check", "--stage", "pre-commit", "--format", "json", cwd=r.path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert [(f["code"], f["path"], f["line"]) for f in data["findings"]] == [("HG005", "src/pay.py", 7)]
    # HG010 and HG012 judge the finished change: not at pre-commit
    fixed = PAY_BEFORE.replace("    total = amount * 100\n",
                               "    # HOTFIX v1.2.4: None amount\n    total = (amount or 0) * 100\n")
    r.stage({"src/pay.py": fixed})
    proc = run_cli("check", "--stage", "pre-commit", "--format", "json", cwd=r.path)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []
    r.git("commit", "-q", "-m", "fix")
    # committed and staged work together: a staged rename is seen at pre-commit
    r.git("mv", "src/pay.py", "src/payments.py")
    proc = run_cli("check", "--stage", "pre-commit", "--format", "json", cwd=r.path)
    data = json.loads(proc.stdout)
    [renamed] = [f["message"] for f in data["findings"] if f["code"] == "HG007"]
    assert renamed.startswith("file renamed: src/pay.py → src/payments.py (similarity ")
    proc = run_cli("check", "--format", "json", cwd=r.path)  # manual stage: the commits only
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "HG007"]


def test_text_output_has_clickable_locations(tmp_path: Path) -> None:
    r = hotfix_repo(tmp_path, {"src/pay.py": PAY_BEFORE},
                    {"src/pay.py": PAY_BEFORE.replace("    total = amount * 100\n", "    total = amount * 100 or 0\n")})
    proc = run_cli("check", "--select", "HG005", cwd=r.path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("src/pay.py:7: HG005 [error] hotfix-comment: no `HOTFIX v1.2.4:` comment")


def test_rules_are_documented() -> None:
    from hotfix_guard.engine.rule import DOC_SECTIONS
    from hotfix_guard.rules import diff as module

    for rule in (module.DiffSize, module.HotfixComment, module.TodoTicket, module.NoRefactor,
                 module.TestsTouched, module.NoNewModules, module.FollowUpTicket, module.JustifiedSuppression):
        sections = rule.doc_sections()
        for title in DOC_SECTIONS:
            assert sections.get(title), (rule.code, title)
        assert "workflow" in sections["Why"], rule.code
        page = rule.documentation()
        assert page.startswith(f"# {rule.code} {rule.name}")
    page = module.DiffSize.documentation()
    assert "| `max-lines` | an integer | `150` |" in page and "| `max-files` | an integer | `8` |" in page


def test_explain_shows_the_page() -> None:
    proc = run_cli("explain", "HG007", cwd=Path.cwd())
    assert proc.returncode == 0, proc.stderr
    assert "re-indented because the fix wraps it" in proc.stdout
