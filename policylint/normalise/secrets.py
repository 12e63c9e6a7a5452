"""String values facet (kind ``strings``): ``{values: [{key, value}]}`` — every string of a file
long enough to hold a credential, with the name of the mapping key it sits under (for a list item,
the key of the list). Built once per JSON/YAML document or Terraform file, so that secret rules see
template parameters, resource properties, outputs, variables and provider blocks alike."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, LocList, Span, span_of

STRINGS = "strings"
VALUE_KEYS = ("Default", "default")
MIN_LENGTH, MAX_LENGTH = 16, 20_000  # an access key id is 20 characters; skip huge blobs


def strings_facet(data: Any, span: Span) -> LocDict:
    """The facet of one parsed file (any located data). Positions are found only when a finding
    asks for one: a file with no secret never makes its loader locate anything."""
    places: list[_Place] = []
    values = LocList.__new__(LocList)
    values.span = span
    values.locator = _ListLocator(places)
    # (value, the key it is named by, its container and key there, the container's place)
    stack: list[tuple[Any, Any, Any, Any, "_Place | Span"]] = [(data, None, None, None, span)]
    while stack:
        value, key, container, at, parent = stack.pop()
        if isinstance(value, dict):
            where = parent if container is None else _Place(container, at, parent)
            for child_key, child in reversed(list(value.items())):
                if isinstance(child, (dict, list, str)):
                    # A parameter's or variable's Default is named by the parameter, not by "Default".
                    named = key if child_key in VALUE_KEYS and isinstance(key, str) else child_key
                    stack.append((child, named, value, child_key, where))
        elif isinstance(value, list):
            where = parent if container is None else _Place(container, at, parent)
            for i in range(len(value) - 1, -1, -1):
                if isinstance(value[i], (dict, list, str)):
                    stack.append((value[i], key, value, i, where))
        elif isinstance(value, str) and MIN_LENGTH <= len(value) <= MAX_LENGTH:
            place = _Place(container, at, parent)
            entry = LocDict.__new__(LocDict)
            dict.__setitem__(entry, "key", key if isinstance(key, str) else "")
            dict.__setitem__(entry, "value", value)
            entry.locator = _EntryLocator(place)
            list.append(values, entry)
            places.append(place)
    out = LocDict(span)
    out.put("values", values, span)
    return out


class _Place:
    """Where a value sits: ``container[key]``, with the place of the container as the fallback
    (a container that does not know its items' positions); its span is computed when asked."""

    __slots__ = ("container", "key", "parent", "span")

    def __init__(self, container: Any, key: Any, parent: "_Place | Span"):
        self.container, self.key, self.parent = container, key, parent
        self.span: Span | None = None

    def resolve(self) -> Span:
        if self.span is None:
            fallback = self.parent.resolve() if isinstance(self.parent, _Place) else self.parent
            self.span = fallback if self.container is None else span_of(self.container, self.key, fallback)
        return self.span


class _EntryLocator:
    """Locates one ``{key, value}`` entry: both at the string's span."""

    __slots__ = ("place",)

    def __init__(self, place: _Place):
        self.place = place

    def locate(self, entry: LocDict) -> None:
        where = self.place.resolve()
        entry.span = where
        entry.spans = {"key": where, "value": where}
        entry.key_spans = dict(entry.spans)
        entry.duplicates = []
        entry.locator = None


class _ListLocator:
    """Locates the facet's list of entries."""

    __slots__ = ("places",)

    def __init__(self, places: list[_Place]):
        self.places = places

    def locate(self, values: LocList) -> None:
        values.spans = [p.resolve() for p in self.places]
        values.locator = None
