"""The syntax tree of Terraform's HCL: bodies, blocks, attributes and located expressions.

``load/hcl_parser.py`` builds it from ``.tf`` text, ``load/hcl.py`` from ``.tf.json``; the
Terraform normaliser evaluates it. Nothing here parses or evaluates anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .located import LocDict, Span


@dataclass(eq=False)
class Source:
    """One file's text and its name as reported."""

    text: str = field(repr=False)
    display: str


@dataclass(eq=False, slots=True)  # one per node of every expression parsed
class Expr:
    """An expression node: ``op`` names its kind, ``args`` its parts; ``start:end`` is where it
    was written in ``src``.

    ``lit`` (value,) · ``tmpl`` (parts,) of strings and Exprs · ``tuple`` (item, ...) ·
    ``object`` ((key, value), ...) · ``var`` (name,) · ``attr`` (base, name) · ``index`` (base, key) ·
    ``splat`` (base, steps) with steps ``("attr", name)`` or ``("index", key)`` · ``call`` (name, args,
    expand) · ``cond`` (condition, yes, no) · ``binop`` (operator, left, right) · ``unary`` (operator,
    operand) · ``for`` (kind, key_var, value_var, collection, exprs, condition, grouped) · ``paren``
    (inner,) · ``heredoc`` (parts, trim, first_body_line, body_text) · ``directive`` () for a
    ``%{...}`` template directive, which is not evaluated.
    """

    op: str
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
