"""The command line: the only place exceptions become exit codes and messages.

Exit codes, for every command: 0 nothing at error severity; 1 findings at error
severity; 2 could not run (one line on stderr, a hint, no traceback unless --debug).

Only the chosen command's module is imported: ``check`` on a non-hotfix branch runs on
every commit and must stay close to the cost of starting Python. For the same reason
the arguments a hook passes (``check --stage pre-commit`` and the like) are read without
argparse, which with re and gettext costs about as much as the rest of that path: see
:func:`fast_args`. Anything else goes through argparse as usual.
"""

from __future__ import annotations

import os
import sys

from hotfix_guard import __version__
from hotfix_guard.errors import HotfixGuardError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, Sequence

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("hotfix_guard.commands.check", "check the current hotfix branch (the linter)"),
    "demo": ("hotfix_guard.commands.demo", "show the checks on a throwaway repository"),
    "rules": ("hotfix_guard.commands.rules", "list the rules"),
    "explain": ("hotfix_guard.commands.explain", "show one rule's documentation"),
    "triage": ("hotfix_guard.commands.triage", "is this a hotfix? the severity advisor"),
    "start": ("hotfix_guard.commands.start", "create the hotfix branch from production"),
    "finish": ("hotfix_guard.commands.finish", "land the hotfix: merge, tag, merge back, after checking it"),
    "status": ("hotfix_guard.commands.status", "the hotfix checklist for the current hotfix"),
    "audit": ("hotfix_guard.commands.audit", "every hotfix in history: tagged, merged into both"),
    "init": ("hotfix_guard.commands.init", "infer the workflow and write the config"),
    "install": ("hotfix_guard.commands.install", "install the native git hooks"),
    "uninstall": ("hotfix_guard.commands.uninstall", "remove the native git hooks"),
}


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            raise UsageError(message, hint=f"see `{self.prog} --help`")

    return _Parser


def add_config_argument(parser: Any) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="config file (default: .hotfix-guard.toml or pyproject.toml at the repo root)")


def codes(value: str) -> list[str]:
    """A comma-separated list of rule selectors, for --select and friends."""
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser(command: str | None) -> argparse.ArgumentParser:
    _Parser = _parser_class()
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


# -- the fast reading of hook arguments ---------------------------------------------------

FAST_COMMANDS = ("check",)


class _NotSimple(Exception):
    """The command declares or receives something only argparse handles."""


class Args:
    """The parsed arguments, as argparse.Namespace would hold them."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __eq__(self, other: object) -> bool:
        return vars(self) == vars(other)

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__

    def __repr__(self) -> str:
        return "Args(" + ", ".join(f"{k}={v!r}" for k, v in sorted(vars(self).items())) + ")"


class _Recorder:
    """Stands in for the command's ArgumentParser while it declares its options, to
    learn their flags, destinations and defaults without importing argparse. Only
    ``--long`` options (with an optional ``-x`` short form) with store, store_true,
    append or extend actions qualify."""

    def __init__(self) -> None:
        self.options: dict[str, tuple[str, str, Callable[[str], Any] | None, Any]] = {}
        self.defaults: dict[str, Any] = {}

    def add_argument(self, *flags: str, **kw: Any) -> None:
        action = kw.get("action", "store")
        long_flags = [f for f in flags if f.startswith("--")]
        short_flags = [f for f in flags if len(f) == 2 and f[0] == "-" and f[1] != "-"]
        if (not long_flags or len(long_flags) + len(short_flags) != len(flags) or not isinstance(action, str)
                or action not in ("store", "store_true", "append", "extend")
                or set(kw) - {"action", "choices", "type", "default", "help", "metavar", "dest"}):
            raise _NotSimple
        dest = kw.get("dest") or long_flags[0][2:].replace("-", "_")
        default = kw.get("default", False if action == "store_true" else None)
        if isinstance(default, str) and (kw.get("type") or default == "==SUPPRESS=="):
            raise _NotSimple  # argparse would convert or suppress it
        self.defaults[dest] = default
        for flag in flags:
            self.options[flag] = (dest, action, kw.get("type"), kw.get("choices"))

    def __getattr__(self, name: str) -> Any:  # groups, set_defaults, ...: not simple
        raise _NotSimple


def fast_args(argv: Sequence[str]) -> Args | None:
    """``argv`` parsed as argparse would, for the commands in :data:`FAST_COMMANDS`, when
    every token is an exact ``--option``, ``--option VALUE`` or ``--option=VALUE`` that
    the command declares, with a valid value. None otherwise (then argparse parses it,
    and reports any error, as usual)."""
    if not argv or argv[0] not in FAST_COMMANDS:
        return None
    module = __import__(COMMANDS[argv[0]][0], fromlist=["_"])
    recorder = _Recorder()
    try:
        module.add_arguments(recorder)
        recorder.add_argument("--debug", action="store_true")
    except _NotSimple:
        return None
    values = dict(recorder.defaults)
    tokens = list(argv[1:])
    while tokens:
        token = tokens.pop(0)
        flag, eq, value = token.partition("=")
        if flag not in recorder.options:
            return None  # --help, abbreviations, positionals, typos: argparse's job
        dest, action, convert, choices = recorder.options[flag]
        if action == "store_true":
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            if not tokens or tokens[0].startswith("-"):
                return None
            value = tokens.pop(0)
        try:
            item = convert(value) if convert else value
        except Exception:
            return None
        if choices is not None and item not in choices:
            return None
        if action == "store":
            values[dest] = item
        elif action == "append":
            values[dest] = list(values[dest] or []) + [item]
        else:  # extend
            values[dest] = list(values[dest] or []) + list(item)
    return Args(command=argv[0], _run=module.run, **values)


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
        args: Any = fast_args(argv)
        if args is None:
            command = _command_of(argv)
            parser = build_parser(command)
            args, unknown = parser.parse_known_args(argv)
            if unknown:  # argparse would blame the top-level parser: name the command's help
                raise UsageError(f"unrecognized arguments: {' '.join(unknown)}",
                                 hint=f"see `hotfix-guard {command + ' ' if command else ''}--help`")
            if not getattr(args, "_run", None):
                raise UsageError("no command given",
                                 hint=f"hotfix-guard COMMAND, one of {', '.join(COMMANDS)}; "
                                      "see `hotfix-guard --help`")
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


def entry() -> None:
    """The program (the ``hotfix-guard`` script, ``python -m hotfix_guard``): :func:`main`,
    then an exit that leaves out tearing the interpreter down -- freeing every module and
    object one by one, which costs a hook run about 5 ms and does nothing for the user.
    What a normal exit does that matters still happens: ``atexit`` functions (a plugin's,
    coverage's) run and both streams are flushed."""
    code = main()
    import atexit

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None:  # pragma: no cover - not CPython
        sys.exit(code)
    run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            code = code or 141  # the reader went away (`| head -1`) before the last write
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)
