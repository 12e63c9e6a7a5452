"""CloudTrail facets.

``cloudtrail.trail``: ``{multi_region, log_file_validation, kms_key_id, logging,
management_events: {read, write}, s3_data_events}`` — ``read``/``write`` say whether the trail's
event selectors record read-only and write management events (both by default),
``s3_data_events`` whether they record S3 object-level events.

``cloudtrail.trails`` (one per template or Terraform module that defines trails, located at the
first): ``{trails: [names], s3_data_events_by: [names of the trails recording S3 data events]}``.
A template whose trails use ``Fn::If`` has one per branch when the branches differ (see
:func:`trails_facets`).
"""
from __future__ import annotations

from typing import Any, Iterable

from ..load.located import LocDict, LocList, Span, Unknown
from .cfn_intrinsics import if_conditions
from .fields import blocks, facet

TRAIL = "cloudtrail.trail"
TRAILS = "cloudtrail.trails"


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _off(value: Any) -> bool:
    return value is False or _norm(value) == "false"


def _selectors(basic: Iterable[dict], advanced: Iterable[dict]) -> tuple[Any, Any, Any]:
    """(records read management events, write management events, S3 data events) from event
    selectors written as ``{include_management_events, read_write_type, data_resources: [{type}]}``
    and advanced selectors as ``{field_selectors: [{field, equals}]}``; ``None`` when unknowable."""
    basic, advanced = list(basic), list(advanced)
    if advanced:
        read = write = s3 = False
        for selector in advanced:
            fields: dict[str, list[Any]] = {}
            for field in selector.get("field_selectors", []):
                fields.setdefault(str(field.get("field")), []).extend(field.get("equals") or [])
            category = [_norm(v) for v in fields.get("eventCategory", [])]
            read_only = [_norm(v) for v in fields.get("readOnly", [])]
            if any(isinstance(v, Unknown) for vs in fields.values() for v in vs):
                return None, None, None
            if "management" in category:
                read = read or not read_only or "true" in read_only
                write = write or not read_only or "false" in read_only
            if "data" in category and "aws::s3::object" in [_norm(v) for v in fields.get("resources.type", [])]:
                s3 = True
        return read, write, s3
    if not basic:
        return True, True, False
    read = write = s3 = False
    for selector in basic:
        included = not _off(selector.get("include_management_events"))
        kind = _norm(selector.get("read_write_type") or "all")
        if isinstance(kind, Unknown) or isinstance(selector.get("include_management_events"), Unknown):
            return None, None, None
        if included:
            read = read or kind in ("all", "readonly")
            write = write or kind in ("all", "writeonly")
        if any(_norm(r.get("type")) == "aws::s3::object" for r in selector.get("data_resources", [])):
            s3 = True
    return read, write, s3


