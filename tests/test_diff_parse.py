"""hotfix_guard.diff.hunks: the change's diff parsed from real git output, odd files included."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT, Repo, run_cli
from diff_helpers import load_diff_of, numstat

from hotfix_guard.diff.comments import comment_map, language_for, line_comment
from hotfix_guard.diff.hunks import DIFF_CONFIG, DIFF_FLAGS, display, parse
from hotfix_guard.git import Git

LATIN1_NAME = os.fsdecode(b"caf\xe9.txt")  # a file name that is not UTF-8


def odd_repo(r: Repo) -> None:
    """main with every kind of odd file; the hotfix branch changes each of them."""
    r.write("space name.py", "a = 1\nb = 2\nc = 3\n")
    r.write("run.sh", "#!/bin/sh\necho hi\n")
    r.write("crlf.txt", b"one\r\ntwo\r\nthree\r\n")
    r.write("noeol.py", "x = 1\ny = 2")
    r.write("data.bin", b"\x00\x01\x02binary")
    r.write("latin.py", "# caf\xe9\nname = 'caf\xe9'\n".encode("latin-1"))
    r.write("typechange", "plain file\n")
    r.write("big.py", "".join(f"line_{i} = {i}\n" for i in range(40)))
    r.write("gone.txt", "to be deleted\n")
    os.symlink("space name.py", r.path / "link")
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "base")
    head = r.sha()
    r.git("update-index", "--add", "--cacheinfo", f"160000,{head},sub")
    r.git("commit", "-q", "-m", "add a submodule pointer")
    (r.path / "sub").mkdir()  # an unpopulated submodule: `git add -A` leaves it alone
    r.tag("v1.2.3")
    r.checkout("hotfix/v1.2.4-odd", new=True)
    r.write("space name.py", "a = 1\nb = 20\nc = 3\n")
    (r.path / "run.sh").chmod(0o755)  # mode only
    r.write("crlf.txt", b"one\r\nTWO\r\nthree\r\n")
    r.write("noeol.py", "x = 1\ny = 3")
    r.write("data.bin", b"\x00\x01\x02binary, changed")
    r.write("latin.py", "# caf\xe9\nname = 'caf\xe9s'\n".encode("latin-1"))
    (r.path / "typechange").unlink()
    os.symlink("run.sh", r.path / "typechange")
    os.unlink(r.path / "link")
    os.symlink("run.sh", r.path / "link")
    r.git("mv", "big.py", "renamed big.py")
    r.write("renamed big.py", "".join(f"line_{i} = {i}\n" for i in range(40)) + "extra = 1\n")
    r.git("rm", "-q", "gone.txt")
    r.write("new\nline.py", "print('newline in my name')\n")
    r.write(LATIN1_NAME, "caf\xe9\n".encode("latin-1"))
    r.write("ünïcødé dir/fïlé.py", "ok = True\n")
    r.git("add", "-A")
    r.git("update-index", "--cacheinfo", f"160000,{r.sha('main')},sub")
    r.git("commit", "-q", "-m", "odd changes")


@pytest.fixture
def odd(repo: Repo) -> Repo:
    odd_repo(repo)
    return repo


def test_every_odd_file_is_parsed(odd: Repo) -> None:
    diff = load_diff_of(odd)
    by_path = {f.path: f for f in diff}
    assert set(by_path) == {
        "space name.py", "run.sh", "crlf.txt", "noeol.py", "data.bin", "latin.py", "typechange", "link",
        "renamed big.py", "gone.txt", "new\nline.py", LATIN1_NAME, "ünïcødé dir/fïlé.py", "sub",
    }
    assert by_path["space name.py"].status == "M"
    assert [(ln.kind, ln.text, ln.old, ln.new) for ln in by_path["space name.py"].lines if ln.kind != " "] == [
        ("-", "b = 2", 2, None), ("+", "b = 20", None, 2)]
    mode = by_path["run.sh"]
    assert mode.mode_only and not mode.content_changed and mode.hunks == []
    assert (mode.old_mode, mode.new_mode) == ("100644", "100755")
    crlf = by_path["crlf.txt"]
    assert [ln.text for ln in crlf.added_lines] == ["TWO\r"]
    noeol = by_path["noeol.py"]
    assert [ln.text for ln in noeol.added_lines] == ["y = 3"]
    assert by_path["data.bin"].is_binary and by_path["data.bin"].hunks == []
    latin = by_path["latin.py"]
    assert latin.added_lines[0].text == "name = 'caf\udce9s'"
    tc = by_path["typechange"]
    assert tc.status == "T" and len(tc.chunks) == 2 and not tc.is_text
    assert by_path["link"].is_symlink and not by_path["link"].is_text
    ren = by_path["renamed big.py"]
    assert ren.status == "R" and ren.old_path == "big.py" and ren.similarity and ren.similarity > 90
    assert [ln.text for ln in ren.added_lines] == ["extra = 1"] and ren.added_lines[0].new == 41
    gone = by_path["gone.txt"]
    assert gone.is_deleted and gone.path == "gone.txt" and gone.new_path is None
    assert by_path["new\nline.py"].is_added and by_path["new\nline.py"].added == 1
    assert by_path[LATIN1_NAME].is_added
    sub = by_path["sub"]
    assert sub.is_gitlink and not sub.is_text and sub.language is None


def test_line_counts_match_git_numstat(odd: Repo) -> None:
    """Counts come from --numstat, and the parsed hunks agree with them."""
    diff = load_diff_of(odd)
    assert [(str(f.added), str(f.deleted)) if not f.is_binary else ("-", "-") for f in diff] == \
        numstat(odd, "main", "HEAD")
    for f in diff:
        if f.is_text and f.status != "T":
            assert (len(f.added_lines), len(f.removed_lines)) == (f.added, f.deleted), f


def hunks_of(patch: str) -> list[tuple[object, ...]]:
    from hotfix_guard.diff.hunks import _parse_chunk

    return [(h.old_start, h.old_len, h.new_start, h.new_len, [(ln.kind, ln.text, ln.old, ln.new) for ln in h.lines])
            for h in _parse_chunk(patch.encode())]


def test_the_hunk_reader() -> None:
    header = "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n"
    # counts left out mean 1; an empty line is an empty context line; the newline marker is skipped
    assert hunks_of(header + "@@ -1 +1,2 @@ def f():\n-a\n\\ No newline at end of file\n+b\n+\n") == [
        (1, 1, 1, 2, [("-", "a", 1, None), ("+", "b", None, 1), ("+", "", None, 2)])]
    assert hunks_of(header + "@@ -3,2 +3,2 @@\n x\n\n@@ -0,0 +10 @@\n++++ not a header\n") == [
        (3, 2, 3, 2, [(" ", "x", 3, 3), (" ", "", 4, 4)]),
        (0, 0, 10, 1, [("+", "+++ not a header", None, 10)])]
    assert hunks_of("diff --git a/f b/f\nBinary files a/f and b/f differ\n") == []


@pytest.mark.parametrize("patch", [
    "@@ -1,2 +1,2 @@\n-a\n",                 # ends early
    "@@ -1 +1 @@\n-a\n+b\n+c\n",            # a line past the counts
    "@@ -1 +1 @@\n*a\n+b\n",                 # not a hunk line
])
def test_a_hunk_that_does_not_add_up_is_a_parse_error(patch: str) -> None:
    with pytest.raises(ValueError):
        hunks_of("diff --git a/f b/f\n" + patch)


def test_display_makes_paths_printable() -> None:
    assert display("src/app.py") == "src/app.py"
    assert display(LATIN1_NAME) == "caf\\xe9.txt"
    assert display("new\nline.py") == "new\\nline.py"
    assert display("ünïcødé.py") == "ünïcødé.py"


def test_check_on_odd_files_never_crashes(odd: Repo) -> None:
    proc = run_cli("check", "--format", "json", cwd=odd.path)
    assert proc.returncode in (0, 1), proc.stderr
    import json

    data = json.loads(proc.stdout)
    assert not [f for f in data["findings"] if f["code"] == "HG000"], data["findings"]
    paths = {f["path"] for f in data["findings"]}
    assert "new\nline.py" in paths  # a new module, by its real name (JSON escapes it)
    text = run_cli("check", cwd=odd.path)
    assert text.returncode in (0, 1) and "Traceback" not in text.stderr
    assert "new\\nline.py" in text.stdout  # text shows it escaped


def test_new_line_for_old(repo: Repo) -> None:
    repo.commit("base", {"f.py": "".join(f"l{i}\n" for i in range(1, 21))})
    lines = [f"l{i}\n" for i in range(1, 21)]
    lines[4:6] = []  # remove l5, l6
    lines.insert(14, "new\n")  # after l16 (old numbering)
    repo.commit("change", {"f.py": "".join(lines)})
    diff = load_diff_of(repo, "HEAD~1", "HEAD")
    [f] = diff.files
    assert f.new_line_for_old(3) == 3
    assert f.new_line_for_old(5) == 5  # removed: the line after it, l7, is now line 5
    assert f.new_line_for_old(10) == 8
    assert f.new_line_for_old(20) == 19
    assert f.first_line == 15  # the first added line
    repo.commit("delete only", {"f.py": "".join(lines[:9] + lines[10:])})
    [g] = load_diff_of(repo, "HEAD~1", "HEAD").files
    assert [ln.old for ln in g.removed_lines] == [10] and g.first_line == 10


def test_empty_diff(repo: Repo) -> None:
    repo.commit("base", {"a.py": "x = 1\n"})
    assert len(load_diff_of(repo, "HEAD", "HEAD")) == 0
    assert len(parse(b"")) == 0


def test_user_diff_config_does_not_change_the_parse(repo: Repo) -> None:
    repo.commit("base", {"sub/a.py": "x = 1\n\ny = 2\n", "b.py": "z = 1\n"})
    repo.commit("change", {"sub/a.py": "x = 1\n\ny = 3\n", "b.py": "z = 2\n"})
    for key, value in (("diff.relative", "true"), ("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"),
                       ("diff.suppressBlankEmpty", "true"), ("diff.submodule", "log"), ("diff.context", "0"),
                       ("color.diff", "always"), ("diff.external", "false"), ("diff.algorithm", "patience")):
        repo.git("config", key, value)
    git = Git(str(repo.path / "sub"))  # from a subdirectory, with diff.relative on
    raw = git.diff(*DIFF_FLAGS, "HEAD~1", "HEAD", "--", config=DIFF_CONFIG)
    diff = parse(raw, git=git)
    assert sorted(f.path for f in diff) == ["b.py", "sub/a.py"]
    a = next(f for f in diff if f.path == "sub/a.py")
    assert [ln.kind for ln in a.lines] == [" ", " ", "-", "+"]  # 3 lines of context, blank one included


def test_cat_blobs_one_process(repo: Repo) -> None:
    repo.commit("base", {"a.py": "x = 1\n", "b.bin": b"\x00\xff\n"})
    git = Git(str(repo.path))
    shas = repo.git("rev-parse", "HEAD:a.py", "HEAD:b.bin").split()
    before = git.calls
    blobs = git.cat_blobs(shas + ["0" * 40, "1" * 40, repo.sha()])
    assert git.calls == before + 1
    assert blobs == {shas[0]: b"x = 1\n", shas[1]: b"\x00\xff\n"}


def test_blobs_are_read_in_one_process(repo: Repo) -> None:
    files = {f"m{i}.py": f"def f{i}(a):\n    return a\n" for i in range(5)}
    files["notes.js"] = "const a = 1;\n"
    repo.commit("base", files)
    changed = {f"m{i}.py": f"def f{i}(a):\n    # HOTFIX v1.2.4: fix\n    return a or 0\n" for i in range(5)}
    changed["notes.js"] = "// TODO: PROJ-1 later\nconst a = 1;\n"
    repo.commit("change", changed)
    diff = load_diff_of(repo, "HEAD~1", "HEAD")
    before = diff.git.calls
    for f in diff:  # what the rules ask for: comments everywhere, both sides of Python files
        diff.comments(f)
        if f.path.endswith(".py"):
            diff.text(f, "old")
    assert diff.git.calls == before + 1


def test_diff_rules_import_nothing_heavy_until_they_run(project: Repo) -> None:
    """Loading the plugins (rules/diff.py) must not import unidiff or pathspec."""
    code = ("import sys\nfrom hotfix_guard.engine.plugins import Plugins\nPlugins(autoload=False)\n"
            "print(sorted(m for m in ('unidiff', 'pathspec', 'hotfix_guard.diff.hunks', 'hotfix_guard.diff.refactor', 'hotfix_guard.globs') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# -- comments per language ---------------------------------------------------------------------


def comments_of(path: str, text: str) -> dict[int, str]:
    lang = language_for(path)
    assert lang is not None, path
    return comment_map(text, lang)


def test_python_comments_skip_strings() -> None:
    text = ('x = "# HOTFIX v1.2.4: not a comment"  # HOTFIX v1.2.4: a comment\n'
            's = """\n# TODO: in a docstring\n"""\n'
            "t = f'{a!r:#>10}' + rb'#no' + '''\n# no\n'''\n"
            'u = "continued \\\n# no"  # yes\r\n'
            "y = 1\n")
    assert comments_of("a.py", text) == {1: "# HOTFIX v1.2.4: a comment", 9: "# yes"}


