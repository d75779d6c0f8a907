"""Fixture repositories, one per workflow preset and one with a release line: the shape
of history each preset expects, for tests of check, audit, start and init."""

from __future__ import annotations

from pathlib import Path

from conftest import Repo, make_repo

APP = "def main():\n    return 0\n"


def fix(version: str) -> dict[str, str]:
    """A minimal, marked fix of src/app.py for ``version``."""
    return {"src/app.py": f"def main():\n    # HOTFIX v{version}: guard the crash\n    return 0\n"}


def configure(r: Repo, text: str) -> None:
    """An untracked .hotfix-guard.toml (it is not part of any change)."""
    (r.path / ".hotfix-guard.toml").write_text(text)


def git_flow(tmp_path: Path, *, master: bool = False, prefix: str = "v") -> Repo:
    """main (or master) with releases, develop (or development) ahead with its own work,
    and one earlier hotfix merged into both and tagged."""
    r = make_repo(tmp_path / "git-flow")
    production, development = ("master", "development") if master else ("main", "develop")
    if master:
        r.git("symbolic-ref", "HEAD", f"refs/heads/{production}")
    r.commit("Initial commit", {"src/app.py": APP, "README.md": "# app\n"})
    r.tag(f"{prefix}1.2.0")
    r.branch(development)
    r.checkout(development)
    r.commit("Add loyalty points", {"src/loyalty.py": "POINTS = 10\n"})
    r.checkout("release/1.2.1", new=True)
    r.commit("Bump to 1.2.1", {"VERSION": "1.2.1\n"})
    r.checkout(production)
    r.merge("release/1.2.1", message="Merge branch 'release/1.2.1'")
    r.tag(f"{prefix}1.2.1")
    r.checkout(development)
    r.merge("release/1.2.1", message="Merge branch 'release/1.2.1' into " + development)
    r.git("branch", "-D", "release/1.2.1")
    r.checkout("hotfix/1.2.2-fix-login" if not prefix else f"hotfix/{prefix}1.2.2-fix-login", new=True, start=production)
    r.commit("Fix login", fix("1.2.2"))
    name = r.git("branch", "--show-current")
    r.checkout(production)
    r.merge(name, message=f"Merge branch '{name}'")
    r.tag(f"{prefix}1.2.2")
    r.checkout(development)
    r.merge(name, message=f"Merge branch '{name}' into {development}")
    r.git("branch", "-D", name)
    r.commit("Add loyalty page", {"src/page.py": "PAGE = 1\n"})
    r.checkout(production)
    return r


def github_flow(tmp_path: Path) -> Repo:
    """main only: pull requests merged, releases tagged on main, unreleased work after
    the last tag, and an unmerged feature branch."""
    r = make_repo(tmp_path / "github-flow")
    r.commit("Initial commit", {"src/app.py": APP, "README.md": "# app\n"})
    r.tag("v1.2.2")
    r.checkout("feature/search", new=True)
    r.commit("Add search", {"src/search.py": "SEARCH = 1\n"})
    r.checkout("main")
    r.merge("feature/search", message="Merge pull request #3 from acme/feature/search")
    r.git("branch", "-D", "feature/search")
    r.tag("v1.2.3")
    r.checkout("feature/export", new=True)
    r.commit("Add export", {"src/export.py": "EXPORT = 1\n"})
    r.checkout("main")
    r.merge("feature/export", message="Merge pull request #5 from acme/feature/export")
    r.git("branch", "-D", "feature/export")
    r.checkout("feature/pdf", new=True)
    r.commit("WIP: pdf export", {"src/pdf.py": "PDF = 1\n"})
    r.checkout("main")
    return r


def gitlab_flow(tmp_path: Path) -> Repo:
    """main upstream of production: main merged into production for each release, tags
    on production, and main ahead with unreleased work."""
    r = make_repo(tmp_path / "gitlab-flow")
    r.commit("Initial commit", {"src/app.py": APP, "README.md": "# app\n"})
    r.branch("production")
    r.tag("v1.2.2")
    r.commit("Add search", {"src/search.py": "SEARCH = 1\n"})
    r.checkout("production")
    r.merge("main", message="Merge branch 'main' into 'production'")
    r.tag("v1.2.3")
    r.checkout("main")
    r.commit("Add export", {"src/export.py": "EXPORT = 1\n"})
    return r


def release_line(tmp_path: Path) -> Repo:
    """git-flow at 1.2.x, and the 1.1 line on support/1.1: one line hotfix (v1.1.4)
    merged into the line and tagged there."""
    r = make_repo(tmp_path / "release-line")
    r.commit("Initial commit", {"src/app.py": APP, "README.md": "# app\n"})
    r.tag("v1.1.3")
    r.branch("support/1.1")
    r.commit("Release 1.2", {"src/search.py": "SEARCH = 1\n"})
    r.tag("v1.2.3")
    r.branch("develop")
    r.checkout("develop")
    r.commit("Add loyalty points", {"src/loyalty.py": "POINTS = 10\n"})
    r.checkout("hotfix/v1.1.4-fix-login", new=True, start="support/1.1")
    r.commit("Fix login on 1.1", fix("1.1.4"))
    r.checkout("support/1.1")
    r.merge("hotfix/v1.1.4-fix-login", message="Merge branch 'hotfix/v1.1.4-fix-login' into support/1.1")
    r.tag("v1.1.4")
    r.git("branch", "-D", "hotfix/v1.1.4-fix-login")
    r.checkout("main")
    return r


def hotfix(r: Repo, name: str, start: str, version: str) -> str:
    """A hotfix branch cut from ``start`` with one marked fix; HEAD on it."""
    r.checkout(name, new=True, start=start)
    return r.commit("Fix payment crash on empty amount", fix(version))


def land(r: Repo, name: str, into: str, *, tag: str | None = None, message: str | None = None) -> str:
    """Merge ``name`` into ``into`` with --no-ff (and tag the merge); HEAD on ``into``."""
    r.checkout(into)
    sha = r.merge(name, message=message or f"Merge branch '{name}' into {into}")
    if tag:
        r.tag(tag)
    return sha
