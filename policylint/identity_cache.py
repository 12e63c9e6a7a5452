"""A cache keyed by object identity, for values derived from parsed data that evaluation does not
change (a statement's compiled grant, a policy's Sid counts): built once while the object is in use.
Each entry holds its object, so an ``id`` is never reused by another object while cached."""
from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """``get(obj, build, *args)``: ``build(obj, *args)`` the first time that very object is asked
    for with those arguments."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.entries: dict[Any, tuple[Any, T]] = {}

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
