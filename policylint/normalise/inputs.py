"""Input variable facet (kind ``input.variable``): ``{name, default, sensitive, type}`` for a
CloudFormation parameter (``sensitive`` is ``NoEcho``) or a Terraform ``variable`` block."""
from __future__ import annotations

from typing import Any, Iterator

from ..load.located import LocDict, Span
from .fields import copy, entry_span

INPUT_VARIABLE = "input.variable"


def variable(name: str, name_span: Span, src: Any, keys: dict[str, str], span: Span) -> LocDict:
    """One facet; ``keys`` maps default/sensitive/type to the source's own key names."""
    out = LocDict(span)
    out.put("name", name, name_span)
    for field, key in keys.items():
        copy(src, key, out, field)
    return out


def parameters_from_cfn(template: LocDict) -> Iterator[tuple[str, LocDict]]:
    """``(name, facet)`` for each entry of a template's ``Parameters``."""
    parameters = template.get("Parameters")
    if not isinstance(parameters, LocDict):
        return
    for name, body in parameters.items():
        keys = {"default": "Default", "sensitive": "NoEcho", "type": "Type"}
        yield str(name), variable(str(name), parameters.key_span_of(name), body, keys, entry_span(parameters, name))


def variable_from_tf(name: str, name_span: Span, body: Any, span: Span) -> LocDict:
    """The facet of a Terraform ``variable "name" { default, sensitive, type }`` block."""
    return variable(name, name_span, body, {"default": "default", "sensitive": "sensitive", "type": "type"}, span)
