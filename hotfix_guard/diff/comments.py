"""Which text of a file is a comment, per language.

The diff rules must tell a comment from code: a ``HOTFIX v1.2.4:`` marker or a ``TODO``
inside a string literal is not a comment, and neither is ``#`` in ``${#array}``. A small
lexer per language scans the whole file once: one regular expression finds the next
comment, string literal or construct that needs a closer look, so block comments and
strings that open lines above an added line are seen too. Python's own ``tokenize`` gave
the same answers for Python at 10-15 times the cost, and gave up on any file that did
not parse; Pygments' lexers, at their import and lexing cost, would spend a clean
hotfix's whole hook budget on one file (docs/comments.md).

The constructs a regular expression cannot take alone are followed by small scanners:
heredocs (shell, Ruby, PHP, Perl, HCL: the body starts on the next line and ends at a
line holding the delimiter; one whose delimiter never comes is taken for code),
JavaScript regex literals (``/'/`` after an operator, not a division after a name),
Python f-strings (3.12 lets them nest the same quotes: ``f"{d["#"]}"``), and ``<script>``
and ``<style>`` blocks of HTML, Vue and Svelte files (read as JavaScript or CSS). Lua long
brackets, C++ and Rust raw strings, C# verbatim strings, SQL dollar quoting, Ruby's
``=begin``/``=end`` and Perl's POD are regular expressions with a back-reference. What is
still approximated is listed per language in docs/comments.md.

:func:`language_for` names the language of a path (by extension or well-known file name);
:func:`comment_map` gives, for one file's text, the comment text on each line.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from collections import namedtuple

# line comment modes: anywhere outside a string / at the start of a word / only at line
# start / the prefix is itself a regular expression
ANY, WORD, LINE, RAW = "any", "word", "line", "raw"


class Language(namedtuple("Language", "name kind line block strings comments special",
                          defaults=((), (), (), (), ()))):
    """How comments and strings look in a language.

    ``kind`` is ``code`` (a programming language), ``config`` (YAML, TOML, INI...),
    ``markup`` (HTML, XML, templates) or ``prose`` (Markdown, reStructuredText).
    """
    # line: (prefix, mode)
    # block: (open, close)
    # strings: names from _STRING_PATTERNS
    # comments: names from _COMMENT_PATTERNS (block comments that need a regular expression)
    # special: names from _SPECIAL_PATTERNS (constructs a scanner follows)

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
    "mdq": r'"(?:[^"\\]|\\[\s\S])*"?',  # may span lines
    "cnum": r"(?<![\w.])\d(?:'?[0-9A-Za-z_.])*",  # C++14/C23 digit separators: 1'000'000
    "cppraw": r'(?<!\w)(?:u8|[uUL])?R"(?P<cppd>[^()\\\s"]{0,16})\([\s\S]*?\)(?P=cppd)"',
    "rsraw": r'(?<!\w)b?r(?P<rsh>#*)"[\s\S]*?"(?P=rsh)',
    "csverb": r'(?<!\w)(?:\$@|@\$?)"(?:[^"]|"")*"?',
    "swraw": r'(?P<swh>#+)"[\s\S]*?"(?P=swh)',
    "sqlsq": r"'(?:[^']|'')*'?",  # standard SQL: '' escapes a quote, a backslash is a character
    "luastr": r"\[(?P<lsl>=*)\[[\s\S]*?(?:\](?P=lsl)\]|\Z)",
    "shesc": r"\\[\s\S]",  # shell: \' and \# outside quotes are characters
    "shsq": r"\$'(?:[^'\\]|\\[\s\S])*'?|'[^']*'?",  # no escapes in '...'; both may span lines
    "pshere": r"""@"[ \t]*\r?\n[\s\S]*?\n"@|@'[ \t]*\r?\n[\s\S]*?\n'@""",
    "cssurl": r"(?<![\w-])url\(\s*[^\s)\"'][^)\n]*\)",  # url(http://x): not a // comment
}

_COMMENT_PATTERNS = {
    "lualong": r"--\[(?P<lcl>=*)\[[\s\S]*?(?:\](?P=lcl)\]|\Z)",  # --[[ ]], --[==[ ]==]
    "rubydoc": r"(?<![^\n])=begin\b[\s\S]*?(?:\n=end\b[^\r\n]*|\Z)",
    "pod": r"(?<![^\n])=[A-Za-z]\w*[\s\S]*?(?:\n=cut\b[^\r\n]*|\Z)",
}

# Openers of the constructs a scanner follows; each is its own named group.
_SPECIAL_PATTERNS = {
    "hsh": r"(?<!<)<<-?[ \t]*(?:'[^'\n]+'|\"[^\"\n]+\"|\\?[A-Za-z_][\w-]*)",
    "hrb": r"<<(?:[~-](?:'[^'\n]+'|\"[^\"\n]+\"|`[^`\n]+`|[A-Za-z_]\w*)|'[^'\n]+'|\"[^\"\n]+\"|[A-Z_][A-Z0-9_]*\b)",
    "hphp": r"<<<[ \t]*(?:'\w+'|\"\w+\"|\w+)",
    "hpl": r"<<~?(?:'[^'\n]*'|\"[^\"\n]*\"|[A-Za-z_]\w*)",
    "hhcl": r"<<-?[A-Za-z_]\w*",
    "jsre": r"/",
    "fstr": None,  # no opener: a string is checked for an f/t prefix (cheaper than a search for one)
    "embed": r"<(?i:script|style)\b[^>]*>",
    "dollar": r"\$(?:[A-Za-z_]\w*)?\$",  # PostgreSQL: $$...$$, $fn$...$fn$
    "shdq": r'"',  # shell: "..." may span lines, and a $( ... ) inside it is code
}

_C_LINE = (("//", ANY),)
_C_BLOCK = (("/*", "*/"),)
_HASH = (("#", ANY),)
_HASH_WORD = (("#", WORD),)
_HTML_BLOCK = (("<!--", "-->"),)

_C = Language("c", "code", _C_LINE, _C_BLOCK, ("cppraw", "dq", "cnum", "char"))
_JAVA = Language("java", "code", _C_LINE, _C_BLOCK, ("tdq", "dq", "char"))
_JS = Language("javascript", "code", _C_LINE, _C_BLOCK, ("dq", "sq", "bt"), special=("jsre",))
_GO = Language("go", "code", _C_LINE, _C_BLOCK, ("dq", "char", "bt"))
_RUST = Language("rust", "code", _C_LINE, _C_BLOCK, ("rsraw", "mdq", "char"))
_SWIFT = Language("swift", "code", _C_LINE, _C_BLOCK, ("swraw", "tdq", "dq"))
_CSHARP = Language("csharp", "code", _C_LINE, _C_BLOCK, ("csverb", "tdq", "dq", "char"))
_PHP = Language("php", "code", (("//", ANY), (r"#(?!\[)", RAW)), _C_BLOCK, ("dq", "sq"), special=("hphp",))
_DART = Language("dart", "code", _C_LINE, _C_BLOCK, ("tdq", "tsq", "dq", "sq"))
_CSS = Language("css", "code", (), _C_BLOCK, ("cssurl", "dq", "sq"))
_SCSS = Language("scss", "code", _C_LINE, _C_BLOCK, ("cssurl", "dq", "sq"))
_PYTHON = Language("python", "code", _HASH, (), ("tdq", "tsq", "dq", "sq"), special=("fstr",))
_RUBY = Language("ruby", "code", _HASH, (), ("dq", "sq"), ("rubydoc",), ("hrb",))
_SHELL = Language("shell", "code", _HASH_WORD, (), ("shesc", "shsq"), special=("hsh", "shdq"))
_POWERSHELL = Language("powershell", "code", _HASH_WORD, (("<#", "#>"),), ("pshere", "dq", "sq"))
_PERL = Language("perl", "code", _HASH_WORD, (), ("dq", "sq"), ("pod",), ("hpl",))
_R = Language("r", "code", _HASH, (), ("dq", "sq"))
_JULIA = Language("julia", "code", _HASH, (("#=", "=#"),), ("tdq", "dq"))
_ELIXIR = Language("elixir", "code", _HASH, (), ("tdq", "dq"))
_SQL = Language("sql", "code", (("--", ANY),), _C_BLOCK, ("sqlsq", "dq"), special=("dollar",))
_LUA = Language("lua", "code", (("--", ANY),), (), ("luastr", "dq", "sq"), ("lualong",))
_HASKELL = Language("haskell", "code", (("--", ANY),), (("{-", "-}"),), ("dq",))
_LISP = Language("lisp", "code", ((";", ANY),), (("#|", "|#"),), ("dq",))
_ERLANG = Language("erlang", "code", (("%", ANY),), (), ("dq",))
_MAKE = Language("make", "code", _HASH_WORD, (), ())
_DOCKER = Language("dockerfile", "code", (("#", LINE),), (), ())
_TERRAFORM = Language("terraform", "config", (("#", ANY), ("//", ANY)), _C_BLOCK, ("dq",), special=("hhcl",))
_PROTO = Language("protobuf", "code", _C_LINE, _C_BLOCK, ("dq", "sq"))
_YAML = Language("yaml", "config", _HASH_WORD, (), ("dq", "sq"))
_TOML = Language("toml", "config", _HASH, (), ("tdq", "tsq", "dq", "sq"))
_INI = Language("ini", "config", (("#", LINE), (";", LINE)), (), ())
_PROPERTIES = Language("properties", "config", (("#", LINE), ("!", LINE)), (), ())
_HTML = Language("html", "markup", (), _HTML_BLOCK, (), special=("embed",))
_XML = Language("xml", "markup", (), _HTML_BLOCK, ())
_JINJA = Language("jinja", "markup", (), _HTML_BLOCK + (("{#", "#}"),), (), special=("embed",))
_ERB = Language("erb", "markup", (), _HTML_BLOCK + (("<%#", "%>"),), (), special=("embed",))
_JSP = Language("jsp", "markup", (), _HTML_BLOCK + (("<%--", "--%>"),), (), special=("embed",))
_HANDLEBARS = Language("handlebars", "markup", (), _HTML_BLOCK + (("{{!--", "--}}"), ("{{!", "}}")), (),
                       special=("embed",))
_VUE = Language("vue", "markup", (), _HTML_BLOCK, (), special=("embed",))
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
    (_HTML, "html htm xhtml"),
    (_XML, "xml xsd xsl"),
    (_JSP, "jsp"),
    (_ERB, "erb"),
    (_HANDLEBARS, "hbs"),
    (_JINJA, "jinja j2 twig"),
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


#: patterns compiled on first use: compiling them all at import would cost every hotfix check
_rx = lru_cache(maxsize=None)(re.compile)


@lru_cache(maxsize=None)
def _lexer(lang: Language) -> re.Pattern[str]:
    comments = [_COMMENT_PATTERNS[name] for name in lang.comments]  # first: Lua's "--[[" beats "--"
    for opener, closer in lang.block:
        comments.append(re.escape(opener) + r"[\s\S]*?(?:" + re.escape(closer) + r"|\Z)")
    for prefix, mode in lang.line:
        body = (prefix if mode == RAW else re.escape(prefix)) + r"[^\r\n]*"
        if mode == WORD:
            body = r"(?<![^\s;&|(])" + body
        elif mode == LINE:
            body = r"(?<![^\n])[ \t]*" + body
        comments.append(body)
    parts = []
    if comments:
        parts.append("(?P<c>" + "|".join(comments) + ")")
    parts += [f"(?P<{name}>{_SPECIAL_PATTERNS[name]})" for name in lang.special if _SPECIAL_PATTERNS[name]]
    if lang.strings:
        parts.append("(?P<s>" + "|".join(_STRING_PATTERNS[name] for name in lang.strings) + ")")
    return re.compile("|".join(parts) or r"(?!)")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def comment_spans(text: str, lang: Language, pos: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of every comment in ``text[pos:stop]``, in order."""
    stop = len(text) if stop is None else stop
    search = _lexer(lang).search
    spans: list[tuple[int, int]] = []
    heredocs: list[re.Pattern[str]] = []  # terminators of the heredocs opened on the current line
    fstrings = "fstr" in lang.special
    line_end = -1
    while pos < stop:
        m = search(text, pos, stop)
        if m is None:
            break
        start = m.start()
        if heredocs and start > line_end:  # the bodies come first: they are strings
            pos, heredocs = _after_heredocs(text, line_end, heredocs, stop), []
            if pos > start:
                continue
        kind = m.lastgroup
        pos = m.end()
        if kind == "c":
            spans.append((start, pos))
        elif kind == "s":
            if fstrings and start and text[start - 1] in "fFtTrR" and _is_fstring(text, start):
                quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
                pos = _fstring_end(text, start + len(quote), quote, stop)
        elif kind == "jsre":
            pos = _after_slash(text, start, spans[-1] if spans else None, stop)
        elif kind == "embed":
            pos = _embedded(text, m, spans, stop)
        elif kind == "dollar":
            pos = _dollar_quoted(text, m, spans, stop)
        elif kind == "shdq":
            pos = _shell_dq_end(text, pos, spans, stop)
        else:  # a heredoc opener
            terminator = _heredoc_terminator(kind, m.group())
            heredocs.append(terminator)
            if line_end < start:
                line_end = text.find("\n", pos, stop)
                if line_end < 0:
                    break  # no body: nothing after it
    return spans


