"""Small helpers shared by the facet builders: copy located fields, read Terraform blocks."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, LocList, Span, Unknown, place


def is_set(value: Any) -> bool:
    """Whether a setting is configured: ``None`` and empty or whitespace-only strings are not
    (``KMSKeyId: ""``, ``kms_master_key_id = ""`` mean no key)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def copy(src: Any, key: str, dst: LocDict, name: str) -> None:
    """``dst[name] = src[key]`` with its spans, or ``None`` when ``src`` lacks it or it is not set
    (see :func:`is_set`); its spans are found when first read."""
    if isinstance(src, LocDict) and key in src:
        value = src[key]
        dst.put_from(name, value if is_set(value) else None, src, key)
    else:
        dst.put(name, None, place(dst, None))


def sub(src: Any, mapping: dict[str, str], span: Span) -> LocDict:
    """``{name: src[raw_key]}`` for each ``name: raw_key`` pair, keeping spans (``None`` when absent)."""
    out = LocDict(getattr(src, "span", span))
    for name, key in mapping.items():
        copy(src, key, out, name)
    return out


def entry_span(mapping: LocDict, key: Any) -> Span:
    """From an entry's key to the end of its value (a CloudFormation resource or parameter)."""
    key_span, whole = mapping.key_span_of(key), mapping.span_of(key)
    return Span(key_span.line, key_span.col, whole.end_line, whole.end_col)


def facet(src: Any, mapping: dict[str, str], span: Span) -> LocDict:
    """``{name: src[raw_key]}`` for each ``name: raw_key`` (``None`` when absent), rooted at the
    resource's ``span`` so that a finding about a missing setting points at the resource."""
    out = sub(src, mapping, span)
    out.span = span
    return out


def block(attrs: Any, name: str) -> Any:
    """A nested Terraform block (``metadata_options { ... }``) written once: the block's mapping,
    whether the loader gives it as a mapping or as a one-item list; ``None`` when absent."""
    value = attrs.get(name) if isinstance(attrs, dict) else None
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


def blocks(attrs: Any, name: str) -> list[tuple[Any, Span]]:
    """Every ``name { ... }`` block of a Terraform resource with its span."""
    value = attrs.get(name) if isinstance(attrs, dict) else None
    span = attrs.span_of(name) if isinstance(attrs, LocDict) else None
    if isinstance(value, dict):
        return [(value, getattr(value, "span", span))]
    if isinstance(value, LocList):
        return [(v, value.span_of(i)) for i, v in enumerate(value) if isinstance(v, dict)]
    return []


def inherited(note: str) -> Unknown:
    """A setting decided elsewhere (a snapshot, a cluster, a launch template): not knowable here."""
    return Unknown(note)
