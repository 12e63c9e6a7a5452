"""HCL tokens into the located syntax tree of ``hcl_tree``: Terraform's native syntax, by recursive
descent over the tokens of ``hcl_lexer``.

It follows the HCL native syntax specification and accepts what python-hcl2 8.1's grammar
accepts (``tests/test_hcl_parser.py`` holds the two to the same trees), plus a few forms Terraform
takes and that grammar refuses (a newline before any binary operator, ``${~ x ~}`` strip markers,
a ``/* */`` comment inside an expression, white space after a heredoc's closing marker), less what
Terraform refuses: single-line blocks with more than one argument (``a { b = 1, c = 2 }``), a ``}``
on a later line or a block inside, and a block whose ``{`` is not on the line of its type and
labels (``locals`` then ``{`` below). String values are kept in Unicode normal form C, as HCL keeps
them; ``tests/test_hcl_conformance.py`` holds it to HCL's specification suite. Heredocs and the strings of ``.tf.json`` files are
templates too: :func:`parse_template` splits them into literal text and ``${...}`` interpolations.
"""
from __future__ import annotations

from typing import Any

from .errors import LoadError
from .hcl_lexer import (
    ATTRIBUTE, DIRECTIVE, EOF, HEREDOC, INTERPOLATION, INTERPOLATION_END, NAME, NEWLINE, NUMBER, STRING,
    STRING_CLOSE, STRING_OPEN, STRING_TEXT, lex, matching_brace, nfc, position,
)
from .hcl_tree import Block, Body, Expr, Interpolation, Source
from .limits import MAX_DEPTH
from .located import LocDict, Span
from .numbers import decimal, number

# Binary operators by precedence (higher binds tighter); all are left-associative.
_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
# What a line may start with and still continue the expression of the line before: a binary
# operator or the ``?`` of a conditional, but not ``-``, which may start a negative number.
_CONTINUES = frozenset(_PRECEDENCE) - {"-"} | {"?"}
_LITERALS = {"true": True, "false": False, "null": None}
MAX_CHAIN = 2 * MAX_DEPTH  # binary operators in one chain: each is a level of the tree


def parse_hcl(text: str, display: str) -> Body:
    """The body of an HCL file; raises :class:`LoadError` (with a position) on a syntax error."""
    parser = _Parser(text, Source(text, display))
    try:
        return parser.body(None)
    except RecursionError:
        raise LoadError("Terraform file nested too deeply to parse", Span(1, 1, 1, 1)) from None


def parse_expression(text: str, span: Span, source: Source) -> Expr:
    """One expression written inside a template, every node located at ``span``."""
    parser = _Parser(text, Source(text, source.display), fixed=span)
    parser.newlines()
    expr = parser.expression()
    parser.newlines()
    if parser.kinds[parser.i] != EOF:
        parser.unexpected()
    return expr


