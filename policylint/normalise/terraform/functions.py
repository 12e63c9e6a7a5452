"""Terraform's built-in functions that matter for static analysis.

Each function takes evaluated ``(value, span)`` arguments and returns ``(value, span)``. An unknown
argument makes the result unknown (except where Terraform itself would not need it: ``try``,
``coalesce``, container items). ``file`` and ``templatefile`` read only inside the scanned tree.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from ... import budget
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
    if function is None or not _ARITY.get(name, (0, None))[0] <= len(args) <= (_ARITY.get(name, (0, None))[1] or len(args)):
        return unknown(expr.text, *(a for a, _ in args)), expr.span  # an unknown function, or Terraform's arity error
    if name not in _TAKES_UNKNOWN and any(isinstance(a, Unknown) for a, _ in args):
        return unknown(expr.text, *(a for a, _ in args)), expr.span
    try:
        result = function(args, expr, scope)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError, re.error):
        return unknown(expr.text, *(a for a, _ in args)), expr.span
    if isinstance(result, tuple):
        return result
    return result, expr.span


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_number(value: Any) -> Any:
    """Terraform's numbers are exact decimals: a whole float is written as an integer."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number(v) for v in value]
    return value


def _jsonencode(args: Args, expr: Expr, scope: Scope) -> Any:
    value = args[0][0]
    data = plain(decoded(value))  # unknown parts are rendered, the located data keeps them
    # As Terraform writes it: object keys sorted, UTF-8 kept, <, >, &, U+2028/9 escaped.
    text = json.dumps(_json_number(data), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return LocatedText(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text), value)


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
    found = scope.module.read_file(_path(args), expr)
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
    found = scope.module.read_file(_path(args), expr)
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
        if any(int(n) > budget.MAX_STRING for n in re.findall(r"\d+", match.group(2))):
            budget.note(f"format width or precision {match.group(2)!r} past the bound of one string", expr.src.display, expr.span)
            raise ValueError
        if verb == "%":
            out.append("%")
            continue
        index = int(match.group(1)) - 1 if match.group(1) else next_index
        next_index = index + 1
        if index < 0:
            raise IndexError
        value = values[index]
        if verb == "q":
            text = to_text(value)
            if text is None or not _printable_ascii(text):
                raise TypeError  # Go's quoting differs from JSON's outside printable ASCII
            out.append(json.dumps(text))
        elif verb == "v" and isinstance(value, (dict, list)):
            out.append(_jsonencode([(value, expr.span)], expr, scope))
        elif verb == "t" and not isinstance(value, bool):
            raise TypeError
        elif verb in "dfgeEox":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError
            if verb in "dox":
                if isinstance(value, float) and not value.is_integer():
                    raise TypeError  # no integer representation
                value = int(value)
            out.append(("%" + match.group(2) + verb) % value)
        elif verb not in "svt":
            raise ValueError  # a verb whose Go output is not reproduced here (%b, %X, %U, ...)
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
    if not isinstance(mapping, dict) or key is None:
        raise TypeError
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


def _distinct(args: Args, expr: Expr, scope: Scope) -> Any:
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


def _toset(args: Args, expr: Expr, scope: Scope) -> Any:
    """A set of strings or of numbers, in Terraform's order (sorted); mixed or structured
    elements (converted or ordered by rules not reproduced here) are unknown."""
    out = _distinct(args, expr, scope)
    kinds = {type(item) if not isinstance(item, (int, float)) or isinstance(item, bool) else float for item in out}
    if not out:
        return out
    if len(kinds) != 1 or kinds.pop() not in (str, float):
        raise TypeError
    order = sorted(range(len(out)), key=lambda i: out[i])
    result = LocList(out.span)
    for i in order:
        result.add(out[i], out.span_of(i))
    return result


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
        if not isinstance(value, list):
            raise TypeError
        if value:
            return value, span
    raise ValueError  # Terraform: no non-empty list


