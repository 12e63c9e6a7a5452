"""python-hcl2's grammar, parsed by Lark, as the reference for ``policylint.load.hcl_parser``.

The Terraform parser is policylint's own (python-hcl2 and Lark cost 0.17 s of a 0.25 s pre-commit
run); this module turns python-hcl2's parse tree into the same ``hcl_tree`` nodes, so that the
tests can hold the two parsers to the same trees. Test code only: python-hcl2 is a test dependency.
"""
from __future__ import annotations

from typing import Any

from policylint.load.errors import LoadError
from policylint.load.hcl_lexer import unescape
from policylint.load.hcl_parser import parse_template
from policylint.load.hcl_tree import Body, Block, Expr, Source
from policylint.load.located import LocDict, Span


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
        # python-hcl2's post-lexer merges a newline before an operator into the operator's token
        return self.make("binop", (str(operator.children[0]).strip(), self.expr(left), self.expr(right)), node)

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


def reference_parse(text: str, display: str) -> Body:
    """python-hcl2's parse of an HCL file as a :class:`Body`."""
    from hcl2.parser import parser
    from lark.exceptions import LarkError

    try:
        tree = parser().parse(text + "\n")
    except LarkError as exc:
        raise LoadError(f"Terraform syntax error: {_short(exc)}", Span(1, 1, 1, 1)) from None
    return _Converter(Source(text, display)).body(tree.children[0])
