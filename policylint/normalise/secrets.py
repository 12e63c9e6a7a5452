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
    """The facet of one parsed file (any located data)."""
    values = LocList(span)
    stack: list[tuple[Any, Any, Span]] = [(data, None, span)]
    while stack:
        value, key, where = stack.pop()
        if isinstance(value, dict):
            for child_key, child in reversed(list(value.items())):
                child_span = span_of(value, child_key, where)
                # A parameter's or variable's Default is named by the parameter, not by "Default".
                named = key if child_key in VALUE_KEYS and isinstance(key, str) else child_key
                stack.append((child, named, child_span))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                stack.append((value[i], key, span_of(value, i, where)))
        elif isinstance(value, str) and MIN_LENGTH <= len(value) <= MAX_LENGTH:
            entry = LocDict(where)
            entry.put("key", key if isinstance(key, str) else "", where)
            entry.put("value", value, where)
            values.add(entry, where)
    out = LocDict(span)
    out.put("values", values, span)
    return out
