"""``hotfix-guard rules``: every registered rule, built-in and from plugins."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.engine.plugins import Plugins

    rules = list(Plugins().rules)
    if args.format == "json":
        data = [
            {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary,
             "plugin": r.plugin, "stages": sorted(r.stages), "branch_kinds": sorted(r.branch_kinds),
             "options": [{"name": o.name, "type": o.expected, "default": o.default, "help": o.help}
                         for o in r.options]}
            for r in rules
        ]
        print(json.dumps(data, indent=2, default=list))
        return 0
    width = max(len(r.name) for r in rules)
    for r in rules:
        origin = "" if r.plugin.startswith("hotfix_guard.") else f"  [{r.plugin}]"
        sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary}{origin}\n")
    return 0
