"""Terraform's HCL into located syntax: bodies, blocks, attributes and expression trees.

python-hcl2's grammar and post-lexer are the only parts of python-hcl2 used: the raw Lark parse
tree carries the line and column of every token. This module turns it into a small syntax tree
of its own — :class:`Body`, :class:`Block` and :class:`Expr` nodes, each with its :class:`Span` —
that ``normalise/terraform`` evaluates. Nothing here evaluates anything.

Heredocs and the strings of ``.tf.json`` files are templates too: :func:`parse_template` splits
them into literal text and ``${...}`` interpolations.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import LoadError
from .located import LocDict, Span


@dataclass(eq=False)
class Source:
    """One file's text and its name as reported."""

    text: str = field(repr=False)
    display: str


@dataclass(eq=False)
class Expr:
    """An expression node: ``op`` names its kind, ``args`` its parts (see ``_Converter``)."""

    op: str  # lit tmpl tuple object var attr index splat call cond binop unary for paren heredoc directive
    args: tuple
    span: Span
    src: Source = field(repr=False)
    start: int = 0
    end: int = 0

    @property
    def text(self) -> str:
        """The expression as written."""
        return self.src.text[self.start:self.end].strip() if self.end > self.start else f"<{self.op}>"


@dataclass(eq=False)
class Body:
    """Attributes (name → :class:`Expr`, located) and nested blocks in source order."""

    attrs: LocDict
    blocks: list["Block"] = field(default_factory=list)
    span: Span = Span(1, 1, 1, 1)


@dataclass(eq=False)
class Block:
    """``type "label" "label" { body }``."""

    type: str
    labels: list[str]
    body: Body
    span: Span


@dataclass(eq=False)
class Interpolation:
    """``${expr}`` inside a heredoc, template file or JSON string. ``in_json_string`` tells whether it
    sits inside a JSON string literal of the surrounding text (for decoding JSON templates);
    ``expr`` is ``None`` for a ``%{...}`` directive or an interpolation that does not parse."""

    expr: Expr | None
    text: str
    in_json_string: bool
    span: Span


_parser = None


def _lark():
    """A Lark parser for python-hcl2's grammar, built once per process.

    It is python-hcl2's own parser (grammar, LALR, post-lexer) except that the tree does not carry
    positions: propagating them costs about 40% of the parse, and the converter below takes each
    node's position from its first and last tokens, only for the nodes it keeps. Building the LALR
    tables takes seconds, so Lark caches them (a pickle) beside python-hcl2's own cache, or in the
    user's cache folder — never in a shared temporary folder."""
    global _parser
    if _parser is None:
        import hcl2.parser
        from hcl2.postlexer import PostLexer
        from lark import Lark

        _parser = Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, parser="lalr",
                            cache=_cache_file(hcl2.parser.__file__), propagate_positions=False,
                            postlex=PostLexer())
    return _parser


def _cache_file(hcl2_parser: str) -> str | bool:
    """Where Lark may keep the parser tables (``False``: nowhere writable and private)."""
    beside = os.path.join(os.path.dirname(os.path.abspath(hcl2_parser)), ".lark_cache_policylint.bin")
    if os.path.exists(beside) or os.access(os.path.dirname(beside), os.W_OK):
        return beside
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "policylint")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    return os.path.join(folder, "hcl2-parser.bin") if os.access(folder, os.W_OK) else False


def _edge(node: Any, index: int) -> Any:
    """The first (``index`` 0) or last (-1) token under ``node``, skipping comments and newlines."""
    while hasattr(node, "children"):
        for child in (node.children if index == 0 else reversed(node.children)):
            if getattr(child, "data", None) != "new_line_or_comment":
                node = child
                break
        else:
            return None
    return node


class _Position:
    """Where a subtree was written (the attributes of Lark's ``Meta``)."""

    __slots__ = ("line", "column", "end_line", "end_column", "start_pos", "end_pos")

    def __init__(self, node: Any):
        first, last = _edge(node, 0), _edge(node, -1)
        if first is None or last is None:
            first = last = _edge(node.children[0], 0) if getattr(node, "children", None) else None
        if first is None:
            self.line = self.column = self.end_line = self.end_column = 1
            self.start_pos = self.end_pos = 0
            return
        self.line, self.column, self.start_pos = first.line, first.column, first.start_pos
        self.end_line, self.end_column, self.end_pos = last.end_line, last.end_column, last.end_pos


