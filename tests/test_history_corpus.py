"""The history shapes of issue #14, each built for real in tmp_path: what `audit --format
json` and `status` call a hotfix there, and their verdict on each.

Every shape lists the hotfixes it holds (identity: name, version, how it reached
production; verdict: the HG008/HG009 findings) and the things that are not hotfixes
(releases, the first release tag) that must not be listed. One test holds `audit` and
`status` together over the whole corpus: for every hotfix, the checklist's "tagged" and
"merged into development" items say exactly what audit's findings say.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest
from conftest import Repo, make_repo, run_cli
from mergeback_helpers import audit_json, by_name

from hotfix_guard.history.versions import Version, parse_hotfix_branch


class Expect(NamedTuple):
    version: str | None
    production: str | None  # how it reached production, None: it did not
    findings: tuple[str, ...] = ()
    tag_state: str | None = None  # as audit's JSON says, when it matters
    unreadable: bool = False


class Shape(NamedTuple):
    repo: Repo
    hotfixes: dict[str, Expect]  # in audit's order
    absent: tuple[str, ...] = ()  # names that are no hotfix


def _base(tmp_path: Path, first: str = "v1.0.0", *, prefix: str = "v") -> Repo:
    """main with its first release, develop ahead by one commit; HEAD on main."""
    r = make_repo(tmp_path / "repo")
    if prefix != "v":
        r.write(".hotfix-guard.toml", f'tag-prefix = "{prefix}"\n')
        r.git("add", ".hotfix-guard.toml")
    r.commit("Initial commit", {"src/app.py": "def main():\n    return 0\n"})
    r.tag(first)
    r.checkout("develop", new=True)
    r.commit("Add a feature", {"src/feature.py": "FEATURE = 1\n"})
    r.checkout("main")
    return r


def _hotfix(r: Repo, branch: str, version: str, *, start: str = "main", name: str | None = None) -> str:
    """A hotfix branch with one fix commit that carries its marker; HEAD on it."""
    r.checkout(branch, new=True, start=start)
    slug = name or branch.rsplit("/", 1)[-1]
    return r.commit(f"Fix {slug}", {f"src/{slug}.py": f"# HOTFIX v{version}: {slug}\nFIXED = True\n"})


def _merge(r: Repo, into: str, branch: str, message: str | None = None) -> str:
    r.checkout(into)
    default = f"Merge branch '{branch}'" + ("" if into == "main" else f" into {into}")
    r.git("merge", "-q", "--no-ff", branch, "-m", message or default)
    return r.sha()


def _release(r: Repo, version: str, *, tag_tip: bool = False) -> str:
    """A git-flow release: release/<version> from develop, merged into main (tagged) and back."""
    branch = f"release/{version}"
    r.checkout(branch, new=True, start="develop")
    r.commit(f"Bump version to {version}", {"VERSION": f"{version}\n"})
    if tag_tip:
        r.tag(f"v{version}")
    merge = _merge(r, "main", branch)
    if not tag_tip:
        r.tag(f"v{version}", merge)
    _merge(r, "develop", branch)
    r.git("branch", "-D", branch)
    r.checkout("main")
    return merge


# -- the shapes ------------------------------------------------------------------------------


def no_ff_merges(tmp_path: Path) -> Shape:
    """git-flow by the book: a release, then a hotfix merged --no-ff into both, tagged."""
    r = _base(tmp_path)
    _release(r, "1.1.0")
    _hotfix(r, "hotfix/v1.1.1-fix-crash", "1.1.1")
    r.tag("v1.1.1", _merge(r, "main", "hotfix/v1.1.1-fix-crash"))
    _merge(r, "develop", "hotfix/v1.1.1-fix-crash")
    r.git("branch", "-D", "hotfix/v1.1.1-fix-crash")
    r.checkout("main")
    return Shape(r, {"hotfix/v1.1.1-fix-crash": Expect("1.1.1", "merge", tag_state="ok")},
                 absent=("v1.0.0", "v1.1.0"))


def patch_releases(tmp_path: Path) -> Shape:
    """Patch releases cut as release branches are releases, tagged on the merge or on the
    release branch's tip; the first release tag is a patch too and still no hotfix."""
    r = _base(tmp_path, first="v1.0.1")
    _release(r, "1.0.2")
    _release(r, "1.0.3", tag_tip=True)
    _hotfix(r, "hotfix/v1.0.4-fix-crash", "1.0.4")
    r.tag("v1.0.4", _merge(r, "main", "hotfix/v1.0.4-fix-crash"))
    _merge(r, "develop", "hotfix/v1.0.4-fix-crash")
    r.git("branch", "-D", "hotfix/v1.0.4-fix-crash")
    r.checkout("main")
    return Shape(r, {"hotfix/v1.0.4-fix-crash": Expect("1.0.4", "merge", tag_state="ok")},
                 absent=("v1.0.1", "v1.0.2", "v1.0.3"))


