"""A YAML loader that records the line and column of every key and value.

It reads the parser events of PyYAML's safe loader (libyaml when available) and builds the data
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
from .limits import MAX_DEPTH, MAX_VALUES
from .located import BlockText, LocDict, LocList, Span, Unknown
from .yaml_depth import deepest_flow
from .numbers import bounded, decimal

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader  # type: ignore[misc]


_CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Equals FindInMap GetAtt GetAZs If ImportValue Join Length Not Or "
            "Select Split Sub ToJsonString Transform ForEach "
            "Contains EachMemberEquals EachMemberIn RefAll ValueOf ValueOfAll"  # the Rules section's
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


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def plain_scalar(value: str) -> Any:
    """Resolve an unquoted scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return decimal(value)
    if _OCT.match(value):
        return bounded(int(value[2:], 8))
    if _HEX.match(value):
        return bounded(int(value[2:], 16))
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    if value.lower() in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[value.lower()]
    return value


class _Frame:
    """A mapping or sequence being built: its events have started but not ended."""

    __slots__ = ("container", "tag", "anchor", "start", "key", "key_span", "values_before")

    def __init__(self, container: LocDict | LocList, event: Any, values_before: int):
        self.container, self.tag, self.anchor = container, event.tag, event.anchor
        self.start, self.values_before = event.start_mark, values_before
        self.key: Any = _NO_KEY
        self.key_span: Span | None = None


_NO_KEY = object()


class _Builder:
    """Builds located data straight from the parser's events, with an explicit stack: no
    recursion (PyYAML's composer recurses once per level and crashes the interpreter on
    100,000 levels), nesting and values bounded as they arrive, and an alias counted as every
    value it repeats without copying them."""

    def __init__(self, problems: list[LoadError] | None, text: str = "") -> None:
        self.text = text
        self.lines: list[str] | None = None  # split when a literal block scalar needs them
        self.values = 0
        self.aliased = False
        self.problems = problems
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor → (value, values it holds)
        self.open_anchors: set[str] = set()

    def document(self, loader: Any) -> Any:
        """The one document of the stream (``None`` when there is none)."""
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self.value(loader)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            extra = loader.get_event()
            raise LoadError("invalid YAML: expected a single document in the stream but found another document",
                            _span(extra))
        return root

    def value(self, loader: Any) -> Any:
        """Consume the events of one value and return it built."""
        stack: list[_Frame] = []
        while True:
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", _span(event))
                self._count(1, event)
                container = LocDict() if isinstance(event, yaml.MappingStartEvent) else LocList()
                stack.append(_Frame(container, event, self.values))
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                start = frame.start
                span = Span(start.line + 1, start.column + 1, event.end_mark.line + 1, event.end_mark.column + 1)
                frame.container.span = span
                result = self._tagged(frame.container, frame.tag, span)
                anchor, size = frame.anchor, self.values - frame.values_before + 1
            elif isinstance(event, yaml.AliasEvent):
                result, span, anchor, size = self._alias(event), _span(event), None, 0
            elif isinstance(event, yaml.ScalarEvent):
                in_key = bool(stack) and isinstance(stack[-1].container, LocDict) and stack[-1].key is _NO_KEY
                if not in_key:  # keys are not counted, as in the JSON loader
                    self._count(1, event)
                span = _span(event)
                result, anchor, size = self._scalar(event, span, in_key), event.anchor, 1
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise LoadError(f"invalid YAML: unexpected {type(event).__name__}", _span(event))
            if anchor is not None:
                self.anchors[anchor] = (result, size)
                self.open_anchors.discard(anchor)
            if not stack:
                return result
            self._attach(stack[-1], result, span)

    def _attach(self, parent: _Frame, value: Any, span: Span) -> None:
        if isinstance(parent.container, LocList):
            parent.container.add(value, span)
            return
        if parent.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise LoadError("a mapping key must be a scalar", span)
            parent.key, parent.key_span = value, span
            return
        mapping, key = parent.container, parent.key
        if key in mapping:
            mapping.duplicates.append((key, mapping.key_spans[key], parent.key_span))
        mapping.put(key, value, span, parent.key_span)
        parent.key = _NO_KEY

    def _count(self, values: int, event: Any) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            why = " through YAML aliases (an alias bomb?)" if self.aliased else ""
            raise LoadError(f"the document expands to more than {MAX_VALUES:,} values{why}: not linted", _span(event))

    def _alias(self, event: Any) -> Any:
        if event.anchor in self.open_anchors:
            raise LoadError(f"the alias *{event.anchor} refers to a value that contains it", _span(event))
        if event.anchor not in self.anchors:
            raise LoadError(f"invalid YAML: found undefined alias *{event.anchor}", _span(event))
        value, size = self.anchors[event.anchor]
        self.aliased = True
        self._count(size, event)
        return value

    def _block_text(self, event: Any) -> Any:
        """A literal block scalar's text as a :class:`BlockText` locating its lines in the file."""
        if self.lines is None:
            self.lines = self.text.split("\n")
        first = event.start_mark.line + 1  # 0-based index of the first content line
        for line in self.lines[first:event.end_mark.line + 1]:
            if line.strip():
                return BlockText(event.value, first + 1, len(line) - len(line.lstrip(" ")))
        return event.value

    def _scalar(self, event: Any, span: Span, in_key: bool) -> Any:
        tag, text = event.tag, event.value
        if event.style == "|" and "{" in text:  # may hold a JSON document (a policy)
            text = self._block_text(event)
        if tag is None and in_key and text == "<<" and not event.style:
            raise LoadError("YAML merge keys ('<<') are not supported", span)
        if tag is None:
            return text if event.style else plain_scalar(text)
        if tag in _CFN_TAGS:
            name = _CFN_TAGS[tag]
            value: Any = text
            if name == "Fn::GetAtt":
                value = LocList(span)
                for part in text.split(".", 1):
                    value.add(part, span)
            return _wrap(name, value, span)
        if tag in ("!", _STD + "str", _STD + "binary", _STD + "timestamp"):
            return text
        return self._tagged(text if event.style else plain_scalar(text), tag, span)

    def _tagged(self, value: Any, tag: str | None, span: Span) -> Any:
        """``value`` as its explicit ``tag`` makes it: CloudFormation short forms become long
        form, a foreign tag is an error (or, with a problem list, an unknown value)."""
        if tag is None or tag == "!" or tag in _ALLOWED_TAGS:
            return value
        if tag in _CFN_TAGS:
            return _wrap(_CFN_TAGS[tag], value, span)
        error = LoadError(f"unsupported YAML tag {tag!r}", span)
        if self.problems is None:
            raise error
        self.problems.append(error)
        return Unknown(f"{tag} value")