def parse_hcl(text: str, display: str) -> Body:
    """The body of an HCL file; raises :class:`LoadError` (with a position) on a syntax error."""
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = _lark().parse(text + "\n")
    except UnexpectedInput as exc:
        line, col = max(getattr(exc, "line", 1) or 1, 1), max(getattr(exc, "column", 1) or 1, 1)
        raise LoadError(f"Terraform syntax error: {_short(exc)}", Span(line, col, line, col + 1)) from None
    except LarkError as exc:
        raise LoadError(f"Terraform syntax error: {exc}", Span(1, 1, 1, 1)) from None
    except RecursionError:
        raise LoadError("Terraform file nested too deeply to parse", Span(1, 1, 1, 1)) from None
    try:
        return _Converter(Source(text, display)).body(tree.children[0])
    except RecursionError:
        raise LoadError("Terraform file nested too deeply to read", Span(1, 1, 1, 1)) from None


def parse_expression(text: str, span: Span, source: Source) -> Expr:
    """One expression written inside a template, every node located at ``span``."""
    wrapped = f"x = {text}\n"
    tree = _lark().parse(wrapped)
    attribute = next(c for c in tree.children[0].children if getattr(c, "data", None) == "attribute")
    return _Converter(Source(wrapped, source.display), fixed=span).expr(attribute.children[-1])


def _short(exc: Exception) -> str:
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return "unexpected end of file"
    if token is not None:
        text = str(token).strip()
        return f"unexpected {text[:40]!r}" if text else "unexpected end of line"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return str(exc).splitlines()[0][:120]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def unescape(text: str) -> str:
    """An HCL quoted-string literal's escapes decoded."""
    if "\\" not in text:
        return text

    def one(match: re.Match) -> str:
        esc = match.group(1)
        if esc[0] in "uU" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE.sub(one, text)


def _token_text(node: Any) -> str:
    """The name written by an identifier / keyword / literal tree (or a bare token)."""
    while hasattr(node, "children"):
        node = node.children[0]
    return str(node)