def pull_request_tagged(tmp_path: Path) -> Shape:
    """A hotfix landed by pull request, its branch naming no version, the tag on the
    merge commit: one hotfix, its version from the tag."""
    r = _base(tmp_path)
    _hotfix(r, "hotfix/plex-host", "1.0.1")
    merge = _merge(r, "main", "hotfix/plex-host", "Merge pull request #3179 from org/hotfix/plex-host\n\nFix plex")
    r.tag("v1.0.1", merge)
    _merge(r, "develop", "hotfix/plex-host", "Merge pull request #3180 from org/hotfix/plex-host")
    r.git("branch", "-D", "hotfix/plex-host")
    r.checkout("main")
    return Shape(r, {"hotfix/plex-host": Expect("1.0.1", "merge", tag_state="ok")}, absent=("v1.0.1",))


def lightweight_unprefixed(tmp_path: Path) -> Shape:
    """tag-prefix "": tags 1.0.0 and 1.0.1, the hotfix's lightweight; a second hotfix
    annotated and fine."""
    r = _base(tmp_path, first="1.0.0", prefix="")
    _hotfix(r, "hotfix/1.0.1-fix-crash", "1.0.1")
    r.tag("1.0.1", _merge(r, "main", "hotfix/1.0.1-fix-crash"), annotated=False)
    _merge(r, "develop", "hotfix/1.0.1-fix-crash")
    _hotfix(r, "hotfix/1.0.2-fix-login", "1.0.2")
    r.tag("1.0.2", _merge(r, "main", "hotfix/1.0.2-fix-login"))
    _merge(r, "develop", "hotfix/1.0.2-fix-login")
    for b in ("hotfix/1.0.1-fix-crash", "hotfix/1.0.2-fix-login"):
        r.git("branch", "-D", b)
    r.checkout("main")
    return Shape(r, {"hotfix/1.0.1-fix-crash": Expect("1.0.1", "merge", ("HG009",), "lightweight"),
                     "hotfix/1.0.2-fix-login": Expect("1.0.2", "merge", tag_state="ok")},
                 absent=("1.0.0",))


def four_part(tmp_path: Path) -> Shape:
    """Four-part versions (SPEC §7: the last part is the patch), and a branch that
    carries its version without the tag prefix."""
    r = _base(tmp_path, first="v0.1.7")
    _hotfix(r, "hotfix/v0.1.7.1-fix-crash", "0.1.7.1")
    r.tag("v0.1.7.1", _merge(r, "main", "hotfix/v0.1.7.1-fix-crash"))
    _merge(r, "develop", "hotfix/v0.1.7.1-fix-crash")
    _hotfix(r, "hotfix/0.1.7.2", "0.1.7.2", name="second")
    _merge(r, "main", "hotfix/0.1.7.2")  # untagged, not in develop
    for b in ("hotfix/v0.1.7.1-fix-crash", "hotfix/0.1.7.2"):
        r.git("branch", "-D", b)
    r.checkout("main")
    return Shape(r, {"hotfix/v0.1.7.1-fix-crash": Expect("0.1.7.1", "merge", tag_state="ok"),
                     "hotfix/0.1.7.2": Expect("0.1.7.2", "merge", ("HG008", "HG009"), "missing")},
                 absent=("v0.1.7",))


