"""Terraform's HCL as a located syntax tree: ``.tf`` files through policylint's own parser,
``.tf.json`` files from their JSON.

The tree's nodes are in ``hcl_tree``; ``hcl_lexer`` and ``hcl_parser`` read the native syntax
(python-hcl2's grammar is the tests' reference for it). This module is what the Terraform
normaliser imports; it adds the ``.tf.json`` reader, whose strings are templates too.
"""
from __future__ import annotations

from typing import Any

from .hcl_lexer import nfc
from .hcl_parser import parse_expression, parse_hcl, parse_template
from .hcl_tree import Block, Body, Expr, Interpolation, Source
from .located import LocDict, Span

__all__ = ["Block", "Body", "Expr", "Interpolation", "Source", "is_json_text", "json_body", "json_expr",
           "parse_expression", "parse_hcl", "parse_template"]


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
    """A JSON value of a ``.tf.json`` file as an expression (its strings are templates, in normal
    form C as HCL keeps strings)."""
    span = span._replace(file=source.display)
    if isinstance(value, LocDict):
        elems = tuple(
            (Expr("lit", (nfc(k),), value.key_span_of(k)._replace(file=source.display), source),
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
    return Expr("lit", (nfc(value) if isinstance(value, str) else value,), span, source)


def is_json_text(text: str) -> bool:
    """Whether ``text`` looks like a JSON object or array (worth decoding)."""
    return text.lstrip().startswith(("{", "["))