def test_python_that_does_not_parse_still_has_comments() -> None:
    text = 'x = (\n# TODO: PROJ-1 unclosed\ny = "# no"\n'
    assert comments_of("a.py", text) == {2: "# TODO: PROJ-1 unclosed"}


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("a.js", 'const s = "// no";\n// yes\nlet t = `multi\n// no\n`; /* b1\nb2 */\n',
         {2: "// yes", 5: "/* b1", 6: "b2 */"}),
        ("a.go", "s := `raw // no`\nx := '/' // yes\n", {2: "// yes"}),
        ("a.rs", "fn f<'a>(x: &'a str) {} // yes\n", {1: "// yes"}),
        ("a.sql", "SELECT '--no' -- yes\n/* block */\n", {1: "-- yes", 2: "/* block */"}),
        ("a.sh", 'echo ${#arr} "#no" # yes\n#!/bin/sh\n', {1: "# yes", 2: "#!/bin/sh"}),
        ("c.yaml", "url: http://x/#frag\n# yes\nkey: v # yes too\n", {2: "# yes", 3: "# yes too"}),
        ("p.html", '<a title="<!-- x -->">\n<!-- yes\nstill -->\n', {1: '<!-- x -->">', 2: "<!-- yes", 3: "still -->"}),
        ("x.lua", "--[[ block\nend ]] x = 1 -- line\n", {1: "--[[ block", 2: "end ]] -- line"}),
        ("Dockerfile", "# yes\nRUN echo '#no'\n", {1: "# yes"}),
        ("x.ini", "; yes\nkey = a;b\n", {1: "; yes"}),
    ],
)
def test_comment_lexers(path: str, text: str, expected: dict[int, str]) -> None:
    got = comments_of(path, text)
    if path == "p.html":  # markup has no strings: the attribute's comment-looking text counts
        assert got[2] == "<!-- yes" and got[3] == "still -->"
        return
    assert got == expected


