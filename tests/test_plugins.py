"""Plugins: the example package installed for real, and the ways a plugin can fail."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, Repo, assert_clean_error, hotfix_from_main, run_cli


def site_env(site: Path) -> dict[str, str]:
    return {"PYTHONPATH": f"{ROOT}{__import__('os').pathsep}{site}"}


def fake_dist(site: Path, dist: str, module: str, source: str, entry: str | None = None) -> None:
    """An installed distribution as importlib.metadata sees one: dist-info + module."""
    site.mkdir(parents=True, exist_ok=True)
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[hotfix_guard]\n{entry or module} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(source))


RULE_HEADER = '''
from hotfix_guard.engine.plugins import hookimpl
from hotfix_guard.engine.rule import Rule
'''


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--target", str(site), str(ROOT / "examples" / "plugin")],
        check=True, capture_output=True,
    )
    return site


def test_example_plugin_is_listed_and_explained(example_site: Path, tmp_path: Path) -> None:
    env = site_env(example_site)
    proc = run_cli("rules", cwd=tmp_path, env=env)
    assert "SO001  signed-off" in proc.stdout
    assert "hotfix-guard-signoff 1.0.0" in proc.stdout
    proc = run_cli("explain", "signed-off", cwd=tmp_path, env=env)
    assert proc.stdout.startswith("# SO001 signed-off") and "`trailer`" in proc.stdout


def test_example_plugin_runs(example_site: Path, project: Repo) -> None:
    env = site_env(example_site)
    hotfix_from_main(project)
    proc = run_cli("check", "--format", "json", cwd=project.path, env=env)
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert "SO001" in codes and proc.returncode == 1
    project.git("commit", "--amend", "-q", "--no-edit", "-s")
    proc = run_cli("check", "--format", "json", "--select", "SO001", cwd=project.path,
                   env={**env, "HOTFIX_GUARD_TRACE_GIT": "1"})
    assert json.loads(proc.stdout)["findings"] == [] and proc.returncode == 0
    # its queries = {"commits"}: the log is started before the rule runs, and used
    calls = [ln for ln in proc.stderr.splitlines() if ln.startswith("git ")]
    assert [c for c in calls if c.startswith("git log")] and not any("never asked for" in c for c in calls)
    # options through config, validated like a built-in's
    project.write(".hotfix-guard.toml", '[rules.signed-off]\ntrailer = "Reviewed-by"\n')
    proc = run_cli("check", "--format", "json", "--select", "SO001", cwd=project.path, env=env)
    assert "no Reviewed-by trailer" in json.loads(proc.stdout)["findings"][0]["message"]
    project.write(".hotfix-guard.toml", "[rules.signed-off]\ntrailer = 3\n")
    assert_clean_error(run_cli("check", cwd=project.path, env=env),
                       "[rules.signed-off] trailer: expected a string")


def test_example_plugin_help_follows_its_configured_trailer(example_site: Path, project: Repo) -> None:
    """With `trailer = "Reviewed-by"`, `git commit -s` would not help: the help names the
    trailer, and doing what it says makes the check pass (issue #16)."""
    env = site_env(example_site)
    hotfix_from_main(project)
    project.write(".hotfix-guard.toml", '[rules.signed-off]\ntrailer = "Reviewed-by"\n')
    proc = run_cli("check", "--format", "json", "--select", "SO001", cwd=project.path, env=env)
    [finding] = json.loads(proc.stdout)["findings"]
    assert "-s" not in finding["help"].split() and "--signoff" not in finding["help"]
    assert 'git commit --amend --no-edit --trailer "Reviewed-by: Name <email>"' in finding["help"]
    project.git("commit", "--amend", "-q", "--no-edit", "--trailer", "Reviewed-by: Ana <ana@example.com>")
    proc = run_cli("check", "--format", "json", "--select", "SO001", cwd=project.path, env=env)
    assert json.loads(proc.stdout)["findings"] == [] and proc.returncode == 0


def test_autoload_can_be_disabled(example_site: Path, tmp_path: Path) -> None:
    env = {**site_env(example_site), "HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD": "1"}
    assert "SO001" not in run_cli("rules", cwd=tmp_path, env=env).stdout


def test_plugin_that_fails_to_import(tmp_path: Path, project: Repo) -> None:
    site = tmp_path / "site"
    fake_dist(site, "broken-plugin", "broken_plugin", "raise ImportError('no module named acme_internal')\n")
    hotfix_from_main(project)
    proc = run_cli("check", cwd=project.path, env=site_env(site))
    assert_clean_error(proc, "plugin 'broken_plugin' from broken-plugin 0.1 failed to load",
                       "ImportError: no module named acme_internal", "HOTFIX_GUARD_DISABLE_PLUGIN_AUTOLOAD")


def test_rule_that_raises_becomes_hg000(tmp_path: Path, project: Repo) -> None:
    site = tmp_path / "site"
    fake_dist(site, "crashy", "crashy", RULE_HEADER + '''
class Crashy(Rule):
    code = "CR001"
    name = "crashy"
    summary = "Crashes"
    def check(self, ctx):
        raise KeyError("weekday")

@hookimpl
def hotfix_guard_register_rules(register):
    register(Crashy)
''')
    project.checkout("hotfix/bad-name", new=True, start="main")
    project.commit("fix", {"src/app.py": "x\n"})
    proc = run_cli("check", "--format", "json", cwd=project.path, env=site_env(site))
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["findings"]
    [crash] = [f for f in findings if f["code"] == "HG000"]
    assert "rule CR001 (crashy) from plugin 'crashy (crashy 0.1)' crashed: KeyError: 'weekday'" in crash["message"]
    assert "HG002" in {f["code"] for f in findings}  # the others still ran
    text = run_cli("check", cwd=project.path, env=site_env(site))
    assert "Traceback" not in text.stdout + text.stderr
    debug = run_cli("check", "--debug", cwd=project.path, env=site_env(site))
    assert "Traceback" in debug.stderr


def test_rule_that_returns_garbage(tmp_path: Path, project: Repo) -> None:
    site = tmp_path / "site"
    fake_dist(site, "garbage", "garbage", RULE_HEADER + '''
class Garbage(Rule):
    code = "GB001"
    name = "garbage"
    summary = "Returns strings"
    def check(self, ctx):
        return ["not a finding"]

@hookimpl
def hotfix_guard_register_rules(register):
    register(Garbage)
''')
    hotfix_from_main(project)
    proc = run_cli("check", "--format", "json", cwd=project.path, env=site_env(site))
    [crash] = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "HG000"]
    assert "GB001" in crash["message"] and "not a Finding" in crash["message"]


