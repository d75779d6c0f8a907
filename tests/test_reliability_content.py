"""What a change can contain (issue #8): symlinks (never followed), odd file names through
every stage and format, names and messages that are not UTF-8 on consoles that are not
UTF-8 either, and a 50 MB diff (memory stays bounded).

(Binary files, non-UTF-8 content and names, CRLF, names with spaces, newlines and
unicode, mode-only changes, type changes and submodule pointers in the parser:
tests/test_diff_parse.py; random contents and names through every rule:
tests/test_diff_parse.py::test_random_changes_never_crash.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, Repo, make_repo, run_cli

HOTFIX = "hotfix/v1.2.4-fix-crash"
FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


def base_repo(path: Path) -> Repo:
    r = make_repo(path)
    r.commit("Release", {"README.md": "# app\n", "src/app.py": "def main():\n    return 0\n"})
    r.tag("v1.2.3")
    r.checkout("develop", new=True)
    r.commit("dev", {"src/dev.py": "X = 1\n"})
    r.checkout(HOTFIX, new=True, start="main")
    return r


def run_all_formats(r: Repo, *args: str, input: str | None = None, formats: tuple[str, ...] = FORMATS) -> dict:
    """Every format runs (exit 0/1, no traceback, machine formats parse); the JSON."""
    data = None
    for fmt in formats:
        proc = run_cli("check", "--format", fmt, *args, cwd=r.path, input=input)
        assert proc.returncode in (0, 1), (fmt, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        if fmt in ("json", "sarif", "gitlab"):
            parsed = json.loads(proc.stdout)
            if fmt == "json":
                data = parsed
    assert data is not None
    assert not [f for f in data["findings"] if f["code"] == "HG000"], data["findings"]
    return data


# -- symlinks --------------------------------------------------------------------------------


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    """A link's content is its target's path (git's blob), whatever the target holds:
    a link to a file outside the repository full of TODOs is not read."""
    outside = tmp_path / "outside.py"
    outside.write_text("# TODO: no ticket here\nsecret = 1\n")
    r = base_repo(tmp_path / "repo")
    os.symlink(str(outside), r.path / "src" / "evil.py")  # absolute, outside the repository
    os.symlink("app.py", r.path / "src" / "alias.py")  # relative, inside
    os.symlink("nowhere.py", r.path / "src" / "dangling.py")
    os.symlink("../src", r.path / "srclink")  # a directory
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "links")
    for stage, formats in (("manual", FORMATS), ("pre-push", ("text", "json"))):
        data = run_all_formats(r, "--stage", stage, input="", formats=formats)
        links = {"src/evil.py", "src/alias.py", "src/dangling.py", "srclink"}
        about_links = [f for f in data["findings"] if f["path"] in links]
        assert not [f for f in about_links if f["code"] in ("HG005", "HG006", "HG011")], about_links
    # retarget a link and turn a file into a link; stage it (pre-commit reads the index)
    os.unlink(r.path / "src" / "alias.py")
    os.symlink(str(outside), r.path / "src" / "alias.py")
    (r.path / "README.md").unlink()
    os.symlink(str(outside), r.path / "README.md")
    r.git("add", "-A")
    data = run_all_formats(r, "--stage", "pre-commit", formats=("text", "json"))
    assert not [f for f in data["findings"] if f["code"] == "HG006"], data["findings"]
    assert outside.read_text().startswith("# TODO")  # and of course never written


# -- odd file names --------------------------------------------------------------------------

ODD_NAMES = [
    'a "quoted" name.py',
    "it's.py",
    "tab\tname.py",
    "back\\slash.py",
    "-rf.py",
    "--output=x.py",
    "[glob]*?.py",
    "#hash.py",
    "~tilde.py",
    "percent%0Aencoded.py",
    "::error title=x::injected.py",
    "emoji 🚑.py",
    unicodedata.normalize("NFD", "café-nfd.py"),
    "x" * 200 + ".py",
    "deep/" * 30 + "nested.py",
]


@pytest.mark.parametrize("stage", ["manual", "pre-commit"])
def test_odd_file_names_in_every_format(tmp_path: Path, stage: str) -> None:
    r = base_repo(tmp_path / "repo")
    for name in ODD_NAMES:
        r.write(name, "value = 1\n")
    r.git("add", "-A")
    if stage == "manual":
        r.git("commit", "-q", "-m", "odd names")
    data = run_all_formats(r, "--stage", stage, "--extend-select", "HG011")
    reported = {f["path"] for f in data["findings"] if f["code"] == "HG005"}
    assert set(ODD_NAMES) <= reported, set(ODD_NAMES) - reported  # JSON carries the real names
    text = run_cli("check", "--stage", stage, cwd=r.path).stdout
    assert "back\\slash.py:1: HG005" in text and "tab\\tname.py:1: HG005" in text
    github = run_cli("check", "--stage", stage, "--format", "github", cwd=r.path).stdout
    assert all(line.startswith(("::error ", "::warning ", "::notice ", "hotfix-guard: ")) for line in github.splitlines())


# -- not UTF-8, on consoles that are not UTF-8 -----------------------------------------------

LATIN1_BRANCH = os.fsdecode(b"hotfix/v1.2.4-caf\xe9")


@pytest.fixture
def latin1_branch(tmp_path: Path) -> Repo:
    """A branch name and a commit message that are not UTF-8, and a renamed file (its
    finding holds "→")."""
    r = base_repo(tmp_path / "repo")
    r.checkout(LATIN1_BRANCH, new=True, start="main")
    r.git("mv", "README.md", "READ ME.md")
    msg = tmp_path / "msg"
    msg.write_bytes(b"Fix caf\xe9\n\nHotfix-Guard-Ignore: HG004 reason caf\xe9\n")
    r.git("commit", "-q", "-F", str(msg))
    return r


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1", "cp1252"])
def test_reports_never_fail_on_the_console_encoding(latin1_branch: Repo, encoding: str) -> None:
    """Before the fix: `internal error: UnicodeEncodeError`, exit 2, on a latin-1, cp1252 or
    ASCII console for any rename finding (→), and on a UTF-8 one for a branch name that
    is not UTF-8. Now text escapes what the console cannot show, and the machine formats
    are UTF-8 whatever the console (JSON must be, RFC 8259)."""
    r = latin1_branch
    env = {"PYTHONIOENCODING": encoding}
    for fmt in FORMATS:
        proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "check", "--format", fmt], cwd=r.path,
                              capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert proc.returncode == 1, (fmt, proc.returncode, proc.stderr)
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr, proc.stderr
        if fmt == "text":
            text = proc.stdout.decode(encoding)
            assert "file renamed: README.md" in text
            continue
        out = proc.stdout.decode("utf-8")  # strict: valid UTF-8
        if fmt == "json":
            data = json.loads(out)
            assert data["branch"] == LATIN1_BRANCH  # the escape \udce9 reads back as the same name
            assert any("file renamed: README.md → READ ME.md" in f["message"] for f in data["findings"])
        elif fmt in ("sarif", "gitlab"):
            json.loads(out)


def test_output_file_and_explain_and_triage_on_odd_text(latin1_branch: Repo, tmp_path: Path) -> None:
    r = latin1_branch
    out = tmp_path / "report.json"
    proc = run_cli("check", "--format", "json", "--output", str(out), cwd=r.path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["branch"] == LATIN1_BRANCH
    ascii_env = {"PYTHONIOENCODING": "ascii"}
    for args in (["explain", "HG005"], ["explain", "HG007"], ["rules"]):
        proc = run_cli(*args, cwd=tmp_path, env=ascii_env)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
    answers = ["--set", "production_broken=yes", "--set", "core_features_unusable=yes", "--set", "data_loss=no",
               "--set", "security_breach=no", "--set", "feature_request=no"]
    title = os.fsdecode(b"Crash in caf\xe9 payments")
    for fmt in ("text", "markdown", "json"):
        proc = subprocess.run([sys.executable, "-m", "hotfix_guard", "triage", *answers, "--set", f"title={title}",
                               "--format", fmt], cwd=r.path, capture_output=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT), **ascii_env})
        assert proc.returncode == 0 and b"Traceback" not in proc.stderr, (fmt, proc.stderr)
    # the incident record: written whole (it used to be left half-written, and the next
    # run then refused to overwrite it)
    records = tmp_path / "records"
    proc = run_cli("triage", *answers, "--set", f"title={title}", "--write", str(records), cwd=r.path)
    assert proc.returncode == 0, proc.stderr
    [record] = records.iterdir()
    assert record.read_text(encoding="utf-8").startswith("# Incident: Crash in caf\\udce9 payments")


# -- a 50 MB diff ----------------------------------------------------------------------------


def peak_rss_of(args: list[str], cwd: Path) -> tuple[int, int]:
    """Exit code and peak resident memory (bytes) of the biggest process of a run:
    measured in a fresh wrapper so earlier children of the test process do not count."""
    wrapper = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "hotfix_guard", *args],
                          cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    code, rss = proc.stdout.split()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return int(code), int(rss) * scale


@pytest.mark.slow
def test_a_50_mb_diff_stays_within_bounded_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two Python files of 200,000 lines each, every line rewritten: a 50 MB diff
    (400,000 lines removed, 400,000 added) that every diff rule reads. Issue #15's goal
    is 150 MB at most: the patch is read piece by piece and only numbers and line
    fingerprints are kept. Measured (docs/reliability.md): about 85-100 MB, under 2x
    the diff; the bound asserted is the goal, 3x the diff."""
    r = make_repo(tmp_path / "big")
    line = "value_{k}_{i:07d} = compute({i}, 'some padding text here')\n"
    r.commit("Release", {f"src/gen{k}.py": "".join(line.format(k=k, i=i) for i in range(200_000))
                         for k in range(2)})
    r.tag("v1.2.3")
    r.checkout(HOTFIX, new=True)
    r.commit("Rewrite", {f"src/gen{k}.py": "".join(line.format(k=k, i=i).replace("compute(", "compute_safe(")
                                                   for i in range(200_000)) for k in range(2)})
    size = len(subprocess.run(["git", "diff", "main", "HEAD"], cwd=r.path, capture_output=True).stdout)
    assert 45e6 < size < 60e6
    code, rss = peak_rss_of(["check", "--format", "json"], r.path)
    assert code == 1
    with capsys.disabled():
        print(f"\n[memory] a {size / 1e6:.1f} MB diff: peak RSS {rss / 1e6:.0f} MB ({rss / size:.1f}x the diff)")
    assert rss < 3 * size, f"peak RSS {rss / 1e6:.0f} MB for a {size / 1e6:.0f} MB diff"
