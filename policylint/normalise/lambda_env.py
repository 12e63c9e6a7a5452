"""Lambda function facet (kind ``lambda.function``): ``{environment: [{name, value}]}``, the
function's environment variables in the order written."""
from __future__ import annotations

from typing import Any

from ..load.located import LocDict, LocList, Span
from .fields import block

LAMBDA_FUNCTION = "lambda.function"
CFN_TYPES = ("AWS::Lambda::Function",)  # a SAM function is read as the AWS::Lambda::Function SAM generates


def _facet(variables: Any, span: Span) -> LocDict:
    out = LocDict(span)
    env = LocList(getattr(variables, "span", span))
    if isinstance(variables, LocDict):
        for name, value in variables.items():
            entry = LocDict(variables.span_of(name))
            entry.put("name", name, variables.key_span_of(name))
            entry.put("value", value, variables.span_of(name))
            env.add(entry, variables.span_of(name))
    out.put("environment", env, env.span)
    return out


def function_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::Lambda::Function``."""
    environment = props.get("Environment")
    return _facet(environment.get("Variables") if isinstance(environment, dict) else None, span)


def function_from_tf(attrs: Any, span: Span) -> LocDict:
    """The facet of an ``aws_lambda_function`` (``environment { variables = {...} }``)."""
    environment = block(attrs, "environment")
    return _facet(environment.get("variables") if environment else None, span)
