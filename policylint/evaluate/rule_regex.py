"""A rule's regular expression: compiled when first needed, prefiltered by its required
literals, and judged bounded by construction or not.

Shipped rules' patterns are analysed when the rule index is built (``tools/gen_rule_index.py``),
so a scan neither parses them nor compiles them until a value gets past the prefilter; any other
pattern is compiled (and so checked) when its rule is loaded.

Every match of ``(?s).*(AKIA|ASIA)[A-Z2-7]{16}.*`` contains ``AKIA`` or ``ASIA``; a value that
contains neither cannot match, and a substring test is many times cheaper than a match attempt.
Most values a secret pattern meets contain none of its literals. The literals are read from the
pattern's syntax tree (the standard library's parser); a pattern it reads differently from the
``regex`` engine, or cannot read, gets no prefilter, and neither does a case-insensitive one
whose literals are not ASCII (case folding beyond ASCII, such as the Kelvin sign for ``k``, is
the engine's to decide), nor a non-ASCII value under a case-insensitive pattern.
"""
from __future__ import annotations

import re
import warnings
from typing import Any

MAX_CHOICES = 16  # alternatives kept for one literal run (AKIA|ASIA -> 2); more and it is dropped
# Only quantifier braces: the `regex` engine reads other braces (fuzzy matching) as syntax.
_BRACES = re.compile(r"\\.|\{(\d*(,\d*)?\})?")


def required_literals(pattern: str) -> tuple[frozenset[str], bool] | None:
    """``(literals, ignore_case)``: every match of ``pattern`` contains one of ``literals``
    (lower case when ``ignore_case``); ``None`` when no such set is known."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]
    if any(m.group(0) == "{" for m in _BRACES.finditer(pattern)):
        return None
    try:
        tree = parser.parse(pattern)
    except Exception:  # noqa: BLE001 - any syntax the standard parser refuses
        return None
    ignore_case = bool(tree.state.flags & re.IGNORECASE) or _scoped_ignore_case(tree, parser)
    best = _sequence(list(tree), parser)
    if not best or "" in best:
        return None
    if ignore_case:
        if not all(s.isascii() for s in best):
            return None
        best = {s.lower() for s in best}
    return frozenset(best), ignore_case


def _scoped_ignore_case(items: Any, parser: Any) -> bool:
    for op, av in items:
        if op is parser.SUBPATTERN:
            if av[1] & re.IGNORECASE or _scoped_ignore_case(av[-1], parser):
                return True
        elif op is parser.BRANCH:
            if any(_scoped_ignore_case(alt, parser) for alt in av[1]):
                return True
        elif op in _repeats(parser):
            if _scoped_ignore_case(av[2], parser):
                return True
        elif op in (parser.ASSERT, parser.ASSERT_NOT):
            if _scoped_ignore_case(av[1], parser):
                return True
        elif op is getattr(parser, "ATOMIC_GROUP", None) and _scoped_ignore_case(av, parser):
            return True
    return False


def _repeats(parser: Any) -> set[Any]:
    return {getattr(parser, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
            if hasattr(parser, name)}


def _exact(op: Any, av: Any, parser: Any) -> set[str] | None:
    """The strings one item matches when they are few and fixed (a literal, a group or choice of
    literals), else ``None``."""
    if op is parser.LITERAL:
        return {chr(av)}
    if op is parser.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags
        return _exact_sequence(list(av[-1]), parser)
    if op is parser.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            strings = _exact_sequence(list(alternative), parser)
            if strings is None:
                return None
            out |= strings
        return out if len(out) <= MAX_CHOICES else None
    return None


def _exact_sequence(items: list[Any], parser: Any) -> set[str] | None:
    out = {""}
    for op, av in items:
        strings = _exact(op, av, parser)
        if strings is None:
            return None
        out = {a + b for a in out for b in strings}
        if len(out) > MAX_CHOICES:
            return None
    return out


def _sequence(items: list[Any], parser: Any) -> set[str] | None:
    """The most selective set of strings one of which every match of ``items`` contains."""
    candidates: list[set[str]] = []
    run: set[str] = {""}
    for op, av in items + [(None, None)]:
        strings = _exact(op, av, parser) if op is not None else None
        if strings is not None and len(product := {a + b for a in run for b in strings}) <= MAX_CHOICES:
            run = product
            continue
        if run != {""}:
            candidates.append(run)
        run = {""}
        if strings is not None:  # a choice too large to join the run: it stands alone
            candidates.append(strings)
            continue
        inner = _inner(op, av, parser)
        if inner:
            candidates.append(inner)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _inner(op: Any, av: Any, parser: Any) -> set[str] | None:
    """What a compound item requires of every match: a group's content, a repetition's at least
    once, a choice's one per alternative."""
    if op is parser.SUBPATTERN:
        return _sequence(list(av[-1]), parser)
    atomic = getattr(parser, "ATOMIC_GROUP", None)  # Python 3.11+; on 3.10 ``op`` None (the end) is not it
    if atomic is not None and op is atomic:
        return _sequence(list(av), parser)
    if op in _repeats(parser):
        low, _high, inner = av
        return _sequence(list(inner), parser) if low >= 1 else None
    if op is parser.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            found = _sequence(list(alternative), parser)
            if not found:
                return None
            out |= found
        return out
    return None


