"""Instance metadata options facet (kind ``ec2.metadata_options``): ``{http_tokens, http_endpoint}``
of an EC2 instance, launch template or launch configuration. An instance launched from a launch
template without options of its own takes the template's: ``http_tokens`` is unknown there."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, Span
from .fields import block, facet, inherited

METADATA_OPTIONS = "ec2.metadata_options"

_CFN = {
    "AWS::EC2::Instance": (),
    "AWS::EC2::LaunchTemplate": ("LaunchTemplateData",),
    "AWS::AutoScaling::LaunchConfiguration": (),
}
_TF = ("aws_instance", "aws_launch_template", "aws_launch_configuration")


def _options(container: Any, key: str, span: Span, names: tuple[str, str]) -> LocDict:
    options = container.get(key) if isinstance(container, dict) else None
    where = container.span_of(key) if isinstance(container, LocDict) and key in container else span
    out = facet(options, {"http_tokens": names[0], "http_endpoint": names[1]}, span)
    if isinstance(options, dict):
        out.span = where
    return out


def options_from_cfn(rtype: str, props: LocDict, span: Span) -> LocDict | None:
    """The facet of an instance, launch template or launch configuration, else ``None``."""
    if rtype not in _CFN:
        return None
    container: Any = props
    for key in _CFN[rtype]:
        container = container.get(key) if isinstance(container, LocDict) else None
    out = _options(container, "MetadataOptions", span, ("HttpTokens", "HttpEndpoint"))
    if rtype == "AWS::EC2::Instance" and out["http_tokens"] is None and props.get("LaunchTemplate") is not None:
        out.put("http_tokens", inherited("LaunchTemplate: metadata options come from the launch template"), span)
    return out


def options_from_tf(rtype: str, attrs: Any, span: Span) -> LocDict | None:
    """The same for ``aws_instance``, ``aws_launch_template``, ``aws_launch_configuration``
    (``metadata_options { http_tokens, http_endpoint }``)."""
    if rtype not in _TF:
        return None
    options = block(attrs, "metadata_options")
    out = facet(options, {"http_tokens": "http_tokens", "http_endpoint": "http_endpoint"}, span)
    if isinstance(options, LocDict):
        out.span = options.span
    if rtype == "aws_instance" and out["http_tokens"] is None and block(attrs, "launch_template") is not None:
        out.put("http_tokens", inherited("launch_template: metadata options come from the launch template"), span)
    return out