def _flatten(args: Args, expr: Expr, scope: Scope) -> Any:
    if len(args) != 1 or not isinstance(args[0][0], list):
        raise TypeError
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
    if not isinstance(value, list):
        raise TypeError
    out = LocList(getattr(value, "span", span))
    for i, item in enumerate(value):
        if item not in (None, ""):
            out.add(item, value.span_of(i) if isinstance(value, LocList) else span)
    return out


def _element(args: Args, expr: Expr, scope: Scope) -> Any:
    value, _ = args[0]
    index = _whole_number(args[1][0])
    if not isinstance(value, list) or not value or index < 0:
        raise TypeError  # a string, a map, an empty list, a negative index: Terraform's error
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


def _join(separator: str, *lists: Any) -> str:
    if not isinstance(separator, str) or not lists or not all(isinstance(x, list) for x in lists):
        raise TypeError
    texts = [to_text(i) for items in lists for i in items]
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
    if isinstance(value, str) and not value.isascii():
        raise TypeError  # Terraform counts grapheme clusters, not code points
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise TypeError


def _ascii(function: Callable[[str], str]) -> Callable[[Any], str]:
    """A string function whose Unicode tables may differ from Go's: exact on ASCII only."""
    def wrapped(value: Any) -> str:
        if not isinstance(value, str) or not value.isascii():
            raise TypeError
        return function(value)
    return wrapped


_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _trimspace(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value.strip(_GO_SPACE)


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _tonumber(value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        raise ValueError
    number = float(value)
    return int(value) if re.fullmatch(r"-?[0-9]+", value) else (int(number) if number.is_integer() else number)


def _whole_number(value: Any) -> int:
    number = _tonumber(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError
        number = int(number)
    return number


def _printable_ascii(text: str) -> bool:
    return all(" " <= c <= "~" for c in text)


def _numbers(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*values: Any) -> Any:
        if not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            raise TypeError
        return function(values)
    return wrapped


def _tostring(value: Any) -> str:
    text = to_text(value)
    if text is None:
        raise TypeError
    return text


def _contains(items: Any, value: Any) -> bool:
    if not isinstance(items, list):
        raise TypeError
    if any(_kind(i) != _kind(value) for i in items):
        raise TypeError  # Terraform would convert to a common type first
    return plain(value) in [plain(i) for i in items]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__ if not isinstance(value, (dict, list)) else ("map" if isinstance(value, dict) else "list")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


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
    "distinct": _distinct,  # keeps the first of each value, in order
    "element": _element,
    "one": _one,
    "keys": _keys_or_values("keys"),
    "values": _keys_or_values("values"),
    "join": _scalar(_join),
    "split": _split,
    "replace": _scalar(_replace),
    "length": _scalar(_length),
    "lower": _scalar(_ascii(str.lower)),
    "upper": _scalar(_ascii(str.upper)),
    "trimspace": _scalar(_trimspace),
    "tostring": _scalar(_tostring),
    "tonumber": _scalar(_tonumber),
    "tobool": _scalar(lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v]),
    "contains": _scalar(_contains),
    "startswith": _scalar(lambda s, p: _text(s).startswith(_text(p))),
    "endswith": _scalar(lambda s, p: _text(s).endswith(_text(p))),
    "min": _scalar(_numbers(min)),
    "max": _scalar(_numbers(max)),
}
# name → (fewest, most) arguments (``None``: any number); other calls are Terraform's error.
_ARITY: dict[str, tuple[int, int | None]] = {
    **{name: (1, 1) for name in ("jsonencode", "jsondecode", "file", "tolist", "toset", "tomap", "flatten", "compact",
                                 "distinct", "one", "keys", "values", "length", "lower", "upper", "trimspace",
                                 "tostring", "tonumber", "tobool")},
    **{name: (2, 2) for name in ("templatefile", "element", "split", "contains", "startswith", "endswith")},
    **{name: (1, None) for name in ("format", "concat", "coalesce", "coalescelist", "min", "max")},
    "merge": (0, None), "lookup": (2, 3), "join": (2, None), "replace": (3, 3),
}
_LAZY = {"try": _try, "can": _can}
_TAKES_UNKNOWN = {"coalesce", "coalescelist"}