# -- heredocs ------------------------------------------------------------------------------


def _heredoc_terminator(kind: str, opener: str) -> re.Pattern[str]:
    """The line that ends a heredoc opened by ``opener``."""
    rest = opener.lstrip("<")
    flag = rest[:1] if rest[:1] in "~-" else ""
    word = rest[len(flag):].strip(" \t\\").strip("'\"`")
    if kind == "hphp":  # PHP 7.3: the closing identifier may be indented, and code may follow it
        return re.compile(r"^[ \t]*" + re.escape(word) + r"\b", re.M)
    if kind == "hhcl" or flag == "~" or (flag == "-" and kind == "hrb"):
        return re.compile(r"^[ \t]*" + re.escape(word) + r"[ \t]*\r?$", re.M)
    if flag == "-":  # shell: <<- strips leading tabs
        return re.compile(r"^\t*" + re.escape(word) + r"\r?$", re.M)
    return re.compile(r"^" + re.escape(word) + r"\r?$", re.M)


def _after_heredocs(text: str, line_end: int, terminators: list[re.Pattern[str]], stop: int) -> int:
    """Where code goes on after the bodies of the heredocs opened on the line that ends at
    ``line_end``. A heredoc whose terminator never comes is taken for code (``x << y`` in
    arithmetic), so that no comment below it is lost."""
    pos = line_end + 1
    for terminator in terminators:
        end = terminator.search(text, pos, stop)
        if end is not None:
            newline = text.find("\n", end.end(), stop)
            pos = stop if newline < 0 else newline + 1
    return pos


