"""HCL text into tokens: the first half of the Terraform parser (``hcl_parser`` is the second).

A token is a kind and a ``start:end`` range of the text, kept in parallel lists (:class:`Tokens`)
so that the parser indexes them without building an object per token. Operators and punctuation
are their own kind (``"=="``, ``"{"``); the other kinds are below. A quoted string with no
interpolation or directive (nearly all of them) is one ``STRING`` token; any other is split while
lexing — literal text, ``${`` … ``}`` interpolations lexed as ordinary tokens, and ``%{...}``
directives whole — because a string may hold an interpolation that holds a string. A ``.name``
written without a space is one ``ATTRIBUTE`` token, and a run of line breaks and line comments
one ``NEWLINE``: the parser reads the tokens one by one, and these are the most frequent.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

from .errors import LoadError
from .located import Span

NAME, NUMBER, NEWLINE, HEREDOC, EOF = "name", "number", "\n", "<<", "end"
STRING, ATTRIBUTE = "string", ".name"  # a literal string whole; ``.name`` (its name is text[start + 1:end])
STRING_OPEN, STRING_TEXT, STRING_CLOSE = '"', "text", '"end'
INTERPOLATION, INTERPOLATION_END, DIRECTIVE = "${", "}end", "%{"

_LINE_END = r"(?:\n|#[^\n]*|//[^\n]*)"  # a line break, or a line comment up to its line break
_TOKEN = re.compile(
    r"[ \t\r\f\v]*(?:"
    r"(?P<name>[^\W\d][\w-]*)"
    r"|(?P<attribute>\.[^\W\d][\w-]*)"
    r"|(?P<nl>" + _LINE_END + r"(?:[ \t\r\f\v]*" + _LINE_END + r")*)"
    # A quoted string with no interpolation or directive (nearly all of them) in one match; any
    # other opens string mode below. Its text is what _STRING_TEXT matches.
    r'|(?P<simple>"(?P<body>(?s:[^"\\$%]|\\.|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*)")'
    r"|(?P<comment>/\*)"
    r"|(?P<heredoc><<-?[A-Za-z][\w.-]*\r?\n)"
    r"|(?P<op>\.\.\.|::|==|!=|<=|>=|&&|\|\||=>|\[\*\]|\.\*|[-+*/%<>!?:=.,~])"
    r"|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r'|(?P<string>")'
    r"|(?P<end>\Z)"
    r")"
)
_NAME_REST = re.compile(r"[\w-]*")


def _name_end(text: str, pos: int) -> int:
    r"""Where a name that ``\w`` stopped at ``pos`` ends: names go on through combining marks
    (Unicode's ID_Continue has them, ``\w`` does not): ``n`` + U+0303 is one name, as in HCL."""
    while pos < len(text) and unicodedata.category(text[pos]) in ("Mn", "Mc"):
        pos = _NAME_REST.match(text, pos + 1).end()
    return pos


# Literal text of a quoted string: anything up to a quote, an unescaped ${ or %{ (the doubled $${
# and %%{ are literal), with backslash escapes kept for ``unescape``.
_STRING_TEXT = re.compile(r'(?:[^"\\$%]|\\.|\$\$\{|%%\{|\$(?!\{)|%(?!\{))+', re.S)


class Tokens:
    """The tokens of one text: ``kinds[i]`` spans ``text[starts[i]:ends[i]]``; ``values[i]`` is the
    decoded text of a ``STRING_TEXT`` token (``None`` for the others)."""

    __slots__ = ("text", "kinds", "starts", "ends", "values", "line_starts")

    def __init__(self, text: str):
        self.text = text
        self.kinds: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.values: list[str | None] = []
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def add(self, kind: str, start: int, end: int, value: str | None = None) -> None:
        self.kinds.append(kind)
        self.starts.append(start)
        self.ends.append(end)
        self.values.append(value)


def lex(text: str, max_depth: int) -> Tokens:
    """The tokens of ``text``, ending with ``EOF``; raises :class:`LoadError` on a character no
    token starts with, an unterminated string, heredoc or comment, or brackets nested deeper than
    ``max_depth``."""
    tokens = Tokens(text)
    # Tokens.add, inlined: the loop runs once per token.
    kinds, starts, ends, values = tokens.kinds.append, tokens.starts.append, tokens.ends.append, tokens.values.append
    match_token, match_text = _TOKEN.match, _STRING_TEXT.match
    braces: list[str] = []  # "{" an ordinary brace, "$" one that closes an interpolation
    depth = 0  # open ( [ { and ${
    in_string = False
    pos = 0
    while True:
        if in_string:
            m = match_text(text, pos)
            if m is not None:
                raw = m.group()
                kinds(STRING_TEXT), starts(pos), ends(m.end()), values(_literal(raw))
                pos = m.end()
                continue
            if text.startswith('"', pos):
                kinds(STRING_CLOSE), starts(pos), ends(pos + 1), values(None)
                in_string = False
                pos += 1
            elif text.startswith("${", pos):
                kinds(INTERPOLATION), starts(pos), ends(pos + 2), values(None)
                braces.append("$")
                depth += 1
                in_string = False
                pos += 2
            elif text.startswith("%{", pos):
                close = matching_brace(text, pos + 2)
                if close < 0:
                    raise _error(tokens, pos, "unterminated template directive")
                kinds(DIRECTIVE), starts(pos), ends(close + 1), values(None)
                pos = close + 1
            else:
                raise _error(tokens, _string_start(tokens), "unterminated string")
            continue
        m = match_token(text, pos)
        if m is None:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip(" \t\r\f\v"))
            raise _error(tokens, start, f"unexpected character {text[start]!r}")
        kind = m.lastgroup
        start, pos = m.start(kind), m.end()
        if kind == "name":
            if pos < len(text) and not text[pos].isascii():
                pos = _name_end(text, pos)
            kinds(NAME), starts(start), ends(pos), values(None)
        elif kind == "op":
            kinds(m.group(kind)), starts(start), ends(pos), values(None)
        elif kind == "nl":
            kinds(NEWLINE), starts(start), ends(pos), values(None)
        elif kind == "attribute":
            if pos < len(text) and not text[pos].isascii():
                pos = _name_end(text, pos)
            kinds(ATTRIBUTE), starts(start), ends(pos), values(None)
        elif kind == "open":
            depth += 1
            if depth > max_depth:
                raise _error(tokens, start, f"nesting deeper than {max_depth} levels")
            op = text[start]
            if op == "{":
                braces.append("{")
            kinds(op), starts(start), ends(pos), values(None)
        elif kind == "close":
            depth -= 1
            op = text[start]
            if op == "}" and braces and braces.pop() == "$":
                kinds(INTERPOLATION_END), starts(start), ends(pos), values(None)
                in_string = True
                continue
            kinds(op), starts(start), ends(pos), values(None)
        elif kind == "simple":
            kinds(STRING), starts(start), ends(pos), values(_literal(m.group("body")))
        elif kind == "number":
            kinds(NUMBER), starts(start), ends(pos), values(None)
        elif kind == "string":
            kinds(STRING_OPEN), starts(start), ends(pos), values(None)
            in_string = True
        elif kind == "heredoc":
            pos = _heredoc_end(tokens, start, pos)
            kinds(HEREDOC), starts(start), ends(pos), values(None)
        elif kind == "comment":
            close = text.find("*/", pos)
            if close < 0:
                raise _error(tokens, start, "unterminated comment")
            pos = close + 2
            if "\n" in text[start:pos]:
                kinds(NEWLINE), starts(start), ends(pos), values(None)
        else:
            for _ in range(2):  # so that the parser may always look one token ahead
                kinds(EOF), starts(start), ends(start), values(None)
            return tokens