def production_moved_onto_develop(tmp_path: Path) -> Shape:
    """Production later set to develop: one hotfix's merge (and tag) left production,
    which has the hotfix through develop's merge of it; another's merge stayed in
    production, off its first-parent line (develop had merged main)."""
    r = _base(tmp_path, first="v2.8.0")
    _hotfix(r, "hotfix/v2.8.1-fix-crash", "2.8.1")
    r.tag("v2.8.1", _merge(r, "main", "hotfix/v2.8.1-fix-crash"))
    _merge(r, "develop", "hotfix/v2.8.1-fix-crash")
    r.commit("More work", {"src/more.py": "MORE = 1\n"})
    r.git("branch", "-f", "main", "develop")  # main moved onto develop, leaving its merge behind
    _hotfix(r, "hotfix/v2.8.2-fix-login", "2.8.2")
    r.tag("v2.8.2", _merge(r, "main", "hotfix/v2.8.2-fix-login"))
    r.checkout("develop")
    r.git("merge", "-q", "--no-ff", "main", "-m", "Merge branch 'main' into develop")
    r.commit("Even more work", {"src/even.py": "EVEN = 1\n"})
    r.checkout("main")
    r.git("merge", "-q", "--ff-only", "develop")  # the merge is now off main's first-parent line
    for b in ("hotfix/v2.8.1-fix-crash", "hotfix/v2.8.2-fix-login"):
        r.git("branch", "-D", b)
    return Shape(r, {"hotfix/v2.8.1-fix-crash": Expect("2.8.1", "merge", ("HG009",), "not-on-production"),
                     "hotfix/v2.8.2-fix-login": Expect("2.8.2", "merge", tag_state="ok")},
                 absent=("v2.8.0",))


def stale_release_branch(tmp_path: Path) -> Shape:
    """A release branch merged long ago and never deleted (main merged into it since) is
    not open: a hotfix merged into develop is merged back."""
    r = _base(tmp_path)
    r.checkout("release/1.1.0", new=True, start="develop")
    r.commit("Bump version to 1.1.0", {"VERSION": "1.1.0\n"})
    r.tag("v1.1.0", _merge(r, "main", "release/1.1.0"))
    _merge(r, "develop", "release/1.1.0")
    _merge(r, "release/1.1.0", "main", "Merge branch 'main' into release/1.1.0")
    _hotfix(r, "hotfix/v1.1.1-fix-crash", "1.1.1")
    r.tag("v1.1.1", _merge(r, "main", "hotfix/v1.1.1-fix-crash"))
    _merge(r, "develop", "hotfix/v1.1.1-fix-crash")
    r.git("branch", "-D", "hotfix/v1.1.1-fix-crash")
    r.checkout("main")
    return Shape(r, {"hotfix/v1.1.1-fix-crash": Expect("1.1.1", "merge", tag_state="ok")},
                 absent=("v1.1.0",))


def squash_deleted(tmp_path: Path) -> Shape:
    """GitHub's squash and merge, branch auto-deleted: one named in the subject, one
    known only by the markers its change adds; neither tagged nor in develop."""
    r = _base(tmp_path)
    r.commit("Hotfix v1.0.1: fix pay crash (#12)", {"src/pay.py": "# HOTFIX v1.0.1: pay crash\nPAY = 1\n"})
    r.commit("Fix login loop (#13)", {"src/login.py": "# HOTFIX v1.0.2: login loop\nLOGIN = 1\n"})
    r.commit("Update readme (#14)", {"README.md": "# app\n"})
    return Shape(r, {"v1.0.1": Expect("1.0.1", "squash", ("HG008", "HG009"), "missing"),
                     "v1.0.2": Expect("1.0.2", "squash", ("HG008", "HG009"), "missing")},
                 absent=("v1.0.0",))


