"""Evaluate Terraform expressions statically into located values.

``evaluate(expr, scope)`` returns ``(value, span)``: plain scalars, :class:`LocDict` /
:class:`LocList` (which carry their own spans), :class:`LocatedText` or :class:`Unknown`. References
(``var.``, ``local.``, ``module.``, ``data.``, resources) are answered by the module instance the
scope belongs to; what cannot be known statically is :class:`Unknown`, never a guess.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Protocol

from ... import budget
from ...load.errors import LoadError
from ...load.hcl import Expr, Interpolation, is_json_text
from ...load.json_loader import load_json
from ...load.located import LocDict, LocList, Span, Unknown, plain, relocate
from .values import LocatedText, Missing, decoded, nullish, shift_spans, to_text, unknown

OVER_BUDGET = "policylint evaluation budget"  # what an unknown past the budget depends on


class Module(Protocol):
    """What an expression may ask of the module instance it is evaluated in."""

    def variable(self, name: str, span: Span) -> tuple[Any, Span]: ...
    def local(self, name: str, span: Span) -> tuple[Any, Span]: ...
    def reference(self, root: str, steps: list[Any], expr: Expr) -> tuple[Any, Span] | None: ...
    def path(self, kind: str) -> str: ...
    def read_file(self, path: str, expr: Expr) -> tuple[str, str] | None: ...


class Scope:
    """A module instance plus the names bound around an expression (``count``, ``each``, a dynamic
    block's iterator, a ``for`` expression's variables)."""

    __slots__ = ("module", "names")

    def __init__(self, module: Module, names: dict[str, tuple[Any, Span]] | None = None):
        self.module = module
        self.names = names or {}

    def bind(self, **names: tuple[Any, Span]) -> "Scope":
        return Scope(self.module, {**self.names, **names})


# References, which hand out values built elsewhere, are not charged again (copies they make are).
_NOT_BUILT = frozenset(("lit", "var", "attr", "index", "paren"))


def evaluate(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    """The value of ``expr`` and where it was written; unknown past the active evaluation budget
    (``budget.py``), with a note saying where."""
    spending = budget.current()
    if expr.op == "lit":  # half of all evaluations: the budget's step, without its calls
        value = expr.args[0]
        if spending is None:
            return value, expr.span
        if (spending.spent is None and spending.steps < budget.MAX_STEPS and spending.depth < budget.MAX_DEPTH
                and (not isinstance(value, float) or math.isfinite(value))):
            spending.steps += 1
            return value, expr.span
    handler = _HANDLERS.get(expr.op)
    if handler is None:
        return unknown(expr.text), expr.span
    if spending is None:
        return handler(expr, scope)
    file = expr.src.display
    if not spending.enter(file, expr.span):
        return Unknown(expr.text, (OVER_BUDGET,)), expr.span
    try:
        value, span = handler(expr, scope)
    except RecursionError:
        spending.note("expressions nested too deeply to evaluate", file, expr.span)
        return Unknown(expr.text, (OVER_BUDGET,)), expr.span
    except budget.OverBudget as exc:
        spending.exhaust(str(exc), file, expr.span)
        return Unknown(expr.text, (OVER_BUDGET,)), expr.span
    finally:
        spending.leave()
    if (expr.op not in _NOT_BUILT or isinstance(value, float)) and not spending.admit(value, file, expr.span):
        return Unknown(expr.text, (OVER_BUDGET,)), expr.span
    return value, span


def _lit(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    return expr.args[0], expr.span


def _paren(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    return evaluate(expr.args[0], scope)


def _tmpl(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    parts = expr.args[0]
    if len(parts) == 1 and isinstance(parts[0], Expr):
        return evaluate(parts[0], scope)  # "${x}" is x itself, whatever its type
    out: list[str] = []
    unknowns: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value, _ = evaluate(part, scope)
        text = to_text(value) if value is not None else ""
        if text is None:
            unknowns.append(value)
            out.append("${" + part.text + "}")
        else:
            out.append(text)
    if unknowns:
        return unknown(expr.text, *unknowns), expr.span
    return "".join(out), expr.span


def _tuple(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    out = LocList(expr.span)
    for item in expr.args:
        value, span = evaluate(item, scope)
        out.add(value, span)
    return out, expr.span


def _object(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    out = LocDict(expr.span)
    for key_expr, value_expr in expr.args:
        key, _ = evaluate(key_expr, scope)
        key = to_text(key) if not isinstance(key, Unknown) else None
        if key is None:
            continue
        value, span = evaluate(value_expr, scope)
        out.put(key, value, span, key_expr.span)
    return out, expr.span


def traversal(expr: Expr) -> tuple[str, list[Any]] | None:
    """``(root name, [attribute names and index expressions])`` of ``a.b[0].c``, else ``None``."""
    steps: list[Any] = []
    node = expr
    while node.op in ("attr", "index"):
        steps.append(node.args[1])
        node = node.args[0]
    if node.op != "var":
        return None
    steps.reverse()
    return node.args[0], steps


def _reference(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    found = traversal(expr)
    if found is None:  # e.g. f(x).attr or [..][0]
        base, _ = evaluate(expr.args[0], scope)
        return step(base, expr.args[1], expr, scope)
    root, steps = found
    if root in scope.names:
        value, span = scope.names[root]
        return apply_steps(value, span, steps, expr, scope)
    if root == "var" and steps and isinstance(steps[0], str):
        value, span, into = scope.module.variable(steps[0], expr.span)
        return apply_steps(value, span, steps[1:], expr, scope, into)
    if root == "local" and steps and isinstance(steps[0], str):
        value, span = scope.module.local(steps[0], expr.span)
        return apply_steps(value, span, steps[1:], expr, scope)
    if root == "path" and steps and isinstance(steps[0], str):
        return scope.module.path(steps[0]), expr.span
    if root == "terraform" and steps == ["workspace"]:
        return "default", expr.span
    if root in ("self", "count", "each"):
        return Unknown(expr.text, (root,)), expr.span
    answer = scope.module.reference(root, steps, expr)
    if answer is not None:
        return answer
    return unknown(expr.text), expr.span


def apply_steps(value: Any, span: Span, steps: list[Any], expr: Expr, scope: Scope,
                into: Span | None = None) -> tuple[Any, Span]:
    """``value`` followed through attribute names and index expressions. ``into``: the span that
    data written elsewhere takes here (a variable's default): what the steps reach is copied there,
    once, rather than the whole value before the first step."""
    for item in steps:
        if isinstance(value, LocatedText):
            into = None  # decoded JSON keeps the positions where it was written
        value, span = step(value, item, expr, scope, into)
    if into is not None and isinstance(value, (dict, list)):
        value = relocate(value, into)
    return value, span


def step(value: Any, key: Any, expr: Expr, scope: Scope, into: Span | None = None) -> tuple[Any, Span]:
    """One ``.name`` or ``[index]`` step; what it reaches is located at ``into`` when given."""
    if isinstance(key, Expr):
        key, _ = evaluate(key, scope)
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return unknown(expr.text, value, key), expr.span
    if isinstance(value, LocatedText):
        value = value.data
    if isinstance(value, LocDict):
        text = to_text(key)
        if text in value:
            return value[text], into or value.span_of(text)
        return Missing(expr.text), expr.span
    if isinstance(value, LocList) and isinstance(key, (int, float)) and not isinstance(key, bool):
        index = int(key)
        if 0 <= index < len(value):
            return value[index], into or value.span_of(index)
    return unknown(expr.text), expr.span


def _splat(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    base, span = evaluate(expr.args[0], scope)
    if isinstance(base, Unknown):
        return unknown(expr.text, base), expr.span
    if base is None:
        return LocList(expr.span), expr.span
    items = base if isinstance(base, LocList) else [base]
    out = LocList(expr.span)
    for i, item in enumerate(items):
        item_span = base.span_of(i) if isinstance(base, LocList) else span
        value, value_span = apply_steps(item, item_span, [s[1] for s in expr.args[1]], expr, scope)
        out.add(value, value_span)
    return out, expr.span


def _cond(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    test, _ = evaluate(expr.args[0], scope)
    if isinstance(test, bool):
        return evaluate(expr.args[1] if test else expr.args[2], scope)
    yes, yes_span = evaluate(expr.args[1], scope)
    no, _ = evaluate(expr.args[2], scope)
    if _same(yes, no):
        return yes, yes_span
    return unknown(expr.text, test, yes, no), expr.span


def _same(a: Any, b: Any) -> bool:
    return not isinstance(a, Unknown) and plain(a) == plain(b) and type(a) is type(b)


_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "%": lambda a, b: a % b,
}


def _binop(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    op, left_expr, right_expr = expr.args
    left = nullish(evaluate(left_expr, scope)[0])
    if op == "&&" and left is False or op == "||" and left is True:
        return left, expr.span
    right = nullish(evaluate(right_expr, scope)[0])
    if op in ("&&", "||"):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if op == "&&" else (left or right), expr.span
        if op == "&&" and right is False or op == "||" and right is True:
            return right, expr.span
        return unknown(expr.text, left, right), expr.span
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return unknown(expr.text, left, right), expr.span
    if op in ("==", "!="):
        equal = plain(left) == plain(right)
        return equal if op == "==" else not equal, expr.span
    numbers = (int, float)
    if op in ("+", "-", "*", "/", "%", "<", ">", "<=", ">="):
        left, right = _number(left), _number(right)
        if isinstance(left, numbers) and isinstance(right, numbers):
            try:
                return _COMPARE[op](left, right), expr.span
            except ArithmeticError:
                pass
    return unknown(expr.text), expr.span


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    return value


def _unary(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    op, operand = expr.args
    value, _ = evaluate(operand, scope)
    if op == "!" and isinstance(value, bool):
        return not value, expr.span
    if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value, expr.span
    return unknown(expr.text, value), expr.span


def _for(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    kind, key_var, value_var, collection_expr, exprs, cond, grouped = expr.args
    collection = nullish(evaluate(collection_expr, scope)[0])
    if isinstance(collection, LocatedText):
        collection = collection.data
    if isinstance(collection, LocDict):
        pairs = [(k, collection.key_span_of(k), v, collection.span_of(k)) for k, v in collection.items()]
    elif isinstance(collection, LocList):
        pairs = [(i, collection.span_of(i), v, collection.span_of(i)) for i, v in enumerate(collection)]
    elif collection is None:
        pairs = []
    else:
        return unknown(expr.text, collection), expr.span
    out: Any = LocDict(expr.span) if kind == "object" else LocList(expr.span)
    for key, key_span, value, value_span in pairs:  # as many as the budget allows
        names = {value_var: (value, value_span)}
        if key_var:
            names[key_var] = (key, key_span)
        inner = scope.bind(**names)
        if cond is not None:
            keep, _ = evaluate(cond, inner)
            if isinstance(keep, Unknown):
                return unknown(expr.text, keep), expr.span
            if keep is not True:
                continue
        if kind == "object":
            k, k_span = evaluate(exprs[0], inner)
            v, v_span = evaluate(exprs[1], inner)
            k = to_text(k)
            if k is None:
                return unknown(expr.text), expr.span
            if grouped:
                group = out.get(k)
                if group is None:
                    group = LocList(v_span)
                    out.put(k, group, v_span, k_span)
                group.add(v, v_span)
            else:
                out.put(k, v, v_span, k_span)
        else:
            v, v_span = evaluate(exprs[0], inner)
            out.add(v, v_span)
    return out, expr.span


def _call(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    from .functions import call

    return call(expr, scope)


def _heredoc(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    parts, trim, start_line, _ = expr.args
    text = render(parts, scope, expr, start_line, expr.span.file)
    if not trim or isinstance(text, Unknown):
        return text, expr.span
    # The text loses the indentation its lines share; its JSON keeps the positions as written.
    flushed = render(flush(parts), scope, expr, start_line, expr.span.file, decode=False)
    return LocatedText(flushed, text.data), expr.span


def render(parts: tuple, scope: Scope, expr: Expr, start_line: int, file: str | None, decode: bool = True) -> Any:
    """A template's text as :class:`LocatedText` (with its JSON data, located, when it is JSON and
    ``decode`` is set).

    An interpolation that cannot be resolved leaves the text :class:`Unknown`, but inside JSON the
    document is still decoded with that one value unknown."""
    out: list[str] = []
    holes: dict[str, Any] = {}
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = evaluate(part.expr, scope)[0] if isinstance(part, Interpolation) and part.expr is not None else None
        if isinstance(part, Interpolation) and part.expr is None or isinstance(value, Unknown):
            token = f"@@policylint-unknown-{len(holes)}@@"
            holes[token] = value if isinstance(value, Unknown) else Unknown(part.text, ("template directive",))
            out.append(token if part.in_json_string else f'"{token}"')
            continue
        text = to_text(value)
        if text is None:
            if value is None:
                text = "null" if not part.in_json_string else ""
            else:
                text = json.dumps(plain(decoded(value)))
        out.append(text)
    rendered = "".join(out)
    data = None
    if decode and is_json_text(rendered):
        try:
            data = shift_spans(load_json(rendered), start_line - 1, file)
        except LoadError:
            data = None
        if data is not None and holes:
            data = _fill_holes(data, holes)
    if holes:
        whole = rendered
        for token, value in holes.items():
            whole = whole.replace(f'"{token}"', "${" + value.text + "}").replace(token, "${" + value.text + "}")
        if data is None and decode:
            return unknown(expr.text, *holes.values())
        return LocatedText(whole, data)
    return LocatedText(rendered, data)


def _fill_holes(data: Any, holes: dict[str, Any]) -> Any:
    def fill(value: Any) -> Any:
        if isinstance(value, str) and "@@policylint-unknown-" in value:
            if value in holes:
                return holes[value]
            text = value
            for token, hole in holes.items():
                text = text.replace(token, "${" + hole.text + "}")
            return unknown(text, *holes.values())
        return value

    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                item[key] = fill(item[key])
                stack.append(item[key])
        elif isinstance(item, list):
            for i, value in enumerate(item):
                item[i] = fill(value)
                stack.append(item[i])
    return data


_SPACES = re.compile(r"[^\S\n]*")  # white space within a line


def flush(parts: tuple) -> tuple:
    """The parts of a ``<<-`` heredoc without the indentation its lines share, as Terraform
    measures it: on the source, before interpolation (the white space that starts each line;
    blank lines neither count nor change; a line that starts with an interpolation has none)."""
    indents: list[int] = []
    lines: list[tuple[int, int]] = []  # (part, offset) of each line start that is cut
    for k, part in enumerate(parts):
        if not isinstance(part, str):
            if k == 0:
                indents.append(0)
            continue
        starts = ([0] if k == 0 else []) + [m.end() for m in re.finditer("\n", part)]
        for start in starts:
            after = _SPACES.match(part, start).end()
            if part.startswith("\n", after) or (after == len(part) and k == len(parts) - 1):
                continue  # a blank line, or the end of the body
            indents.append(after - start)
            lines.append((k, start))
    cut = min(indents, default=0)
    if not cut:
        return parts
    out = list(parts)
    for k, start in reversed(lines):
        out[k] = out[k][:start] + out[k][start + cut:]
    return tuple(out)


def _directive(expr: Expr, scope: Scope) -> tuple[Any, Span]:
    return Unknown(expr.text, ("template directive",)), expr.span


_HANDLERS = {
    "lit": _lit, "paren": _paren, "tmpl": _tmpl, "tuple": _tuple, "object": _object,
    "var": _reference, "attr": _reference, "index": _reference, "splat": _splat, "cond": _cond,
    "binop": _binop, "unary": _unary, "for": _for, "call": _call, "heredoc": _heredoc,
    "directive": _directive,
}