class _Parser:
    """One text's tokens and the position reached in them."""

    def __init__(self, text: str, source: Source, fixed: Span | None = None):
        tokens = lex(text + "\n", MAX_DEPTH)
        source.line_starts = tokens.line_starts  # the same lines: the text, and a line break after it
        self.tokens = tokens
        self.text = tokens.text
        self.kinds, self.starts, self.ends, self.values = tokens.kinds, tokens.starts, tokens.ends, tokens.values
        self.i = 0
        self.source = source
        self.display = source.display
        self.fixed = fixed

    # -- positions and errors ----------------------------------------------------------------
    def span(self, start: int, end: int) -> Span:
        return self.fixed if self.fixed is not None else self.source.span(start, end)

    def make(self, op: str, args: tuple, start: int, end: int) -> Expr:
        """A node, its span made when read (unless all are at ``fixed``)."""
        return Expr(op, args, self.fixed, self.source, start, end)

    def unexpected(self, i: int | None = None) -> None:
        i = self.i if i is None else i
        kind, start = self.kinds[i], self.starts[i]
        if kind == EOF:
            what = "end of file"
            start = len(self.text.rstrip())  # just after the last thing written
        elif kind == NEWLINE and self.text[start] == "\n":
            what = "end of line"
        else:
            what = repr(self.text[start:self.written_end(i)].strip()[:40])
        line, col = position(self.tokens, start)
        raise LoadError(f"Terraform syntax error: unexpected {what}", Span(line, col, line, col + 1))

    def written_end(self, i: int) -> int:
        """Where the first thing written in token ``i`` ends: a literal string's or an attribute
        step's first character (its quote, its dot), a run of line comments' first line."""
        kind, start = self.kinds[i], self.starts[i]
        if kind == STRING or kind == ATTRIBUTE:
            return start + 1
        if kind == NEWLINE and not self.text.startswith("/*", start):
            return self.text.find("\n", start)
        return self.ends[i]

    def error(self, offset: int, message: str) -> None:
        line, col = position(self.tokens, offset)
        raise LoadError(f"Terraform syntax error: {message}", Span(line, col, line, col + 1))

    def expect(self, kind: str) -> int:
        """Step over a ``kind`` token; its end."""
        i = self.i
        if self.kinds[i] != kind:
            self.unexpected()
        self.i = i + 1
        return self.ends[i]

    def newlines(self) -> None:
        kinds, i = self.kinds, self.i
        while kinds[i] == NEWLINE:
            i += 1
        self.i = i

    def word(self, i: int) -> str:
        return self.text[self.starts[i]:self.ends[i]]

    def is_word(self, i: int, word: str) -> bool:
        return self.kinds[i] == NAME and self.word(i) == word

    # -- structure ---------------------------------------------------------------------------
    def body(self, opening: int | None) -> Body:
        """Attributes and blocks up to the end of the file (``opening`` None) or to the ``}`` that
        closes the ``{`` at ``opening``, which is left for the caller."""
        kinds, starts = self.kinds, self.starts
        attrs = LocDict()
        blocks: list[Block] = []
        first = last = -1
        # A block whose body starts on the line of its "{" is a single-line block: one argument
        # at most, and its "}" on the same line (Terraform refuses anything else).
        one_line = opening is not None and kinds[self.i] not in (NEWLINE, "}")
        while True:
            self.newlines()
            i = self.i
            kind = kinds[i]
            if kind != NAME:
                if kind == "}" and opening is not None:
                    break
                if kind == EOF and opening is not None:
                    self.error(opening, "this block is never closed: no '}' before the end of the file")
                if kind == EOF:
                    break
                self.unexpected()
            name = self.word(i)
            if first < 0:
                first = starts[i]
            if kinds[i + 1] == "=":
                self.i = i + 2
                value = self.expression()
                name_span = self.span(starts[i], self.ends[i])
                if name in attrs:
                    attrs.duplicates.append((name, attrs.key_span_of(name), name_span))
                attrs.put(name, value, value.span, name_span)
                last = value.end
                if one_line and kinds[self.i] == NEWLINE:
                    self.error(starts[self.i], "a single-line block must close on its line (or start its "
                                               "body on a new line)")
                if one_line and kinds[self.i] != "}":
                    self.unexpected()
            else:
                if one_line:
                    self.error(starts[i], "a single-line block cannot hold a block")
                block = self.block(name)
                blocks.append(block)
                last = self.ends[self.i - 1]
        if first >= 0:
            attrs.span = self.span(first, last)
        elif opening is not None:
            attrs.span = self.span(opening, self.ends[self.i])
        else:
            attrs.span = Span(1, 1, 1, 1, self.display)
        return Body(attrs, blocks, attrs.span)

    def block(self, kind: str) -> Block:
        """``type "label" label { body }`` from its type on."""
        kinds = self.kinds
        start = self.starts[self.i]
        self.i += 1
        labels = []
        while True:
            if kinds[self.i] == NAME:
                labels.append(self.word(self.i))
                self.i += 1
            elif kinds[self.i] == STRING or kinds[self.i] == STRING_OPEN:
                label = self.string(normalise=False)  # a label is a name: HCL keeps its code points
                labels.append(label.args[0] if label.op == "lit" else
                              "".join(p for p in label.args[0] if isinstance(p, str)))
            else:
                break
        while kinds[self.i] == NEWLINE and self.text.startswith("/*", self.starts[self.i]):
            self.i += 1  # a block comment, even over several lines, is not a line break here
        if kinds[self.i] == NEWLINE:  # Terraform refuses a "{" on a later line
            self.error(self.starts[self.i], "a block's '{' must be on the line of its type and labels")
        opening = self.starts[self.i]
        self.expect("{")
        body = self.body(opening)
        end = self.expect("}")
        return Block(kind, labels, body, self.span(start, end))

    # -- expressions -------------------------------------------------------------------------
    def expression(self) -> Expr:
        """A whole expression: operands joined by binary operators, and perhaps ``? :``."""
        left = self.operand()
        operator = self.operator()
        if operator is not None:
            operands, operators = [left], []
            count = 0
            while operator is not None:
                count += 1
                if count > MAX_CHAIN:
                    line, col = position(self.tokens, left.start)
                    raise LoadError(f"more than {MAX_CHAIN} operators in one Terraform expression",
                                    Span(line, col, line, col + 1))
                rank = _PRECEDENCE[operator]
                while operators and _PRECEDENCE[operators[-1]] >= rank:
                    self.reduce(operands, operators)
                operators.append(operator)
                operands.append(self.operand())
                operator = self.operator()
            while operators:
                self.reduce(operands, operators)
            left = operands[0]
        if self.continues("?"):
            self.i += 1
            self.newlines()
            yes = self.expression()
            self.newlines()
            self.expect(":")
            self.newlines()
            no = self.expression()
            return self.make("cond", (left, yes, no), left.start, no.end)
        return left

    def reduce(self, operands: list[Expr], operators: list[str]) -> None:
        right = operands.pop()
        left = operands.pop()
        operands.append(self.make("binop", (operators.pop(), left, right), left.start, right.end))

    def continues(self, kind: str) -> bool:
        """Whether the next token is ``kind``, on this line or at the start of a later one (for
        binary operators and ``?``); if so the position is moved to it."""
        kinds, i = self.kinds, self.i
        if kinds[i] == kind:
            return True
        if kinds[i] != NEWLINE:
            return False
        while kinds[i] == NEWLINE:
            i += 1
        if kinds[i] == kind and kind in _CONTINUES:
            self.i = i
            return True
        return False

    def operator(self) -> str | None:
        """The binary operator next (stepped over, with the newlines after it), or ``None``."""
        kinds, i = self.kinds, self.i
        kind = kinds[i]
        if kind == NEWLINE:
            while kinds[i] == NEWLINE:
                i += 1
            kind = kinds[i]
            if kind not in _CONTINUES or kind == "?":
                return None
        elif kind not in _PRECEDENCE:
            return None
        self.i = i + 1
        self.newlines()
        return kind

    def operand(self) -> Expr:
        """A term with its attribute, index and splat steps, or a unary operator and its operand."""
        kinds, starts = self.kinds, self.starts
        i = self.i
        kind = kinds[i]
        if kind == "-" or kind == "!":
            self.i = i + 1
            inner = self.operand()
            return self.make("unary", (kind, inner), starts[i], inner.end)
        elif kind == NAME:
            base = self.name()
        elif kind == NUMBER:
            base = self.number(i)
        elif kind == STRING or kind == STRING_OPEN:
            base = self.string()
        elif kind == "[":
            base = self.tuple()
        elif kind == "{":
            base = self.object()
        elif kind == "(":
            self.i = i + 1
            self.newlines()
            inner = self.expression()
            self.newlines()
            base = self.make("paren", (inner,), starts[i], self.expect(")"))
        elif kind == HEREDOC:
            base = self.heredoc()
        else:
            self.unexpected()
        return self.steps(base)

    def steps(self, base: Expr) -> Expr:
        """``base`` followed by ``.name``, ``.0``, ``[key]``, ``.*`` and ``[*]``."""
        kinds = self.kinds
        while True:
            i = self.i
            kind = kinds[i]
            if kind == ATTRIBUTE:
                self.i = i + 1
                base = self.make("attr", (base, self.text[self.starts[i] + 1:self.ends[i]]), base.start, self.ends[i])
            elif kind == ".":
                following = kinds[i + 1]
                if following == NAME:
                    self.i = i + 2
                    base = self.make("attr", (base, self.word(i + 1)), base.start, self.ends[i + 1])
                elif following == NUMBER:
                    base = self.make("index", (base, self.short_index()), base.start, self.ends[i + 1])
                else:
                    self.unexpected(i + 1)
            elif kind == "[":
                key = self.braces_index()
                base = self.make("index", (base, key), base.start, self.ends[self.i - 1])
            elif kind == ".*" or kind == "[*]":
                base = self.splat(base)
            else:
                return base

    def short_index(self) -> Expr:
        """``.0``: the legacy index."""
        i = self.i
        digits = self.word(i + 1)
        if not digits.isdigit():
            self.unexpected(i + 1)
        self.i = i + 2
        return self.make("lit", (decimal(digits),), self.starts[i], self.ends[i + 1])

    def braces_index(self) -> Expr:
        self.i += 1
        self.newlines()
        key = self.expression()
        self.newlines()
        self.expect("]")
        return key

    def splat(self, base: Expr) -> Expr:
        """``base.*`` or ``base[*]`` and the steps after it, which it applies to each element."""
        kinds = self.kinds
        end = self.ends[self.i]
        self.i += 1
        steps: list[tuple[str, Any]] = []
        while True:
            i = self.i
            if kinds[i] == ATTRIBUTE:
                steps.append(("attr", self.text[self.starts[i] + 1:self.ends[i]]))
                self.i = i + 1
            elif kinds[i] == "." and kinds[i + 1] == NAME:
                steps.append(("attr", self.word(i + 1)))
                self.i = i + 2
            elif kinds[i] == "." and kinds[i + 1] == NUMBER:
                steps.append(("index", self.short_index()))
            elif kinds[i] == "[":
                steps.append(("index", self.braces_index()))
            else:
                break
            end = self.ends[self.i - 1]
        return self.make("splat", (base, tuple(steps)), base.start, end)

    def number(self, i: int) -> Expr:
        digits = self.word(i)
        self.i = i + 1
        value = number(digits)
        return self.make("lit", (value,), self.starts[i], self.ends[i])

    def name(self) -> Expr:
        """A variable, ``true``/``false``/``null``, or a function call."""
        kinds = self.kinds
        i = self.i
        word = self.word(i)
        following = kinds[i + 1]
        if following == "(" or following == "::":
            names = [word]
            self.i = i + 1
            while kinds[self.i] == "::" and kinds[self.i + 1] == NAME and len(names) < 3:
                names.append(self.word(self.i + 1))
                self.i += 2
            if len(names) == 2:
                self.unexpected()
            return self.call("::".join(names), self.starts[i])
        self.i = i + 1
        if word in _LITERALS:
            return self.make("lit", (_LITERALS[word],), self.starts[i], self.ends[i])
        return self.make("var", (word,), self.starts[i], self.ends[i])

    def call(self, name: str, start: int) -> Expr:
        """``name(arg, ...)`` from its ``(`` on; a final ``...`` expands the last argument."""
        kinds = self.kinds
        self.expect("(")
        self.newlines()
        args = []
        expand = False
        while kinds[self.i] != ")":
            args.append(self.expression())
            if self.comma():
                continue
            if kinds[self.i] == "...":
                expand = True
                self.i += 1
                self.newlines()
                break
            if kinds[self.i] != ")":
                self.unexpected()
        return self.make("call", (name, tuple(args), expand), start, self.expect(")"))

    def string(self, normalise: bool = True) -> Expr:
        """A quoted string: a literal, or a template of text, interpolations and directives; its
        literal text in normal form C unless ``normalise`` is off."""
        kinds, values = self.kinds, self.values
        i = self.i
        start = self.starts[i]
        if kinds[i] == STRING:  # literal text alone: most strings
            self.i = i + 1
            text = values[i]
            return self.make("lit", (nfc(text) if normalise else text,), start, self.ends[i])
        self.i = i + 1
        parts: list[Any] = []
        while True:
            i = self.i
            kind = kinds[i]
            if kind == STRING_TEXT:
                parts.append(nfc(values[i]) if normalise else values[i])
                self.i = i + 1
            elif kind == INTERPOLATION:
                self.i = i + 1
                parts.append(self.interpolation())
            elif kind == DIRECTIVE:
                parts.append(self.make("directive", (), self.starts[i], self.ends[i]))
                self.i = i + 1
            elif kind == STRING_CLOSE:
                self.i = i + 1
                break
            else:
                self.unexpected()
        end = self.ends[self.i - 1]
        if all(isinstance(part, str) for part in parts):
            return self.make("lit", ("".join(parts),), start, end)
        return self.make("tmpl", (tuple(parts),), start, end)

    def interpolation(self) -> Expr:
        """``${ expression }`` after its ``${``, with optional ``~`` strip markers."""
        if self.kinds[self.i] == "~":
            self.i += 1
        self.newlines()
        expr = self.expression()
        self.newlines()
        if self.kinds[self.i] == "~":
            self.i += 1
        self.expect(INTERPOLATION_END)
        return expr

    def open_collection(self) -> tuple[int, bool]:
        """Step over a ``[`` or ``{`` and the newlines after it: where it starts, and whether a
        ``for`` expression follows."""
        start = self.starts[self.i]
        self.i += 1
        self.newlines()
        return start, self.is_word(self.i, "for") and self.kinds[self.i + 1] == NAME

    def comma(self) -> bool:
        """Step over the newlines, and a comma and the newlines after it if there is one."""
        self.newlines()
        if self.kinds[self.i] != ",":
            return False
        self.i += 1
        self.newlines()
        return True

    def tuple(self) -> Expr:
        """``[item, ...]`` or ``[for ...]``."""
        kinds = self.kinds
        start, is_for = self.open_collection()
        if is_for:
            return self.for_expression("tuple", start)
        items = []
        while kinds[self.i] != "]":
            items.append(self.expression())
            if not self.comma() and kinds[self.i] != "]":
                self.unexpected()
        return self.make("tuple", tuple(items), start, self.expect("]"))

    def object(self) -> Expr:
        """``{key = value, key: value ...}`` (commas or newlines between) or ``{for ...}``."""
        kinds = self.kinds
        start, is_for = self.open_collection()
        if is_for:
            return self.for_expression("object", start)
        elems = []
        while kinds[self.i] != "}":
            key = self.expression()
            if key.op == "var":  # a bare name is the key itself, not a reference: a string
                key = Expr("lit", (nfc(key.args[0]),), key.span, key.src, key.start, key.end)
            elif key.op == "paren":
                key = key.args[0]
            if kinds[self.i] not in ("=", ":"):
                self.unexpected()
            self.i += 1
            elems.append((key, self.expression()))
            self.comma()
        return self.make("object", tuple(elems), start, self.expect("}"))

    def for_expression(self, kind: str, start: int) -> Expr:
        """``[for k, v in collection : value if condition]`` or ``{for ... : key => value... if c}``,
        from ``for`` on."""
        kinds = self.kinds
        self.i += 1
        names = [self.word(self.i)]
        self.i += 1
        if kinds[self.i] == ",":
            self.i += 1
            self.newlines()
            if kinds[self.i] != NAME:
                self.unexpected()
            names.append(self.word(self.i))
            self.i += 1
        self.newlines()
        if not self.is_word(self.i, "in"):
            self.unexpected()
        self.i += 1
        self.newlines()
        collection = self.expression()
        self.newlines()
        self.expect(":")
        self.newlines()
        exprs: tuple[Expr, ...] = (self.expression(),)
        self.newlines()
        grouped = False
        if kind == "object":
            self.expect("=>")
            self.newlines()
            exprs += (self.expression(),)
            self.newlines()
            if kinds[self.i] == "...":
                grouped = True
                self.i += 1
                self.newlines()
        condition = None
        if self.is_word(self.i, "if"):
            self.i += 1
            self.newlines()
            condition = self.expression()
            self.newlines()
        end = self.expect("}" if kind == "object" else "]")
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return self.make("for", (kind, key_var, value_var, collection, exprs, condition, grouped), start, end)

    def heredoc(self) -> Expr:
        """``<<MARKER`` or ``<<-MARKER`` … ``MARKER``: a template (the token ends after the closing
        marker's newline)."""
        i = self.i
        self.i = i + 1
        start, end = self.starts[i], self.ends[i]
        raw = self.text[start:end]
        after_marker = raw[raw.index("\n") + 1:]
        closing = after_marker.rstrip("\r\n").rfind("\n")
        body_text = after_marker[:closing + 1] if closing >= 0 else ""
        first_line = (self.fixed.line if self.fixed is not None else position(self.tokens, start)[0]) + 1
        parts = parse_template(body_text, Span(first_line, 1, first_line, 1, self.display), self.source)
        return self.make("heredoc", (tuple(parts), raw.startswith("<<-"), first_line, body_text), start, end)


