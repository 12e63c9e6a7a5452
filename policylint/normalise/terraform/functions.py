"""Terraform's built-in functions that matter for static analysis.

Each function takes evaluated ``(value, span)`` arguments and returns ``(value, span)``. An unknown
argument makes the result unknown (except where Terraform itself would not need it: ``try``,
``coalesce``, container items). ``file`` and ``templatefile`` read only inside the scanned tree.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from ...load.errors import LoadError
from ...load.hcl import Expr, Source, is_json_text, parse_template
from ...load.json_loader import load_json
from ...load.located import LocDict, LocList, Span, Unknown, plain, relocate, span_of
from .expressions import Scope, evaluate, render
from .values import LocatedText, Missing, decoded, shift_spans, to_text, unknown

Args = list[tuple[Any, Span]]


def call(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    """Evaluate the function call ``expr``."""
    name, arg_exprs, expand = expr.args
    name = name.split("::")[-1]
    if name in _LAZY:
        return _LAZY[name](expr, arg_exprs, scope)
    function = _FUNCTIONS.get(name)
    args = [evaluate(a, scope) for a in arg_exprs]
    if expand and args:
        last, last_span = args.pop()
        if isinstance(last, LocList):
            args.extend((v, last.span_of(i)) for i, v in enumerate(last))
        else:
            return unknown(expr.text, last), expr.span
    if function is None:
        return unknown(expr.text, *(a for a, _ in args)), expr.span
    if name not in _TAKES_UNKNOWN and any(isinstance(a, Unknown) for a, _ in args):
        return unknown(expr.text, *(a for a, _ in args)), expr.span
    try:
        result = function(args, expr, scope)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError, re.error):
        return unknown(expr.text, *(a for a, _ in args)), expr.span
    if isinstance(result, tuple):
        return result
    return result, expr.span


def _jsonencode(args: Args, expr: Expr, scope: Scope) -> Any:
    value = args[0][0]
    return LocatedText(json.dumps(plain(decoded(value)), separators=(",", ":")), value)


def _jsondecode(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    if isinstance(value, LocatedText) and value.data is not None:
        return value.data
    if not isinstance(value, str):
        raise TypeError
    try:
        return relocate(load_json(value), span)
    except LoadError:
        raise ValueError from None


def _file(args: Args, expr: Expr, scope: Scope) -> Any:
    found = scope.module.read_file(_path(args))
    if found is None:
        return unknown(expr.text)
    text, display = found
    data = None
    if is_json_text(text):
        try:
            data = shift_spans(load_json(text), 0, display)
        except LoadError:
            data = None
    return LocatedText(text, data)


def _templatefile(args: Args, expr: Expr, scope: Scope) -> Any:
    found = scope.module.read_file(_path(args))
    variables = args[1][0] if len(args) > 1 else LocDict()
    if found is None or not isinstance(variables, LocDict):
        return unknown(expr.text)
    text, display = found
    parts = parse_template(text, Span(1, 1, 1, 1, display), Source(text, display))
    names = {k: (v, variables.span_of(k)) for k, v in variables.items()}
    return render(tuple(parts), Scope(scope.module, names), expr, 1, display)


def _path(args: Args) -> str:
    path = args[0][0]
    if not isinstance(path, str):
        raise TypeError
    return path


def _format(args: Args, expr: Expr, scope: Scope) -> Any:
    fmt = args[0][0]
    values = [a for a, _ in args[1:]]
    out: list[str] = []
    position = 0
    next_index = 0
    for match in re.finditer(r"%(?:\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])", fmt):
        out.append(fmt[position:match.start()])
        position = match.end()
        verb = match.group(3)
        if verb == "%":
            out.append("%")
            continue
        index = int(match.group(1)) - 1 if match.group(1) else next_index
        next_index = index + 1
        value = values[index]
        if verb == "q":
            out.append(json.dumps(str(value)))
        elif verb == "v" and isinstance(value, (dict, list)):
            out.append(json.dumps(plain(value)))
        elif verb in "dfgeEbox":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError
            out.append(("%" + match.group(2) + verb) % value)
        else:
            text = to_text(value)
            if text is None:
                raise TypeError
            out.append(("%" + match.group(2) + "s") % text)
    out.append(fmt[position:])
    return "".join(out)


def _concat(args: Args, expr: Expr, scope: Scope) -> Any:
    out = LocList(expr.span)
    for value, span in args:
        if not isinstance(value, list):
            raise TypeError
        for i, item in enumerate(value):
            out.add(item, span_of(value, i, span))
    return out


def _merge(args: Args, expr: Expr, scope: Scope) -> Any:
    out = LocDict(expr.span)
    for value, span in args:
        if value is None:
            continue
        if not isinstance(value, dict):
            raise TypeError
        for key, item in value.items():
            out.put(key, item, value.span_of(key) if isinstance(value, LocDict) else span,
                    value.key_span_of(key) if isinstance(value, LocDict) else span)
    return out


def _lookup(args: Args, expr: Expr, scope: Scope) -> Any:
    mapping, _ = args[0]
    key = to_text(args[1][0])
    if isinstance(mapping, LocDict) and key in mapping:
        return mapping[key], mapping.span_of(key)
    if len(args) > 2:
        return args[2]
    raise KeyError


def _tolist(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    if isinstance(value, list):
        return value, span
    raise TypeError


def _toset(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    if not isinstance(value, list):
        raise TypeError
    out = LocList(getattr(value, "span", span))
    seen: list[Any] = []
    for i, item in enumerate(value):
        if plain(item) not in seen:
            seen.append(plain(item))
            out.add(item, span_of(value, i, span))
    return out


def _tomap(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    if isinstance(value, dict):
        return value, span
    raise TypeError


def _try(expr: Expr, arg_exprs: tuple, scope: Scope) -> tuple[Any, Span]:
    """The first argument that evaluates without an error. A value unknown because it depends on
    something not known statically (it has ``refs``) is returned as it is, as Terraform would."""
    for arg in arg_exprs:
        value, span = evaluate(arg, scope)
        if not isinstance(value, Unknown) or value.refs:
            return value, span
    return unknown(expr.text), expr.span


def _can(expr: Expr, arg_exprs: tuple, scope: Scope) -> tuple[Any, Span]:
    value, _ = evaluate(arg_exprs[0], scope) if arg_exprs else (None, expr.span)
    if isinstance(value, Unknown):
        return (value if value.refs else False), expr.span
    return True, expr.span


def _coalesce(args: Args, expr: Expr, scope: Scope) -> Any:
    for value, span in args:
        if isinstance(value, Missing):
            continue
        if isinstance(value, Unknown):
            return unknown(expr.text, value)
        if value is not None and value != "":
            return value, span
    raise ValueError


def _coalescelist(args: Args, expr: Expr, scope: Scope) -> Any:
    for value, span in args:
        if isinstance(value, Unknown):
            return unknown(expr.text, value)
        if isinstance(value, list) and value:
            return value, span
    return args[-1] if args else LocList(expr.span)


def _flatten(args: Args, expr: Expr, scope: Scope) -> Any:
    out = LocList(expr.span)
    stack: list[tuple[Any, Span]] = [args[0]]
    items: list[tuple[Any, Span]] = []
    while stack:
        value, span = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed([(v, span_of(value, i, span)) for i, v in enumerate(value)]))
        else:
            items.append((value, span))
    for value, span in items:
        if isinstance(value, Unknown):
            return unknown(expr.text, value)
        out.add(value, span)
    return out


def _compact(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    out = LocList(getattr(value, "span", span))
    for i, item in enumerate(value):
        if item not in (None, ""):
            out.add(item, value.span_of(i) if isinstance(value, LocList) else span)
    return out


def _element(args: Args, expr: Expr, scope: Scope) -> Any:
    value, _ = args[0]
    index = int(args[1][0])
    if not value:
        raise IndexError
    index %= len(value)
    return value[index], value.span_of(index) if isinstance(value, LocList) else expr.span


def _keys_or_values(which: str) -> Callable[[Args, Expr, Scope], Any]:
    def function(args: Args, expr: Expr, scope: Scope) -> Any:
        value, _ = args[0]
        if not isinstance(value, dict):
            raise TypeError
        out = LocList(expr.span)
        for key in sorted(value):
            if which == "keys":
                out.add(key, value.key_span_of(key) if isinstance(value, LocDict) else expr.span)
            else:
                out.add(value[key], value.span_of(key) if isinstance(value, LocDict) else expr.span)
        return out
    return function


def _scalar(function: Callable[..., Any]) -> Callable[[Args, Expr, Scope], Any]:
    def wrapped(args: Args, expr: Expr, scope: Scope) -> Any:
        return function(*[a for a, _ in args])
    return wrapped


def _join(separator: str, items: list[Any]) -> str:
    texts = [to_text(i) for i in items]
    if any(t is None for t in texts):
        raise TypeError
    return separator.join(texts)  # type: ignore[arg-type]


def _split(args: Args, expr: Expr, scope: Scope) -> Any:
    (separator, _), (text, span) = args[0], args[1]
    if not isinstance(separator, str) or not isinstance(text, str):
        raise TypeError
    out = LocList(span)
    for piece in text.split(separator):
        out.add(piece, span)
    return out


def _replace(text: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        raise ValueError  # a regular expression in Go's syntax: not evaluated
    return text.replace(search, replacement)


def _length(value: Any) -> int:
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise TypeError


def _tostring(value: Any) -> str:
    text = to_text(value)
    if text is None:
        raise TypeError
    return text


def _contains(items: Any, value: Any) -> bool:
    return plain(value) in [plain(i) for i in items]


def _one(args: Args, expr: Expr, scope: Scope) -> Any:
    value, span = args[0]
    if isinstance(value, list) and len(value) <= 1:
        return (value[0], span_of(value, 0, span)) if value else None
    raise ValueError


_FUNCTIONS: dict[str, Callable[[Args, Expr, Scope], Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "file": _file,
    "templatefile": _templatefile,
    "format": _format,
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "tolist": _tolist,
    "toset": _toset,
    "tomap": _tomap,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "flatten": _flatten,
    "compact": _compact,
    "distinct": _toset,  # a set keeps the first of each value, in order
    "element": _element,
    "one": _one,
    "keys": _keys_or_values("keys"),
    "values": _keys_or_values("values"),
    "join": _scalar(_join),
    "split": _split,
    "replace": _scalar(_replace),
    "length": _scalar(_length),
    "lower": _scalar(str.lower),
    "upper": _scalar(str.upper),
    "trimspace": _scalar(str.strip),
    "tostring": _scalar(_tostring),
    "tonumber": _scalar(lambda v: v if isinstance(v, (int, float)) else (float(v) if "." in v else int(v))),
    "tobool": _scalar(lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v]),
    "contains": _scalar(_contains),
    "startswith": _scalar(lambda s, p: s.startswith(p)),
    "endswith": _scalar(lambda s, p: s.endswith(p)),
    "min": _scalar(min),
    "max": _scalar(max),
}
_LAZY = {"try": _try, "can": _can}
_TAKES_UNKNOWN = {"coalesce", "coalescelist"}
