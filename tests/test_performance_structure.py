"""The structure behind the speed, guarded without timing anything.

- The every-commit path (a branch that is not a hotfix) imports none of the heavy
  modules: not the third-party ones (GitPython, rich, unidiff, pluggy, pathspec), and not
  the standard library's costly ones (importlib.metadata, dataclasses, argparse, typing,
  subprocess, re, ...). Run with ``python -I -S`` so the interpreter's own site hooks
  (a .pth that imports certifi, an editable-install finder) do not hide an import.
- A check spawns a bounded number of git processes, the same for a 5-commit and a
  200-commit hotfix: never one process per commit.
- Arguments a hook passes are read without argparse, into exactly what argparse gives.
- The built-in rules load without pluggy and importlib.metadata; an installed plugin
  still brings both in (checked in tests/test_plugins.py for behaviour).

docs/performance.md has the measured side.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, Repo, run_cli

HEAVY = (
    # third party
    "git", "rich", "unidiff", "pluggy", "pathspec",
    # standard library, each costly on the every-commit path (or importing something costly)
    "importlib.metadata", "dataclasses", "inspect", "argparse", "gettext", "typing", "subprocess",
    "re", "enum", "locale", "threading", "tomllib", "json", "email", "pathlib", "traceback",
)
# Rather than a fixed list of allowed modules (which every new feature would have to
# touch), the denylist above plus a ceiling on how many modules the path adds at all.
MAX_NEW_MODULES = 32  # about 25 today, os and friends included (-S loads none)

PROBE = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    before = set(sys.modules)
    from hotfix_guard.cli import main
    code = main({argv!r})
    sys.stdout.flush()
    new = sorted(set(sys.modules) - before)
    print("NEW", len(new), " ".join(new))
    print("HEAVY", " ".join(m for m in {heavy!r} if m in sys.modules))
    raise SystemExit(code)
""")


def probe_imports(cwd: Path, argv: list[str], stdin: str | None = None,
                  env: dict[str, str] | None = None) -> tuple[list[str], list[str], str]:
    """Run main(argv) in a bare interpreter: (modules it added, heavy ones loaded, stdout)."""
    code = PROBE.format(root=str(ROOT), argv=argv, heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    new_line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("NEW "))
    heavy_line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("HEAVY"))
    return new_line.split()[2:], heavy_line.split()[1:], proc.stdout


@pytest.mark.parametrize("argv", [
    ["check", "--stage", "pre-commit"],
    ["check"],
    ["check", "--stage=pre-commit", "--format", "text"],
])
def test_non_hotfix_path_imports_nothing_heavy(project: Repo, argv: list[str]) -> None:
    project.checkout("feature/loyalty", new=True)
    new, heavy, out = probe_imports(project.path, argv)
    assert "nothing to check" in out
    assert heavy == [], f"the every-commit path imported {heavy}"
    assert len(new) <= MAX_NEW_MODULES, new


def test_production_branch_at_pre_commit_is_light_too(project: Repo) -> None:
    new, heavy, out = probe_imports(project.path, ["check", "--stage", "pre-commit"])
    assert "merge-back rules run at pre-push" in out
    assert heavy == []


def test_pyproject_without_our_table_is_not_parsed(project: Repo) -> None:
    project.write("pyproject.toml", '[project]\nname = "app"\nversion = "1.0"\n')
    project.checkout("feature/loyalty", new=True)
    _, heavy, _ = probe_imports(project.path, ["check", "--stage", "pre-commit"])
    assert "tomllib" not in heavy and heavy == []


def test_pre_push_of_non_hotfix_refs_is_light(project: Repo) -> None:
    project.checkout("feature/loyalty", new=True)
    sha = project.sha()
    line = f"refs/heads/feature/loyalty {sha} refs/heads/feature/loyalty {'0' * 40}\n"
    _, heavy, out = probe_imports(project.path, ["check", "--stage", "pre-push"], stdin=line)
    assert heavy == [] and "nothing to check" in out


