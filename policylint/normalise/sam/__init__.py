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

from ...load.located import LocDict
from ..fields import entry_span
from . import api, resources
from .globals import globals_for, merge

# Resource attributes SAM passes on to the resources it generates.
PASSED_ATTRIBUTES = ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata")

CONVERTERS = dict(resources.CONVERTERS, **{"AWS::Serverless::Api": api.rest_api})


def transform(template: LocDict, path: str, origins: dict[str, str], notices: list[str]) -> LocDict:
    """``template`` with its SAM resources replaced by what SAM generates; ``origins`` gains a
    text for each generated resource, ``notices`` what is not followed."""
    found = template.get("Resources")
    if not isinstance(found, LocDict):
        return template
    defaults = globals_for(template)
    out = LocDict(found.span)
    for logical, body in found.items():
        rtype = body.get("Type") if isinstance(body, LocDict) else None
        converter = CONVERTERS.get(rtype) if isinstance(rtype, str) else None
        if converter is None:
            if rtype == "AWS::Serverless::Application":
                line = found.key_span_of(logical).line
                notices.append(f"{path}:{line}: nested application '{logical}' (AWS::Serverless::Application) is not followed")
            out.put(logical, body, found.span_of(logical), found.key_span_of(logical))
            continue
        span = entry_span(found, logical)
        props = body.get("Properties")
        props = props if isinstance(props, LocDict) else LocDict(body.span)
        if rtype in defaults:
            props = merge(defaults[rtype], props)
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


def _resource(body: LocDict, rtype: str, props: LocDict) -> LocDict:
    out = LocDict(body.span)
    out.put("Type", rtype, body.span_of("Type"), body.key_span_of("Type"))
    out.put("Properties", props, props.span, body.key_span_of("Properties"))
    for key in PASSED_ATTRIBUTES:
        if key in body:
            out.put(key, body[key], body.span_of(key), body.key_span_of(key))
    return out
