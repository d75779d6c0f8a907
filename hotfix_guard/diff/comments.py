"""Which text of a file is a comment, per language.

The diff rules must tell a comment from code: a ``HOTFIX v1.2.4:`` marker or a ``TODO``
inside a string literal is not a comment, and neither is ``#`` in ``${#array}``. A small
regular-expression lexer per language scans the whole file once, skipping string
literals (Python's triple-quoted ones included), so block comments and strings that open
lines above an added line are seen too. Python's own ``tokenize`` gave the same answers
for Python at 10-15 times the cost (compiling its patterns alone takes ~4 ms), on
every hook run; it also gave up on any file that did not parse.

:func:`language_for` names the language of a path (by extension or well-known file name);
:func:`comment_map` gives, for one file's text, the comment text on each line.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from collections import namedtuple

TYPE_CHECKING = False  # typing is not imported at run time: it costs milliseconds on every hook run
if TYPE_CHECKING:
    pass

# line comment modes: anywhere outside a string / at the start of a word / only at line start
ANY, WORD, LINE = "any", "word", "line"


class Language(namedtuple("Language", "name kind line block strings", defaults=((), (), (),))):
    """How comments and strings look in a language.

    ``kind`` is ``code`` (a programming language), ``config`` (YAML, TOML, INI...),
    ``markup`` (HTML, XML, templates) or ``prose`` (Markdown, reStructuredText).
    """
    # line: (prefix, mode)
    # block: (open, close)
    # strings: names from _STRING_PATTERNS

    __slots__ = ()

    @property
    def is_code(self) -> bool:
        return self.kind == "code"

    @property
    def is_source(self) -> bool:
        """Hand-written source a hotfix marker belongs in: code, config and markup."""
        return self.kind != "prose"


_STRING_PATTERNS = {
    "tdq": r'"""[\s\S]*?(?:"""|\Z)',
    "tsq": r"'''[\s\S]*?(?:'''|\Z)",
    "dq": r'"(?:[^"\\\n]|\\[\s\S])*"?',  # a backslash escapes the newline too (a continued line)
    "sq": r"'(?:[^'\\\n]|\\[\s\S])*'?",
    "char": r"'(?:\\.|[^'\\\n]){1,8}'",  # C-like character literals; short, so Rust lifetimes pass
    "bt": r"`(?:[^`\\]|\\[\s\S])*`?",  # JS templates, Go raw strings: may span lines
}

_C_LINE = (("//", ANY),)
_C_BLOCK = (("/*", "*/"),)
_HASH = (("#", ANY),)
_HASH_WORD = (("#", WORD),)
_HTML_BLOCK = (("<!--", "-->"),)

_C = Language("c", "code", _C_LINE, _C_BLOCK, ("dq", "char"))
_JAVA = Language("java", "code", _C_LINE, _C_BLOCK, ("tdq", "dq", "char"))
_JS = Language("javascript", "code", _C_LINE, _C_BLOCK, ("dq", "sq", "bt"))
_GO = Language("go", "code", _C_LINE, _C_BLOCK, ("dq", "char", "bt"))
_RUST = Language("rust", "code", _C_LINE, _C_BLOCK, ("dq", "char"))
_SWIFT = Language("swift", "code", _C_LINE, _C_BLOCK, ("tdq", "dq"))
_CSHARP = Language("csharp", "code", _C_LINE, _C_BLOCK, ("tdq", "dq", "char"))
_PHP = Language("php", "code", (("//", ANY), ("#", ANY)), _C_BLOCK, ("dq", "sq"))
_DART = Language("dart", "code", _C_LINE, _C_BLOCK, ("tdq", "tsq", "dq", "sq"))
_CSS = Language("css", "code", (), _C_BLOCK, ("dq", "sq"))
_SCSS = Language("scss", "code", _C_LINE, _C_BLOCK, ("dq", "sq"))
_PYTHON = Language("python", "code", _HASH, (), ("tdq", "tsq", "dq", "sq"))
_RUBY = Language("ruby", "code", _HASH, (), ("dq", "sq"))
_SHELL = Language("shell", "code", _HASH_WORD, (), ("dq", "sq"))
_POWERSHELL = Language("powershell", "code", _HASH_WORD, (("<#", "#>"),), ("dq", "sq"))
_PERL = Language("perl", "code", _HASH_WORD, (), ("dq", "sq"))
_R = Language("r", "code", _HASH, (), ("dq", "sq"))
_JULIA = Language("julia", "code", _HASH, (("#=", "=#"),), ("tdq", "dq"))
_ELIXIR = Language("elixir", "code", _HASH, (), ("tdq", "dq"))
_SQL = Language("sql", "code", (("--", ANY),), _C_BLOCK, ("sq", "dq"))
_LUA = Language("lua", "code", (("--", ANY),), (("--[[", "]]"),), ("dq", "sq"))
_HASKELL = Language("haskell", "code", (("--", ANY),), (("{-", "-}"),), ("dq",))
_LISP = Language("lisp", "code", ((";", ANY),), (), ("dq",))
_ERLANG = Language("erlang", "code", (("%", ANY),), (), ("dq",))
_MAKE = Language("make", "code", _HASH_WORD, (), ())
_DOCKER = Language("dockerfile", "code", (("#", LINE),), (), ())
_TERRAFORM = Language("terraform", "config", (("#", ANY), ("//", ANY)), _C_BLOCK, ("dq",))
_PROTO = Language("protobuf", "code", _C_LINE, _C_BLOCK, ("dq", "sq"))
_YAML = Language("yaml", "config", _HASH_WORD, (), ("dq", "sq"))
_TOML = Language("toml", "config", _HASH, (), ("tdq", "tsq", "dq", "sq"))
_INI = Language("ini", "config", (("#", LINE), (";", LINE)), (), ())
_PROPERTIES = Language("properties", "config", (("#", LINE), ("!", LINE)), (), ())
_HTML = Language("html", "markup", (), _HTML_BLOCK, ())
_VUE = Language("vue", "markup", _C_LINE, _HTML_BLOCK + _C_BLOCK, ("dq", "sq", "bt"))
_MARKDOWN = Language("markdown", "prose", (), _HTML_BLOCK, ())
_RST = Language("restructuredtext", "prose", ((".. ", LINE),), (), ())

_BY_EXTENSION: dict[str, Language] = {}
for _lang, _exts in (
    (_PYTHON, "py pyi pyw pyx pxd"),
    (_C, "c h cc cpp cxx hpp hh hxx ino m mm cu"),
    (_JAVA, "java kt kts scala sc groovy gradle"),
    (_JS, "js jsx mjs cjs ts tsx mts cts"),
    (_GO, "go"),
    (_RUST, "rs"),
    (_SWIFT, "swift"),
    (_CSHARP, "cs fs fsx"),
    (_PHP, "php"),
    (_DART, "dart"),
    (_CSS, "css"),
    (_SCSS, "scss less sass"),
    (_RUBY, "rb rake gemspec"),
    (_SHELL, "sh bash zsh ksh fish"),
    (_POWERSHELL, "ps1 psm1"),
    (_PERL, "pl pm"),
    (_R, "r"),
    (_JULIA, "jl"),
    (_ELIXIR, "ex exs nim cr"),
    (_SQL, "sql"),
    (_LUA, "lua"),
    (_HASKELL, "hs elm"),
    (_LISP, "clj cljs cljc edn el lisp scm"),
    (_ERLANG, "erl hrl"),
    (_MAKE, "mk mak cmake"),
    (_TERRAFORM, "tf tfvars hcl"),
    (_PROTO, "proto"),
    (_YAML, "yaml yml"),
    (_TOML, "toml"),
    (_INI, "ini cfg conf"),
    (_PROPERTIES, "properties"),
    (_HTML, "html htm xhtml xml xsd xsl jsp erb hbs jinja j2 twig"),
    (_VUE, "vue svelte astro"),
    (_MARKDOWN, "md markdown mdx"),
    (_RST, "rst"),
):
    for _ext in _exts.split():
        _BY_EXTENSION[_ext] = _lang

_BY_NAME: dict[str, Language] = {
    "dockerfile": _DOCKER,
    "containerfile": _DOCKER,
    "makefile": _MAKE,
    "gnumakefile": _MAKE,
    "cmakelists.txt": _MAKE,
    "jenkinsfile": _JAVA,
    "rakefile": _RUBY,
    "gemfile": _RUBY,
    "vagrantfile": _RUBY,
    "build": _PYTHON,  # Bazel / Starlark
    "build.bazel": _PYTHON,
    "workspace": _PYTHON,
    ".editorconfig": _INI,
}


def language_for(path: str) -> Language | None:
    """The language of a file, by name or extension; None when unknown (e.g. JSON, CSV)."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in _BY_NAME:
        return _BY_NAME[lower]
    if lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return _DOCKER
    if "." not in name.lstrip("."):
        return None
    return _BY_EXTENSION.get(lower.rsplit(".", 1)[-1])


@lru_cache(maxsize=None)
def _lexer(lang: Language) -> re.Pattern[str]:
    comments = []
    # blocks first: Lua's "--[[" must win over its line comment "--"
    for opener, closer in lang.block:
        comments.append(re.escape(opener) + r"[\s\S]*?(?:" + re.escape(closer) + r"|\Z)")
    for prefix, mode in lang.line:
        body = re.escape(prefix) + r"[^\r\n]*"
        if mode == WORD:
            body = r"(?<![^\s;&|(])" + body
        elif mode == LINE:
            body = r"(?<![^\n])[ \t]*" + body
        comments.append(body)
    strings = [_STRING_PATTERNS[name] for name in lang.strings]
    parts = []
    if comments:
        parts.append("(?P<c>" + "|".join(comments) + ")")
    if strings:
        parts.append("(?P<s>" + "|".join(strings) + ")")
    return re.compile("|".join(parts) or r"(?!)")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def comment_map(text: str, lang: Language) -> dict[int, str]:
    """Line number (1-based) -> the comment text on that line, for a whole file."""
    result: dict[int, str] = {}
    starts = _line_starts(text)
    for match in _lexer(lang).finditer(text):
        if match.lastgroup != "c":
            continue
        start, end = match.span()
        first = bisect.bisect_right(starts, start) - 1
        piece = match.group()
        for offset, part in enumerate(piece.split("\n")):
            line = first + 1 + offset
            result[line] = (result[line] + " " + part) if line in result else part
    return result


def line_comment(line: str, lang: Language) -> str | None:
    """The comment on one line read on its own (when the whole file cannot be read)."""
    pieces = [m.group() for m in _lexer(lang).finditer(line) if m.lastgroup == "c"]
    return " ".join(pieces) if pieces else None
