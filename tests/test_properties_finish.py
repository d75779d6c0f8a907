"""Property test for ``finish --abort``: wherever a finish is interrupted, abort puts every
ref and HEAD back exactly as they were.

The interruptions are git's own: a ``reference-transaction`` hook refuses the Nth ref
update git prepares (a merge's commit, the tag, the branch's deletion, ORIG_HEAD...),
so finish is stopped at an arbitrary point inside any step, not only at the places it
expects trouble. A merge conflict and a second interruption during ``--continue`` are
drawn as well, and the user may have committed the conflicted merge before aborting.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import Repo, make_repo
from finish_helpers import HOTFIX, RECORD, clean_hotfix, finish_in_process, hook, state

bounded = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

INTERRUPT = """\
[ "$1" = prepared ] || exit 0
cat >/dev/null
n=$(cat {counter} 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > {counter}
[ "$n" = "$(cat {fail_at})" ] && {{ echo "interrupted at ref update $n" >&2; exit 1; }}
exit 0
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """main with releases, develop ahead, an open-able release branch, a clean hotfix."""
    r = make_repo(tmp_path / "template")
    r.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n", "README.md": "# app\n"})
    r.tag("v1.2.3")
    r.branch("develop")
    r.checkout("develop")
    r.commit("Add loyalty points", {"src/loyalty.py": "POINTS = 10\n"})
    r.checkout("main")
    clean_hotfix(r)
    return r.path


def interrupt_at(r: Repo, n: int | None) -> None:
    """Refuse the ``n``th ref update from now on (None: refuse none)."""
    hooks = r.path / ".git" / "hooks"
    (hooks / "counter").unlink(missing_ok=True)
    if n is None:
        (hooks / "reference-transaction").unlink(missing_ok=True)
        return
    (hooks / "fail-at").parent.mkdir(parents=True, exist_ok=True)
    (hooks / "fail-at").write_text(f"{n}\n")
    hook(r, "reference-transaction", INTERRUPT.format(counter=hooks / "counter", fail_at=hooks / "fail-at"))


@bounded
@given(
    first=st.integers(min_value=1, max_value=9),
    second=st.one_of(st.none(), st.integers(min_value=1, max_value=6)),
    conflict=st.sampled_from([None, "main", "develop"]),
    commit_the_conflict=st.booleans(),
    keep=st.booleans(),
    start=st.sampled_from(["hotfix", "develop", "detached"]),
    release=st.booleans(),
)
def test_abort_restores_every_ref_and_head(template: Path, tmp_path_factory: pytest.TempPathFactory, first: int,
                                           second: int | None, conflict: str | None, commit_the_conflict: bool,
                                           keep: bool, start: str, release: bool) -> None:
    path = tmp_path_factory.mktemp("finish") / "repo"
    shutil.copytree(template, path, symlinks=True)
    r = Repo(path)
    if release:
        r.branch("release/1.3.0", "develop")
    if conflict:
        r.checkout(conflict if not (conflict == "develop" and release) else "release/1.3.0")
        r.commit("Rework main()", {"src/app.py": "def main():\n    return 2\n"})
    r.checkout(HOTFIX)
    args = ["--keep"] if keep else []
    if start == "develop":
        r.checkout("develop")
        args.append(HOTFIX)
    elif start == "detached":
        r.git("checkout", "-q", "--detach", "main")
        args.append(HOTFIX)
    before = state(r)

    interrupt_at(r, first)
    code, out, err = finish_in_process(r, *args)
    assert "Traceback" not in err, err
    if code == 0:  # the interruption came after the last ref update: nothing to abort
        assert not (path / RECORD).exists()
        event("finished before the interruption")
        return
    assert code == 1, (out, err)
    assert (path / RECORD).exists(), out
    if second is not None and not (path / ".git" / "MERGE_HEAD").exists():
        interrupt_at(r, second)
        code, out, err = finish_in_process(r, "--continue")
        assert code in (0, 1), (out, err)
        if code == 0:
            return
    interrupt_at(r, None)
    if commit_the_conflict and (path / ".git" / "MERGE_HEAD").exists():
        r.write("src/app.py", "resolved\n")
        r.git("commit", "-q", "-a", "--no-edit")
    event("aborted " + ("during a merge" if (path / ".git" / "MERGE_HEAD").exists() else "between git commands"))
    code, out, err = finish_in_process(r, "--abort")
    assert code == 0, (out, err)
    assert state(r) == before, out
    assert not (path / RECORD).exists()
    assert not (path / ".git" / "MERGE_HEAD").exists()
    assert r.git("status", "--porcelain", "--untracked-files=no") == ""
