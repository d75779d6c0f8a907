"""``hotfix-guard explain CODE|NAME``: one rule's documentation."""

from __future__ import annotations

import argparse
import sys

from hotfix_guard.errors import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rule", metavar="CODE|NAME", help="a rule code (HG004) or name (diff-size)")


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.engine.plugins import Plugins

    rules = Plugins().rules
    rule = rules.by_name_or_code(args.rule)
    if rule is None:
        raise UsageError(f"no rule is called '{args.rule}'", hint="run `hotfix-guard rules` to list them")
    text = rule.documentation()
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)
    return 0