# -- JavaScript regex literals ---------------------------------------------------------------

_JS_REGEX = r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*"
_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset({"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw",
                             "case", "do", "else", "yield", "await"})


def _after_slash(text: str, at: int, comment: tuple[int, int] | None, stop: int) -> int:
    """After a ``/`` that starts no comment: past the regex literal it opens, if the code
    before it expects an operand (``x = /'/``, ``(/a/)``, ``return /b/``), else past the
    division sign."""
    j = at - 1
    while j >= 0:
        if text[j] in " \t\r\n":
            j -= 1
        elif comment is not None and comment[0] <= j < comment[1]:
            j = comment[0] - 1
        else:
            break
    regex = j < 0 or text[j] in _REGEX_AFTER
    if not regex and (text[j].isalnum() or text[j] in "_$"):
        k = j
        while k > 0 and (text[k - 1].isalnum() or text[k - 1] in "_$"):
            k -= 1
        regex = text[k:j + 1] in _REGEX_KEYWORDS
    if regex:
        m = _rx(_JS_REGEX).match(text, at, stop)
        if m is not None:
            return m.end()
    return at + 1


# -- Python f-strings ------------------------------------------------------------------------


_FSTRING_STOPS = {q: "[\\\\{\n" + q + "]" for q in "'\""}
_FIELD_STOPS = r"""['"()\[\]{}:]"""
_SPEC_STOPS = r"[{}\n]"


