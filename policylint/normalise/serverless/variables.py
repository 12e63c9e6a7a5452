"""Serverless Framework variables (``${source:address, fallback}``) resolved statically.

``${self:path.to.value}`` is looked up in the same file (recursively, nested variables first);
a fallback is used when the path is absent. Every other source — ``opt``, ``env``, ``ssm``,
``sls``, ``aws``, ``cf``, ``s3``, ``file(…)`` … — depends on the machine or the account the
framework runs on, so the value is :class:`Unknown`, whatever its fallback. A string that is one
variable becomes the value it names (a mapping, a list, a number), located where that value is
written; a variable inside a longer string is substituted when it names a scalar.
"""
from __future__ import annotations

import re
from typing import Any

from ...load.located import LocDict, LocList, Span, Unknown

_INNERMOST = re.compile(r"\$\{([^${}]*)\}")
MAX_DEPTH = 20  # ${self:a} naming ${self:b} naming ...
MAX_VARIABLES = 100  # in one string
_MISSING = object()
_SOURCE = re.compile(r"[A-Za-z][\w-]*(\([^)]*\))?:")  # self:, opt:, file(x.yml):


class Variables:
    """Resolves the variables of one parsed serverless configuration."""

    def __init__(self, config: LocDict):
        self.config = config
        self._depth = 0

    def value(self, value: Any, span: Span) -> tuple[Any, Span]:
        """``value`` with its variables resolved, and the span it is to be located at."""
        if isinstance(value, str):
            return self._text(value, span)
        if isinstance(value, LocDict):
            out = LocDict(value.span)
            for key, child in value.items():
                resolved, where = self.value(child, value.span_of(key))
                out.put(key, resolved, where, value.key_span_of(key))
            return out, span
        if isinstance(value, LocList):
            out_list = LocList(value.span)
            for i, child in enumerate(value):
                resolved, where = self.value(child, value.span_of(i))
                out_list.add(resolved, where)
            return out_list, span
        return value, span

    def _text(self, text: str, span: Span) -> tuple[Any, Span]:
        if "${" not in text:
            return text, span
        if self._depth >= MAX_DEPTH:
            return Unknown(text), span
        self._depth += 1
        try:
            return self._substitute(text, span)
        finally:
            self._depth -= 1

    def _substitute(self, text: str, span: Span) -> tuple[Any, Span]:
        for _ in range(MAX_VARIABLES):
            match = _INNERMOST.search(text)
            if match is None:
                return text, span
            found, where = self._variable(match.group(1), span)
            if match.span() == (0, len(text)):
                return found, where
            if isinstance(found, bool) or not isinstance(found, (str, int, float)):
                return Unknown(text, _refs(text)), span
            text = text[:match.start()] + str(found) + text[match.end():]
            span = span.with_note(f"from {match.group(0)}")
        return Unknown(text, _refs(text)), span

    def _variable(self, body: str, span: Span) -> tuple[Any, Span]:
        reference, fallback = _split_fallback(body)
        if not reference.startswith("self:"):
            return Unknown("${" + body + "}", (reference,)), span
        found, where = self._lookup(reference[5:], span)
        if found is _MISSING:
            if fallback is None:
                return Unknown("${" + body + "}", (reference,)), span
            return self._fallback(fallback, span)
        resolved, where = self.value(found, where)
        if isinstance(resolved, str) and where == span:
            where = span.with_note(f"from ${{{reference}}}")
        return resolved, where

    def _fallback(self, text: str, span: Span) -> tuple[Any, Span]:
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1], span
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return (float(text) if "." in text else int(text)), span
        if text in ("true", "false"):
            return text == "true", span
        if _SOURCE.match(text):
            return self._variable(text, span)
        return text, span  # a value an inner variable already resolved

    def _lookup(self, path: str, span: Span) -> tuple[Any, Span]:
        node: Any = self.config
        where = span
        for part in [p for p in path.split(".") if p] if path else []:
            if isinstance(node, LocDict) and part in node:
                node, where = node[part], node.span_of(part)
            elif isinstance(node, LocList) and part.isdigit() and int(part) < len(node):
                node, where = node[int(part)], node.span_of(int(part))
            else:
                return _MISSING, span
        return node, where


def _split_fallback(body: str) -> tuple[str, str | None]:
    """``source:address`` and the fallback after the first comma outside quotes and brackets."""
    depth, quote = 0, ""
    for i, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            return body[:i].strip(), body[i + 1:].strip()
    return body.strip(), None


def _refs(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in _INNERMOST.finditer(text))