class _Converter:
    """Lark tree → :class:`Body` / :class:`Expr` for one file."""

    def __init__(self, source: Source, fixed: Span | None = None):
        self.source = source
        self.display = source.display
        self.fixed = fixed

    def span(self, node: Any) -> Span:
        if self.fixed is not None:
            return self.fixed
        meta = _Position(node) if hasattr(node, "children") else node
        return Span(meta.line, meta.column, meta.end_line, meta.end_column, self.display)

    def make(self, op: str, args: tuple, node: Any) -> Expr:
        meta = _Position(node) if hasattr(node, "children") else node
        span = self.fixed or Span(meta.line, meta.column, meta.end_line, meta.end_column, self.display)
        return Expr(op, args, span, self.source, meta.start_pos, meta.end_pos)

    # -- structure ---------------------------------------------------------------------------
    def body(self, tree: Any) -> Body:
        attrs = LocDict(self.span(tree) if tree.children else Span(1, 1, 1, 1, self.display))
        body = Body(attrs, [], attrs.span)
        for child in tree.children:
            kind = getattr(child, "data", None)
            if kind == "attribute":
                name_node, value = child.children[0], child.children[-1]
                name = _token_text(name_node)
                if name in attrs:
                    attrs.duplicates.append((name, attrs.key_span_of(name), self.span(name_node)))
                attrs.put(name, self.expr(value), self.span(value), self.span(name_node))
            elif kind == "block":
                body.blocks.append(self.block(child))
        return body

    def block(self, tree: Any) -> Block:
        parts = [c for c in tree.children if getattr(c, "data", None) not in (None, "new_line_or_comment")]
        names = []
        for part in parts[:-1]:
            if part.data == "string":
                names.append("".join(unescape(str(p.children[0])) for p in part.children
                                     if getattr(p, "data", None) == "string_part"))
            else:
                names.append(_token_text(part))
        return Block(names[0], names[1:], self.body(parts[-1]), self.span(tree))

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        handler = getattr(self, "_" + node.data, None)
        if handler is None:
            raise LoadError(f"unsupported Terraform expression ({node.data})", self.span(node))
        return handler(node)

    @staticmethod
    def _trees(node: Any) -> list[Any]:
        return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]

    def _expr_term(self, node: Any) -> Expr:
        inner = self.expr(self._trees(node)[0])
        if not hasattr(node.children[0], "data"):  # "(" expression ")"
            return self.make("paren", (inner,), node)
        return inner

    def _int_lit(self, node: Any) -> Expr:
        return self.make("lit", (int(str(node.children[0])),), node)

    def _float_lit(self, node: Any) -> Expr:
        return self.make("lit", (float(str(node.children[0])),), node)

    def _literal_value(self, node: Any) -> Expr:
        return self.make("lit", ({"true": True, "false": False, "null": None}[str(node.children[0])],), node)

    def _identifier(self, node: Any) -> Expr:
        return self.make("var", (str(node.children[0]),), node)

    def _keyword(self, node: Any) -> Expr:
        return self.make("lit", (str(node.children[0]),), node)

    def _template_string(self, node: Any) -> Expr:
        return self.make("lit", (unescape(str(node.children[0])[2:-2]),), node)

    def _string(self, node: Any) -> Expr:
        parts: list[Any] = []
        for part in node.children:
            if getattr(part, "data", None) != "string_part":
                continue
            child = part.children[0]
            if hasattr(child, "data"):
                if child.data == "interpolation":
                    parts.append(self.expr(self._trees(child)[0]))
                else:  # %{ if } / %{ for } directives are not evaluated
                    parts.append(self.make("directive", (), child))
            elif child.type == "STRING_CHARS":
                parts.append(unescape(str(child)))
            else:  # $${ and %%{ escapes
                parts.append(str(child)[1:])
        merged: list[Any] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        if all(isinstance(p, str) for p in merged):
            return self.make("lit", ("".join(merged),), node)
        return self.make("tmpl", (tuple(merged),), node)

    def _tuple(self, node: Any) -> Expr:
        return self.make("tuple", tuple(self.expr(c) for c in self._trees(node)), node)

    def _object(self, node: Any) -> Expr:
        elems = []
        for elem in self._trees(node):
            key = self.expr(self._trees(elem.children[0])[0])
            if key.op == "var":  # a bare name is the key itself, not a reference
                key = Expr("lit", (key.args[0],), key.span, key.src, key.start, key.end)
            elif key.op == "paren":
                key = key.args[0]
            elems.append((key, self.expr(elem.children[-1])))
        return self.make("object", tuple(elems), node)

    def _function_call(self, node: Any) -> Expr:
        names = [str(c.children[0]) for c in node.children if getattr(c, "data", None) == "identifier"]
        args: tuple = ()
        expand = False
        for child in node.children:
            if getattr(child, "data", None) == "arguments":
                args = tuple(self.expr(c) for c in self._trees(child))
                expand = any(getattr(t, "type", None) == "ELLIPSIS" for t in child.children)
        return self.make("call", ("::".join(names), args, expand), node)

    def _index_expr_term(self, node: Any) -> Expr:
        return self.make("index", (self.expr(node.children[0]), self._index_key(node.children[1])), node)

    def _index_key(self, index: Any) -> Expr:
        if index.data == "short_index":
            return self.make("lit", (int(str(index.children[-1])),), index)
        return self.expr(self._trees(index)[0])

    def _get_attr_expr_term(self, node: Any) -> Expr:
        return self.make("attr", (self.expr(node.children[0]), _token_text(node.children[1].children[-1])), node)

    def _splat(self, node: Any) -> Expr:
        steps = []
        for step in node.children[1].children:
            if not hasattr(step, "data"):
                continue
            if step.data == "get_attr":
                steps.append(("attr", _token_text(step.children[-1])))
            else:
                steps.append(("index", self._index_key(step)))
        return self.make("splat", (self.expr(node.children[0]), tuple(steps)), node)

    _attr_splat_expr_term = _splat
    _full_splat_expr_term = _splat

    def _conditional(self, node: Any) -> Expr:
        cond, yes, no = (self.expr(c) for c in self._trees(node))
        return self.make("cond", (cond, yes, no), node)

    def _binary_op(self, node: Any) -> Expr:
        left, term = self._trees(node)[:2]
        operator = next(c for c in term.children if getattr(c, "data", None) == "binary_operator")
        right = self._trees(term)[-1]
        return self.make("binop", (str(operator.children[0]), self.expr(left), self.expr(right)), node)

    def _unary_op(self, node: Any) -> Expr:
        return self.make("unary", (str(node.children[0]), self.expr(self._trees(node)[0])), node)

    def _for(self, node: Any) -> Expr:
        intro = next(c for c in node.children if getattr(c, "data", None) == "for_intro")
        names = [str(c.children[0]) for c in intro.children if getattr(c, "data", None) == "identifier"]
        collection = self.expr(self._trees(intro)[-1])
        body = [c for c in self._trees(node) if c.data not in ("for_intro", "for_cond")]
        cond_node = next((c for c in node.children if getattr(c, "data", None) == "for_cond"), None)
        cond = self.expr(self._trees(cond_node)[0]) if cond_node is not None else None
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        grouped = any(getattr(t, "type", None) == "ELLIPSIS" for t in node.children)
        kind = "object" if node.data == "for_object_expr" else "tuple"
        exprs = tuple(self.expr(b) for b in body)
        return self.make("for", (kind, key_var, value_var, collection, exprs, cond, grouped), node)

    _for_tuple_expr = _for
    _for_object_expr = _for

    def _heredoc(self, node: Any) -> Expr:
        token = node.children[0]
        raw = str(token)
        after_marker = raw[raw.index("\n") + 1:]
        closing = after_marker.rstrip("\r\n").rfind("\n")
        body_text = after_marker[:closing + 1] if closing >= 0 else ""
        start_line = token.line + 1
        parts = parse_template(body_text, Span(start_line, 1, start_line, 1, self.display), self.source)
        return self.make("heredoc", (tuple(parts), raw.startswith("<<-"), start_line, body_text), node)

    _heredoc_template = _heredoc
    _heredoc_template_trim = _heredoc

    def _interpolation(self, node: Any) -> Expr:
        return self.expr(self._trees(node)[0])