def test_builtin_rules_load_without_pluggy_or_importlib_metadata(project: Repo) -> None:
    """A hotfix check with no third-party plugin installed: the hook functions of the
    built-ins are called directly."""
    project.checkout("hotfix/v1.2.4-fix-payment-crash", new=True, start="main")
    project.commit("Fix payment crash", {"src/app.py": "# HOTFIX v1.2.4: guard\n"})
    _, heavy, out = probe_imports(project.path, ["check", "--select", "HG001,HG002,HG003"])
    assert "all checks passed" in out, out
    assert "pluggy" not in heavy and "importlib.metadata" not in heavy, heavy


# -- the fast reading of arguments ------------------------------------------------------

FAST_FORMS = [
    ["check"],
    ["check", "--stage", "pre-commit"],
    ["check", "--stage=pre-push", "--format", "json"],
    ["check", "--select", "HG001,HG002", "--ignore", "HG003", "--exit-zero"],
    ["check", "--select", "HG001", "--select", "branch-name", "--extend-select=HG0"],
    ["check", "--branch", "hotfix/v1.2.4-x", "--head", "abc", "--base", "def", "--output", "out.txt",
     "--config", "c.toml", "--deepen", "--debug"],
    ["check", "-q", "--color", "never", "--statistics"],
    ["check", "--quiet", "--color=always"],
]
ARGPARSE_FORMS = [
    ["check", "--help"], ["check", "-h"], ["check", "--stag", "pre-commit"], ["check", "--stage", "nightly"],
    ["check", "--select"], ["check", "--exit-zero=1"], ["check", "positional"], ["rules"], ["--version"], [],
    ["check", "--branch", "--stage"], ["check", "--", "x"], ["check", "-qq"], ["check", "--color", "sometimes"],
]


@pytest.mark.parametrize("argv", FAST_FORMS)
def test_fast_arguments_equal_argparse(argv: list[str]) -> None:
    from hotfix_guard.cli import build_parser, fast_args

    fast = fast_args(argv)
    assert fast is not None, argv
    slow = build_parser(argv[0]).parse_args(argv)
    assert vars(fast) == vars(slow)


@pytest.mark.parametrize("argv", ARGPARSE_FORMS)
def test_anything_else_goes_to_argparse(argv: list[str]) -> None:
    from hotfix_guard.cli import fast_args

    assert fast_args(argv) is None


def test_errors_still_come_from_argparse(project: Repo) -> None:
    proc = run_cli("check", "--stage", "nightly", cwd=project.path)
    assert proc.returncode == 2 and "invalid choice: 'nightly'" in proc.stderr


# -- git processes per check --------------------------------------------------------------

def add_commits(repo: Repo, branch: str, start: str, n: int, version: str = "1.2.4") -> str:
    """``n`` commits on a new ``branch`` from ``start`` in one git fast-import: each
    rewrites src/app.py with a HOTFIX marker and names a ticket."""
    parent = repo.sha(start)
    parts = []
    for k in range(1, n + 1):
        body = f"def main():\n    # HOTFIX v{version}: guard step {k}\n    return {k}\n".encode()
        message = f"Harden the payment path, step {k}\n\nFollow-up: PAY-{k}\n".encode()
        parts.append(b"commit refs/heads/" + branch.encode() + b"\n")
        parts.append(b"committer Dev <dev@example.com> %d +0000\n" % (1_700_000_000 + 60 * k))
        parts.append(b"data %d\n%s\n" % (len(message), message))
        if k == 1:
            parts.append(b"from " + parent.encode() + b"\n")
        parts.append(b"M 100644 inline src/app.py\ndata %d\n%s\n" % (len(body), body))
    proc = subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.path, input=b"".join(parts),
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    return repo.sha(branch)