def only_in_develop(tmp_path: Path) -> Shape:
    """A hotfix merged only into develop, its branch deleted: listed, nothing landed."""
    r = _base(tmp_path)
    _hotfix(r, "hotfix/v1.0.1-fix-crash", "1.0.1")
    _merge(r, "develop", "hotfix/v1.0.1-fix-crash")
    r.git("branch", "-D", "hotfix/v1.0.1-fix-crash")
    r.checkout("main")
    return Shape(r, {"hotfix/v1.0.1-fix-crash": Expect("1.0.1", None)}, absent=("v1.0.0",))


def fresh_branch(tmp_path: Path) -> Shape:
    """Right after `start`: a hotfix branch at main's tip (a plain commit develop lacks),
    no commits of its own: it has landed nothing."""
    r = _base(tmp_path)
    r.commit("Production config tweak", {"config.ini": "x = 1\n"})
    r.branch("hotfix/v1.0.1-fix-crash")
    return Shape(r, {"hotfix/v1.0.1-fix-crash": Expect("1.0.1", None)}, absent=("v1.0.0",))


SHAPES: dict[str, Callable[[Path], Shape]] = {f.__name__: f for f in (
    no_ff_merges, patch_releases, pull_request_tagged, lightweight_unprefixed, four_part,
    production_moved_onto_develop, stale_release_branch, squash_deleted, only_in_develop, fresh_branch)}

FOUR_PARTS = Version.parse("0.1.7.1") is not None and parse_hotfix_branch("hotfix/0.1.7.2").version is not None


def _needs(name: str) -> list[Any]:
    if name == "four_part" and not FOUR_PARTS:
        return [pytest.mark.skip(reason="four-part versions and unprefixed branch versions: versions.py (SPEC §7)")]
    return []


PARAMS = [pytest.param(name, marks=_needs(name)) for name in SHAPES]


def _assert_audit(shape: Shape, data: dict[str, Any]) -> None:
    names = [h["name"] for h in data["hotfixes"]]
    assert names == list(shape.hotfixes), names
    for name, want in shape.hotfixes.items():
        h = by_name(data, name)
        assert h["version"] == want.version, (name, h)
        assert (h["production"] or {}).get("how") == want.production, (name, h["production"])
        assert tuple(h["findings"]) == want.findings, (name, h["findings"], data["findings"])
        if want.tag_state is not None:
            assert (h["tag"] or {}).get("state", "missing") == want.tag_state, (name, h["tag"])
        assert bool(h["unreadable"]) == want.unreadable, (name, h["unreadable"])
    for name in shape.absent:
        assert name not in names
        assert all((h["tag"] or {}).get("name") != name or h["branch"] for h in data["hotfixes"]), name


@pytest.mark.parametrize("name", PARAMS)
def test_audit_names_each_hotfix_and_its_verdict(name: str, tmp_path: Path) -> None:
    shape = SHAPES[name](tmp_path)
    rc, data = audit_json(shape.repo)
    _assert_audit(shape, data)
    assert rc == (1 if any(e.findings for e in shape.hotfixes.values()) else 0)


def _status(r: Repo, name: str) -> dict[str, Any]:
    proc = run_cli("status", "--format", "json", "--branch", name, cwd=r.path)
    assert proc.returncode == 0, (name, proc.stderr)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", PARAMS)
def test_status_agrees_with_audit_on_every_hotfix(name: str, tmp_path: Path) -> None:
    """One verdict per hotfix: HG009 in audit <=> "tagged" not done in status; HG008 <=>
    "merged into development" not done; not landed <=> "merged to main" not done."""
    shape = SHAPES[name](tmp_path)
    _, data = audit_json(shape.repo)
    for h in data["hotfixes"]:
        items = {i["id"]: i for i in _status(shape.repo, h["name"])["items"]}
        landed = h["production"] is not None
        assert (items["merged-production"]["state"] == "done") == landed, (h["name"], items["merged-production"])
        if not landed:
            assert h["findings"] == []
            continue
        for code, item in (("HG009", "tagged"), ("HG008", "merged-development")):
            state = items[item]["state"]
            assert (code in h["findings"]) == (state == "not-done"), (h["name"], code, items[item])
            if code in h["findings"]:
                finding = next(f for f in data["findings"] if f["ref"] == h["name"] and f["code"] == code)
                assert items[item]["detail"] == finding["message"]


