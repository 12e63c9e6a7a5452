"""Static resolution of CloudFormation intrinsic functions.

``Ref`` to a parameter resolves to its ``Default``, pseudo parameters to what is knowable
(``AWS::Partition`` → ``aws``), and ``Fn::Sub`` (both forms), ``Fn::Join``, ``Fn::Select``,
``Fn::Split``, ``Fn::FindInMap``, ``Fn::If`` and the language extensions' ``Fn::Length`` and
``Fn::ToJsonString`` are evaluated. ``Fn::If`` takes the branch chosen
by the resolver's ``branch`` (0 = first, 1 = second), so evaluating a resource with both resolvers
sees every branch. Anything else becomes :class:`Unknown`. A resolved value keeps the span of the
property that used it, with a note naming where the value came from (an :class:`Origin` with the
place of a parameter's ``Default`` or a mapping's value).
"""
from __future__ import annotations

import json
import re
from itertools import islice
from typing import Any, Union

from .. import budget
from ..load.errors import LoadError
from ..load.json_loader import load_json
from ..load.located import (BlockText, DocumentText, LocDict, LocList, Origin, Ref, Span, Unknown, UnknownDocument,
                            as_span, at, key_at, place, plain, relocate, shift_block)

Note = Union[str, Origin, None]  # where a resolved value came from (see Span.with_note)

NO_VALUE = object()
MAX_CONDITION_DEPTH = 50  # conditions naming conditions deeper than this are "cannot tell"