def _is_fstring(text: str, quote_at: int) -> bool:
    """Whether the string whose quote is at ``quote_at`` has an f (or t) prefix."""
    k = quote_at
    while k > 0 and quote_at - k < 2 and text[k - 1] in "fFtTrR":
        k -= 1
    return any(ch in "fFtT" for ch in text[k:quote_at]) and not (k and (text[k - 1].isalnum() or text[k - 1] == "_"))


def _fstring_end(text: str, i: int, quote: str, stop: int) -> int:
    """The end of an f-string whose body starts at ``i``: its replacement fields are code
    that may hold strings of the same quote (Python 3.12)."""
    return _quoted_end(text, i, quote, stop, fields=True)


def _quoted_end(text: str, i: int, quote: str, stop: int, *, fields: bool) -> int:
    single = len(quote) == 1
    find = _rx(_FSTRING_STOPS[quote[0]]).search
    while True:
        m = find(text, i, stop)
        if m is None:
            return stop
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == quote[0]:
            if text.startswith(quote, i):
                return i + len(quote)
            i += 1
        elif ch == "\n":
            if single:
                return i
            i += 1
        elif fields and not text.startswith("{{", i):  # "{"
            i = _field_end(text, i + 1, stop)
        else:
            i += 2 if fields else 1


def _field_end(text: str, i: int, stop: int) -> int:
    """The end of a replacement field whose expression starts at ``i`` (past its ``}``)."""
    depth = 0
    find = _rx(_FIELD_STOPS).search
    while True:
        m = find(text, i, stop)
        if m is None:
            return stop
        i = m.start()
        ch = text[i]
        if ch in "'\"":
            k = i
            while k > 0 and text[k - 1] in "rRbBfFtTuU":
                k -= 1
            prefix = text[k:i].lower() if k == 0 or not (text[k - 1].isalnum() or text[k - 1] == "_") else ""
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i = _quoted_end(text, i + len(quote), quote, stop, fields="f" in prefix or "t" in prefix)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        elif depth == 0:  # ":" -- the format spec: text with fields of its own
            return _spec_end(text, i + 1, stop)
        i += 1


