"""Rule conditions: compiled once from rule files, evaluated with three-valued logic.

A condition is ``{all: [..]}``, ``{any: [..]}``, ``{not: ..}`` or a leaf
``{path: P, match: any|all, <operator>: ARG}``. Evaluation answers ``True``, ``False`` or ``None``
(unknown) with the *witnesses* that decided it: the trails (key paths from the resource's facet)
of the values a finding should point at. :meth:`Condition.test` gives the same answer without
them: most evaluations find nothing, and only a finding needs to know where it is.
"""
from __future__ import annotations

from functools import partial
from itertools import repeat
from typing import Any, Callable

from ..load.located import LocDict, Span, Unknown
from .paths import PathError, compile_path, field_of, getter, walk
from .predicates import CONTEXTUAL, PREDICATES, SCREENS
from .rule_regex import REVIEWED, RegexSyntaxError, RulePattern

MAX_REGEX_LENGTH = 1000
REGEX_TIMEOUT = 1.0  # for one value (the engine overshoots it about 4x); a slower rule regex stops the scan
# A built-in pattern bounded by construction (rule_regex.bounded_by_construction) is matched without the
# timeout's machinery (some 8 µs a call) on values up to this long: at most c·n² steps.
BOUNDED_LENGTH = 4096


class RegexTimeout(Exception):
    """A rule's regular expression ran past :data:`REGEX_TIMEOUT` on one value: a pattern that
    backtracks catastrophically. The scan stops with an error rather than hang or skip it."""


class Witness:
    """A value an answer rests on, at ``trail``; ``at_key`` points at the key (``NotAction:``)
    rather than its value. ``reason`` may be given as a function, called on first read: most
    witnesses are never reported."""

    __slots__ = ("trail", "value", "_reason", "at_key")

    def __init__(self, trail: tuple[Any, ...], value: Any,
                 reason: "str | Callable[[], str | None] | None", at_key: bool = False):
        self.trail, self.value, self._reason, self.at_key = trail, value, reason, at_key

    @property
    def reason(self) -> str | None:
        if callable(self._reason):
            self._reason = self._reason()
        return self._reason


