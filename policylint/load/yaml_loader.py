"""A YAML loader that records the line and column of every key and value.

It composes the document with PyYAML's safe composer (libyaml when available) and builds the data
itself, so no YAML tag can ever construct a Python object. Scalars follow the YAML 1.2 core schema
(``2012-10-17`` and ``yes`` stay strings), CloudFormation short-form tags become their long form
(``!GetAtt a.b`` → ``{"Fn::GetAtt": ["a", "b"]}``), other tags are an error, duplicate keys are
recorded, and alias expansion is bounded.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import LoadError
from .located import LocDict, LocList, Span, Unknown

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader  # type: ignore[misc]

MAX_NODES = 2_000_000
MAX_DEPTH = 500

_CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Equals FindInMap GetAtt GetAZs If ImportValue Join Length Not Or "
            "Select Split Sub ToJsonString Transform ForEach"
        ).split()
    },
}
_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STD + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")
}

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def plain_scalar(value: str) -> Any:
    """Resolve an unquoted scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    if value.lower() in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[value.lower()]
    return value


class _Builder:
    def __init__(self, problems: list[LoadError] | None) -> None:
        self.nodes = 0
        self.problems = problems

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise LoadError(
                f"the document expands to more than {MAX_NODES:,} values (YAML alias bomb?)", _span(node)
            )
        if depth > MAX_DEPTH:
            raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", _span(node))
        tag = node.tag
        if tag in _CFN_TAGS:
            return self._short_form(node, _CFN_TAGS[tag], depth)
        if tag not in _ALLOWED_TAGS:
            error = LoadError(f"unsupported YAML tag {tag!r}", _span(node))
            if self.problems is None:
                raise error
            self.problems.append(error)
            return Unknown(f"{tag} value")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            out = LocList(_span(node))
            for child in node.value:
                out.add(self.build(child, depth + 1), _span(child))
            return out
        out_map = LocDict(_span(node))
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                raise LoadError("YAML merge keys ('<<') are not supported", _span(key_node))
            key = self.build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                raise LoadError("a mapping key must be a scalar", _span(key_node))
            key_span = _span(key_node)
            if key in out_map:
                out_map.duplicates.append((key, out_map.key_spans[key], key_span))
            out_map.put(key, self.build(value_node, depth + 1), _span(value_node), key_span)
        return out_map

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        if node.style or node.tag == _STD + "binary":
            return node.value
        return plain_scalar(node.value)

    def _short_form(self, node: yaml.Node, name: str, depth: int) -> LocDict:
        span = _span(node)
        if isinstance(node, yaml.ScalarNode):
            value: Any = node.value
            if name == "Fn::GetAtt":
                parts = LocList(span)
                for part in value.split(".", 1):
                    parts.add(part, span)
                value = parts
            elif name == "Fn::GetAZs" and value == "":
                value = ""
        elif isinstance(node, yaml.SequenceNode):
            value = LocList(span)
            for child in node.value:
                value.add(self.build(child, depth + 1), _span(child))
        else:
            value = self.build(
                yaml.MappingNode(_STD + "map", node.value, node.start_mark, node.end_mark), depth + 1
            )
        out = LocDict(span)
        out.put(name, value, span, span)
        return out


def load_yaml(text: str, problems: list[LoadError] | None = None) -> Any:
    """Parse the first YAML document of ``text`` into located data; raises :class:`LoadError`.

    With a ``problems`` list, a value under an unsupported tag (``!Rain::Embed``) is recorded
    there and loaded as :class:`Unknown` so that the rest of the document is still linted."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        if line > max(last_line, 1):  # an error at the end of the file: point at its last line
            line, col = max(last_line, 1), len(text.rstrip("\n").rsplit("\n", 1)[-1]) + 1
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise LoadError(f"invalid YAML: {message}", Span(line, col, line, col + 1)) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML: {exc}", Span(1, 1, 1, 2)) from None
    except RecursionError:
        raise LoadError("nesting too deep to parse", Span(1, 1, 1, 2)) from None
    if node is None:
        return None
    return _Builder(problems).build(node)