def _wrap(name: str, value: Any, span: Span) -> LocDict:
    out = LocDict(span)
    out.put(name, value, span, span)
    return out


def load_yaml(text: str, problems: list[LoadError] | None = None) -> Any:
    """Parse the first YAML document of ``text`` into located data; raises :class:`LoadError`.

    With a ``problems`` list, a value under an unsupported tag (``!Rain::Embed``) is recorded
    there and loaded as :class:`Unknown` so that the rest of the document is still linted."""
    too_deep = deepest_flow(text, MAX_DEPTH)
    if too_deep is not None:
        line = text.count("\n", 0, too_deep) + 1
        col = too_deep - (text.rfind("\n", 0, too_deep) + 1) + 1
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", Span(line, col, line, col + 1))
    loader = _Loader(text)
    try:
        return _Builder(problems, text).document(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        if line > max(last_line, 1):  # an error at the end of the file: point at its last line
            line, col = max(last_line, 1), len(text.rstrip("\n").rsplit("\n", 1)[-1]) + 1
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise LoadError(f"invalid YAML: {message}", Span(line, col, line, col + 1)) from None
    except yaml.YAMLError as exc:  # a character YAML does not allow (ReaderError): placed where it is
        position = getattr(exc, "position", None)
        line, col = 1, 1
        if isinstance(position, int) and 0 <= position <= len(text):
            line = text.count("\n", 0, position) + 1
            col = position - (text.rfind("\n", 0, position) + 1) + 1
        message = str(exc).split("\n")[0]  # without PyYAML's "in <unicode string>, position N"
        raise LoadError(f"invalid YAML: {message}", Span(line, col, line, col + 1)) from None
    finally:
        loader.dispose()
