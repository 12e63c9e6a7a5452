"""A cache keyed by object identity, for values derived from parsed data that evaluation does not
change (a statement's compiled grant, a policy's Sid counts): built once while the object is in use.
Each entry holds its object, so an ``id`` is never reused by another object while cached."""
from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """``get(obj, build, *args)``: ``build(obj, *args)`` the first time that very object is asked
    for with those arguments."""

    def __init__(self, size: int = 4096, per_task: bool = False):
        self.size = size
        self.entries: dict[Any, tuple[Any, T]] = {}
        if per_task:  # of one task's parsed data: emptied when the task ends (forget_task)
            _PER_TASK.append(self)

    def get(self, obj: Any, build: Callable[..., T], *args: Any) -> T:
        """The value for ``obj`` and ``args`` (hashable)."""
        index = (id(obj), args) if args else id(obj)
        hit = self.entries.get(index)
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self.entries) >= self.size:
            self.entries.clear()
        value = build(obj, *args)
        self.entries[index] = (obj, value)
        return value


_PER_TASK: list[IdentityCache[Any]] = []


def forget_task() -> None:
    """Empty the caches of a task's parsed data (``per_task``) once it is linted: nothing asks
    about those objects again, and each entry would keep its document alive."""
    for cache in _PER_TASK:
        cache.entries.clear()