def parse_template(text: str, origin: Span, source: Source) -> list[Any]:
    """Literal strings and :class:`Interpolation` parts of a template; ``origin`` is where ``text``
    starts in its file."""
    parts: list[Any] = []
    literal: list[str] = []
    i, n = 0, len(text)
    in_string = False
    line, col = origin.line, origin.col
    counted = 0

    def position(upto: int) -> tuple[int, int]:
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
            close = _matching_brace(text, i + 2)
            if close < 0:
                literal.append(text[i:])
                break
            start_line, start_col = position(i)
            end_line, end_col = position(close + 1)
            span = Span(start_line, start_col, end_line, end_col, origin.file)
            if literal:
                parts.append("".join(literal))
                literal = []
            expr = None
            if ch == "$":
                try:
                    expr = parse_expression(text[i + 2:close].strip().strip("~").strip(), span, source)
                except Exception:  # noqa: BLE001 - an interpolation that does not parse is unknown
                    expr = None
            parts.append(Interpolation(expr, text[i:close + 1], in_string, span))
            i = close + 1
            continue
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            in_string = not in_string
        literal.append(ch)
        i += 1
    if literal:
        parts.append("".join(literal))
    return parts


def _matching_brace(text: str, i: int) -> int:
    """Index of the ``}`` closing an interpolation whose body starts at ``i`` (``-1`` if none)."""
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


def json_body(data: Any, source: Source) -> Body:
    """A JSON object of a ``.tf.json`` / ``.tfvars.json`` file as a :class:`Body` of attributes."""
    attrs = LocDict(getattr(data, "span", Span(1, 1, 1, 1))._replace(file=source.display))
    body = Body(attrs, [], attrs.span)
    if isinstance(data, LocDict):
        for key, value in data.items():
            attrs.put(key, json_expr(value, data.span_of(key), source), data.span_of(key)._replace(file=source.display),
                      data.key_span_of(key)._replace(file=source.display))
    return body


def json_expr(value: Any, span: Span, source: Source) -> Expr:
    """A JSON value of a ``.tf.json`` file as an expression (its strings are templates)."""
    span = span._replace(file=source.display)
    if isinstance(value, LocDict):
        elems = tuple(
            (Expr("lit", (k,), value.key_span_of(k)._replace(file=source.display), source),
             json_expr(v, value.span_of(k), source))
            for k, v in value.items()
        )
        return Expr("object", elems, span, source)
    if isinstance(value, list):
        spans = getattr(value, "spans", [])
        return Expr("tuple", tuple(json_expr(v, spans[i] if i < len(spans) else span, source)
                                   for i, v in enumerate(value)), span, source)
    if isinstance(value, str) and ("${" in value or "%{" in value):
        pieces: list[Any] = []
        for part in parse_template(value, span._replace(col=span.col + 1), source):
            if isinstance(part, Interpolation):
                pieces.append(part.expr if part.expr is not None else Expr("directive", (), part.span, source))
            else:
                pieces.append(part)
        return Expr("tmpl", (tuple(pieces),), span, source)
    return Expr("lit", (value,), span, source)


def is_json_text(text: str) -> bool:
    """Whether ``text`` looks like a JSON object or array (worth decoding)."""
    return text.lstrip().startswith(("{", "["))