@pytest.mark.parametrize(
    "source, fragment",
    [
        ('''
class Dup(Rule):
    code = "HG001"
    name = "dup"
    summary = "Claims a built-in code"
@hookimpl
def hotfix_guard_register_rules(register):
    register(Dup)
''', "rule code HG001 is claimed twice"),
        ('''
@hookimpl
def hotfix_guard_register_rules(register):
    register(object)
''', "which is not a Rule subclass"),
        ('''
class Bad(Rule):
    code = "bad"
    name = "bad"
    summary = "x"
@hookimpl
def hotfix_guard_register_rules(register):
    register(Bad)
''', "has an invalid code 'bad'"),
    ],
)
def test_plugin_registration_errors(tmp_path: Path, project: Repo, source: str, fragment: str) -> None:
    site = tmp_path / "site"
    fake_dist(site, "dupe", "dupe", RULE_HEADER + source)
    hotfix_from_main(project)
    assert_clean_error(run_cli("check", cwd=project.path, env=site_env(site)), fragment)


def test_two_plugins_claim_the_same_code(tmp_path: Path, project: Repo) -> None:
    site = tmp_path / "site"
    body = RULE_HEADER + '''
class R(Rule):
    code = "ZZ001"
    name = "NAME"
    summary = "x"
    def check(self, ctx):
        return ()
@hookimpl
def hotfix_guard_register_rules(register):
    register(R)
'''
    fake_dist(site, "one", "one", body.replace("NAME", "one"))
    fake_dist(site, "two", "two", body.replace("NAME", "two"))
    hotfix_from_main(project)
    assert_clean_error(run_cli("check", cwd=project.path, env=site_env(site)), "rule code ZZ001 is claimed twice")


def test_in_process_registration() -> None:
    """pm.register(obj) in-process, as pytest and tox allow."""
    from hotfix_guard.engine.plugins import Plugins, hookimpl
    from hotfix_guard.engine.rule import Rule

    class Local(Rule):
        code = "LC001"
        name = "local"
        summary = "A local rule"

    class Plugin:
        @hookimpl
        def hotfix_guard_register_rules(self, register):
            register(Local)

    rules = Plugins(autoload=False, extra=(Plugin(),)).rules
    assert rules.by_name_or_code("local") is Local
    assert Local.plugin.startswith("")


@pytest.mark.parametrize("options", [
    {}, {"tryfirst": True}, {"trylast": True}, {"hookwrapper": True}, {"wrapper": True},
    {"optionalhook": True}, {"specname": "hotfix_guard_register_rules"},
])
def test_our_marker_sets_exactly_what_pluggys_sets(options: dict) -> None:
    """The built-ins are marked without importing pluggy; pluggy must read the mark as
    its own, so it must be the very attribute pluggy's marker writes."""
    import pluggy

    from hotfix_guard.engine.hookspec import PROJECT, HookimplMarker

    def ours() -> None: ...

    def theirs() -> None: ...

    HookimplMarker(PROJECT)(**options)(ours)
    pluggy.HookimplMarker(PROJECT)(**options)(theirs)
    attr = PROJECT + "_impl"
    assert getattr(ours, attr) == getattr(theirs, attr)
    assert [n for n in vars(ours) if n.endswith("_impl")] == [n for n in vars(theirs) if n.endswith("_impl")]


def test_with_pluggy_loaded_the_builtins_come_through_its_hook() -> None:
    """Once a plugin brings pluggy in, the built-in rules are pluggy plugins too: the rule
    model the docs describe is the one that runs."""
    from hotfix_guard.engine.plugins import BUILTIN_PLUGINS, Plugins, hookimpl
    from hotfix_guard.engine.rule import Rule

    class Extra(Rule):
        code = "EX001"
        name = "extra"
        summary = "An extra rule"

    class Plugin:
        @hookimpl
        def hotfix_guard_register_rules(self, register):
            register(Extra)

    plugins = Plugins(autoload=False, extra=(Plugin(),))
    impls = plugins.pm.hook.hotfix_guard_register_rules.get_hookimpls()
    assert {impl.plugin_name for impl in impls} >= set(BUILTIN_PLUGINS)
    alone = Plugins(autoload=False)
    assert [r.code for r in alone.rules] == [r.code for r in plugins.rules if r.code != "EX001"]