# -- what each item of the issue needs beyond the table ---------------------------------------


def test_status_finds_a_hotfix_whose_merge_left_production(tmp_path: Path) -> None:
    shape = production_moved_onto_develop(tmp_path)
    r = shape.repo
    data = _status(r, "hotfix/v2.8.1-fix-crash")
    items = {i["id"]: i for i in data["items"]}
    assert items["tagged"]["state"] == "not-done"
    assert items["tagged"]["detail"].startswith(f"tag v2.8.1 is on {r.sha('v2.8.1^{commit}')[:7]}, which is not on main")
    assert items["merged-development"]["state"] == "done"
    assert _status(r, "v2.8.1")["hotfix"]["branch"] == "hotfix/v2.8.1-fix-crash"


def test_check_on_main_says_nothing_of_a_fresh_hotfix(tmp_path: Path) -> None:
    r = fresh_branch(tmp_path).repo
    proc = run_cli("check", "--branch", "main", "--format", "json", "--select", "HG008,HG009", cwd=r.path)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []


def test_check_on_main_flags_a_squash_merged_hotfix(tmp_path: Path) -> None:
    r = squash_deleted(tmp_path).repo
    proc = run_cli("check", "--branch", "main", "--format", "json", "--select", "HG008,HG009", cwd=r.path)
    assert proc.returncode == 1
    found = {(f["code"], f["ref"]) for f in json.loads(proc.stdout)["findings"]}
    assert found == {(c, v) for c in ("HG008", "HG009") for v in ("v1.0.1", "v1.0.2")}


def test_squash_merged_hotfix_copied_into_develop_is_merged_back(tmp_path: Path) -> None:
    shape = squash_deleted(tmp_path)
    r = shape.repo
    r.checkout("develop")
    r.git("cherry-pick", "main~2", "main~1")
    r.checkout("main")
    r.tag("v1.0.1", "main~2")
    r.tag("v1.0.2", "main~1")
    rc, data = audit_json(r)
    assert rc == 0, data["findings"]
    assert [(h["name"], h["development"]["how"]) for h in data["hotfixes"]] == [
        ("v1.0.1", "cherry-pick"), ("v1.0.2", "cherry-pick")]


def test_tag_on_a_later_production_commit_joins_the_hotfix_it_contains(tmp_path: Path) -> None:
    r = _base(tmp_path)
    _hotfix(r, "hotfix/plex-host", "1.0.1")
    _merge(r, "main", "hotfix/plex-host", "Merge pull request #7 from org/hotfix/plex-host")
    r.commit("Bump version to 1.0.1", {"VERSION": "1.0.1\n"})
    r.tag("v1.0.1")
    _merge(r, "develop", "hotfix/plex-host")
    r.git("branch", "-D", "hotfix/plex-host")
    rc, data = audit_json(r)
    assert rc == 0, data["findings"]
    [h] = data["hotfixes"]
    assert (h["name"], h["version"], h["tag"]["name"], h["found_by"]) == (
        "hotfix/plex-host", "1.0.1", "v1.0.1", ["merge", "tag"])


def _partial_clone(shape: Shape, tmp_path: Path) -> Path:
    src = shape.repo.path
    subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=src, check=True)
    clone = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", f"file://{src}", str(clone)], check=True,
                   capture_output=True)
    for b in ("develop",):
        subprocess.run(["git", "branch", "-q", b, f"origin/{b}"], cwd=clone, check=True)
    subprocess.run(["rm", "-rf", str(src)], check=True)  # its promisor remote is gone: blobs cannot be fetched
    return clone


