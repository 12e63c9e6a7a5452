"""Template transforms applied before a CloudFormation template is normalised: the language
extensions (``Fn::ForEach``) first, then SAM — the order CloudFormation runs them in. Each lives
in its own modules, imported only for a template that needs it."""
from __future__ import annotations

from ..load.located import LocDict

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SAM = "AWS::Serverless-2016-10-31"


def expand(template: LocDict, path: str, origins: dict[str, str], notices: list[str]) -> LocDict:
    """``template`` with its transforms applied; ``origins`` names what generated each new
    resource, ``notices`` gains what is not followed."""
    resources = template.get("Resources")
    if isinstance(resources, dict) and any(str(key).startswith("Fn::ForEach::") for key in resources):
        from . import language_extensions

        template = language_extensions.expand(template, origins)
    if is_sam(template):
        from . import sam

        template = sam.transform(template, path, origins, notices)
    return template


def is_sam(template: LocDict) -> bool:
    """Whether a template declares the SAM transform (a string or in a list) or has SAM resources."""
    declared = template.get("Transform")
    if SAM in (declared if isinstance(declared, list) else [declared]):
        return True
    found = template.get("Resources")
    return isinstance(found, dict) and any(
        isinstance(body, dict) and str(body.get("Type", "")).startswith("AWS::Serverless::") for body in found.values())