_PSEUDO_KNOWN = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
_PSEUDO_UNKNOWN = {"AWS::AccountId", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::NotificationARNs"}
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def uses_if(value: Any) -> bool:
    """Whether ``value`` contains an ``Fn::If`` anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "Fn::If" in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def if_conditions(value: Any) -> set[str]:
    """The condition names of every ``Fn::If`` inside ``value``."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            branches = item.get("Fn::If")
            if isinstance(branches, list) and branches and isinstance(branches[0], str):
                found.add(branches[0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def describe(value: Any) -> str:
    """A short text for an intrinsic that stays unresolved (``!GetAtt Role.Arn``)."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        short = name.replace("Fn::", "")
        if isinstance(arg, list):
            if name == "Fn::GetAtt":
                return f"!GetAtt {'.'.join(str(a) for a in arg)}"
            return f"!{short} [{', '.join(describe(a) for a in arg)}]"
        return f"!{short} {describe(arg)}"
    if isinstance(value, Unknown):
        return value.text
    return str(value)


class Resolver:
    """Resolves the intrinsics of one template; ``branch`` picks the ``Fn::If`` alternative."""

    def __init__(self, template: LocDict, branch: int = 0):
        self.branch = branch
        params = template.get("Parameters")
        self.parameters: dict[str, LocDict] = dict(params) if isinstance(params, dict) else {}
        mappings = template.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}
        resources = template.get("Resources")
        self.resources = set(resources) if isinstance(resources, dict) else set()
        conditions = template.get("Conditions")
        self.conditions = conditions if isinstance(conditions, dict) else {}
        self.masked: frozenset[str] = frozenset()
        self._condition_cache: dict[str, tuple[bool | None, frozenset[str]]] = {}
        self._depth = 0

    # -- entry point ---------------------------------------------------------------------------
    def resolve(self, value: Any, span: Span | Ref) -> tuple[Any, Note]:
        """``(resolved value, note)``; the value is :data:`NO_VALUE` for ``AWS::NoValue``. A
        container holding no intrinsic is returned as it is; a copy's spans are references to
        where each value is written (found when first read)."""
        if isinstance(value, dict) and len(value) == 1:
            (name,) = value.keys()
            if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
                try:
                    return self._intrinsic(name, value[name], value, span)
                except budget.OverBudget as exc:  # copies of parameter defaults and mappings are charged
                    budget.exhaust(str(exc), "", as_span(span))
                    return Unknown(describe(value)), None
        if isinstance(value, dict):  # a container with nothing to resolve in it is its own resolution
            out: Any = None
            for i, (key, child) in enumerate(value.items()):
                if not isinstance(child, (dict, list)):  # a scalar resolves to itself
                    if out is not None:
                        out.put_from(key, child, value, key)
                    continue
                where = at(value, key, span)
                resolved, note = self.resolve(child, where)
                if out is None:
                    if resolved is child and note is None:
                        continue
                    out = LocDict(place(value, span))
                    for earlier in islice(value, i):
                        out.put_from(earlier, value[earlier], value, earlier)
                if resolved is not NO_VALUE:
                    out.put(key, resolved, where.with_note(note), key_at(value, key))
            return (value if out is None else out), None
        if isinstance(value, list):
            out = None
            for i, child in enumerate(value):
                if not isinstance(child, (dict, list)):
                    if out is not None:
                        out.add(child, at(value, i, span))
                    continue
                child_span = at(value, i, span)
                resolved, note = self.resolve(child, child_span)
                if out is None:
                    if resolved is child and note is None:
                        continue
                    out = LocList(place(value, span))
                    for j in range(i):
                        out.add(value[j], at(value, j, span))
                if resolved is not NO_VALUE:
                    out.add(resolved, child_span.with_note(note))
            return (value if out is None else out), None
        return value, None

    def value(self, value: Any, span: Span) -> Any:
        return self.resolve(value, span)[0]

    # -- intrinsics ----------------------------------------------------------------------------
    def _intrinsic(self, name: str, arg: Any, whole: Any, span: Span) -> tuple[Any, Note]:
        if name == "Ref":
            return self._ref(arg, span)
        if name == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3:
                return self._if(arg, span)
            return Unknown(describe(whole)), None
        handler = getattr(self, "_" + name[4:].lower(), None)
        if handler is None:
            return Unknown(describe(whole), _refs(whole)), None
        try:
            result = handler(arg, span)
        except (TypeError, ValueError, ArithmeticError, IndexError, KeyError, AttributeError):
            result = None
        if result is None:
            return Unknown(describe(whole), _refs(whole)), None
        return result

    def _if(self, arg: LocList, span: Span) -> tuple[Any, Note]:
        """The branch this resolver takes. When the parameter defaults decide the condition the
        other way, the parameters it reads cannot have their defaults in this branch: they are
        resolved as unknown (``!If [HasName, !Ref Name, !Ref AWS::NoValue]`` with ``Name``
        defaulting to ``''`` never names a bucket ``''``)."""
        holds, params = self.condition(arg[0]) if isinstance(arg[0], str) else (None, frozenset())
        wanted = self.branch == 0
        saved = self.masked
        if holds is not None and holds != wanted:
            self.masked = saved | params
        try:
            resolved, note = self.resolve(arg[1 + self.branch], arg.span_of(1 + self.branch))
        finally:
            self.masked = saved
        branch = "first" if self.branch == 0 else "second"
        return resolved, note or f"the {branch} branch of Fn::If {arg[0]}"

    def condition(self, name: str) -> tuple[bool | None, frozenset[str]]:
        """Whether a named condition holds with the parameter defaults (``None``: cannot tell),
        and the parameters it reads."""
        if name not in self._condition_cache:
            self._condition_cache[name] = (None, frozenset())  # guards against cycles
            if self._depth < MAX_CONDITION_DEPTH:
                self._depth += 1
                masked, self.masked = self.masked, frozenset()  # decided with every default, wherever asked
                try:
                    self._condition_cache[name] = self._evaluate_condition(self.conditions.get(name))
                finally:
                    self._depth -= 1
                    self.masked = masked
        return self._condition_cache[name]

    def _evaluate_condition(self, expr: Any) -> tuple[bool | None, frozenset[str]]:
        if not isinstance(expr, dict) or len(expr) != 1:
            return None, frozenset()
        (op, arg), = expr.items()
        if op == "Condition" and isinstance(arg, str):
            return self.condition(arg)
        if not isinstance(arg, list):
            return None, frozenset()
        if op == "Fn::Equals" and len(arg) == 2:
            params = frozenset(r for r in _refs(arg) if r in self.parameters)
            left, right = (self.value(a, self.conditions.span) for a in arg)
            if isinstance(left, (Unknown, dict, list)) or isinstance(right, (Unknown, dict, list)):
                return None, params
            return str(left) == str(right), params
        parts = [self._evaluate_condition(a) for a in arg]
        params = frozenset().union(*(p for _, p in parts)) if parts else frozenset()
        values = [v for v, _ in parts]
        if op == "Fn::Not" and len(values) == 1:
            return (None if values[0] is None else not values[0]), params
        if op == "Fn::And":
            return (False if False in values else None if None in values else True), params
        if op == "Fn::Or":
            return (True if True in values else None if None in values else False), params
        return None, params

    def _ref(self, name: Any, span: Span) -> tuple[Any, Note]:
        if isinstance(name, str) and name in self.masked:
            return Unknown(f"!Ref {name}", (name,)), None
        if not isinstance(name, str):
            return Unknown(describe({"Ref": name})), None
        if name == "AWS::NoValue":
            return NO_VALUE, None
        if name in _PSEUDO_KNOWN:
            return _PSEUDO_KNOWN[name], None
        if name in _PSEUDO_UNKNOWN:
            return Unknown("${" + name + "}", (name,)), None
        param = self.parameters.get(name)
        if isinstance(param, dict):
            if "Default" not in param:
                return Unknown(f"!Ref {name}", (name,)), None
            default = param["Default"]
            note = Origin(f"from the Default of parameter '{name}'",
                          param.span_of("Default") if isinstance(param, LocDict) else None)
            ptype = param.get("Type", "")
            if isinstance(ptype, str) and isinstance(default, str) and (
                ptype == "CommaDelimitedList" or ptype.startswith("List<")
            ):
                items = LocList(span)
                for part in default.split(","):
                    items.add(part.strip(), span.with_note(note))
                return items, note
            if isinstance(default, (dict, list)):
                return relocate(default, span.with_note(note)), note
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                default = str(default)
            return default, note
        return Unknown(f"!Ref {name}", (name,)), None

    def _sub(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, variables = arg[0], {k: self.value(v, span) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            return None
        notes: list[Origin | str] = []
        unknown: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                value = variables[inner]
            elif "." in inner and inner.split(".", 1)[0] in self.resources:
                unknown.append(inner)
                return match.group(0)
            else:
                value, note = self._ref(inner, span)
                if note:
                    notes.append(note)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            unknown.append(inner)
            return match.group(0)

        if text.lstrip().startswith("{") and "${" in text:
            document = _sub_document(text, lambda part: _SUB_VAR.sub(substitute, part), unknown, span)
            if document is not None:
                return document, None
            unknown.clear()
            notes.clear()
        rendered = _SUB_VAR.sub(substitute, text)
        if unknown:
            return Unknown(rendered, tuple(unknown)), None
        if len(notes) > 1:  # one note naming every parameter, placed at the first
            first = notes[0]
            text = "; ".join(n.text if isinstance(n, Origin) else n for n in notes)
            return rendered, first._replace(text=text) if isinstance(first, Origin) else text
        return rendered, notes[0] if notes else None

    def _join(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        delimiter, parts = arg[0], self.value(arg[1], span)
        if not isinstance(delimiter, str) or not isinstance(parts, list):
            return None
        if not all(isinstance(p, str) for p in parts):
            return None
        return delimiter.join(parts), None

    def _select(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        index, items = self.value(arg[0], span), self.value(arg[1], span)
        if not isinstance(items, list):
            return None
        item = items[int(index)]
        return (None if isinstance(item, Unknown) else item), None

    def _split(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        delimiter, text = arg[0], self.value(arg[1], span)
        if not isinstance(delimiter, str) or not isinstance(text, str):
            return None
        out = LocList(span)
        for part in text.split(delimiter):
            out.add(part, span)
        return out, None

    def _length(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        items = self.value(arg, span)
        return (len(items), None) if isinstance(items, list) else None

    def _tojsonstring(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        value = self.value(arg, span)
        if _has_unknown(value):
            return None
        return json.dumps(plain(value), separators=(",", ":")), None

    def _findinmap(self, arg: Any, span: Span) -> tuple[Any, Note] | None:
        name, top, second = (self.value(a, span) for a in arg[:3])
        if not all(isinstance(k, str) for k in (name, top, second)):
            return None
        entry = self.mappings[name][top]
        value = entry[second]
        note = Origin(f"from mapping {name}.{top}.{second}", entry.span_of(second) if isinstance(entry, LocDict) else None)
        if isinstance(value, (dict, list)):
            return relocate(value, span.with_note(note)), note
        return value, note


def _has_unknown(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_HOLE = "\x00sub:"  # stands for a ${...} written outside a JSON string, until the document is parsed


def _sub_document(text: str, render: Any, unknown: list[str], span: Span) -> Any:
    """An ``Fn::Sub`` whose template is a JSON document (a policy): the document parsed as
    written — located to the element when the template is a YAML literal block — with each string
    substituted. A template that is JSON only once substituted (``"Resource": ${List}``) is parsed
    with those holes unknown and located at the ``Fn::Sub``, which the note says. ``None`` when
    it is not JSON either way."""
    try:
        data = load_json(text)
        data = shift_block(data, text) if isinstance(text, BlockText) else relocate(data, span)
    except LoadError:
        try:
            data = load_json(_quote_holes(text))
        except LoadError:
            return None
        note = "inside a Fn::Sub document that is JSON only once substituted: located at the Fn::Sub"
        data = relocate(data, span.with_note(note))

    def fill(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(_HOLE):
            unknown.append(value[len(_HOLE):])
            return Unknown("${" + value[len(_HOLE):] + "}", (value[len(_HOLE):],))
        if isinstance(value, str) and "${" in value:
            before = len(unknown)
            rendered = render(value)
            return Unknown(rendered, tuple(unknown[before:])) if len(unknown) > before else rendered
        if isinstance(value, LocDict):
            for key in list(value):
                value[key] = fill(value[key])
        elif isinstance(value, LocList):
            for i, item in enumerate(value):
                value[i] = fill(item)
        return value

    data = fill(data)
    rendered = render(text)
    return UnknownDocument(rendered, tuple(unknown), data) if unknown else DocumentText(rendered, data)


def _quote_holes(text: str) -> str:
    """``text`` with each ``${...}`` written outside a JSON string made a string naming it."""
    out, inside, i = [], False, 0
    while i < len(text):
        char = text[i]
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            inside = not inside
        elif not inside and text.startswith("${", i):
            end = text.find("}", i)
            if end > 0:
                out.append(json.dumps(_HOLE + text[i + 2:end]))
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _refs(value: Any) -> tuple[str, ...]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "Ref" in item and isinstance(item["Ref"], str):
                found.append(item["Ref"])
            if "Fn::GetAtt" in item and isinstance(item["Fn::GetAtt"], list) and item["Fn::GetAtt"]:
                found.append(str(item["Fn::GetAtt"][0]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return tuple(found)