def test_partial_clone_missing_blobs_affects_only_the_rows_that_need_them(tmp_path: Path) -> None:
    """One hotfix reached develop by cherry-pick (telling so needs its patch, so its
    blobs); the other by merge (ancestry: no blob needed)."""
    r = _base(tmp_path)
    fix = _hotfix(r, "hotfix/v1.0.1-fix-crash", "1.0.1")
    r.tag("v1.0.1", _merge(r, "main", "hotfix/v1.0.1-fix-crash"))
    r.checkout("develop")
    r.git("cherry-pick", fix)
    _hotfix(r, "hotfix/v1.0.2-fix-login", "1.0.2", start="v1.0.0")  # its merge brings no other hotfix
    r.tag("v1.0.2", _merge(r, "main", "hotfix/v1.0.2-fix-login"))
    _merge(r, "develop", "hotfix/v1.0.2-fix-login")
    r.checkout("main")
    # the clone's checkout fetches today's blobs, not the hotfix's
    r.commit("Rework the crash guard", {"src/v1.0.1-fix-crash.py": "FIXED = 2\n", "src/v1.0.2-fix-login.py": "FIXED = 2\n"})
    for b in ("hotfix/v1.0.1-fix-crash", "hotfix/v1.0.2-fix-login"):
        r.git("branch", "-D", b)
    clone = _partial_clone(Shape(r, {}), tmp_path)
    proc = run_cli("audit", "--format", "json", cwd=clone)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    first, second = data["hotfixes"]
    assert first["name"] == "hotfix/v1.0.1-fix-crash" and first["unreadable"]
    assert "could not read commit" in first["unreadable"]
    assert first["findings"] == []
    assert second["name"] == "hotfix/v1.0.2-fix-login" and second["unreadable"] is None
    assert second["development"]["how"] == "merge" and second["findings"] == []
    text = run_cli("audit", cwd=clone).stdout
    assert "hotfix/v1.0.1-fix-crash: not judged: git could not read commit" in text
    assert text.splitlines()[-1].endswith("1 could not be read, so not judged; no problems among the others")
    status = run_cli("status", "--format", "json", "--branch", "hotfix/v1.0.1-fix-crash", cwd=clone)
    items = {i["id"]: i for i in json.loads(status.stdout)["items"]}
    assert items["merged-development"]["state"] == "not-checkable"
    assert "could not read commit" in items["merged-development"]["detail"]


# -- what real histories showed (docs/status-and-audit.md, "On real histories") ---------------


def test_prose_and_patchlevels_in_subjects_are_no_hotfixes(tmp_path: Path) -> None:
    r = _base(tmp_path)
    r.commit("Allow a dirty tree when starting a hotfix/support/release.", {"a.sh": "x\n"})
    r.commit("Restore compatibility with ruby below 1.9.3-p125, not sure if we should hotfix this", {"b": "y\n"})
    rc, data = audit_json(r)
    assert (rc, data["hotfixes"]) == (0, [])


def test_a_release_merge_off_production_is_no_hotfix(tmp_path: Path) -> None:
    r = _base(tmp_path)
    r.checkout("release/1.0.4", new=True, start="develop")
    r.commit("Bump version to 1.0.4", {"VERSION": "1.0.4\n"})
    r.checkout("side", new=True, start="main")
    r.tag("v1.0.5", _merge(r, "side", "release/1.0.4", "Merge branch 'release/1.0.4'"))
    r.checkout("main")
    r.git("branch", "-D", "side", "release/1.0.4")
    rc, data = audit_json(r)
    assert (rc, data["hotfixes"]) == (0, []), [h["name"] for h in data["hotfixes"]]


