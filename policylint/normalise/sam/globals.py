"""SAM ``Globals``: merged into each resource the way SAM merges them.

A mapping is merged key by key (the resource's value wins, recursively), a list is the global
items followed by the resource's, and any other value — a scalar, or an intrinsic function on
either side — is the resource's when it sets one. Every merged value keeps the span it was
written at, in ``Globals`` or in the resource.
"""
from __future__ import annotations

from typing import Any

from ...load.located import LocDict, LocList, mark_shared

# Globals section → the resource type it applies to.
SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


def globals_for(template: LocDict) -> dict[str, LocDict]:
    """Resource type → the global properties declared for it."""
    section = template.get("Globals")
    if not isinstance(section, dict):
        return {}
    return {SECTIONS[name]: mark_shared(value, f"Globals.{name}") for name, value in section.items()
            if name in SECTIONS and isinstance(value, LocDict)}


def merge(global_value: Any, local: Any) -> Any:
    """``local`` merged over ``global_value``."""
    if isinstance(global_value, LocDict) and isinstance(local, LocDict) and not _intrinsic(global_value) and not _intrinsic(local):
        out = LocDict(local.span)
        for key, value in global_value.items():
            out.put(key, value, global_value.span_of(key), global_value.key_span_of(key))
        for key, value in local.items():
            if key in global_value:
                value = merge(global_value[key], value)
            out.put(key, value, local.span_of(key), local.key_span_of(key))
        return out
    if isinstance(global_value, LocList) and isinstance(local, LocList):
        out_list = LocList(local.span)
        for source in (global_value, local):
            for i, item in enumerate(source):
                out_list.add(item, source.span_of(i))
        return out_list
    return local


def _intrinsic(value: LocDict) -> bool:
    return len(value) == 1 and any(k == "Ref" or str(k).startswith("Fn::") for k in value)