def test_languages() -> None:
    assert language_for("src/app.py").name == "python"  # type: ignore[union-attr]
    assert language_for("Dockerfile.prod").name == "dockerfile"  # type: ignore[union-attr]
    assert language_for("README.md").kind == "prose"  # type: ignore[union-attr]
    assert language_for("data.json") is None
    assert language_for("Makefile").name == "make"  # type: ignore[union-attr]
    assert language_for("noext") is None
    assert line_comment('x = "#no" # yes', language_for("a.py")) == "# yes"  # type: ignore[arg-type]


# -- performance (printed, never asserted) -------------------------------------------------------


def test_parse_speed_of_a_10000_line_change(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    """Measures parsing a 10,000-line change (git's run excluded); see docs/performance.md."""
    old = {f"src/mod{i}.py": "".join(f"value_{i}_{j} = compute({j}, 'x')\n" for j in range(500)) for i in range(10)}
    repo.commit("base", old)
    repo.commit("change", {name: text.replace("compute", "compute_safe") for name, text in old.items()})
    git = Git(str(repo.path))
    raw = git.diff(*DIFF_FLAGS, "HEAD~1", "HEAD", "--", config=DIFF_CONFIG)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        diff = parse(raw, git=git)
        changed = sum(len(f.added_lines) + len(f.removed_lines) for f in diff)
        best = min(best, time.perf_counter() - start)
    assert changed == 10_000
    with capsys.disabled():
        print(f"\n[perf] parsed a {changed}-line change ({len(raw)} bytes of git output) in {best * 1000:.0f} ms")


# -- never a crash: random contents and names through the parser and every diff rule ---------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["", " ", "\t", "x = 1", "    y", "é", "\r", "\x0c", "\u2028", "\x00", "--- a", "+++ b",
           "diff --git a/x b/x", "@@ -1 +1 @@", "\\ No newline at end of file", "* Unmerged path q",
           "# HOTFIX v1.2.4: ok", "# TODO: x", "def f(a):", "class C:", "  return a", "}", "/* x", "*/",
           '"""', "# hotfix-guard: ignore[HG007]", "x = 2  # hotfix-guard: ignore[HG007,HG005] caf\udce9", "\udce9"]
