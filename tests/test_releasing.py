"""What docs/releasing.md promises: one version in two places, and a release tag on
HEAD names that version (issue #16)."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT

import hotfix_guard


def test_the_package_version_is_written_once() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    [version] = re.findall(r'(?m)^version = "([^"]+)"$', pyproject)
    assert version == hotfix_guard.__version__


def test_a_release_tag_on_head_names_the_package_version() -> None:
    proc = subprocess.run(["git", "tag", "--points-at", "HEAD", "v*"], cwd=ROOT, capture_output=True, text=True)
    tags = [t for t in proc.stdout.split() if re.fullmatch(r"v\d+\.\d+\.\d+", t)]
    assert all(t == f"v{hotfix_guard.__version__}" for t in tags), tags