Result = tuple["bool | None", list[Witness]]


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``span`` locates it in the rule file."""

    def __init__(self, message: str, span: Span | None):
        super().__init__(message)
        self.span = span


def _norm(value: Any, ignore_case: bool) -> Any:
    return value.lower() if ignore_case and isinstance(value, str) else value


def _equals(value: Any, arg: Any, ignore_case: bool = False) -> bool | None:
    if isinstance(value, Unknown):
        return None
    if type(arg) is str and not ignore_case:  # the common case: what the general comparison gives
        return value == arg
    if isinstance(arg, bool) or isinstance(value, bool):
        return value is arg or (isinstance(value, str) and value.lower() == str(arg).lower())
    if isinstance(arg, (int, float)) and isinstance(value, str):
        try:
            return float(value) == float(arg)
        except ValueError:
            return False
    return _norm(value, ignore_case) == _norm(arg, ignore_case)


def _is_set(value: Any) -> bool:
    """A value a path found counts for ``exists`` unless it is a blank string (``""`` is not set)."""
    return not (isinstance(value, str) and not value.strip())


def _in(value: Any, arg: list[Any], ignore_case: bool = False) -> bool | None:
    if isinstance(value, Unknown):
        return None
    return any(_equals(value, item, ignore_case) for item in arg)


def _contains(value: Any, arg: Any, ignore_case: bool = False) -> bool | None:
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, list):
        return False
    if any(isinstance(v, Unknown) for v in value):
        return True if any(_equals(v, arg, ignore_case) for v in value) else None
    return any(_equals(v, arg, ignore_case) for v in value)


def _compare(op: Callable[[float, float], bool]) -> Callable[..., bool | None]:
    def check(value: Any, arg: Any, ignore_case: bool = False) -> bool | None:
        if isinstance(value, Unknown):
            return None
        try:
            return op(float(value), float(arg))
        except (TypeError, ValueError):
            return False
    return check


def _matches(value: Any, arg: Any, ignore_case: bool = False) -> bool | None:
    if isinstance(value, Unknown):
        return None
    if isinstance(value, (bool, dict, list)) or value is None:
        return False
    text = str(value)
    try:
        return arg.fullmatch(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise RegexTimeout(f"the regular expression {arg.pattern!r} of a rule ran longer than {REGEX_TIMEOUT:g} s "
                           f"on one value ({text[:40]!r}, {len(text):,} characters); rewrite it") from None


def _matches_bounded(value: Any, arg: Any, ignore_case: bool = False) -> bool | None:
    """``matches`` for a pattern bounded by construction (see :func:`rule_regex.bounded_by_construction`)."""
    if isinstance(value, str) and len(value) <= BOUNDED_LENGTH:
        return arg.fullmatch_bounded(value)
    return _matches(value, arg, ignore_case)


def _is_type(value: Any, arg: str, ignore_case: bool = False) -> bool | None:
    if isinstance(value, Unknown):
        return None
    kinds = {"string": str, "number": (int, float), "boolean": bool, "list": list, "object": dict}
    if arg == "number" and isinstance(value, bool):
        return False
    return isinstance(value, kinds[arg])


OPERATORS: dict[str, Callable[..., bool | None]] = {
    "equals": _equals,
    "in": _in,
    "contains": _contains,
    "matches": _matches,
    "greater_than": _compare(lambda a, b: a > b),
    "less_than": _compare(lambda a, b: a < b),
    "at_least": _compare(lambda a, b: a >= b),
    "at_most": _compare(lambda a, b: a <= b),
    "is_type": _is_type,
}
LEAF_KEYS = {"path", "match", "ignore_case", "option"}
ALL_OPERATORS = sorted(set(OPERATORS) | set(PREDICATES) | {"exists"})


def _quantify(quantifier: str, true: list[Witness], false: list[Witness], unknown: list[Witness],
              counts: tuple[int, int, int] | None = None) -> Result:
    """Combine per-element outcomes: ``all`` fails on any false element, ``any`` holds on any
    true one; otherwise an unknown element makes the whole unknown. ``counts`` (true, false,
    unknown) decide when the lists do not hold one witness per element."""
    n_true, n_false, n_unknown = counts or (len(true), len(false), len(unknown))
    if quantifier == "all":
        if n_false:
            return False, false
        return (None, unknown) if n_unknown else (True, true)
    if n_true:
        return True, true
    return (None, unknown) if n_unknown else (False, false)


def _decided(results: Any, decisive: bool) -> bool | None:
    """Per-element answers combined: ``decisive`` (``False`` for ``all``, ``True`` for ``any``)
    at the first element that gives it; otherwise unknown if one element is, else the other."""
    undecided = False
    for result in results:
        if result is decisive:
            return decisive
        if result is None:
            undecided = True
    return None if undecided else not decisive


_DECISIVE = {"all": False, "any": True}


Tester = Callable[[Any], "bool | None"]


class Condition:
    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        raise NotImplementedError

    def test(self, scope: Any) -> bool | None:
        """``evaluate(scope, trail)[0]``, without collecting witnesses."""
        return self.compiled()(scope)

    def compiled(self) -> Tester:
        """:meth:`test` as one function specialised to this condition (made by :meth:`tester` on
        first use), which then stands in for the method on this instance."""
        test = self.__dict__.get("test")
        if test is None:
            test = self.test = self.tester()
        return test

    def tester(self) -> Tester:
        raise NotImplementedError


class All(Condition):
    def __init__(self, parts: list[Condition]):
        self.parts = parts

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        witnesses: list[Witness] = []
        unknown: list[Witness] = []
        undecided = False
        for part in self.parts:
            value, found = part.evaluate(scope, trail)
            if value is False:
                return False, found
            if value is None:
                undecided = True
                unknown.extend(found)
            else:
                witnesses = found  # the last condition of an `all` names what a finding points at
        return (None, unknown) if undecided else (True, witnesses)

    def tester(self) -> Tester:
        parts = tuple(part.compiled() for part in self.parts)
        if len(parts) == 1:
            return parts[0]
        return lambda scope: _decided((part(scope) for part in parts), False)


class Any_(Condition):
    def __init__(self, parts: list[Condition]):
        self.parts = parts

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        witnesses: list[Witness] = []
        true: list[Witness] = []
        held = undecided = False
        for part in self.parts:
            value, found = part.evaluate(scope, trail)
            if value is True:
                held = True
                true.extend(found)
            elif value is None:
                undecided = True
            else:
                witnesses.extend(found)
        if held:
            return True, true
        return (None, witnesses) if undecided else (False, witnesses)

    def tester(self) -> Tester:
        parts = tuple(part.compiled() for part in self.parts)
        if len(parts) == 1:
            return parts[0]
        return lambda scope: _decided((part(scope) for part in parts), True)


class Not(Condition):
    def __init__(self, part: Condition):
        self.part = part

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        value, found = self.part.evaluate(scope, trail)
        return (None if value is None else not value), found

    def tester(self) -> Tester:
        return _negated(self.part.compiled())


class Leaf(Condition):
    def __init__(self, path: tuple[Any, ...] | None, quantifier: str, operator: str, arg: Any,
                 check: Callable[..., bool | None], explain: Callable[..., str | None] | None,
                 ignore_case: bool, negate: bool):
        self.path, self.quantifier, self.operator, self.arg = path, quantifier, operator, arg
        self.check, self.explain, self.ignore_case, self.negate = check, explain, ignore_case, negate
        self.literal = False  # the argument is written in the rule, not taken from an option
        self.contextual = operator in CONTEXTUAL
        self.generic = operator in OPERATORS  # takes ignore_case rather than a scope
        #: ``screen(values, scope)``: ``False`` when every value answers ``False`` (see SCREENS)
        self.screen = SCREENS.get(operator) if arg is True else None

    def _test(self, value: Any, scope: Any) -> bool | None:
        return self.answer()(value, scope)

    def answer(self) -> Callable[[Any, Any], bool | None]:
        """The answer for one value the path found, given the scope it was found from."""
        answer = self.__dict__.get("_answer")
        if answer is None:
            answer = self._answer = self._answerer()
        return answer

    def _answerer(self) -> Callable[[Any, Any], bool | None]:
        check, arg = self.check, self.arg
        if self.generic:
            ignore_case = self.ignore_case
            answer: Callable[[Any, Any], bool | None] = lambda value, scope: check(value, arg, ignore_case)
        elif self.contextual:
            answer = lambda value, scope: check(value, arg, scope)
        else:
            answer = lambda value, scope: check(value, arg)
        if not self.negate:
            return answer
        return lambda value, scope: None if (result := answer(value, scope)) is None else not result

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        if self.path is None:
            matches, deepest = [(trail, scope)], trail
        else:
            found, deep = walk(scope, self.path)
            matches = [(trail + m.trail, m.value) for m in found]
            deepest = trail + deep
        if self.operator == "exists":
            matches = [(t, v) for t, v in matches if _is_set(v)]
            present = bool(matches)
            if not present:
                return (not self.arg), [Witness(deepest, None, None)]
            return bool(self.arg), [Witness(t, v, None, True) for t, v in matches]
        if not matches:
            return False, [Witness(deepest, None, None)]
        true: list[Witness] = []
        false: list[Witness] = []
        unknown: list[Witness] = []
        for t, v in matches:
            result = self._test(v, scope)
            if result is None:
                unknown.append(Witness(t, v, getattr(v, "text", None)))
            elif result:
                true.append(Witness(t, v, partial(self._reason, v, scope) if self.explain else None))
            else:
                false.append(Witness(t, v, partial(self._reason, v, scope) if self.explain else None))
        return _quantify(self.quantifier, true, false, unknown)

    def tester(self) -> Tester:
        get = (lambda scope: [scope]) if self.path is None else getter(self.path)
        key = None if self.path is None else field_of(self.path)  # one field: its value read inline
        if self.operator == "exists":
            expected = bool(self.arg)
            if key is not None:
                def field_exists(scope: Any) -> bool:
                    value = scope.get(key) if isinstance(scope, dict) else None
                    return expected if value is not None and _is_set(value) else not expected
                return field_exists
            return lambda scope: expected if any(map(_is_set, get(scope))) else not expected
        answer, decisive = self.answer(), _DECISIVE[self.quantifier]
        screen, ruled_out = self.screen, self.negate  # every answer False (True once negated)
        if key is not None:
            def field_test(scope: Any) -> bool | None:
                value = scope.get(key) if isinstance(scope, dict) else None
                if value is None:
                    return False
                if screen is not None and not screen([value], scope):
                    return ruled_out
                return answer(value, scope)
            return field_test

        def test(scope: Any) -> bool | None:
            found = get(scope)
            if not found:
                return False
            if screen is not None and not screen(found, scope):
                return ruled_out
            if len(found) == 1:  # one value: its answer, whichever the quantifier
                return answer(found[0], scope)
            return _decided(map(answer, found, repeat(scope)), decisive)
        return test

    def _reason(self, value: Any, scope: Any) -> str | None:
        if not self.explain:
            return None
        return self.explain(value, self.arg, scope) if self.contextual else self.explain(value, self.arg)

    def trust(self) -> None:
        """This leaf comes from a built-in rule: a ``matches`` pattern written in it, or an option
        whose value is a reviewed pattern (the option's shipped default, or the same text), that is
        bounded by construction runs without the timeout. Any other option value keeps it."""
        if self.check is _matches and (self.literal or self.arg.pattern in REVIEWED) and self.arg.bounded:
            self.check = _matches_bounded
            for compiled in ("_answer", "test"):
                self.__dict__.pop(compiled, None)


class OptionTest(Condition):
    """``{option: NAME, <operator>: ARG}``: a test of one of the rule's options (as configured),
    so that part of a condition applies only when the user asks for it. It names no witness."""

    def __init__(self, name: str, leaf: "Leaf", value: Any):
        self.name, self.leaf, self.value = name, leaf, value

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        return self.leaf._test(self.value, None), []

    def tester(self) -> Tester:
        answer = self.leaf._test(self.value, None)  # the options are set for the run
        return lambda scope: answer


class Each(Condition):
    """``{path: P, match: any|all, that: COND}``: ``COND`` evaluated with each value of ``P`` as
    its scope, so several tests apply to the same element."""

    def __init__(self, path: tuple[Any, ...], quantifier: str, part: Condition):
        self.path, self.quantifier, self.part = path, quantifier, part

    def evaluate(self, scope: Any, trail: tuple[Any, ...]) -> Result:
        found, deep = walk(scope, self.path)
        if not found:
            return False, [Witness(trail + deep, None, None)]
        true: list[Witness] = []
        false: list[Witness] = []
        unknown: list[Witness] = []
        counts = [0, 0, 0]  # elements true, false, unknown: an element may have no witness
        for match in found:
            value, witnesses = self.part.evaluate(match.value, trail + match.trail)
            (unknown if value is None else true if value else false).extend(witnesses)
            counts[2 if value is None else 0 if value else 1] += 1
            if value is None and not witnesses:
                unknown.append(Witness(trail + match.trail, match.value, None))
        if self.quantifier == "any" and not counts[0] and not counts[2]:
            return False, [Witness(trail + _common_prefix([m.trail for m in found]), None, None)]  # no element holds: the collection
        return _quantify(self.quantifier, true, false, unknown, (counts[0], counts[1], counts[2]))

    def tester(self) -> Tester:
        get, part, decisive = getter(self.path), self.part.compiled(), _DECISIVE[self.quantifier]

        def test(scope: Any) -> bool | None:
            found = get(scope)
            if not found:
                return False
            if len(found) == 1:
                return part(found[0])
            return _decided(map(part, found), decisive)
        return test


def _negated(test: Tester) -> Tester:
    return lambda scope: None if (answer := test(scope)) is None else not answer


def _common_prefix(trails: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The longest trail every one of ``trails`` starts with, short of the element itself."""
    first = trails[0][:-1]
    size = len(first)
    for other in trails[1:]:
        size = min(size, len(other) - 1)
        while size and other[:size] != first[:size]:
            size -= 1
    return first[:size]


def compile_condition(node: Any, options: dict[str, Any], where: Span | None = None) -> Condition:
    """Compile a condition written in a rule file; raises :class:`ConditionError`."""
    span = getattr(node, "span", where)
    if not isinstance(node, dict) or not node:
        raise ConditionError("a condition must be a non-empty mapping", span)
    keys = set(node)
    for combinator, cls in (("all", All), ("any", Any_)):
        if combinator in keys:
            if keys != {combinator}:
                raise ConditionError(f"'{combinator}' must stand alone in its mapping", span)
            parts = node[combinator]
            if not isinstance(parts, list) or not parts:
                raise ConditionError(f"'{combinator}' takes a non-empty list of conditions", span)
            return cls([compile_condition(p, options, _span(parts, i, span)) for i, p in enumerate(parts)])
    if "not" in keys:
        if keys != {"not"}:
            raise ConditionError("'not' must stand alone in its mapping", span)
        return Not(compile_condition(node["not"], options, _key_span(node, "not", span)))
    if "that" in keys:
        if not keys <= {"path", "match", "that"} or "path" not in keys:
            raise ConditionError("'that' goes with 'path' (and 'match') only", span)
        try:
            each_path = compile_path(node["path"])
        except PathError as exc:
            raise ConditionError(str(exc), _key_span(node, "path", span)) from None
        quantifier = node.get("match", "any")
        if quantifier not in ("any", "all"):
            raise ConditionError("'match' must be 'any' or 'all'", _key_span(node, "match", span))
        return Each(each_path, quantifier, compile_condition(node["that"], options, _key_span(node, "that", span)))
    if "option" in keys:
        return _option_test(node, options, span)
    operators = keys - LEAF_KEYS
    unknown_ops = sorted(str(k) for k in operators if k not in ALL_OPERATORS)
    if unknown_ops:
        raise ConditionError(
            f"unknown operator {unknown_ops[0]!r} (known: {', '.join(ALL_OPERATORS)}, all, any, not)",
            _key_span(node, unknown_ops[0], span),
        )
    if len(operators) != 1:
        raise ConditionError("a condition needs exactly one operator", span)
    (operator,) = operators
    literal = not isinstance(node[operator], dict)  # not {option: NAME}
    arg = _option(node[operator], options, _key_span(node, operator, span))
    path = None
    if "path" in node:
        try:
            path = compile_path(node["path"])
        except PathError as exc:
            raise ConditionError(str(exc), _key_span(node, "path", span)) from None
    quantifier = node.get("match", "any")
    if quantifier not in ("any", "all"):
        raise ConditionError("'match' must be 'any' or 'all'", _key_span(node, "match", span))
    ignore_case = node.get("ignore_case", False) is True
    explain = None
    negate = False
    if operator == "exists":
        if not isinstance(arg, bool):
            raise ConditionError("'exists' takes true or false", _key_span(node, operator, span))
        check: Callable[..., bool | None] = lambda v, a: True
    elif operator in OPERATORS:
        check = OPERATORS[operator]
        arg = _check_arg(operator, arg, _key_span(node, operator, span))
    else:
        check, explain = PREDICATES[operator]
        if arg is False:
            arg, negate = True, True
        elif not _plain_arg(arg):
            raise ConditionError(f"'{operator}' takes true/false, a value or a list of values", _key_span(node, operator, span))
    leaf = Leaf(path, quantifier, operator, arg, check, explain, ignore_case, negate)
    leaf.literal = literal
    return leaf


def leaves(condition: Condition | None) -> list[Leaf]:
    """The leaves of a compiled condition (``OptionTest``'s included)."""
    out: list[Leaf] = []
    stack = [condition] if condition is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            out.append(node)
        elif isinstance(node, (All, Any_)):
            stack.extend(node.parts)
        elif isinstance(node, (Not, Each)):
            stack.append(node.part)
        elif isinstance(node, OptionTest):
            stack.append(node.leaf)
    return out


def _option_test(node: Any, options: dict[str, Any], span: Span | None) -> Condition:
    name = node["option"]
    if "path" in node or "match" in node:
        raise ConditionError("'option' tests a rule option: it takes no 'path' or 'match'", span)
    if not isinstance(name, str) or name not in options:
        raise ConditionError(f"unknown option {name!r}", _key_span(node, "option", span))
    rest = {k: v for k, v in node.items() if k != "option"}
    operators = [k for k in rest if k not in ("ignore_case",)]
    if len(operators) != 1 or operators[0] not in OPERATORS:
        raise ConditionError(f"'option' takes exactly one of {', '.join(sorted(OPERATORS))}", span)
    leaf = compile_condition(rest, options, span)
    assert isinstance(leaf, Leaf)
    return OptionTest(name, leaf, options[name])


def _plain_arg(arg: Any) -> bool:
    scalar = (str, int, float, bool)
    return isinstance(arg, scalar) or (isinstance(arg, list) and all(isinstance(a, scalar) for a in arg))


def _check_arg(operator: str, arg: Any, span: Span | None) -> Any:
    if operator == "in":
        if not isinstance(arg, list):
            raise ConditionError("'in' takes a list", span)
    elif operator == "matches":
        if not isinstance(arg, str) or len(arg) > MAX_REGEX_LENGTH:
            raise ConditionError(f"'matches' takes a regular expression of at most {MAX_REGEX_LENGTH} characters", span)
        try:
            return RulePattern(arg)
        except RegexSyntaxError as exc:
            raise ConditionError(f"invalid regular expression: {exc}", span) from None
    elif operator in ("greater_than", "less_than", "at_least", "at_most"):
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            raise ConditionError(f"'{operator}' takes a number", span)
    elif operator == "is_type" and arg not in ("string", "number", "boolean", "list", "object"):
        raise ConditionError("'is_type' takes string, number, boolean, list or object", span)
    return arg


def _option(arg: Any, options: dict[str, Any], span: Span | None) -> Any:
    if isinstance(arg, dict) and set(arg) == {"option"}:
        name = arg["option"]
        if name not in options:
            raise ConditionError(f"unknown option {name!r}", span)
        return options[name]
    return arg


def _span(container: Any, index: int, default: Span | None) -> Span | None:
    spans = getattr(container, "spans", None)
    return spans[index] if spans and index < len(spans) else default


def _key_span(node: Any, key: Any, default: Span | None) -> Span | None:
    return node.key_span_of(key) if isinstance(node, LocDict) and key in node else default