def test_a_branch_merged_twice_is_tagged_on_its_first_merge(tmp_path: Path) -> None:
    r = _base(tmp_path)
    _hotfix(r, "hotfix/v1.0.1-fix-crash", "1.0.1")
    r.tag("v1.0.1", _merge(r, "main", "hotfix/v1.0.1-fix-crash"))
    r.checkout("hotfix/v1.0.1-fix-crash")
    r.commit("Guard the other path too", {"src/other.py": "# HOTFIX v1.0.1: other\n"})
    _merge(r, "main", "hotfix/v1.0.1-fix-crash")
    _merge(r, "develop", "hotfix/v1.0.1-fix-crash")
    r.git("branch", "-D", "hotfix/v1.0.1-fix-crash")
    rc, data = audit_json(r)
    [h] = data["hotfixes"]
    assert (rc, h["tag"]["state"], h["findings"]) == (0, "ok", [])


def test_the_first_release_on_a_hotfix_merge_is_not_the_hotfix_s_tag(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    r.commit("Initial commit", {"src/app.py": "x = 1\n"})
    r.checkout("develop", new=True)
    r.checkout("main")
    _hotfix(r, "hotfix/mobile-bookmarklet", "0.0.0")
    r.tag("v0.0.0.0" if FOUR_PARTS else "v0.0.0", _merge(r, "main", "hotfix/mobile-bookmarklet"), annotated=False)
    _merge(r, "develop", "hotfix/mobile-bookmarklet")
    _, data = audit_json(r)
    [h] = data["hotfixes"]
    assert (h["name"], h["version"], h["tag"], h["findings"]) == ("hotfix/mobile-bookmarklet", None, None, ["HG009"])


def test_a_merge_left_behind_is_dated_by_itself(tmp_path: Path) -> None:
    shape = production_moved_onto_develop(tmp_path)
    _, data = audit_json(shape.repo)
    h = by_name(data, "hotfix/v2.8.2-fix-login")
    merge = shape.repo.git("log", "-1", "--format=%ct", h["production"]["commit"])
    assert h["production"]["commit"] == shape.repo.sha("v2.8.2^{commit}")
    assert h["production"]["date"] == dt.datetime.fromtimestamp(int(merge), dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_status_of_hotfix_2_8_1_after_production_moved_onto_develop(tmp_path: Path) -> None:
    """The issue's own case: branch hotfix/2.8.1 (no tag prefix, no description), tag
    v2.8.1 on its merge, that merge then off master: status finds it and says where the
    tag is, exit 0."""
    r = _base(tmp_path, first="v2.8.0")
    r.git("branch", "-m", "main", "master")
    _hotfix(r, "hotfix/2.8.1", "2.8.1", start="master", name="fix")
    r.tag("v2.8.1", _merge(r, "master", "hotfix/2.8.1", "Merge branch 'hotfix/2.8.1'"))
    _merge(r, "develop", "hotfix/2.8.1")
    r.git("branch", "-f", "master", "develop")
    r.checkout("master")
    r.git("branch", "-D", "hotfix/2.8.1")
    items = {i["id"]: i for i in _status(r, "hotfix/2.8.1")["items"]}
    assert items["merged-production"]["state"] == "done"
    assert items["tagged"]["state"] == "not-done"
    assert "which is not on master" in items["tagged"]["detail"]
    _, data = audit_json(r)
    [h] = data["hotfixes"]
    assert (h["name"], h["version"], h["findings"]) == ("hotfix/2.8.1", "2.8.1", ["HG009"])


def test_a_near_miss_of_the_prefix_in_a_merge_is_a_hotfix(tmp_path: Path) -> None:
    """Symbiota's "Merge pull request #3701 from Symbiota/Hotfix-3.4.14" (SPEC §7's near
    misses): the hotfix, its version from the name, its tag joined."""
    r = _base(tmp_path)
    _hotfix(r, "Hotfix-1.0.1", "1.0.1", name="fix")
    r.tag("v1.0.1", _merge(r, "main", "Hotfix-1.0.1", "Merge pull request #3701 from Symbiota/Hotfix-1.0.1"),
          annotated=False)
    _merge(r, "develop", "Hotfix-1.0.1", "Merge pull request #3702 from Symbiota/Hotfix-1.0.1")
    r.git("branch", "-D", "Hotfix-1.0.1")
    _, data = audit_json(r)
    [h] = data["hotfixes"]
    assert (h["name"], h["version"], h["tag"]["state"], h["findings"]) == ("Hotfix-1.0.1", "1.0.1", "lightweight",
                                                                           ["HG009"])


def test_a_pull_request_into_development_is_not_its_landing(tmp_path: Path) -> None:
    """pi-hole's hotfix-missing-newline: a pull request merged into development, then
    released with development: it landed with the release merge, whose tag is the
    release's, not the hotfix's."""
    r = _base(tmp_path)
    _hotfix(r, "hotfix-missing-newline", "1.0.1", name="newline")
    merge = _merge(r, "develop", "hotfix-missing-newline", "Merge pull request #9 from org/hotfix-missing-newline")
    r.git("branch", "-D", "hotfix-missing-newline")
    release = _merge(r, "main", "develop", "Merge pull request #10 from org/development")
    r.tag("v1.0.1", release)
    _, data = audit_json(r)
    [h] = data["hotfixes"]
    assert h["name"] == "hotfix-missing-newline"
    assert (h["development"]["commit"], h["production"]["commit"]) == (merge, release)
    assert (h["tag"], h["findings"]) == (None, ["HG009"])


def test_hg009_never_says_to_move_a_tag_onto_another_release(tmp_path: Path) -> None:
    """grav's shape: a hotfix tagged on its own branch reached production only through a
    later release merge, which carries that release's tag. Moving the hotfix's tag there
    (`git tag -f … && git push -f`) would give one commit two releases' names."""
    r = _base(tmp_path)
    _hotfix(r, "hotfix/v1.0.1-fix-crash", "1.0.1")
    _merge(r, "develop", "hotfix/v1.0.1-fix-crash")
    r.checkout("hotfix/v1.0.1-fix-crash")
    r.commit("Bump version to 1.0.1", {"VERSION": "1.0.1\n"})
    r.tag("v1.0.1")  # on a commit of the branch that production never gets
    release = _release(r, "1.1.0")  # develop, with the fix, reaches main as release 1.1.0
    rc, data = audit_json(r)
    messages = [f["message"] for f in data["findings"] if f["code"] == "HG009"]
    assert rc == 1 and messages, data["findings"]
    assert not any("git tag -a -f" in m or "push -f" in m for m in messages), messages
    assert any(release.startswith(m.split("; ")[1].split(",")[0]) and "v1.1.0" in m and "no fix" in m
               for m in messages), messages


def test_two_names_of_one_tip_are_one_hotfix_and_its_merge_to_development_is_the_merge_back(
        tmp_path: Path) -> None:
    """nightscout's 0.8.4: "Merge branch 'hotfix/node-version-azure'" into production
    (tagged), then "merged hotfix-0.8.4 to dev" of the same tip, later released into
    production off its first-parent line. One hotfix, its tag joined; the merge to
    development is the merge back, not a second landing without a tag."""
    r = _base(tmp_path)
    tip = _hotfix(r, "hotfix/node-version-azure", "1.0.1", name="azure")
    landing = _merge(r, "main", "hotfix/node-version-azure")
    r.tag("v1.0.1", landing)
    back = _merge(r, "develop", "hotfix/node-version-azure", "merged hotfix-1.0.1 to develop")
    r.git("branch", "-D", "hotfix/node-version-azure")
    _release(r, "1.1.0")
    rc, data = audit_json(r)
    assert rc == 0, data["findings"]
    [h] = [h for h in data["hotfixes"] if h["tip"] == tip]
    assert (h["name"], h["tag"]["name"], h["tag"]["state"], h["findings"]) == (
        "hotfix/node-version-azure", "v1.0.1", "ok", [])
    assert (h["production"]["commit"], h["development"]["commit"]) == (landing, back)