def _spec_end(text: str, i: int, stop: int) -> int:
    find = _rx(_SPEC_STOPS).search
    while True:
        m = find(text, i, stop)
        if m is None:
            return stop
        i = m.start()
        ch = text[i]
        if ch == "{":
            i = _field_end(text, i + 1, stop)
        elif ch == "}":
            return i + 1
        else:  # a newline ends a one-line f-string's spec
            return i


# -- <script> and <style> in markup ----------------------------------------------------------

_TYPE_ATTR = r"""(?i)\b(type|lang)\s*=\s*["']?([^"'\s>]+)"""
_SCRIPT_TYPES = frozenset({"module", "text/javascript", "application/javascript", "text/ecmascript",
                           "application/ecmascript", "text/babel", "text/jsx", "text/typescript",
                           "js", "ts", "jsx", "tsx", "javascript", "typescript"})
_CLOSE = {"script": r"(?i)</script\b", "style": r"(?i)</style\b"}


def _embedded(text: str, m: re.Match[str], spans: list[tuple[int, int]], stop: int) -> int:
    """Read a ``<script>`` or ``<style>`` element's body in its own language; where the
    markup goes on."""
    tag = m.group()
    name = "script" if tag[1:7].lower() == "script" else "style"
    close = _rx(_CLOSE[name]).search(text, m.end(), stop)
    body_end = close.start() if close is not None else stop
    attrs = {key.lower(): value.lower() for key, value in _rx(_TYPE_ATTR).findall(tag)}
    if name == "script":
        kind = attrs.get("lang") or attrs.get("type")
        inner = _JS if kind is None or kind in _SCRIPT_TYPES else None  # a template or JSON: markup
    else:
        inner = _SCSS if attrs.get("lang") in ("scss", "sass", "less") else _CSS
    if inner is not None:
        spans.extend(comment_spans(text, inner, m.end(), body_end))
        return body_end
    return m.end()


