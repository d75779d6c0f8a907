"""No silent pass in the content rules, and no hang (issue #13, items 6-11): attributes
that make git call source files binary, the comment lexer's hard constructs, the
version-bump exemption, ticket patterns that match nothing or run away, and a pre-push
stdin that stays open. Every test builds a real repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Repo, make_repo
from diff_helpers import active, check_json

HOTFIX = "hotfix/v1.2.4-fix-crash"


def _module(name: str, lines: int) -> str:
    body = "".join(f"    total += {i}\n" for i in range(lines))
    return f"def {name}(amount):\n    total = 0\n{body}    return total\n"


def _hotfix_repo(path: Path, before: dict[str, str | bytes], after: dict[str, str | bytes]) -> Repo:
    r = make_repo(path)
    r.commit("Release 1.2.3", {"README.md": "# app\n", **before})
    r.tag("v1.2.3")
    r.checkout(HOTFIX, new=True)
    r.commit("Hotfix", after)
    return r


# -- 6. attributes cannot turn the diff rules off -----------------------------------------


def _attributes_in(how: str, r: Repo, home: Path) -> None:
    """Make git call *.py binary, the way ``how`` says, on main's history."""
    if how == "committed":
        r.commit("attributes", {".gitattributes": "*.py -diff\n"})
    elif how == "info-attributes":
        (r.path / ".git" / "info").mkdir(exist_ok=True)
        (r.path / ".git" / "info" / "attributes").write_text("*.py -diff\n")
    elif how == "global-attributes-file":
        (home / "attributes").write_text("*.py -diff\n")
        with open(home / ".gitconfig", "a") as fh:
            fh.write(f"[core]\n\tattributesFile = {home / 'attributes'}\n")
    elif how == "binary-macro":
        r.commit("attributes", {".gitattributes": "*.py binary\n"})
    elif how == "driver-says-binary":
        r.commit("attributes", {".gitattributes": "*.py diff=opaque\n"})
        r.git("config", "diff.opaque.binary", "true")
    elif how == "textconv-that-hides-everything":
        r.commit("attributes", {".gitattributes": "*.py diff=hide\n"})
        r.git("config", "diff.hide.textconv", "true")  # converts every file to nothing


@pytest.mark.parametrize("how", ["committed", "info-attributes", "global-attributes-file", "binary-macro",
                                 "driver-says-binary", "textconv-that-hides-everything"])
