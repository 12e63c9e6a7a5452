"""The syntax tree of Terraform's HCL: bodies, blocks, attributes and located expressions.

``load/hcl_parser.py`` builds it from ``.tf`` text, ``load/hcl.py`` from ``.tf.json``; the
Terraform normaliser evaluates it. Nothing here parses or evaluates anything.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .located import LocDict, Span

_new_span = tuple.__new__


@dataclass(eq=False)
class Source:
    """One file's text and its name as reported."""

    text: str = field(repr=False)
    display: str
    line_starts: list[int] | None = field(default=None, repr=False)  # offset of each line, made when needed

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        lines = self.line_starts
        if lines is None:
            lines = self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        first, last = bisect_right(lines, start), bisect_right(lines, end)
        # Span(...) itself, without its Python-level __new__: one per node whose place is read.
        return _new_span(Span, (first, start - lines[first - 1] + 1, last, end - lines[last - 1] + 1,
                                self.display, None, ()))


class Expr:
    """An expression node: ``op`` names its kind, ``args`` its parts; ``start:end`` is where it
    was written in ``src``, and ``span`` its place (given, or made from ``start:end`` when first
    read: the parser makes a node for every piece of every expression, and most places are never
    read).

    ``lit`` (value,) · ``tmpl`` (parts,) of strings and Exprs · ``tuple`` (item, ...) ·
    ``object`` ((key, value), ...) · ``var`` (name,) · ``attr`` (base, name) · ``index`` (base, key) ·
    ``splat`` (base, steps) with steps ``("attr", name)`` or ``("index", key)`` · ``call`` (name, args,
    expand) · ``cond`` (condition, yes, no) · ``binop`` (operator, left, right) · ``unary`` (operator,
    operand) · ``for`` (kind, key_var, value_var, collection, exprs, condition, grouped) · ``paren``
    (inner,) · ``heredoc`` (parts, trim, first_body_line, body_text) · ``directive`` () for a
    ``%{...}`` template directive, which is not evaluated.
    """

    __slots__ = ("op", "args", "_span", "src", "start", "end")

    def __init__(self, op: str, args: tuple, span: Span | None, src: Source, start: int = 0, end: int = 0):
        self.op = op
        self.args = args
        self._span = span
        self.src = src
        self.start = start
        self.end = end

    @property
    def span(self) -> Span:
        span = self._span
        if span is None:
            span = self._span = self.src.span(self.start, self.end)
        return span

    @property
    def text(self) -> str:
        """The expression as written."""
        return self.src.text[self.start:self.end].strip() if self.end > self.start else f"<{self.op}>"

    def __repr__(self) -> str:
        return f"Expr(op={self.op!r}, args={self.args!r}, span={self.span!r}, start={self.start!r}, end={self.end!r})"


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
