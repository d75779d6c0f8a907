"""Suppressions (SPEC §2), always with a reason, which the report keeps.

Three sources, tried in this order for each finding:

- ``comment``: ``hotfix-guard: ignore[HG007] <reason>`` in a comment on a line the change
  adds (any comment syntax; in a file of unknown format, anywhere on the line). It applies
  to findings of its file on its own line and on the next line, and to the file's
  findings that have no line (a rename, a deletion). Several codes: ``ignore[HG005,HG007]``;
  rule names work too (``ignore[no-refactor]``).
- ``trailer``: ``Hotfix-Guard-Ignore: HG004 <reason>`` in a commit message of the change
  (codes first, then the reason). It applies to the whole change.
- ``config``: ``per-file-ignores = { "docs/**" = ["HG005"] }``: codes, prefixes or names
  for gitignore-style globs. The reason is the config itself.

A suppression without a reason suppresses nothing and is an error; a comment or trailer
that suppresses nothing is a warning. Both are findings of the rule HG013
justified-suppression, and only when that rule is selected. They are judged only for rules
that ran (``ran``), so ``--select HG005`` does not call an HG007 suppression stale.
"""

from __future__ import annotations

import re


from hotfix_guard.engine.rule import Finding

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    from typing import Iterable
    from hotfix_guard.engine.context import Context
    from hotfix_guard.engine.rule import Rule

META = ("HG013", "justified-suppression")
HINT = re.compile(r"hotfix-guard", re.I)
INLINE_RE = re.compile(r"hotfix-guard\s*:\s*ignore\s*\[([^\]]*)\]([^\n]*)", re.I)
TRAILER_RE = re.compile(r"^[ \t]*hotfix-guard-ignore[ \t]*:[ \t]*(.*)$", re.I | re.M)
TRAILER_CODES = re.compile(r"\s*([A-Za-z]{1,6}[0-9]{3,4})\s*(?:[,:]|\s|$)")
CODE_LIKE = re.compile(r"[A-Za-z]{1,6}[0-9]{3,4}")
_CLOSERS = ("*/", "-->", "#>", "-}", "=#", "]]", "*)")


def _reason(text: str) -> str:
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for closer in _CLOSERS:
            if text.endswith(closer):
                text = text[: -len(closer)].rstrip()
                changed = True
    text = text.lstrip(":-–—=> \t").strip()
    return text if re.search(r"[^\W_]{2,}", text) else ""


def _normal(code: str) -> str:
    return code.upper() if CODE_LIKE.fullmatch(code) else code.lower()


class Suppression:
    def __init__(self, source: str, codes: tuple[str, ...], reason: str, *, path: str | None = None,
                 line: int | None = None, ref: str | None = None, where: str = "") -> None:
        from hotfix_guard.diff.hunks import display

        self.source = source
        self.codes = codes
        self.reason = display(reason)
        self.path = path
        self.line = line
        self.ref = ref
        self.where = display(where)  # how to name it in a message
        self.used: set[str] = set()

    def names(self, f: Finding) -> str | None:
        """The code (as written) of ``f`` this suppression names, if any."""
        for code in self.codes:
            if code == f.code or code == f.name:
                return code
        return None

    def covers(self, f: Finding) -> bool:
        if self.source == "comment":
            if f.path != self.path or self.line is None:
                return False
            return f.line is None or f.line in (self.line, self.line + 1)
        return True


def _inline(ctx: Context, findings: list[Finding]) -> list[Suppression]:
    """Suppression comments on the lines the change adds (only when there is a diff)."""
    from hotfix_guard.engine.rule import Skip

    if "diff" not in ctx.__dict__ and not any(f.path for f in findings):
        return []
    try:
        diff = ctx.diff
    except Skip:
        return []
    from hotfix_guard.diff.hunks import keyword_pattern

    hint = keyword_pattern(HINT.pattern, HINT.flags)
    found: list[Suppression] = []
    for f in diff.reviewed():
        if f.is_deleted or not f.is_text:
            continue
        if f.language is not None:
            items = diff.added_comments(f, hint)
        else:
            items = [(ln.new, ln.text) for ln in f.added_matching(hint) if ln.new is not None]
        for line, text in items:
            for match in INLINE_RE.finditer(text):
                codes = tuple(_normal(c) for c in re.split(r"[\s,]+", match.group(1)) if c)
                found.append(Suppression("comment", codes, _reason(match.group(2)), path=f.path,
                                         line=line, where=f"ignore[{match.group(1).strip()}]"))
    return found


