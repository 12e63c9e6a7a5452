"""What evaluating one Terraform module (with the modules it calls) or one CloudFormation template
may spend, and what could not be fully evaluated (``PL0002``).

The evaluators consult one :class:`Budget`, made active for a task by :func:`active`: every
evaluation step is counted, every value built is admitted by :meth:`Budget.admit` (a string, list or
map past its size bound, an integer past 4,300 digits, a non-finite number becomes unknown) and the
values copied (:func:`~policylint.load.located.relocate`, ``plain``) are charged. Past a bound the
value is unknown and a note says where; past the step or value budget every later value of the task
is unknown. A kilobyte of input therefore never costs minutes or gigabytes, and every place where
evaluation stopped is reported, so that a clean report means checked and clean.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .load.numbers import MAX_INT_BITS, MAX_INT_DIGITS

if TYPE_CHECKING:
    from .load.located import Span

MAX_STEPS = 400_000  # expression evaluations per task (the corpus's largest module needs ~30,000)
MAX_VALUES = 1_000_000  # items of lists and maps built or copied per task
MAX_CHARS = 20_000_000  # characters of strings built per task
MAX_STRING = 1_000_000  # characters of one string
MAX_ITEMS = 100_000  # items of one list or map, counting nested ones (shared parts each time)
MAX_DEPTH = 150  # expressions and references evaluated inside one another
MAX_NOTES = 20  # PL0002 notes per task; the first of each kind and place


class OverBudget(Exception):
    """Raised where a copy would exceed the task's budget; the evaluator makes the value unknown."""


@dataclass(frozen=True)
class Note:
    """Where evaluation stopped, and why (a ``PL0002`` finding)."""

    file: str
    message: str
    span: Span


class Budget:
    """The spending of one task (see the module docstring)."""

    def __init__(self) -> None:
        self.steps = 0
        self.values = 0
        self.chars = 0
        self.depth = 0
        self.spent: str | None = None  # why every later value is unknown
        self.exhausted = False  # that has been noted
        self.notes: list[Note] = []
        self._weights: dict[int, tuple[Any, int]] = {}  # id → (container, items counting nested ones)

    # -- what the evaluators ask ------------------------------------------------------------------
    def enter(self, file: str, span: Span) -> bool:
        """Whether one more (nested) evaluation step may run; :meth:`leave` after it when it may."""
        if self.spent is not None:
            return False
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.exhaust(f"more than {MAX_STEPS:,} evaluation steps in this module or template", file, span)
            return False
        if self.depth >= MAX_DEPTH:
            self.note(f"expressions and references nested more than {MAX_DEPTH} deep", file, span)
            return False
        self.depth += 1
        return True

    def leave(self) -> None:
        self.depth -= 1

    def admit(self, value: Any, file: str, span: Span) -> bool:
        """Whether ``value`` (just built) may be kept; when not, it becomes unknown (noted here,
        except for a non-finite number, which Terraform and CloudFormation reject anyway)."""
        if isinstance(value, float):
            return math.isfinite(value)
        if isinstance(value, bool) or value is None:
            return True
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                self.note(f"an integer of more than {MAX_INT_DIGITS:,} digits", file, span)
                return False
            return True
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                self.note(f"a string of {len(value):,} characters (the bound is {MAX_STRING:,})", file, span)
                return False
            self.chars += len(value)
            if self.chars > MAX_CHARS:
                self.exhaust(f"more than {MAX_CHARS:,} characters of strings built in this module or template", file, span)
                return False
            return True
        if isinstance(value, (list, dict)):
            weight = self.weight(value)
            if weight > MAX_ITEMS:
                self.note(f"a list or map of {weight:,} items, counting nested ones (the bound is {MAX_ITEMS:,})",
                          file, span)
                return False
            self.values += len(value)
            if self.values > MAX_VALUES:
                self.exhaust(f"more than {MAX_VALUES:,} list and map items built in this module or template", file, span)
                return False
        return True

    def weight(self, value: Any) -> int:
        """Items of a list or map counting those of the containers in it (a part shared by two
        items counts twice: that is what copying or printing it costs)."""
        known = self._weights.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        items = value.values() if isinstance(value, dict) else value
        total = len(value)
        for item in items:
            if isinstance(item, (list, dict)):
                cached = self._weights.get(id(item))
                total += cached[1] if cached is not None and cached[0] is item else len(item)
        self._weights[id(value)] = (value, total)
        return total

    def charge(self, items: int) -> None:
        """Count ``items`` copied; :class:`OverBudget` past the task's value budget."""
        self.values += items
        if self.values > MAX_VALUES:
            raise OverBudget(self.spent or f"more than {MAX_VALUES:,} list and map items built or copied in this module or template")

    # -- what is reported ---------------------------------------------------------------------------
    def note(self, message: str, file: str, span: Span) -> None:
        """Record that evaluation stopped at ``span`` of ``file``: once per line and reason (an
        expression too deep stops at each of its branches, all on the line it is written on)."""
        from .load.located import Span

        note = Note(file, message, Span(*span[:4]))
        if len(self.notes) < MAX_NOTES and not any(
                (n.file, n.message, n.span.line) == (file, message, note.span.line) for n in self.notes):
            self.notes.append(note)

    def exhaust(self, reason: str, file: str, span: Span) -> None:
        """Stop evaluating the task: every later value is unknown (noted once, where it happened)."""
        if self.exhausted:
            return
        self.exhausted = True
        self.spent = reason
        self.note(f"{reason}: the rest of it is unknown", file, span)


_CURRENT: list[Budget] = []


def current() -> Budget | None:
    """The budget of the task being linted (``None`` outside one)."""
    return _CURRENT[-1] if _CURRENT else None


@contextlib.contextmanager
def active(budget: Budget | None = None) -> Iterator[Budget]:
    """Make ``budget`` (a new one by default) the one evaluators consult, for a ``with`` block."""
    budget = budget or Budget()
    _CURRENT.append(budget)
    try:
        yield budget
    finally:
        _CURRENT.pop()


def note(message: str, file: str, span: "Span") -> None:
    """Record on the active budget, if any, that evaluation stopped at ``span`` (see :meth:`Budget.note`)."""
    if _CURRENT:
        _CURRENT[-1].note(message, file, span)


def exhaust(reason: str, file: str, span: "Span") -> None:
    """Stop the active budget's task, if any (see :meth:`Budget.exhaust`)."""
    if _CURRENT:
        _CURRENT[-1].exhaust(reason, file, span)


def charge(items: int) -> None:
    """Charge ``items`` copied to the active budget, if any (see :meth:`Budget.charge`)."""
    if _CURRENT:
        _CURRENT[-1].charge(items)
