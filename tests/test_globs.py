"""Config globs: the cached translation matches exactly as pathspec's GitIgnoreSpec does,
and a warm run does not import pathspec at all."""

from __future__ import annotations

import os
import subprocess
import sys

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotfix_guard import globs
from hotfix_guard.config import DEFAULT_EXCLUDE, DEFAULT_TEST_GLOBS
from hotfix_guard.errors import ConfigError

from conftest import ROOT

POOL = ["*.py", "!tests/", "tests/", "tests/**", "docs/**", "!docs/keep.md", "**/vendor/**", "*.lock",
        "!x.lock", "src/", "!src/x.py", "a/**/d.txt", "test_*.py", "!*.py", "src/**", "!src/a/",
        "/root.py", "*.[jt]s", "**/tests/**", "?.md", "dir/*/x"]
PATHS = ["tests/a.py", "src/tests/b.py", "test_x.py", "a/test_x.py", "src/x.py", "go.sum", "a/b/yarn.lock",
         "x.lock", "vendor/a.go", "a/vendor/b.go", "foo.spec.ts", "x/conftest.py", "node_modules/a/b.js",
         "docs/a.md", "docs/keep.md", "a/tests/c/d.txt", "src/a/x.py", "root.py", "sub/root.py", "a.js",
         "b.md", "dir/q/x", "dir/q/r/x"]


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(globs, "_memory", None)


@pytest.mark.parametrize("patterns", [DEFAULT_TEST_GLOBS, DEFAULT_EXCLUDE], ids=["tests", "exclude"])
def test_defaults_agree_with_pathspec(patterns) -> None:
    ours = globs.compile_globs(patterns, "k")
    theirs = pathspec.GitIgnoreSpec.from_lines(list(patterns))
    for path in PATHS:
        assert ours.match_file(path) == theirs.match_file(path), path


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=6), st.sampled_from(PATHS))
def test_any_patterns_agree_with_pathspec(patterns, path) -> None:
    globs._memory = None
    ours = globs.compile_globs(patterns, "k")
    assert ours.match_file(path) == pathspec.GitIgnoreSpec.from_lines(patterns).match_file(path)


def test_invalid_glob_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"test-globs: invalid glob '\[z-a\]'"):
        globs.compile_globs(["ok/**", "[z-a]"], "test-globs")


def test_warm_run_does_not_import_pathspec(tmp_path) -> None:
    code = ("import sys; from hotfix_guard.globs import compile_globs; "
            "m = compile_globs(['tests/**', '*.lock'], 'k'); "
            "print(m.match_file('tests/a.py'), m.match_file('x/y.lock'), m.match_file('src/a.py'), "
            "'pathspec' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "c")}
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert cold.stdout.split() == ["True", "True", "False", "True"]
    assert warm.stdout.split() == ["True", "True", "False", "False"]
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, "HOTFIX_GUARD_NO_CACHE": "1"})
    assert off.stdout.split() == ["True", "True", "False", "True"]