_NAMES = ["a.py", "b c.js", "d\ne.txt", "ünï.go", "f.yaml", "g.md", "tests/test_h.py", "poetry.lock", "i"]
_text = st.lists(st.sampled_from(_PIECES), max_size=12).map(lambda xs: "\n".join(xs))
_files = st.dictionaries(st.sampled_from(_NAMES), st.one_of(st.none(), _text), max_size=5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_files, after=_files)
def test_random_changes_never_crash(tmp_path_factory: pytest.TempPathFactory, before: dict, after: dict) -> None:
    from conftest import make_repo

    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context, resolve_refs
    from hotfix_guard.engine.plugins import Plugins

    r = make_repo(tmp_path_factory.mktemp("fuzz") / "repo")
    r.write("README.md", "r\n")
    for name, text in before.items():
        if text is not None:
            r.write(name, text.encode("utf-8", "surrogateescape"))
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "base")
    r.tag("v1.2.3")
    r.checkout("hotfix/v1.2.4-fuzz", new=True)
    for name, text in after.items():
        path = r.path / name
        if text is None:
            if path.exists():
                path.unlink()
        else:
            r.write(name, text.encode("utf-8", "surrogateescape"))
    r.git("add", "-A")
    r.git("commit", "-q", "--allow-empty", "-m", "change\n\nHotfix-Guard-Ignore: HG004\n")
    diff = load_diff_of(r)
    for f in diff:
        if f.is_text:
            assert (len(f.added_lines), len(f.removed_lines)) == (f.added, f.deleted), (f, f.parse_error)
    git = Git(str(r.path))
    ctx = Context(git, git.info(), Settings(), stage="manual", branch="hotfix/v1.2.4-fuzz", kind="hotfix",
                  head=r.sha(), refs=resolve_refs(git, Settings()))
    from hotfix_guard.engine.runner import run_rules

    report = run_rules(ctx, list(Plugins(autoload=False).rules), debug=True)
    assert not [f for f in report.findings if f.code == "HG000"], report.findings
    import json

    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # printable, even odd names
