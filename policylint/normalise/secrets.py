"""String values facet (kind ``strings``): ``{values: [{key, value}]}`` — every string of a file
long enough to hold a credential, with the name of the mapping key it sits under (for a list item,
the key of the list). Built once per JSON/YAML document or Terraform file, so that secret rules see
template parameters, resource properties, outputs, variables and provider blocks alike."""
from __future__ import annotations

from typing import Any

from ..load.located import VALUE, LocDict, LocList, Ref, RefSpanList, Span, as_span

_new_tuple = tuple.__new__

STRINGS = "strings"
VALUE_KEYS = ("Default", "default")
MIN_LENGTH, MAX_LENGTH = 16, 20_000  # an access key id is 20 characters; skip huge blobs


def strings_facet(data: Any, span: Span) -> LocDict:
    """The facet of one parsed file (any located data). Positions are found only when a finding
    asks for one (each entry's is a :class:`Ref` to where its string is written): a file with no
    secret never makes its loader locate anything."""
    entries: list[LocDict] = []
    places: list[Span | Ref] = []
    if isinstance(data, str):
        if MIN_LENGTH <= len(data) <= MAX_LENGTH:
            _entry(entries, places, "", data, span)
    elif isinstance(data, (dict, list)):
        # Depth first in document order: each open container's remaining items, the key that names
        # its strings (a list's items are named by the list's key), whether it is a mapping, the
        # container and where it is (the fallback of a container that does not locate its items).
        frames: list[tuple[Any, Any, bool, Any, Span | Ref]] = [
            (iter(data.items()) if isinstance(data, dict) else enumerate(data), None, isinstance(data, dict), data, span)]
        while frames:
            items, name, is_map, container, where = frames[-1]
            located = isinstance(container, (LocDict, LocList))  # else its items are placed where it is
            for key, child in items:
                # A parameter's or variable's Default is named by the parameter, not by "Default".
                named = (name if key in VALUE_KEYS and isinstance(name, str) else key) if is_map else name
                if isinstance(child, str):
                    if MIN_LENGTH <= len(child) <= MAX_LENGTH:
                        _entry(entries, places, named if isinstance(named, str) else "", child,
                               _new_tuple(Ref, (container, key, VALUE, ())) if located else where)
                elif isinstance(child, dict):
                    frames.append((iter(child.items()), named, True, child,
                                   _new_tuple(Ref, (container, key, VALUE, ())) if located else where))
                    break
                elif isinstance(child, list):
                    frames.append((enumerate(child), named, False, child,
                                   _new_tuple(Ref, (container, key, VALUE, ())) if located else where))
                    break
            else:
                frames.pop()
    values = LocList.__new__(LocList)
    values.span = span
    list.extend(values, entries)
    values.spans = RefSpanList(places)
    out = LocDict(span)
    out.put("values", values, span)
    return out


def _entry(entries: list[LocDict], places: list[Span | Ref], key: str, value: str, where: Span | Ref) -> None:
    entry = LocDict.__new__(LocDict)
    dict.__setitem__(entry, "key", key)
    dict.__setitem__(entry, "value", value)
    entry.locator = _EntryLocator(where)
    entries.append(entry)
    places.append(where)


class _EntryLocator:
    """Locates one ``{key, value}`` entry: both at the string's span."""

    __slots__ = ("place",)

    def __init__(self, place: Span | Ref):
        self.place = place

    def locate(self, entry: LocDict) -> None:
        where = as_span(self.place)
        entry.span = where
        entry.spans = {"key": where, "value": where}
        entry.key_spans = dict(entry.spans)
        entry.duplicates = []
        entry.locator = None
