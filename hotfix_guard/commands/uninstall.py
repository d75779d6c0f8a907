"""`hotfix-guard uninstall` (not built yet)."""

from __future__ import annotations

import argparse

from hotfix_guard.errors import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise UsageError("`hotfix-guard uninstall` is not built yet")