def _trailers(ctx: Context) -> list[Suppression]:
    from hotfix_guard.errors import HotfixGuardError
    from hotfix_guard.engine.rule import Skip

    try:
        commits = ctx.commits
    except (Skip, HotfixGuardError):
        return []
    found = []
    for commit in commits:
        for match in TRAILER_RE.finditer(commit.message):
            value = match.group(1)
            codes = []
            pos = 0
            while True:
                code = TRAILER_CODES.match(value, pos)
                if not code:
                    break
                codes.append(code.group(1).upper())
                pos = code.end()
            found.append(Suppression(
                "trailer", tuple(codes), _reason(value[pos:]), ref=commit.sha,
                where=f"`Hotfix-Guard-Ignore: {value.strip()[:40]}` in commit {commit.short} (\"{commit.subject[:50]}\")",
            ))
    return found


def _config_match(selector: str, f: Finding) -> bool:
    if selector == "ALL" or selector.lower() == f.name:
        return True
    return f.code.startswith(selector.upper())


def apply_suppressions(ctx: Context, findings: list[Finding],
                       ran: Iterable[type[Rule]] | None = None) -> list[Finding]:
    """Mark suppressed findings (they stay in the report); add HG013 findings about the
    suppressions themselves when ``ran`` (the rules that ran to the end) includes HG013."""
    settings = ctx.settings
    hotfix = ctx.kind == "hotfix"
    inline = _inline(ctx, findings) if hotfix else []
    trailers = _trailers(ctx) if hotfix else []
    config = []
    if settings.per_file_ignores:
        from hotfix_guard.globs import per_file_ignores

        config = per_file_ignores(settings)
    result: list[Finding] = []
    for f in findings:
        if f.suppressed or f.code == META[0]:
            result.append(f)
            continue
        done = None
        for group in (inline, trailers):
            matches = [(s, s.names(f)) for s in group if s.reason and s.covers(f)]
            matches = [(s, code) for s, code in matches if code]
            for s, code in matches:
                s.used.add(code)  # type: ignore[arg-type]
            if matches:
                done = f.suppress(matches[0][0].reason, group[0].source)
                break
        if done is None and f.path is not None:
            for glob, spec, selectors in config:
                if any(_config_match(sel, f) for sel in selectors) and spec.match_file(f.path):
                    where = settings.where("per-file-ignores")
                    done = f.suppress(f"{where}: \"{glob}\" = {list(selectors)}", "config")
                    break
        result.append(done or f)
    ran = list(ran or ())
    if any(rule.code == META[0] for rule in ran):
        result += _meta_findings(inline + trailers, ran)
    return result


def _meta_findings(suppressions: list[Suppression], ran: list[type[Rule]]) -> list[Finding]:
    ran_keys = {rule.code for rule in ran} | {rule.name for rule in ran}
    out = []

    def finding(s: Suppression, severity: str, message: str, help: str) -> Finding:
        return Finding(code=META[0], name=META[1], severity=severity, message=message,
                       path=s.path, line=s.line, ref=s.ref, help=help)

    for s in suppressions:
        named = ", ".join(s.codes) or "no rule"
        if not s.codes:
            out.append(finding(s, "error", f"{s.where} names no rule: it suppresses nothing",
                               "name the rule codes to suppress, e.g. `ignore[HG007]`, then the reason"))
        elif not s.reason:
            out.append(finding(
                s, "error", f"suppression of {named} without a reason: it suppresses nothing",
                "give the reason after the codes, e.g. `hotfix-guard: ignore[HG007] <why this is part of the fix>`"
                if s.source == "comment" else "give the reason after the codes: `Hotfix-Guard-Ignore: HG004 <why>`"))
        else:
            stale = [c for c in s.codes if c in ran_keys and c not in s.used]
            if stale:
                if s.source == "comment":
                    why = f"no {', '.join(stale)} finding on this line or the next"
                else:
                    why = f"the change has no {', '.join(stale)} finding"
                out.append(finding(s, "warning", f"{s.where} suppresses nothing: {why}",
                                   "remove the suppression, or move it to the line of the finding (or the line above)"
                                   if s.source == "comment" else "drop the stale code: reword that commit (git rebase -i) while the branch is unshared"))
    return out
