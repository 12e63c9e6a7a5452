"""Values of evaluated Terraform expressions, and the helpers that move them about."""
from __future__ import annotations

from typing import Any

from ...load.located import Span, Unknown, map_spans


class LocatedText(str):
    """A string that encodes located data: ``jsonencode({...})``'s argument, a JSON heredoc, a JSON
    file read with ``file()``. Policies are normalised from ``data`` so that a finding points at the
    element as written, not at the whole string."""

    data: Any

    def __new__(cls, text: str, data: Any) -> "LocatedText":
        obj = super().__new__(cls, text)
        obj.data = data
        return obj


class Missing(Unknown):
    """An attribute read from a known object that does not have it. Terraform fills the optional
    attributes of a typed object with ``null``, so as an argument it counts as ``null``; ``try()``
    treats it as the error it otherwise is."""

    __slots__ = ()


def nullish(value: Any) -> Any:
    """``None`` for a :class:`Missing` attribute, else ``value``."""
    return None if isinstance(value, Missing) else value


def decoded(value: Any) -> Any:
    """The located data behind a :class:`LocatedText`, else ``value`` itself."""
    if isinstance(value, LocatedText) and value.data is not None:
        return value.data
    return value


def unknown(text: str, *parts: Any) -> Unknown:
    """An :class:`Unknown` written as ``text`` that depends on whatever ``parts`` depend on."""
    refs: list[str] = []
    for part in parts:
        for ref in getattr(part, "refs", ()):
            if ref not in refs:
                refs.append(ref)
    return Unknown(text, tuple(refs))


def shift_spans(value: Any, lines: int, file: str | None) -> Any:
    """``value`` with every span moved down ``lines`` lines and set in ``file`` (in place)."""
    def move(span: Span) -> Span:
        return span._replace(line=span.line + lines, end_line=span.end_line + lines, file=file)

    return map_spans(value, move)


def to_text(value: Any) -> str | None:
    """A scalar as Terraform would interpolate it into a string (``None`` if it cannot be)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    return None
