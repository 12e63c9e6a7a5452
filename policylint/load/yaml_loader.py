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
from .numbers import bounded, decimal

ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
MappingStartEvent, MappingEndEvent = yaml.MappingStartEvent, yaml.MappingEndEvent
SequenceStartEvent, SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent

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


_new_tuple = tuple.__new__


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return _new_tuple(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1, None, None, ()))


# Plain scalars that are constants of the core schema; every other one that is not a string starts
# with one of _NUMBER_START (an int, a float, .inf, .nan), so most plain scalars take one lookup.
_CONSTANTS: dict[str, Any] = {"": None, "~": None, "null": None, "Null": None, "NULL": None, **_BOOL}
_NUMBER_START = frozenset("0123456789+-.")
_NOT_CONSTANT = object()


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


_NO_KEY = object()


class _Builder:
    """Builds located data straight from the parser's events, with an explicit stack: no
    recursion (PyYAML's composer recurses once per level and crashes the interpreter on
    100,000 levels), nesting and values bounded as they arrive, and an alias counted as every
    value it repeats without copying them."""

    def __init__(self, problems: list[LoadError] | None, text: str = "",
                 duplicated: list[Any] | None = None) -> None:
        self.text = text
        self.duplicated = duplicated
        self.lines: list[str] | None = None  # split when a literal block scalar needs them
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
        """Consume the events of one value and return it built.

        One loop, the innermost open collection in local variables (``container``, whether it
        is a mapping, its pending key): this runs once per event of every document linted."""
        get_event = loader.get_event
        new = _new_tuple
        constants, number_start, not_constant, no_key = _CONSTANTS, _NUMBER_START, _NOT_CONSTANT, _NO_KEY
        anchors = self.anchors
        # The collections that enclose the innermost one, each as (container, its spans, its key
        # spans, is_map, pending key, its span, and the innermost's tag, anchor, start line, start
        # column, values before it).
        stack: list[tuple[Any, ...]] = []
        container: Any = None  # the innermost open collection (None: the value is the root)
        spans: Any = None
        key_spans: Any = None
        is_map = False
        key: Any = no_key
        key_span: Any = None
        values = 0
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                start, end = event.start_mark, event.end_mark
                span = new(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1, None, None, ()))
                in_key = is_map and key is no_key
                if not in_key:  # keys are not counted, as in the JSON loader
                    values += 1
                    if values > MAX_VALUES:
                        raise self._too_many(event)
                text, style = event.value, event.style
                if event.tag is None and not style:
                    result = constants.get(text, not_constant)
                    if result is not_constant:
                        if text[0] in number_start:
                            result = plain_scalar(text)
                        elif in_key and text == "<<":
                            raise LoadError("YAML merge keys ('<<') are not supported", span)
                        else:
                            result = text
                elif event.tag is None and style != "|":
                    result = text
                else:
                    result = self._scalar(event, span, in_key)
                anchor = event.anchor
                if anchor is not None:
                    anchors[anchor] = (result, 1)
                    self.open_anchors.discard(anchor)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", _span(event))
                values += 1
                if values > MAX_VALUES:
                    raise self._too_many(event)
                start = event.start_mark
                stack.append((container, spans, key_spans, is_map, key, key_span, event.tag, event.anchor,
                              start.line, start.column, values))
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                is_map = kind is MappingStartEvent
                if is_map:
                    container = LocDict()
                    key_spans = container.key_spans
                else:
                    container = LocList()
                spans = container.spans
                key = no_key
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                result = container
                container, spans, key_spans, is_map, key, key_span, tag, anchor, line, column, before = stack.pop()
                end = event.end_mark
                span = new(Span, (line + 1, column + 1, end.line + 1, end.column + 1, None, None, ()))
                result.span = span
                if tag is not None:
                    result = self._tagged(result, tag, span)
                if anchor is not None:
                    anchors[anchor] = (result, values - before + 1)
                    self.open_anchors.discard(anchor)
            elif kind is AliasEvent:
                result, size = self._alias(event)
                span = _span(event)
                values += size
                if values > MAX_VALUES:
                    raise self._too_many(event)
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise LoadError(f"invalid YAML: unexpected {type(event).__name__}", _span(event))
            if container is None:
                return result
            if not is_map:
                container.append(result)
                spans.append(span)
            elif key is no_key:
                if isinstance(result, (dict, list)):
                    raise LoadError("a mapping key must be a scalar", span)
                key, key_span = result, span
            else:
                if key in container:
                    if self.duplicated is not None:
                        if not container.duplicates:
                            self.duplicated.append(container)
                        if isinstance(container[key], (dict, list)):
                            self.duplicated.append(None)  # mappings left out of the data: search it
                    container.duplicates.append((key, key_spans[key], key_span))
                container[key] = result
                spans[key] = span
                key_spans[key] = key_span
                key = no_key

    def _too_many(self, event: Any) -> LoadError:
        why = " through YAML aliases (an alias bomb?)" if self.aliased else ""
        return LoadError(f"the document expands to more than {MAX_VALUES:,} values{why}: not linted", _span(event))

    def _alias(self, event: Any) -> tuple[Any, int]:
        """The value an alias repeats and how many values it counts as."""
        if event.anchor in self.open_anchors:
            raise LoadError(f"the alias *{event.anchor} refers to a value that contains it", _span(event))
        if event.anchor not in self.anchors:
            raise LoadError(f"invalid YAML: found undefined alias *{event.anchor}", _span(event))
        self.aliased = True
        return self.anchors[event.anchor]

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
        if isinstance(value, (dict, list)) and self.duplicated is not None:
            self.duplicated.append(None)  # a mapping left out of the data: which ones are in it is not known
        return Unknown(f"{tag} value")


def _wrap(name: str, value: Any, span: Span) -> LocDict:
    out = LocDict(span)
    out.put(name, value, span, span)
    return out


def load_yaml(text: str, problems: list[LoadError] | None = None, duplicated: list[Any] | None = None) -> Any:
    """Parse the first YAML document of ``text`` into located data; raises :class:`LoadError`.

    With a ``problems`` list, a value under an unsupported tag (``!Rain::Embed``) is recorded
    there and loaded as :class:`Unknown` so that the rest of the document is still linted. Each
    mapping that writes a key twice is appended to ``duplicated`` when given (``None`` when a
    mapping was left out of the data: then the data must be searched)."""
    try:
        return _parse(text, problems, duplicated)
    except LoadError:
        # A flow collection nested past the bound is reported as such wherever the parse stopped
        # (the parser may have refused it first, in its own words): the report of a depth pre-pass,
        # without a pass over every document that parses (one nested that deep cannot).
        from .yaml_depth import deepest_flow

        too_deep = deepest_flow(text, MAX_DEPTH)
        if too_deep is None:
            raise
    line = text.count("\n", 0, too_deep) + 1
    col = too_deep - (text.rfind("\n", 0, too_deep) + 1) + 1
    raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", Span(line, col, line, col + 1))


def _parse(text: str, problems: list[LoadError] | None, duplicated: list[Any] | None) -> Any:
    loader = _Loader(text)
    try:
        return _Builder(problems, text, duplicated).document(loader)
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
