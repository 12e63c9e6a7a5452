"""Serverless Framework variables (``${source:address, fallback}``) resolved statically.

``${self:path.to.value}`` is looked up in the same file (recursively, nested variables first);
a fallback is used when the path is absent. ``${file(rel/path.yml):address}`` reads a YAML or
JSON file in the configuration's folder or below (its values located in that file); a file
outside it, or of another kind, is unknown. Every other source — ``opt``, ``env``, ``ssm``,
``sls``, ``aws``, ``cf``, ``s3`` … — depends on the machine or the account the framework runs on,
so the value is :class:`Unknown`, whatever its fallback. A string that is one
variable becomes the value it names (a mapping, a list, a number), located where that value is
written; a variable inside a longer string is substituted when it names a scalar.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import Any

from ...load.located import LocDict, LocList, Span, Unknown, mark_shared, shared_span

_INNERMOST = re.compile(r"\$\{([^${}]*)\}")
MAX_DEPTH = 20  # ${self:a} naming ${self:b} naming ...
MAX_VARIABLES = 100  # in one string
_MISSING = object()
_FILE = re.compile(r"file\(([^)]*)\)(?::(.*))?$")
_SOURCE = re.compile(r"[A-Za-z][\w-]*(\([^)]*\))?:")  # self:, opt:, file(x.yml):


class Files:
    """The files ``${file(…)}`` may read: YAML / JSON in the configuration's folder or below,
    parsed once, every span naming the file."""

    def __init__(self, disk_path: str, display: str):
        self.folder = os.path.dirname(os.path.abspath(disk_path))
        self.display_folder = posixpath.dirname(display)
        self._cache: dict[str, Any] = {}

    def data(self, relative: str) -> Any:
        """The parsed file, or ``_MISSING`` when it cannot be read here."""
        from ...load.documents import load_document

        relative = relative.strip().strip("'\"")
        target = os.path.realpath(os.path.join(self.folder, relative))
        inside = target.startswith(os.path.realpath(self.folder) + os.sep)
        if not inside or not target.lower().endswith((".yml", ".yaml", ".json")) or not os.path.isfile(target):
            return _MISSING
        if target not in self._cache:
            parsed = load_document(target, always=True)
            display = posixpath.normpath(posixpath.join(self.display_folder, relative.replace(os.sep, "/")))
            self._cache[target] = _MISSING if parsed.problems or parsed.data is None else _in_file(parsed.data, display)
        return self._cache[target]


def _in_file(value: Any, file: str) -> Any:
    """Located data whose spans all name ``file``."""
    if isinstance(value, LocDict):
        out = LocDict(value.span._replace(file=file))
        for key, child in value.items():
            out.put(key, _in_file(child, file), value.span_of(key)._replace(file=file),
                    value.key_span_of(key)._replace(file=file))
        return out
    if isinstance(value, LocList):
        out_list = LocList(value.span._replace(file=file))
        for i, child in enumerate(value):
            out_list.add(_in_file(child, file), value.span_of(i)._replace(file=file))
        return out_list
    return value


class Variables:
    """Resolves the variables of one parsed serverless configuration (``files``: what
    ``${file(…)}`` may read; ``None``: nothing)."""

    def __init__(self, config: LocDict, files: Files | None = None):
        self.config = config
        self.files = files
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
        source = _FILE.match(reference)
        if reference.startswith("self:"):
            found, where = self._lookup(self.config, reference[5:], span)
        elif source and self.files is not None:
            data = self.files.data(source.group(1))
            found, where = (data, getattr(data, "span", span)) if data is not _MISSING else (_MISSING, span)
            if found is not _MISSING and source.group(2):
                found, where = self._lookup(found, source.group(2), span)
        else:
            return Unknown("${" + body + "}", (reference,)), span
        if found is _MISSING:
            if fallback is None:
                return Unknown("${" + body + "}", (reference,)), span
            return self._fallback(fallback, span)
        resolved, where = self.value(found, where)
        if isinstance(resolved, str) and where == span:
            where = span.with_note(f"from ${{{reference}}}")
        elif where != span:  # located where it is defined: every use of it shares that place
            where = shared_span(where, f"${{{reference}}}")
            if isinstance(resolved, (LocDict, LocList)):
                mark_shared(resolved, f"${{{reference}}}")
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

    def _lookup(self, node: Any, path: str, span: Span) -> tuple[Any, Span]:
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