def _items(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _cfn_selectors(props: Any) -> tuple[Any, Any, Any]:
    basic = [{"include_management_events": s.get("IncludeManagementEvents"), "read_write_type": s.get("ReadWriteType"),
              "data_resources": [{"type": r.get("Type")} for r in _items(s.get("DataResources"))]}
             for s in _items(props.get("EventSelectors") if isinstance(props, dict) else None)]
    advanced = [{"field_selectors": [{"field": f.get("Field"), "equals": f.get("Equals") if isinstance(f.get("Equals"), list) else []}
                                     for f in _items(s.get("FieldSelectors"))]}
                for s in _items(props.get("AdvancedEventSelectors") if isinstance(props, dict) else None)]
    return _selectors(basic, advanced)


def _tf_selectors(attrs: Any) -> tuple[Any, Any, Any]:
    basic = [{"include_management_events": b.get("include_management_events"), "read_write_type": b.get("read_write_type"),
              "data_resources": [{"type": r.get("type")} for r, _ in blocks(b, "data_resource")]}
             for b, _ in blocks(attrs, "event_selector")]
    advanced = [{"field_selectors": [{"field": f.get("field"), "equals": f.get("equals") if isinstance(f.get("equals"), list) else []}
                                     for f, _ in blocks(b, "field_selector")]}
                for b, _ in blocks(attrs, "advanced_event_selector")]
    return _selectors(basic, advanced)


def _with_selectors(out: LocDict, found: tuple[Any, Any, Any], span: Span) -> LocDict:
    read, write, s3 = found
    events = LocDict(span)
    events.put("read", Unknown("event selectors") if read is None else read, span)
    events.put("write", Unknown("event selectors") if write is None else write, span)
    out.put("management_events", events, span)
    out.put("s3_data_events", Unknown("event selectors") if s3 is None else s3, span)
    return out


def trail_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::CloudTrail::Trail``."""
    out = facet(props, {"multi_region": "IsMultiRegionTrail", "log_file_validation": "EnableLogFileValidation",
                        "kms_key_id": "KMSKeyId", "logging": "IsLogging"}, span)
    where = props.span_of("AdvancedEventSelectors") if "AdvancedEventSelectors" in props else \
        props.span_of("EventSelectors") if "EventSelectors" in props else span
    return _with_selectors(out, _cfn_selectors(props), where)


def trail_from_tf(attrs: Any, span: Span) -> LocDict:
    """The facet of an ``aws_cloudtrail``."""
    out = facet(attrs, {"multi_region": "is_multi_region_trail", "log_file_validation": "enable_log_file_validation",
                        "kms_key_id": "kms_key_id", "logging": "enable_logging"}, span)
    where = span
    for name in ("advanced_event_selector", "event_selector"):
        found = blocks(attrs, name)
        if found:
            where = found[0][1]
            break
    return _with_selectors(out, _tf_selectors(attrs), where)


def trails_facet(trails: list[tuple[str, LocDict]], span: Span) -> LocDict:
    """The ``cloudtrail.trails`` facet of a template's or module's trails (``(name, trail facet)``)."""
    out = LocDict(span)
    names, recording = LocList(span), LocList(span)
    for name, trail in trails:
        names.add(name, span)
        if trail.get("s3_data_events") is True:
            recording.add(name, span)
        elif isinstance(trail.get("s3_data_events"), Unknown):
            recording.add(Unknown("event selectors"), span)
    out.put("trails", names, span)
    out.put("s3_data_events_by", recording, span)
    return out


def trails_facets(trails: dict[str, dict[int, LocDict]], written: dict[str, Any], span: Span) -> list[LocDict]:
    """The ``cloudtrail.trails`` facets of a template's trails, given each trail's facet per
    ``Fn::If`` branch (``{logical id: {0: facet, 1: facet}}``; a trail without ``Fn::If`` has only
    branch 0) and its properties as ``written``: one per branch, as a deployment may take either,
    and a single one when the branches agree. When they differ, each is located with a note naming
    the conditions of the selectors' ``Fn::If`` and the branch, so that a finding says in which
    deployment no trail records S3 data events."""
    conditions = sorted({c for props in written.values() if isinstance(props, dict)
                         for key in ("EventSelectors", "AdvancedEventSelectors") for c in if_conditions(props.get(key))})
    branches = sorted({b for by_branch in trails.values() for b in by_branch})
    built = {b: [(name, by_branch.get(b, by_branch[0])) for name, by_branch in trails.items()] for b in branches}
    recording = {b: [t.get("s3_data_events") for _, t in found] for b, found in built.items()}
    if len(branches) == 1 or all(recording[b] == recording[0] for b in branches):
        return [trails_facet(built[0], span)]
    names = ", ".join(conditions) or "the condition"
    return [trails_facet(built[b], span.with_note(f"when {names} {'holds' if b == 0 else 'does not hold'}: "
                                                   f"the {'first' if b == 0 else 'second'} branch of each Fn::If"))
            for b in branches]