def _literal(raw: str) -> str:
    """The value of a string's literal text: ``$${`` and ``%%{`` are ``${`` and ``%{``, escapes decoded."""
    if "{" in raw:
        raw = raw.replace("$${", "${").replace("%%{", "%{")
    return unescape(raw)


def _heredoc_end(tokens: Tokens, start: int, body: int) -> int:
    """Where a heredoc ends: after the newline of the first line that holds only its marker,
    with white space before or after it (as Terraform reads it)."""
    text = tokens.text
    opener = text[start:body].rstrip()
    marker = opener[3:] if opener.startswith("<<-") else opener[2:]
    closing = re.compile(r"^[^\S\n]*" + re.escape(marker) + r"[^\S\n]*\n", re.M).search(text, body)  # HCL trims the line
    if closing is None:
        raise _error(tokens, start, f"heredoc {marker} is never closed")
    return closing.end()


def _string_start(tokens: Tokens) -> int:
    kinds = tokens.kinds
    for i in range(len(kinds) - 1, -1, -1):
        if kinds[i] == STRING_OPEN:
            return tokens.starts[i]
    return len(tokens.text) - 1


def position(tokens: Tokens, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset``."""
    line = bisect_right(tokens.line_starts, offset)
    return line, offset - tokens.line_starts[line - 1] + 1


def _error(tokens: Tokens, offset: int, message: str) -> LoadError:
    line, col = position(tokens, offset)
    return LoadError(f"Terraform syntax error: {message}", Span(line, col, line, col + 1))


def matching_brace(text: str, i: int) -> int:
    """Index of the ``}`` closing an interpolation or directive whose body starts at ``i`` (``-1``
    if none)."""
    depth = 0
    quote = False
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def unescape(text: str) -> str:
    """An HCL quoted-string literal's escapes decoded."""
    if "\\" not in text:
        return text

    def one(match: re.Match) -> str:
        esc = match.group(1)
        if esc[0] in "uU" and len(esc) > 1:
            code = int(esc[1:], 16)
            return chr(code) if code <= 0x10FFFF else match.group()
        return _ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE.sub(one, text)


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C, as HCL keeps every string value (a letter and a
    combining accent become the precomposed letter)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)
