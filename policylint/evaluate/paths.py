"""Rule paths: a small, compiled subset of JSONPath over located data.

Syntax: dotted fields (``encryption.algorithms``), ``[*]`` (every item of a list, or every value
of a mapping), ``[n]``, and quoted keys (``conditions['aws:sourceip']``). A path is compiled once
when the rule loads; :func:`walk` yields each matched value with its trail of keys, which is how
a finding finds its line (:func:`resolve_trail`).
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable, NamedTuple

WILDCARD = object()

_SEGMENT = re.compile(
    r"""
    (?P<field>[A-Za-z_][A-Za-z0-9_\-]*)
  | \[(?P<index>-?[0-9]+)\]
  | \[(?P<star>\*)\]
  | \['(?P<quoted>[^']*)'\]
  | \.
    """,
    re.VERBOSE,
)


class PathError(ValueError):
    """A path that is not in the supported syntax."""


class Match(NamedTuple):
    """One value found by a path; ``trail`` is the full key path to it."""

    value: Any
    trail: tuple[Any, ...]


def compile_path(text: str) -> tuple[Any, ...]:
    """Compile ``text`` to a tuple of keys, indices and :data:`WILDCARD`; raises :class:`PathError`."""
    if not isinstance(text, str) or not text:
        raise PathError("a path must be a non-empty string")
    segments: list[Any] = []
    pos = 0
    expect_field = True
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise PathError(f"cannot read path {text!r} at position {pos + 1}")
        if m.group("field") is not None:
            if not expect_field:
                raise PathError(f"missing '.' before {m.group('field')!r} in path {text!r}")
            segments.append(m.group("field"))
            expect_field = False
        elif m.group("index") is not None:
            segments.append(int(m.group("index")))
        elif m.group("star") is not None:
            segments.append(WILDCARD)
        elif m.group("quoted") is not None:
            segments.append(m.group("quoted"))
        else:
            if expect_field:
                raise PathError(f"unexpected '.' in path {text!r} at position {pos + 1}")
            expect_field = True
        if m.group("field") is None and m.group(0) != ".":
            expect_field = False
        pos = m.end()
    if expect_field and text.endswith("."):
        raise PathError(f"path {text!r} ends with '.'")
    return tuple(segments)


def walk(root: Any, path: tuple[Any, ...]) -> tuple[list[Match], tuple[Any, ...]]:
    """All matches of ``path`` under ``root``, and the longest prefix of the path that existed
    (where a missing value would have been: a ``require`` finding points there)."""
    if WILDCARD not in path:
        return _walk_plain(root, path)
    matches: list[Match] = []
    deepest: list[tuple[Any, ...]] = [()]
    _walk(root, path, 0, (), matches, deepest)
    return matches, deepest[0]


def values(root: Any, path: tuple[Any, ...]) -> list[Any]:
    """The values :func:`walk` would match, without their trails (what a condition's truth needs)."""
    if WILDCARD not in path:
        value = root
        for segment in path:
            if isinstance(segment, int):
                if not (isinstance(value, list) and -len(value) <= segment < len(value)):
                    return []
            elif not (isinstance(value, dict) and value.get(segment) is not None):
                return []
            value = value[segment]
        return [value]
    level = [root]
    for segment in path:
        following: list[Any] = []
        if segment is WILDCARD:
            for value in level:
                if isinstance(value, list):
                    following.extend(value)
                elif isinstance(value, dict):
                    following.extend(value.values())
        elif isinstance(segment, int):
            for value in level:
                if isinstance(value, list) and -len(value) <= segment < len(value):
                    following.append(value[segment])
        else:
            for value in level:
                if isinstance(value, dict):
                    item = value.get(segment)
                    if item is not None:
                        following.append(item)
        if not following:
            return []
        level = following
    return level


def field_of(path: tuple[Any, ...]) -> str | None:
    """The field a path of one plain field names (``effect``); ``None`` for any other path."""
    return path[0] if len(path) == 1 and isinstance(path[0], str) else None


def getter(path: tuple[Any, ...]) -> Callable[[Any], list[Any]]:
    """``values(root, path)`` as a function of ``root``, specialised to the shape of the path (one
    field, or one field's items, for most paths). The list it returns must not be changed."""
    key = field_of(path)
    if key is not None:
        def field(root: Any) -> list[Any]:
            value = root.get(key) if isinstance(root, dict) else None
            return [] if value is None else [value]
        return field
    if len(path) == 2 and isinstance(path[0], str) and path[1] is WILDCARD:
        key = path[0]

        def items(root: Any) -> list[Any]:
            value = root.get(key) if isinstance(root, dict) else None
            if isinstance(value, list):
                return value
            return list(value.values()) if isinstance(value, dict) else []
        return items
    return partial(_values_at, path)


def _values_at(path: tuple[Any, ...], root: Any) -> list[Any]:
    return values(root, path)


def _walk_plain(value: Any, path: tuple[Any, ...]) -> tuple[list[Match], tuple[Any, ...]]:
    """:func:`walk` for a path without ``[*]`` (most paths): one loop, no recursion."""
    trail: tuple[Any, ...] = ()
    for segment in path:
        if isinstance(segment, int):
            if not (isinstance(value, list) and -len(value) <= segment < len(value)):
                return [], trail
            segment %= len(value)
        elif not (isinstance(value, dict) and value.get(segment) is not None):
            return [], trail
        value = value[segment]
        trail += (segment,)
    return [Match(value, trail)], trail


def _walk(value: Any, path: tuple[Any, ...], i: int, trail: tuple[Any, ...], out: list[Match],
          deepest: list[tuple[Any, ...]]) -> None:
    if len(trail) > len(deepest[0]):
        deepest[0] = trail
    if i == len(path):
        out.append(Match(value, trail))
        return
    segment = path[i]
    if segment is WILDCARD:
        if isinstance(value, list):
            for index, item in enumerate(value):
                _walk(item, path, i + 1, trail + (index,), out, deepest)
        elif isinstance(value, dict):
            for k, item in value.items():
                _walk(item, path, i + 1, trail + (k,), out, deepest)
        return
    if isinstance(segment, int):
        if isinstance(value, list) and -len(value) <= segment < len(value):
            index = segment % len(value)
            _walk(value[index], path, i + 1, trail + (index,), out, deepest)
        return
    if isinstance(value, dict) and segment in value and value[segment] is not None:
        _walk(value[segment], path, i + 1, trail + (segment,), out, deepest)


def resolve_trail(root: Any, trail: tuple[Any, ...]) -> tuple[Any, Any]:
    """``(container, key)`` holding the value at ``trail`` (``(None, None)`` for the root)."""
    container, key = None, None
    value = root
    for step in trail:
        container, key = value, step
        value = value[step]
    return container, key
