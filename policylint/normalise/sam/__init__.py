"""The SAM transform (``Transform: AWS::Serverless-2016-10-31``): SAM resources into the
CloudFormation resources SAM generates, so that the CloudFormation normaliser builds their facets
and every rule applies unchanged.

Covered: ``AWS::Serverless::Function`` (the function; the role SAM generates from ``Policies``,
``PermissionsBoundary``, ``Tracing`` and ``VpcConfig`` unless ``Role`` is given; the function URL
and its public permission; the invoke permissions of push ``Events``), ``StateMachine`` (with its
role), ``Api`` (``Auth.ResourcePolicy``), ``HttpApi``, ``SimpleTable`` (``SSESpecification``),
with ``Globals`` merged first. ``AWS::Serverless::Application`` (a nested stack) is not followed:
a notice says so. Generated resources keep the spans of the SAM source.
"""
from __future__ import annotations

import functools

from ...load.located import LocDict, Span
from ..fields import entry_span
from . import api, resources
from .globals import globals_for, merge

# Resource attributes SAM passes on to the resources it generates.
PASSED_ATTRIBUTES = ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata")

CONVERTERS = resources.CONVERTERS
API = "AWS::Serverless::Api"


def transform(template: LocDict, path: str, origins: dict[str, str], notices: list[str]) -> LocDict:
    """``template`` with its SAM resources replaced by what SAM generates; ``origins`` gains a
    text for each generated resource, ``notices`` what is not followed."""
    found = template.get("Resources")
    if not isinstance(found, LocDict):
        return template
    defaults = globals_for(template)
    merged = {logical: _properties(body, defaults) for logical, body in found.items()
              if isinstance(body, LocDict) and body.get("Type") == "AWS::Serverless::Function"}
    on_apis: dict[str, list[tuple[LocDict, Span]]] = {}
    implicit: tuple[str, Span] | None = None
    for logical, props in merged.items():
        for api_id, policy, where in api.event_policies(str(logical), props):
            on_apis.setdefault(api_id, []).append((policy, where))
            if api_id == api.IMPLICIT_API and implicit is None:
                implicit = (str(logical), where)
    out = LocDict(found.span)
    if implicit is not None and api.IMPLICIT_API not in found:
        logical, where = implicit
        props = merge(defaults[API], LocDict(where)) if API in defaults else LocDict(where)
        for name, new_type, new_props, _ in api.rest_api(api.IMPLICIT_API, props, where, on_apis[api.IMPLICIT_API]):
            body = LocDict(where)
            body.put("Type", new_type, where)
            body.put("Properties", new_props, new_props.span)
            out.put(name, body, where, found.key_span_of(logical))
            origins[name] = f"the REST API SAM creates for the Api events of '{logical}'"
    for logical, body in found.items():
        rtype = body.get("Type") if isinstance(body, LocDict) else None
        converter = CONVERTERS.get(rtype) if isinstance(rtype, str) else None
        if rtype == API:
            converter = functools.partial(api.rest_api, from_events=on_apis.get(str(logical), []))
        if converter is None:
            if rtype == "AWS::Serverless::Application":
                line = found.key_span_of(logical).line
                notices.append(f"{path}:{line}: nested application '{logical}' (AWS::Serverless::Application) is not followed")
            out.put(logical, body, found.span_of(logical), found.key_span_of(logical))
            continue
        span = entry_span(found, logical)
        props = merged.get(logical) or _properties(body, defaults)
        for name, new_type, new_props, origin in converter(str(logical), props, span):
            out.put(name, _resource(body, new_type, new_props), found.span_of(logical), found.key_span_of(logical))
            if origin:
                origins[name] = origin
    result = LocDict(template.span)
    for key, value in template.items():
        if key == "Resources":
            value = out
        if key != "Globals":
            result.put(key, value, template.span_of(key), template.key_span_of(key))
    return result


def _properties(body: LocDict, defaults: dict[str, LocDict]) -> LocDict:
    """A SAM resource's properties with the ``Globals`` of its type merged in."""
    props = body.get("Properties")
    props = props if isinstance(props, LocDict) else LocDict(body.span)
    rtype = body.get("Type")
    return merge(defaults[rtype], props) if rtype in defaults else props


def _resource(body: LocDict, rtype: str, props: LocDict) -> LocDict:
    out = LocDict(body.span)
    out.put("Type", rtype, body.span_of("Type"), body.key_span_of("Type"))
    out.put("Properties", props, props.span, body.key_span_of("Properties"))
    for key in PASSED_ATTRIBUTES:
        if key in body:
            out.put(key, body[key], body.span_of(key), body.key_span_of(key))
    return out
