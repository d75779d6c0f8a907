"""The command line: the only place exceptions become exit codes and messages.

Exit codes, for every command: 0 nothing at error severity; 1 findings at error
severity; 2 could not run (one line on stderr, a hint, no traceback unless --debug).

Only the chosen command's module is imported: ``check`` on a non-hotfix branch runs on
every commit and must stay close to the cost of starting Python.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from hotfix_guard import __version__
from hotfix_guard.errors import HotfixGuardError, UsageError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("hotfix_guard.commands.check", "check the current hotfix branch (the linter)"),
    "demo": ("hotfix_guard.commands.demo", "show the checks on a throwaway repository"),
    "rules": ("hotfix_guard.commands.rules", "list the rules"),
    "explain": ("hotfix_guard.commands.explain", "show one rule's documentation"),
    "triage": ("hotfix_guard.commands.triage", "is this a hotfix? the severity advisor"),
    "start": ("hotfix_guard.commands.start", "create the hotfix branch from production"),
    "status": ("hotfix_guard.commands.status", "the hotfix checklist for the current hotfix"),
    "audit": ("hotfix_guard.commands.audit", "every hotfix in history: tagged, merged into both"),
    "install": ("hotfix_guard.commands.install", "install the native git hooks"),
    "uninstall": ("hotfix_guard.commands.uninstall", "remove the native git hooks"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="config file (default: .hotfix-guard.toml or pyproject.toml at the repo root)")


def codes(value: str) -> list[str]:
    """A comma-separated list of rule selectors, for --select and friends."""
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hotfix-guard",
        description="Keeps emergency fixes honest: checks hotfix branches against the hotfix workflow.",
        epilog="Exit codes: 0 clean, 1 findings at error severity, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"hotfix-guard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        if name == command:
            module = __import__(module_name, fromlist=["_"])
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
        p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _escape_what_stdout_cannot_encode() -> None:
    """A report never fails on the console's encoding: what stdout cannot encode (``→``
    on a latin-1, cp1252 or ASCII console; a branch name that is not UTF-8) is written as
    a backslash escape, which also keeps JSON output valid UTF-8. (stderr already does so.)"""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a closed or exotic stream
            pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or bool(os.environ.get("HOTFIX_GUARD_DEBUG"))
    _escape_what_stdout_cannot_encode()
    try:
        parser = build_parser(_command_of(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "_run", None):
            parser.print_help()
            return 0 if not argv else 2
        return int(args._run(args))
    except HotfixGuardError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"hotfix-guard: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nhotfix-guard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, and keep Python's own
        # flush at exit from raising again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:  # pragma: no cover
            pass
        return 141
    except Exception as exc:  # a bug of ours: one line, unless --debug
        if debug:
            raise
        print(f"hotfix-guard: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  hint: rerun with --debug for the traceback, and please report it", file=sys.stderr)
        return 2
