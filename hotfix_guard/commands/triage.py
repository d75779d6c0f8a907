"""``hotfix-guard triage``: is this really a hotfix? The seed's decision tree and
severity table as a questionnaire (SPEC §6, issue #6).

Interactive (rich prompts) only when stdin and stdout are terminals and ``--no-input``
is not given; otherwise every answer the decision needs comes from ``--answers`` or
``--set``, and a missing one is exit 2 naming all of them, at once, without reading
stdin. Works outside a repository (no branch suggestion then). Writes nothing, except
the incident record that ``--write DIR`` asks for.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from typing import Any

from hotfix_guard.cli import add_config_argument
from hotfix_guard.errors import HotfixGuardError, UsageError

FORMATS = ("text", "json", "markdown")


def _date(value: str) -> str:
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--answers", metavar="FILE",
                   help="answers as JSON or TOML (question id = answer); - reads stdin")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="ID=VALUE",
                   help="one answer (yes/no/unsure, a number, text); repeatable; wins over --answers")
    p.add_argument("--no-input", action="store_true",
                   help="never prompt, even on a terminal: a missing answer is an error")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), json, or markdown (the stakeholder announcement)")
    p.add_argument("--write", metavar="DIR",
                   help="also write the incident record to DIR/<date>-<slug>.md (never overwrites)")
    p.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                   help="the incident's date, for the record (default: today)")
    add_config_argument(p)


def interactive(args: argparse.Namespace) -> bool:
    if args.no_input:
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def run(args: argparse.Namespace) -> int:
    from hotfix_guard.triage.answers import load_file, parse_sets
    from hotfix_guard.triage.decision import MISSING, Undecided, decide
    from hotfix_guard.triage.questions import QUESTIONS, TEXT_IDS

    given: dict[str, Any] = {}
    if args.answers:
        given.update(load_file(args.answers))
    given.update(parse_sets(args.sets))

    prompter = None
    if interactive(args):
        from hotfix_guard.triage.prompts import Prompter

        prompter = Prompter()

    def source(qid: str, required: bool) -> Any:
        if qid in given:
            return given[qid]
        if prompter is None:
            return MISSING
        value = prompter.ask(QUESTIONS[qid], required)
        if value is not MISSING:
            given[qid] = value
        return value

    verdict = decide(source)
    if isinstance(verdict, Undecided):
        raise _missing(verdict.missing, args)

    if prompter is not None:
        prompter.verdict(verdict)
        if verdict.workflow != "bug-fix" or args.format == "markdown" or args.write:
            for qid in TEXT_IDS:
                source(qid, False)

    suggestion = None
    if verdict.workflow == "hotfix":
        from hotfix_guard.triage.branch import suggest

        title = given.get("title")
        suggestion = suggest(title if isinstance(title, str) else None, args.config)

    from hotfix_guard.triage import render
    from hotfix_guard.triage.templates import Result, announcement

    date = args.date or _dt.date.today().isoformat()
    answers = {qid: given[qid] for qid in QUESTIONS if qid in given}
    result = Result(verdict, answers, suggestion, date)

    record = write_record(result, args.write) if args.write else None
    if args.format == "json":
        out = render.json_text(result, record)
    elif args.format == "markdown":
        out = announcement(result)
    else:
        out = render.text(result, record)
    if prompter is not None and args.format == "text":
        prompter.show(render.wrap(out, prompter.console.width), verdict.workflow)
    elif args.format == "text" and _terminal_width() is not None:
        sys.stdout.write(render.wrap(out, _terminal_width() or 80))
        sys.stdout.flush()
    else:
        sys.stdout.write(out)
        sys.stdout.flush()
    if record and args.format != "text":
        print(f"hotfix-guard: incident record written: {record}", file=sys.stderr)

    if prompter is not None and args.format == "text" and result.branch:
        _offer_start(prompter, result, args)
    return 0


def _terminal_width() -> int | None:
    """The width of the terminal stdout is, or None when it is not one."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _missing(missing: tuple[str, ...], args: argparse.Namespace) -> UsageError:
    from hotfix_guard.triage.questions import QUESTIONS

    why = "--no-input" if args.no_input else "no terminal to ask on"
    first = QUESTIONS[missing[0]] if missing else QUESTIONS["production_broken"]
    example = f"--set {first.id}={'30' if first.kind == 'percent' else 'no'}"
    return UsageError(
        f"missing answers ({why}): {', '.join(missing)}",
        hint=f"pass each with --set ID=VALUE (e.g. {example}) or in --answers FILE; "
             "yes/no questions also take unsure",
    )


def write_record(result: Any, directory: str) -> str:
    """Write DIR/<date>-<slug>.md from the seed's incident log skeleton; never overwrite."""
    from hotfix_guard.triage.templates import incident_record
    from hotfix_guard.history.versions import slugify

    title = result.given("title")
    slug = slugify(title, 50) if title else "incident"
    path = os.path.join(directory, f"{result.date}-{slug}.md")
    try:
        os.makedirs(directory, exist_ok=True)
        with open(path, "x", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(incident_record(result))
    except FileExistsError:
        raise UsageError(f"--write: {path} already exists; not overwriting it",
                         hint="complete that record, or give this incident another title") from None
    except OSError as exc:
        raise UsageError(f"--write: cannot write {path}: {exc.strerror}") from None
    return path


def _offer_start(prompter: Any, result: Any, args: argparse.Namespace) -> None:
    """Offer to create the branch, unless ``start`` would refuse: then say why."""
    from hotfix_guard.commands.start import start
    from hotfix_guard.triage.templates import start_command

    suggestion = result.suggestion
    prompter.console.print()
    try:  # every check start makes, nothing written: offer only what can be done
        start(result.given("title"), config=args.config, dry_run=True, out=lambda line: None)
    except HotfixGuardError as exc:
        why = f"Not creating {result.branch} now: {exc.message}"
        if exc.hint:
            why += f" ({exc.hint})"
        prompter.console.print(why, markup=False)
        prompter.console.print(f"Later: {start_command(result)}", markup=False)
        return
    if not prompter.confirm(f"Create {result.branch} from {suggestion.production} now (hotfix-guard start)?"):
        prompter.console.print(f"Later: {start_command(result)}", markup=False)
        return
    start(result.given("title"), config=args.config,
          out=lambda line: prompter.console.print(line, markup=False, soft_wrap=True))