# -- shell double quotes and command substitution ---------------------------------------------

_SHDQ_STOPS = r'[\\"$]'
_SUBSHELL_TOKENS = r"""(?P<c>(?<![^\s;&|(])#[^\r\n]*)|(?P<s>\\[\s\S]|'[^']*'?)|(?P<q>")|(?P<p>[()])"""


def _shell_dq_end(text: str, i: int, spans: list[tuple[int, int]], stop: int) -> int:
    """The end of a ``"..."`` whose body starts at ``i``; the comments of a ``$( ... )``
    inside it are comments (the code it holds may span lines)."""
    while True:
        m = _rx(_SHDQ_STOPS).search(text, i, stop)
        if m is None:
            return stop
        i = m.start()
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == '"':
            return i + 1
        elif text.startswith("$(", i) and not text.startswith("$((", i):
            i = _subshell_end(text, i + 2, spans, stop)
        else:
            i += 1


def _subshell_end(text: str, i: int, spans: list[tuple[int, int]], stop: int) -> int:
    """Past the ``)`` that closes a command substitution whose code starts at ``i``."""
    depth = 0
    while True:
        m = _rx(_SUBSHELL_TOKENS).search(text, i, stop)
        if m is None:
            return stop
        i = m.end()
        kind = m.lastgroup
        if kind == "c":
            spans.append(m.span())
        elif kind == "q":
            i = _shell_dq_end(text, i, spans, stop)
        elif kind == "p":
            if m.group() == "(":
                depth += 1
            elif depth == 0:
                return i
            else:
                depth -= 1


# -- SQL dollar quoting ----------------------------------------------------------------------

_BODY_AFTER = r"(?i:\b(?:as|do|execute)|\b(?:replace|format)\s*\()\s*$"
_ENDS_LINE = r"[ \t]*\r?\n"


def _dollar_quoted(text: str, m: re.Match[str], spans: list[tuple[int, int]], stop: int) -> int:
    """Past a dollar-quoted string. After ``AS`` or ``DO`` it is a function's body, as the
    argument of ``EXECUTE``, ``replace(`` or ``format(`` dynamic SQL, and a body that
    starts on the next line (``CALL p('x', $$`` + newline) is code too: read as SQL,
    comments and all. Anywhere else (``SELECT $$a -- b$$``) it is a string."""
    tag = m.group()
    end = text.find(tag, m.end(), stop)
    if end < 0:
        return m.end()  # not closed: taken for code, so that no comment below is lost
    if _rx(_BODY_AFTER).search(text, max(0, m.start() - 40), m.start()) or _rx(_ENDS_LINE).match(text, m.end(), end):
        spans.extend(comment_spans(text, _SQL, m.end(), end))
    return end + len(tag)


def comment_map(text: str, lang: Language) -> dict[int, str]:
    """Line number (1-based) -> the comment text on that line, for a whole file."""
    result: dict[int, str] = {}
    starts = _line_starts(text)
    for start, end in comment_spans(text, lang):
        first = bisect.bisect_right(starts, start) - 1
        for offset, part in enumerate(text[start:end].split("\n")):
            line = first + 1 + offset
            result[line] = (result[line] + " " + part) if line in result else part
    return result


def line_comment(line: str, lang: Language) -> str | None:
    """The comment on one line read on its own (when the whole file cannot be read)."""
    pieces = [line[start:end] for start, end in comment_spans(line, lang)]
    return " ".join(pieces) if pieces else None