def git_calls(repo: Repo, *args: str, stdin: str | None = None) -> list[str]:
    proc = run_cli(*args, cwd=repo.path, input=stdin, env={"HOTFIX_GUARD_TRACE_GIT": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("git ")]


MAX_GIT_CALLS = 16  # a hotfix check; rules that need the same range share one call


@pytest.fixture
def two_hotfixes(project: Repo) -> Repo:
    add_commits(project, "hotfix/v1.2.4-fix-few", "main", 5)
    add_commits(project, "hotfix/v1.2.4-fix-many", "main", 200)
    return project


@pytest.mark.parametrize("stage", ["manual", "pre-commit", "ci"])
def test_git_calls_do_not_grow_with_the_commits(two_hotfixes: Repo, stage: str) -> None:
    counts = {}
    for branch in ("hotfix/v1.2.4-fix-few", "hotfix/v1.2.4-fix-many"):
        two_hotfixes.checkout(branch)
        args = ["check", "--stage", stage] + (["--branch", branch] if stage == "ci" else [])
        counts[branch] = git_calls(two_hotfixes, *args)
    few, many = counts.values()
    assert len(few) == len(many), (few, many)
    assert len(many) <= MAX_GIT_CALLS, many


def test_git_calls_at_pre_push_do_not_grow_with_the_commits(two_hotfixes: Repo) -> None:
    def push(branch: str) -> list[str]:
        sha = two_hotfixes.sha(branch)
        return git_calls(two_hotfixes, "check", "--stage", "pre-push",
                         stdin=f"refs/heads/{branch} {sha} refs/heads/{branch} {'0' * 40}\n")

    few, many = push("hotfix/v1.2.4-fix-few"), push("hotfix/v1.2.4-fix-many")
    assert len(few) == len(many), (few, many)
    assert len(many) <= MAX_GIT_CALLS
    both = git_calls(two_hotfixes, "check", "--stage", "pre-push", stdin="".join(
        f"refs/heads/{b} {two_hotfixes.sha(b)} refs/heads/{b} {'0' * 40}\n"
        for b in ("hotfix/v1.2.4-fix-few", "hotfix/v1.2.4-fix-many")))
    assert len(both) < 2 * len(many), "two pushed refs share the repository-wide lookups"


def test_the_every_commit_path_is_one_git_call(project: Repo) -> None:
    project.checkout("feature/loyalty", new=True)
    calls = git_calls(project, "check", "--stage", "pre-commit")
    assert len(calls) == 1 and calls[0].startswith("git rev-parse"), calls


def test_a_rule_that_is_not_selected_costs_no_git_call(two_hotfixes: Repo) -> None:
    two_hotfixes.checkout("hotfix/v1.2.4-fix-many")
    everything = git_calls(two_hotfixes, "check")
    name_only = git_calls(two_hotfixes, "check", "--select", "branch-name")
    assert len(name_only) < len(everything)
    # (reading the range's commits for suppression trailers is bookkeeping, not a rule's work)
    assert not any(c.startswith(("git rev-list", "git diff", "git cat-file")) or "--merged" in c
                   for c in name_only), name_only


def test_no_porcelain(two_hotfixes: Repo) -> None:
    """Plumbing only: porcelain output is for people and slower (status, branch, show)."""
    two_hotfixes.checkout("hotfix/v1.2.4-fix-many")
    two_hotfixes.stage({"src/app.py": "def main():\n    # HOTFIX v1.2.4: staged\n    return 0\n"})
    calls = git_calls(two_hotfixes, "check", "--stage", "pre-commit")
    porcelain = [c for c in calls if c.split()[1] in ("status", "branch", "show", "checkout", "describe")]
    assert porcelain == []


def test_audit_git_calls_do_not_grow_with_the_commits(project: Repo) -> None:
    """Once `audit` exists: the same hotfixes, 10 or 300 development commits around them,
    the same number of git processes."""
    probe = run_cli("audit", cwd=project.path)
    if probe.returncode == 2 and ("not built yet" in probe.stderr or "invalid choice" in probe.stderr):
        pytest.skip("`hotfix-guard audit` is not in this checkout")
    counts = []
    for n in (10, 300):
        add_commits(project, f"develop-{n}", "develop", n)
        project.git("branch", "-f", "develop", f"develop-{n}")
        project.git("branch", "-D", f"develop-{n}")
        counts.append(len(git_calls(project, "audit")))
    assert counts[0] == counts[1], counts


# -- the gateway (the process plumbing itself: tests/test_process.py) -------------------

def test_gateway_round_trip_on_large_objects(repo: Repo) -> None:
    import hashlib

    from hotfix_guard.git import Git

    blob = os.urandom(1 << 20)
    git = Git(str(repo.path))
    _, out, _ = git.run_bytes(["hash-object", "-w", "--stdin"], input=blob)
    sha = out.decode().strip()
    assert sha == hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest()
    code, out, _ = git.run_bytes(["cat-file", "blob", sha])
    assert code == 0 and out == blob
    assert git.calls == 2


def test_git_missing_from_path_is_a_clean_error(project: Repo) -> None:
    proc = run_cli("check", cwd=project.path, env={"PATH": str(project.path / "no-such-dir")})
    assert proc.returncode == 2 and "git was not found on PATH" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_answers_about_commit_ids_are_asked_once(project: Repo) -> None:
    from hotfix_guard.git import Git

    git = Git(str(project.path))
    main, dev = project.sha("main"), project.sha("develop")
    first = git.commits(dev, f"^{main}")
    first.clear()  # a caller changing its list changes nothing for the next one
    again = git.commits(dev, f"^{main}")
    assert len(again) == 2 and git.calls == 1
    git.commits("develop", "^main")  # names, not ids: may change, asked each time
    git.commits("develop", "^main")
    assert git.calls == 3


# -- the validated-config cache -------------------------------------------------------------

def age(path: Path, seconds: int = 60) -> None:
    """Back-date a file (the cache is keyed on content, so this must change nothing)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns - seconds * 10**9, st.st_mtime_ns - seconds * 10**9))


def test_a_valid_config_is_parsed_once(project: Repo) -> None:
    cfg = project.write(".hotfix-guard.toml", 'hotfix-prefix = "fix/"\nignore = ["HG003"]\n')
    age(cfg)
    project.checkout("feature/loyalty", new=True)
    _, heavy, out = probe_imports(project.path, ["check", "--stage", "pre-commit"])
    assert "tomllib" in heavy and "nothing to check" in out  # read, validated, kept
    _, heavy, out = probe_imports(project.path, ["check", "--stage", "pre-commit"])
    assert heavy == [] and "nothing to check" in out  # from the cache: no tomllib, typing, re
    project.checkout("fix/v1.2.4-crash", new=True, start="main")
    _, _, out = probe_imports(project.path, ["check", "--stage", "pre-commit", "--select", "HG002"])
    assert "all checks passed" in out  # the cached hotfix-prefix classifies the branch


def test_a_changed_config_is_read_again(project: Repo) -> None:
    cfg = project.write(".hotfix-guard.toml", 'hotfix-prefix = "fix/"\n')
    age(cfg, 120)
    project.checkout("feature/loyalty", new=True)
    probe_imports(project.path, ["check"])
    probe_imports(project.path, ["check"])
    cfg.write_text('hotfix-prefix = "feature/"\n')
    age(cfg, 60)  # a different mtime, even if the size matched
    proc = run_cli("check", "--select", "HG002", cwd=project.path)
    assert "feature/loyalty` does not follow" in proc.stdout, proc.stdout + proc.stderr


def test_a_config_edited_with_its_size_and_mtime_restored_is_read_again(project: Repo) -> None:
    """`cp -p`, `rsync -t` and tar put the old mtime back after an edit: a cache keyed on
    the file's stat would go on applying the old policy -- a silent pass (issue #13.12)."""
    cfg = project.write(".hotfix-guard.toml", 'hotfix-prefix = "fix/"\n')
    age(cfg, 120)
    project.checkout("feature/loyalty", new=True)
    for _ in range(2):
        _, heavy, out = probe_imports(project.path, ["check", "--stage", "pre-commit"])
    assert heavy == [] and "nothing to check" in out  # served from the cache
    before = cfg.stat()
    cfg.write_text('hotfix-prefix = "fax/"\n')  # same size, a new policy
    os.utime(cfg, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cfg.stat().st_size == before.st_size and cfg.stat().st_mtime_ns == before.st_mtime_ns
    project.checkout("fax/v1.2.4-crash", new=True, start="main")
    proc = run_cli("check", "--select", "HG002", cwd=project.path)
    assert "fax/v1.2.4-crash" in proc.stdout and "nothing to check" not in proc.stdout, proc.stdout + proc.stderr


def test_an_invalid_config_is_never_cached(project: Repo) -> None:
    cfg = project.write(".hotfix-guard.toml", 'hotfix-prefix = 3\n')
    age(cfg)
    project.checkout("feature/loyalty", new=True)
    for _ in range(2):
        proc = run_cli("check", cwd=project.path)
        assert proc.returncode == 2 and "hotfix-prefix: expected a string" in proc.stderr


def test_the_cache_can_be_turned_off_or_unwritable(project: Repo, tmp_path: Path) -> None:
    cfg = project.write(".hotfix-guard.toml", 'ignore = ["HG011"]\n')
    age(cfg)
    project.checkout("feature/loyalty", new=True)
    off = {"HOTFIX_GUARD_NO_CACHE": "1"}
    for _ in range(2):
        _, heavy, _ = probe_imports(project.path, ["check"], env=off)
        assert "tomllib" in heavy
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory would go")
    env = {"XDG_CACHE_HOME": str(blocked)}
    for _ in range(2):
        _, heavy, out = probe_imports(project.path, ["check"], env=env)
        assert "tomllib" in heavy and "nothing to check" in out


# -- commit-graph friendly queries ------------------------------------------------------------

def latest_both_ways(repo: Repo) -> tuple[object, object]:
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context, resolve_refs
    from hotfix_guard.git import Git

    git = Git(str(repo.path))
    info, settings = git.info(), Settings()
    refs = resolve_refs(git, settings)

    def ctx() -> Context:
        return Context(git, info, settings, stage="manual", branch="hotfix/v1.2.4-x", kind="hotfix",
                       head=refs.production.sha, refs=refs)

    walked = ctx()
    tags = walked.release_tags
    return ctx().latest_release, ((tags[0][0], tags[0][1]) if tags else None)


@pytest.mark.parametrize("off_production", [0, 1, 5])
def test_latest_release_without_walking_history_gives_the_same_answer(project: Repo, off_production: int) -> None:
    """Higher release tags that are not on production (on develop, say) are passed over;
    more of them than the probes allow fall back to the full walk."""
    project.tag("v1.2.5-rc1", "main")  # a pre-release is never a release
    for i in range(off_production):
        project.tag(f"v1.{3 + i}.0", "develop")
    fast, walked = latest_both_ways(project)
    assert fast == walked and str(fast[0]) == "1.2.3", (fast, walked)


def test_a_clean_hotfix_check_does_not_walk_all_history(project: Repo) -> None:
    add_commits(project, "hotfix/v1.2.4-fix-crash", "main", 3)
    project.checkout("hotfix/v1.2.4-fix-crash")
    calls = git_calls(project, "check", "--select", "HG002,HG003")
    assert not any("--merged" in c or "is-ancestor" in c for c in calls), calls  # the tag is main's tip
    project.checkout("main")
    project.commit("After the release", {"README.md": "# later\n"})
    project.checkout("hotfix/v1.2.4-fix-crash")
    calls = git_calls(project, "check", "--select", "HG002,HG003")
    assert not any("--merged" in c for c in calls), calls
    assert sum("merge-base --is-ancestor" in c for c in calls) == 1, calls


def test_two_installations_do_not_evict_each_other(project: Repo, tmp_path: Path) -> None:
    """Two copies of hotfix-guard (a venv's and the pre-commit framework's, say) used in
    turn each keep their cached config."""
    import shutil

    other = tmp_path / "other"
    shutil.copytree(ROOT / "hotfix_guard", other / "hotfix_guard")
    os.utime(other / "hotfix_guard" / "config.py", ns=(10**18, 10**18))  # a different stat
    cfg = project.write(".hotfix-guard.toml", 'ignore = ["HG001"]\n')
    age(cfg)
    project.checkout("feature/loyalty", new=True)

    def heavy_with(root: Path) -> list[str]:
        code = PROBE.format(root=str(root), argv=["check"], heavy=HEAVY)
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=project.path, capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stderr
        return next(ln for ln in proc.stdout.splitlines() if ln.startswith("HEAVY")).split()[1:]

    heavy_with(ROOT), heavy_with(other)  # each reads and caches
    assert heavy_with(ROOT) == [] and heavy_with(other) == []


# -- the benchmark's own scenarios stay what they claim ----------------------------------------

def test_bench_small_repository_is_a_clean_hotfix_and_a_quiet_feature_branch(tmp_path: Path) -> None:
    """bench/synth.py's small project: the staged 50-line hotfix passes every rule, and
    the feature worktree is the every-commit path. If a new rule makes the hotfix
    unclean, the benchmark would time a failing check: fix the scenario, not the rule."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import synth
    finally:
        sys.path.remove(str(ROOT / "bench"))
    info = synth.build_small(str(tmp_path / "small"))
    assert synth.staged_lines(str(tmp_path / "small")) == 50
    proc = run_cli("check", "--stage", "pre-commit", cwd=tmp_path / "small")
    assert proc.returncode == 0 and "all checks passed" in proc.stdout, proc.stdout + proc.stderr
    assert "warning" not in proc.stdout
    proc = run_cli("check", "--stage", "pre-commit", cwd=info["feature_worktree"])
    assert proc.returncode == 0 and "nothing to check" in proc.stdout


# -- answers read off what git already said ---------------------------------------------------

def merge_base_both_ways(repo: Repo, head: str, base: str = "main") -> tuple[str, str, int]:
    """(merge base read off the listed range, git merge-base's answer, git calls it took)."""
    from hotfix_guard.config import Settings
    from hotfix_guard.engine.context import Context, resolve_refs
    from hotfix_guard.git import Git

    git = Git(str(repo.path))
    info, settings = git.info(), Settings()
    refs = resolve_refs(git, settings)
    ctx = Context(git, info, settings, stage="manual", branch="hotfix/v1.2.4-x", kind="hotfix",
                  head=repo.sha(head), refs=refs, base=repo.sha(base))
    ctx.commits  # as HG001 and the suppressions list the range before the diff rules run
    before = git.calls
    derived = ctx.merge_base
    return derived, repo.git("merge-base", repo.sha(base), repo.sha(head)).strip(), git.calls - before


def test_merge_base_of_a_linear_hotfix_needs_no_git_call(project: Repo) -> None:
    add_commits(project, "hotfix/v1.2.4-x", "main", 3)
    project.checkout("main")
    project.commit("Production moved on", {"README.md": "# moved\n"})
    derived, asked, calls = merge_base_both_ways(project, "hotfix/v1.2.4-x")
    assert derived == asked == project.sha("main~1") and calls == 0


def test_merge_base_of_a_branch_already_in_production_is_its_head(project: Repo) -> None:
    derived, asked, calls = merge_base_both_ways(project, "main~1")
    assert derived == asked == project.sha("main~1") and calls == 0


def test_merge_base_with_several_ways_out_of_the_range_asks_git(project: Repo) -> None:
    """A hotfix that merged production back in after it moved: two boundary commits."""
    add_commits(project, "hotfix/v1.2.4-x", "main", 2)
    project.checkout("main")
    project.commit("Production moved on", {"README.md": "# moved\n"})
    project.checkout("hotfix/v1.2.4-x")
    project.merge("main", message="Merge main into the hotfix")
    derived, asked, calls = merge_base_both_ways(project, "hotfix/v1.2.4-x")
    assert derived == asked and calls == 1


def test_a_pre_push_of_a_linear_hotfix_asks_each_question_once(two_hotfixes: Repo) -> None:
    """The pushed commit is checked once (cat-file), not again by rev-parse; the merge base
    comes from the range HG001 listed."""
    sha = two_hotfixes.sha("hotfix/v1.2.4-fix-many")
    calls = git_calls(two_hotfixes, "check", "--stage", "pre-push",
                      stdin=f"refs/heads/hotfix/v1.2.4-fix-many {sha} refs/heads/hotfix/v1.2.4-fix-many {'0' * 40}\n")
    verbs = [c.split()[1] if c.split()[1] != "-c" else "diff" for c in calls]
    assert "merge-base" not in verbs and "rev-parse" not in verbs[1:], calls
    # one log of the change, one of development's commits beyond production (HG001)
    assert verbs.count("log") == 2 and verbs.count("diff") == 1, calls
    assert len(set(c for c in calls if c.split()[1] == "log")) == 2, calls


# -- queries started early --------------------------------------------------------------------

STOPPED = "git (started, never asked for, stopped)"


@pytest.mark.parametrize("stage", ["manual", "pre-commit", "pre-push", "ci"])
def test_every_query_started_early_is_used(two_hotfixes: Repo, stage: str) -> None:
    branch = "hotfix/v1.2.4-fix-many"
    two_hotfixes.checkout(branch)
    stdin = None
    args = ["check", "--stage", stage]
    if stage == "pre-push":
        stdin = f"refs/heads/{branch} {two_hotfixes.sha(branch)} refs/heads/{branch} {'0' * 40}\n"
    if stage == "ci":
        args += ["--branch", branch]
    proc = run_cli(*args, cwd=two_hotfixes.path, input=stdin, env={"HOTFIX_GUARD_TRACE_GIT": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    calls = [ln for ln in proc.stderr.splitlines() if ln.startswith("git ")]
    assert not any(c.startswith(STOPPED) for c in calls), calls
    assert len(calls) == len(set(calls)), "a query ran twice: started early, then asked again"


def test_a_rule_that_needs_nothing_starts_nothing(two_hotfixes: Repo) -> None:
    two_hotfixes.checkout("hotfix/v1.2.4-fix-many")
    calls = git_calls(two_hotfixes, "check", "--select", "branch-name")
    # (the suppressions still read the range's commits for trailers: bookkeeping, asked when needed)
    assert not any(c.startswith(("git rev-list", "git for-each-ref --format=%(refname:strip=2)", STOPPED))
                   or " diff " in c for c in calls), calls


def test_a_started_query_nobody_asks_for_is_stopped_and_reaped(project: Repo) -> None:
    from hotfix_guard.git import Git

    git = Git(str(project.path))
    git.start("rev-list", "--all")
    (started,), pid = git._started.values(), None
    pid = started.pid
    git.close()
    assert git._started == {}
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already: no zombie left behind


def test_a_started_query_that_fails_fails_when_asked(project: Repo) -> None:
    from hotfix_guard.errors import GitError
    from hotfix_guard.git import Git

    git = Git(str(project.path))
    git.start("rev-list", "no-such-branch")
    with pytest.raises(GitError):
        git.run("rev-list", "no-such-branch")
    assert git.calls == 1 and git._started == {}


def test_the_program_still_runs_exit_functions_and_flushes(project: Repo) -> None:
    """entry() leaves out the interpreter's teardown, not what an exit owes the user."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: sys.stdout.write('exit function ran\\n'))\n"
            "sys.argv = ['hotfix-guard', 'rules']\n"
            "from hotfix_guard.cli import entry\n"
            "entry()\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=project.path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "HG001" in proc.stdout and proc.stdout.endswith("exit function ran\n")


def test_a_started_query_with_more_input_than_a_pipe_holds(project: Repo) -> None:
    """What the pipe does not take at start is fed when the query is collected."""
    from hotfix_guard.git import Git

    git = Git(str(project.path))
    names = [project.sha("main"), "0" * 40] * 20000  # ~1.6 MB of input, many times a pipe's buffer
    git.start_object_types(names)
    (started,) = git._started.values()
    assert started.pending, "the pipe took it all: the test no longer tests the remainder"
    kinds = git.object_types(names)
    assert kinds == {project.sha("main"): "commit", "0" * 40: None} and git.calls == 1