def parse_template(text: str, origin: Span, source: Source) -> list[Any]:
    """Literal strings (in normal form C) and :class:`Interpolation` parts of a template; ``origin``
    is where ``text`` starts in its file."""
    parts: list[Any] = []
    literal: list[str] = []
    i, n = 0, len(text)
    in_string = False
    line, col = origin.line, origin.col
    counted = 0

    def at(upto: int) -> tuple[int, int]:
        nonlocal line, col, counted
        piece = text[counted:upto]
        newlines = piece.count("\n")
        if newlines:
            line += newlines
            col = len(piece) - piece.rfind("\n")
        else:
            col += len(piece)
        counted = upto
        return line, col

    while i < n:
        ch = text[i]
        if ch in "$%" and text.startswith(ch + "{", i + 1):  # $${ / %%{ are written literally
            literal.append(ch + "{")
            i += 3
            continue
        if ch in "$%" and text.startswith("{", i + 1):
            close = matching_brace(text, i + 2)
            if close < 0:
                literal.append(text[i:])
                break
            start_line, start_col = at(i)
            end_line, end_col = at(close + 1)
            span = Span(start_line, start_col, end_line, end_col, origin.file)
            if literal:
                parts.append(nfc("".join(literal)))
                literal = []
            expr = None
            if ch == "$":
                try:
                    expr = parse_expression(text[i + 2:close].strip().strip("~").strip(), span, source)
                except (LoadError, RecursionError):  # an interpolation that does not parse is unknown
                    expr = None
            parts.append(Interpolation(expr, text[i:close + 1], in_string, span))
            i = close + 1
            continue
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            in_string = not in_string
        literal.append(ch)
        i += 1
    if literal:
        parts.append(nfc("".join(literal)))
    return parts
