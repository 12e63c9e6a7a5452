"""A JSON parser that records the line and column of every key and value.

Tokens are found by one compiled regular expression and the tree is built without recursion, so
deeply nested input cannot exhaust the Python stack. Duplicate keys are kept (last wins, as in
CloudFormation) and listed on the mapping.
"""
from __future__ import annotations

import bisect
import json
import re
from typing import Any

from .errors import LoadError
from .limits import MAX_DEPTH, MAX_VALUES
from .located import LocDict, LocList, Span

# Leading whitespace is consumed by the token's own match (one regex call per token, not two).
_TOKEN = re.compile(
    r"""
    [ \t\r\n]*
    (?:
    (?P<str>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")
  | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>[{}\[\]:,])
  | (?P<lit>true|false|null)
    )
    """,
    re.VERBOSE,
)
_SPACE = re.compile(r"[ \t\r\n]*")
_LITERALS = {"true": True, "false": False, "null": None}


class _Positions:
    """Turns string offsets into 1-based (line, column) pairs."""

    def __init__(self, text: str, line_offset: int = 0):
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        self.line_offset = line_offset

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1 + self.line_offset, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.at(start)
        end_line, end_col = self.at(end)
        return Span(line, col, end_line, end_col)


def _decode_string(token: str) -> str:
    return token[1:-1] if "\\" not in token else json.loads(token)


def load_json(text: str, line_offset: int = 0) -> Any:
    """Parse ``text`` into located data; raises :class:`LoadError` with a position on bad input."""
    pos = _Positions(text, line_offset)
    n = len(text)
    i = 0
    # Each frame: [container, start_offset, pending_key, pending_key_span, state]
    # state: "value" (expects value), "key" (expects key or close), "colon", "comma" (expects , or close)
    stack: list[list[Any]] = []
    root: Any = None
    have_root = False
    values = 0

    def fail(message: str, offset: int) -> LoadError:
        line, col = pos.at(min(offset, n))
        return LoadError(message, Span(line, col, line, col + 1))

    def attach(value: Any, span: Span) -> None:
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, LocDict):
            key = frame[2]
            if key in container:
                container.duplicates.append((key, container.key_spans[key], frame[3]))
            container.put(key, value, span, frame[3])
        else:
            container.add(value, span)
        frame[4] = "comma"

    while True:
        match = _TOKEN.match(text, i)
        if match is None:
            i = _SPACE.match(text, i).end()
            if i >= n:
                break
            raise fail(f"unexpected character {text[i]!r}", i)
        kind = match.lastgroup
        start, end = match.span(kind)
        i = end
        token = match.group(kind)
        state = stack[-1][4] if stack else ("end" if have_root else "value")
        if state == "end":
            raise fail("extra data after the end of the document", start)
        if state == "key":
            if kind == "str":
                frame = stack[-1]
                frame[2] = _decode_string(token)
                frame[3] = pos.span(start, end)
                frame[4] = "colon"
                continue
            if token == "}" and not stack[-1][0]:
                _close(stack, pos, end, attach)
                continue
            raise fail("expected a quoted key", start)
        if state == "colon":
            if token != ":":
                raise fail("expected ':' after key", start)
            stack[-1][4] = "value"
            continue
        if state == "comma":
            container = stack[-1][0]
            if token == ",":
                stack[-1][4] = "key" if isinstance(container, LocDict) else "value"
                if isinstance(container, LocList):
                    stack[-1][4] = "value_required"
                continue
            if (token == "}" and isinstance(container, LocDict)) or (
                token == "]" and isinstance(container, LocList)
            ):
                _close(stack, pos, end, attach)
                continue
            raise fail("expected ',' or the end of the " + ("object" if isinstance(container, LocDict) else "array"), start)
        # state is "value" or "value_required"
        values += 1
        if values > MAX_VALUES:
            raise fail(f"the document holds more than {MAX_VALUES:,} values: not linted", start)
        if kind == "punct":
            if token == "{" or token == "[":
                if len(stack) >= MAX_DEPTH:
                    raise fail(f"nesting deeper than {MAX_DEPTH} levels", start)
                container = LocDict() if token == "{" else LocList()
                stack.append([container, start, None, None, "key" if token == "{" else "value"])
                continue
            if token == "]" and state == "value" and stack and isinstance(stack[-1][0], LocList) and not stack[-1][0]:
                _close(stack, pos, end, attach)
                continue
            raise fail(f"unexpected {token!r}", start)
        if kind == "str":
            value: Any = _decode_string(token)
        elif kind == "num":
            value = int(token) if token.lstrip("-").isdigit() else float(token)
        else:
            value = _LITERALS[token]
        attach(value, pos.span(start, end))
    if stack:
        raise fail("unexpected end of file: an object or array is not closed", n)
    if not have_root:
        raise fail("the file holds no JSON value", 0)
    return root


def _close(stack: list[list[Any]], pos: _Positions, end: int, attach: Any) -> None:
    container, start = stack.pop()[:2]
    container.span = pos.span(start, end)
    attach(container, container.span)