class RegexSyntaxError(ValueError):
    """A pattern the ``regex`` engine refuses."""


#: analyses of reviewed patterns (the shipped rules'): pattern → (bounded, literals, ignore_case)
REVIEWED: dict[str, tuple[bool, frozenset[str] | None, bool]] = {}


def analyse(pattern: str) -> tuple[bool, frozenset[str] | None, bool]:
    """``(bounded by construction, required literals or None, ignore_case)`` of ``pattern``."""
    found = required_literals(pattern)
    return bounded_by_construction(pattern), (found[0] if found else None), bool(found and found[1])


class RulePattern:
    """A rule's pattern: ``fullmatch`` checks the required literals first, and compiles the
    pattern (with the ``regex`` engine, which can bound a match by a timeout) on first need."""

    __slots__ = ("pattern", "_analysis", "_compiled", "_standard")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._analysis = REVIEWED.get(pattern)
        self._compiled: Any = None
        self._standard: Any = None  # the standard library's compilation; False when it has none
        if self._analysis is None:  # not reviewed: compile now, so a mistake stops the rule's loading
            self._compile()

    def __repr__(self) -> str:
        return f"RulePattern({self.pattern!r})"

    def _compile(self) -> Any:
        import regex  # noqa: PLC0415 - only when a pattern must run: many scans never need it

        try:
            self._compiled = regex.compile(self.pattern, flags=regex.VERSION0)
        except regex.error as exc:
            raise RegexSyntaxError(str(exc)) from None
        return self._compiled

    @property
    def analysis(self) -> tuple[bool, frozenset[str] | None, bool]:
        if self._analysis is None:
            self._analysis = analyse(self.pattern)
        return self._analysis

    @property
    def bounded(self) -> bool:
        """Whether the pattern is bounded by construction (:func:`bounded_by_construction`)."""
        return self.analysis[0]

    def fullmatch(self, text: str, *args: Any, **kwargs: Any) -> Any:
        """``regex.fullmatch``, or ``None`` at once when ``text`` holds none of the literals."""
        if self._excluded(text):
            return None
        compiled = self._compiled or self._compile()
        return compiled.fullmatch(text, *args, **kwargs)

    def fullmatch_bounded(self, text: str) -> bool:
        """Whether ``text`` matches, for a pattern bounded by construction (no timeout needed): an
        ASCII text is matched by the standard library's engine when the pattern is ASCII without
        ``\\s``/``\\S`` — on such texts both engines read every construct alike (``\\s`` differs on
        ``\\x1c``-``\\x1f``) — so that most scans never import the ``regex`` engine."""
        if self._excluded(text):
            return False
        if text.isascii():
            standard = self._standard if self._standard is not None else self._compile_standard()
            if standard:
                return standard.fullmatch(text) is not None
        compiled = self._compiled or self._compile()
        return compiled.fullmatch(text) is not None

    def _excluded(self, text: str) -> bool:
        """``text`` holds none of the literals every match needs."""
        _, literals, ignore_case = self.analysis
        if literals is None:
            return False
        if not ignore_case:
            return not any(literal in text for literal in literals)
        if text.isascii():
            lowered = text.lower()
            return not any(literal in lowered for literal in literals)
        return False

    def _compile_standard(self) -> Any:
        self._standard = False
        if self.pattern.isascii() and not _SPACE_CLASS.search(self.pattern):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")  # e.g. a possible nested set: read differently
                    self._standard = re.compile(self.pattern)
            except (re.error, Warning, RecursionError, OverflowError):
                pass
        return self._standard


_SPACE_CLASS = re.compile(r"(?<!\\)(?:\\\\)*\\[sS]")  # an unescaped \s or \S


def bounded_by_construction(pattern: str) -> bool:
    """Whether a regular expression cannot backtrack more than c·n² steps on a value of n
    characters: no unbounded repetition inside another repetition (no exponential blow-up), and
    at most two unbounded repetitions on any path through it, lookarounds counted (a ``.*X.*`` test
    tries X at each of n places). Patterns the standard parser cannot read are not."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        tree = parser.parse(pattern)
    except Exception:  # noqa: BLE001 - any syntax the standard parser refuses
        return False
    repeats = {getattr(parser, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
               if hasattr(parser, name)}

    def unbounded(items: Any, in_repeat: bool) -> int:  # unbounded repetitions on the worst path
        total = 0
        for op, av in items:
            if op in repeats:
                low, high, inner = av
                open_ended = high == parser.MAXREPEAT
                if open_ended and in_repeat:
                    raise ValueError("nested")
                total += open_ended + unbounded(inner, in_repeat or high > 1)
            elif op is parser.BRANCH:
                total += max(unbounded(alt, in_repeat) for alt in av[1])
            elif op is parser.SUBPATTERN:
                total += unbounded(av[-1], in_repeat)
            elif op in (parser.ASSERT, parser.ASSERT_NOT):
                total += unbounded(av[1], in_repeat)
            elif op is getattr(parser, "ATOMIC_GROUP", None):
                total += unbounded(av, in_repeat)
            elif op is parser.GROUPREF_EXISTS:
                total += max(unbounded(av[1], in_repeat), unbounded(av[2], in_repeat) if av[2] else 0)
        return total

    try:
        return unbounded(tree, False) <= 2
    except ValueError:
        return False