def test_attributes_that_call_source_binary_do_not_turn_the_diff_rules_off(
        how: str, tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """A 400-line rewrite with no marker and a renamed function is caught whatever the
    attributes say: the file is text by content, so it is read as text."""
    import os

    r = make_repo(tmp_path / "repo")
    r.commit("Release 1.2.3", {"README.md": "# app\n", "src/payments.py": _module("charge", 400)})
    r.tag("v1.2.3")
    _attributes_in(how, r, Path(os.environ["HOME"]))
    r.checkout(HOTFIX, new=True)
    r.commit("Hotfix", {"src/payments.py": _module("charge_card", 400).replace("+= ", "+= 1 + ")})
    rc, data = check_json(r, capsys=capsys, monkeypatch=monkeypatch)
    assert rc == 1
    codes = {f["code"] for f in active(data)}
    assert {"HG004", "HG005", "HG007"} <= codes, data["findings"]
    assert any("`charge`" in f["message"] for f in active(data, "HG007")), data["findings"]
    assert "binary" not in data, data.get("binary")


def test_real_binary_content_stays_binary_and_the_report_names_it(
        tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """Content with a NUL in its first 8000 bytes stays binary (git's own test) when an
    attribute (`-diff`) calls it binary too; the report names every binary file the
    change touches, in text and JSON, so nothing goes unexamined without a word."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    fix = "def main():\n    # HOTFIX v1.2.4: guard the crash\n    return 0\n"
    r = _hotfix_repo(tmp_path / "repo",
                     {".gitattributes": "*.dat -diff\n", "src/app.py": "def main():\n    return 0\n",
                      "logo.png": png, "src/table.dat": b"rows\x00" + png},
                     {"src/app.py": fix, "logo.png": png + b"\x01", "src/table.dat": b"rows\x00\x02" + png})
    rc, data = check_json(r, capsys=capsys, monkeypatch=monkeypatch)
    assert data["binary"] == ["logo.png", "src/table.dat"], data
    assert not [f for f in active(data) if f["path"] in ("logo.png", "src/table.dat")], data["findings"]
    from conftest import run_cli

    text = run_cli("check", cwd=r.path)
    assert "not read as text (binary content): logo.png, src/table.dat" in text.stdout, text.stdout


# -- 9. a ticket pattern that can match an empty string anywhere ------------------------------


def _todo_hotfix(path: Path, todo: str) -> Repo:
    fix = f"def main():\n    # HOTFIX v1.2.4: guard the crash\n    # {todo}\n    return 0\n"
    return _hotfix_repo(path, {"src/app.py": "def main():\n    return 0\n"}, {"src/app.py": fix})


@pytest.mark.parametrize("pattern", [r"\b", r"(?=\w)", r"#?[0-9]*\b", r"(?<=TODO)", r"^"])
def test_zero_width_ticket_patterns_are_refused_at_load(tmp_path: Path, pattern: str) -> None:
    """They match no empty text on its own, but an empty piece of any word: every TODO
    would "have a ticket". Exit 2 naming the key, at every stage (it used to pass)."""
    import json

    from conftest import assert_clean_error, run_cli

    r = _todo_hotfix(tmp_path / "repo", "TODO: later")
    r.write(".hotfix-guard.toml", f"ticket-pattern = {json.dumps(pattern)}\n")
    for stage in ("pre-commit", "pre-push", "manual"):
        assert_clean_error(run_cli("check", "--stage", stage, cwd=r.path, input=""),
                           ".hotfix-guard.toml: ticket-pattern:", "matches an empty string",
                           "hint: fix `ticket-pattern`")


def test_a_plugin_rules_regex_option_that_matches_empty_is_refused_too() -> None:
    """Every user regex key is held to the same rule: a rule option declared `regex=True`."""
    from hotfix_guard.engine.rule import Option
    from hotfix_guard.errors import ConfigError

    option = Option("pattern", str, "X-[0-9]+", "what a reference looks like", regex=True)
    assert option.validate("JIRA-[0-9]+", "cfg: [rules.r] pattern") == "JIRA-[0-9]+"
    with pytest.raises(ConfigError, match=r"cfg: \[rules.r\] pattern: '\(\?=\\\\w\)' matches an empty string"):
        option.validate(r"(?=\w)", "cfg: [rules.r] pattern")


# -- 10. a ticket pattern cannot hang a hook -------------------------------------------------

RUNAWAY = r"([A-Z]+[A-Z0-9]*)+[-_][0-9]+"


def test_a_runaway_ticket_pattern_is_exit_2_naming_the_key_not_a_hang(tmp_path: Path) -> None:
    """Catastrophic backtracking on a TODO of capitals: the search is cut off by its CPU
    budget and the check says which key to fix (it used to hang the pre-commit hook)."""
    from conftest import assert_clean_error, run_cli

    r = _todo_hotfix(tmp_path / "repo", "TODO " + "ABCDEFGHIJ" * 4 + " fix it later")
    r.write(".hotfix-guard.toml", f'ticket-pattern = "{RUNAWAY}"\n')
    r.git("add", ".hotfix-guard.toml")  # the pre-commit stage: committed and staged work
    for stage in ("pre-commit", "manual"):
        assert_clean_error(run_cli("check", "--stage", stage, cwd=r.path),
                           ".hotfix-guard.toml: ticket-pattern:", "catastrophic backtracking",
                           "hint: simplify it")


def test_the_budget_is_for_the_run_not_for_each_text(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """Forty TODOs that each take a little under the budget added up to minutes of a
    pre-commit hook: the searches of one pattern share one budget for the run."""
    from hotfix_guard import patterns
    from hotfix_guard.cli import main

    monkeypatch.setattr(patterns, "SEARCH_BUDGET", 0.15)
    monkeypatch.setattr(patterns, "_SPENT", {}, raising=False)
    one = "TODO " + "A" * 18 + " later"  # (A+)+B backtracks for ~20 ms on it: well under the budget
    todos = "".join(f"    # {one} {i}\n" for i in range(30))
    fix = "def main():\n    # HOTFIX v1.2.4: guard the crash\n" + todos + "    return 0\n"
    r = _hotfix_repo(tmp_path / "repo", {"src/app.py": "def main():\n    return 0\n"}, {"src/app.py": fix})
    r.write(".hotfix-guard.toml", 'ticket-pattern = "(A+)+B"\n')
    r.git("add", ".hotfix-guard.toml")
    monkeypatch.chdir(r.path)
    monkeypatch.setenv("HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD", "1")
    capsys.readouterr()
    assert main(["check", "--stage", "pre-commit", "--select", "HG006"]) == 2
    err = capsys.readouterr().err
    assert "ticket-pattern:" in err and "catastrophic backtracking" in err, err


def test_the_same_pattern_on_ordinary_text_still_finds_tickets(tmp_path: Path, capsys: Any,
                                                              monkeypatch: Any) -> None:
    """The budget only stops a runaway: the same pattern judges a TODO with a ticket and
    one without as usual."""
    r = _todo_hotfix(tmp_path / "repo", "TODO: retry later (PAY-12)")
    r.write(".hotfix-guard.toml", f'ticket-pattern = "{RUNAWAY}"\n')
    r.commit("more", {"src/other.py": "# HOTFIX v1.2.4: log\n# TODO: no ticket\nX = 1\n"})
    rc, data = check_json(r, capsys=capsys, monkeypatch=monkeypatch)
    todos = [(f["path"], f["message"]) for f in active(data, "HG006")]
    assert todos == [("src/other.py", "TODO without a ticket: `# TODO: no ticket`")], data["findings"]


# -- 11. a pre-push stdin that stays open ------------------------------------------------------


def _check_with_open_stdin(r: Repo, written: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``check --stage pre-push`` with a real pipe on stdin that gets ``written`` and is
    then kept open (as ssh or ``docker run -i`` keep it)."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "hotfix_guard", "check", "--stage", "pre-push"],
                            cwd=r.path, env=full, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write(written)
        proc.stdin.flush()
        rc = proc.wait(timeout=60)  # TimeoutExpired if it waited on the open pipe for ever
        return rc, proc.stdout.read(), proc.stderr.read()
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


def test_a_pre_push_stdin_that_stays_open_and_silent_is_exit_2_after_a_bounded_wait(tmp_path: Path) -> None:
    """Nothing written, nothing closed: after the default wait, exit 2 with one line and a
    hint (it used to wait for ever)."""
    r = _todo_hotfix(tmp_path / "repo", "TODO: later (PAY-1)")
    rc, out, err = _check_with_open_stdin(r, "")
    assert rc == 2 and out == "", (rc, out, err)
    assert err.startswith("hotfix-guard: error: pre-push: standard input stayed open 5 s without ending"), err
    assert len(err.strip().splitlines()) == 2 and "hint: git closes the input after its lines" in err, err


def test_pre_push_lines_on_a_stdin_left_open_are_exit_2_too(tmp_path: Path) -> None:
    """Lines, then silence without an end: more lines could still come, so the push is
    not judged on part of its input."""
    r = _todo_hotfix(tmp_path / "repo", "TODO: later (PAY-1)")
    sha = r.sha()
    line = f"refs/heads/{HOTFIX} {sha} refs/heads/{HOTFIX} {'0' * 40}\n"
    rc, out, err = _check_with_open_stdin(r, line, env={"HOTFIX_GUARD_STDIN_TIMEOUT": "1"})
    assert rc == 2 and "stayed open 1 s without ending" in err and f"({len(line)} bytes read)" in err, err


def test_pre_push_lines_from_a_pipe_that_git_closes_are_checked(tmp_path: Path) -> None:
    """The same lines, the pipe closed after them as git does: checked as usual."""
    from conftest import run_cli

    r = _todo_hotfix(tmp_path / "repo", "TODO: later (PAY-1)")
    line = f"refs/heads/{HOTFIX} {r.sha()} refs/heads/{HOTFIX} {'0' * 40}\n"
    proc = run_cli("check", "--stage", "pre-push", cwd=r.path, input=line)
    summary = proc.stdout.splitlines()[-1]
    assert proc.returncode == 0 and summary.startswith(f"{HOTFIX}: 1 warning") and "stage pre-push" in summary, \
        (proc.stdout, proc.stderr)


# -- 8. the version-bump exemption is for the project's version declarations only -------------


def test_only_the_projects_version_declarations_are_exempt_from_the_marker(
        tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """`MIN_CLIENT = "1.0.0"` -> `"1.2.4"` in gate.py is code (it used to pass as a version
    bump); a Cargo dependency bumped to the same number is not the project's version
    either. The declarations themselves need no marker."""
    before = {"src/gate.py": 'MIN_CLIENT = "1.0.0"\n',
              "Cargo.toml": '[package]\nname = "svc"\nversion = "1.2.3"\n\n[dependencies]\nlib = "1.0.0"\n',
              "pyproject.toml": '[project]\nname = "svc"\nversion = "1.2.3"\n\n[tool.x]\nversion = "1.0.0"\n',
              "svc/__init__.py": '__version__ = "1.2.3"\n',
              "setup.cfg": "[metadata]\nname = svc\nversion = 1.2.3\n"}
    after = {"src/gate.py": 'MIN_CLIENT = "1.2.4"\n',
             "Cargo.toml": '[package]\nname = "svc"\nversion = "1.2.3"\n\n[dependencies]\nlib = "1.2.4"\n',
             "pyproject.toml": '[project]\nname = "svc"\nversion = "1.2.4"\n\n[tool.x]\nversion = "1.0.0"\n',
             "svc/__init__.py": '__version__ = "1.2.4"\n',
             "setup.cfg": "[metadata]\nname = svc\nversion = 1.2.4\n"}
    r = _hotfix_repo(tmp_path / "repo", before, after)
    _, data = check_json(r, "--select", "HG005", capsys=capsys, monkeypatch=monkeypatch)
    assert sorted(f["path"] for f in active(data)) == ["Cargo.toml", "src/gate.py"], data["findings"]
    # a tool's own `version` key in pyproject.toml is not the project's version either
    r.commit("tool version", {"pyproject.toml": after["pyproject.toml"].replace('"1.0.0"', '"1.2.4"')})
    _, data = check_json(r, "--select", "HG005", capsys=capsys, monkeypatch=monkeypatch)
    assert "pyproject.toml" in [f["path"] for f in active(data)], data["findings"]


def test_version_files_in_config_add_declarations(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """A project whose version lives elsewhere names the file in `version-files`; only
    there does a version-only change need no marker."""
    before = {"deploy/values.yaml": "image:\n  tag: 1.2.3\n", "src/app/version.py": 'VERSION = "1.2.3"\n'}
    after = {"deploy/values.yaml": "image:\n  tag: 1.2.4\n", "src/app/version.py": 'VERSION = "1.2.4"\n'}
    r = _hotfix_repo(tmp_path / "repo", before, after)
    _, data = check_json(r, "--select", "HG005", capsys=capsys, monkeypatch=monkeypatch)
    assert sorted(f["path"] for f in active(data)) == ["deploy/values.yaml", "src/app/version.py"]
    r.write(".hotfix-guard.toml", 'version-files = ["deploy/values.yaml", "src/app/version.py"]\n')
    _, data = check_json(r, "--select", "HG005", capsys=capsys, monkeypatch=monkeypatch)
    assert active(data) == [], data["findings"]


# -- 7. the comment lexer: strings are not comments, and comments in scripts are -------------


def test_markers_and_todos_in_strings_and_scripts_are_judged_right(
        tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """A marker and a TODO only inside a shell heredoc are text (the marker used to count,
    the TODO to be flagged); a real marker after a JS regex holding a quote, in an HTML
    <script>, and after a Python 3.12 f-string nesting its quotes is a comment (it used to
    be missed)."""
    before = {"deploy.sh": "#!/bin/sh\necho start\n", "static/app.js": "export const x = 1;\n",
              "static/index.html": "<p>hi</p>\n", "src/label.py": "def label(d):\n    return d\n"}
    after = {"deploy.sh": "#!/bin/sh\necho start\ncat <<EOF > /etc/motd\n# HOTFIX v1.2.4: maintenance\n"
                          "# TODO: remove after the outage\nEOF\n",
             "static/app.js": "export const x = 1;\nexport const quotes = /'/g; // HOTFIX v1.2.4: escape quotes\n",
             "static/index.html": "<p>hi</p>\n<script>\n  var re = /\"/; // HOTFIX v1.2.4: guard the form\n</script>\n",
             "src/label.py": 'def label(d):\n    return f"{d["#"]}"  # HOTFIX v1.2.4: key with a hash\n'}
    r = _hotfix_repo(tmp_path / "repo", before, after)
    _, data = check_json(r, "--select", "HG005,HG006", capsys=capsys, monkeypatch=monkeypatch)
    assert [(f["code"], f["path"]) for f in active(data)] == [("HG005", "deploy.sh")], data["findings"]
