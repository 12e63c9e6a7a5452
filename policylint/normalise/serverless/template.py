"""A Serverless Framework configuration as the CloudFormation template the framework deploys.

- the shared execution role ``IamRoleLambdaExecution`` with ``provider.iam.role.statements``
  (v3/v4) or ``provider.iamRoleStatements`` (v1/v2), ``managedPolicies`` /
  ``provider.iamManagedPolicies`` and the permissions boundary; none when the provider names an
  existing role (``provider.iam.role: arn…`` / ``provider.role``);
- per function ``<Name>LambdaFunction`` with ``provider.environment`` merged with the function's
  ``environment``; a function with ``iamRoleStatements`` (serverless-iam-roles-per-function) gets
  its own role ``<Name>IamRoleLambdaExecution`` (with the provider's statements too when
  ``iamRoleStatementsInherit`` is set); a function ``url`` is an ``AWS::Lambda::Url`` (public
  unless ``authorizer: aws_iam``) with its permission;
- ``resources.Resources`` / ``Conditions`` / ``Outputs`` / ``Parameters`` / ``Mappings`` as written
  (``resources`` may be a list of such fragments).

Generated values keep the spans of the configuration, so findings point into ``serverless.yml``.
"""
from __future__ import annotations

from typing import Any

from ...load.located import At, LocDict, LocList, Span, build, mark_shared, shared_span

EXECUTION_ROLE = "IamRoleLambdaExecution"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}}]}
TEMPLATE_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")


def normalised_name(name: str) -> str:
    """The framework's logical-id form of a function name (``my-fn_x`` → ``MyDashfnUnderscorex``)."""
    text = name[:1].upper() + name[1:]
    return text.replace("-", "Dash").replace("_", "Underscore")


def to_template(config: LocDict) -> tuple[LocDict, dict[str, str]]:
    """The CloudFormation template, and what generated each resource (for messages)."""
    template = LocDict(config.span)
    resources = LocDict(config.span)
    origins: dict[str, str] = {}
    provider = _mapping(config, "provider")
    if provider.get("name", "aws") != "aws":  # Azure, Google, OpenWhisk…: nothing deployed on AWS
        template.put("Resources", resources, resources.span)
        return template, origins
    iam = _mapping(provider, "iam")
    role_setting = iam.get("role") if "role" in iam else provider.get("role")
    role = role_setting if isinstance(role_setting, LocDict) else LocDict(provider.span)
    statements = _first_list((role, "statements"), (provider, "iamRoleStatements"))
    managed = _first_list((role, "managedPolicies"), (provider, "iamManagedPolicies"))
    boundary = _first(role, "permissionsBoundary", provider, "rolePermissionsBoundary")
    functions = _mapping(config, "functions")
    shared_role = role_setting is None or isinstance(role_setting, LocDict)
    if shared_role and functions:
        where = provider.span
        _put(resources, EXECUTION_ROLE, "AWS::IAM::Role", _role(statements, managed, boundary, where),
             provider.key_span_of("iam") if "iam" in provider else where, where)
        origins[EXECUTION_ROLE] = "the execution role the Serverless Framework generates"
    environment = provider.get("environment")
    if isinstance(environment, LocDict):
        mark_shared(environment, "provider.environment")
    for name, fn in functions.items():
        if not isinstance(fn, LocDict):
            continue
        logical = normalised_name(str(name)) + "LambdaFunction"
        where, key_where = functions.span_of(name), functions.key_span_of(name)
        props = LocDict(where)
        variables = _merged(environment, fn.get("environment"), where)
        if variables is not None:
            props.put("Environment", build({"Variables": variables}, where), where)
        for key, cfn in (("handler", "Handler"), ("runtime", "Runtime"), ("name", "FunctionName"),
                         ("timeout", "Timeout"), ("memorySize", "MemorySize"), ("kmsKeyArn", "KmsKeyArn")):
            if key in fn:
                props.put(cfn, fn[key], fn.span_of(key), fn.key_span_of(key))
        own = fn.get("iamRoleStatements")
        if isinstance(own, LocList):
            role_id = normalised_name(str(name)) + EXECUTION_ROLE
            inherited = fn.get("iamRoleStatementsInherit") is True
            combined = _concat(statements if inherited else None, own, fn.span_of("iamRoleStatements"))
            _put(resources, role_id, "AWS::IAM::Role", _role(combined, managed if inherited else None, boundary, where),
                 fn.key_span_of("iamRoleStatements"), where)
            origins[role_id] = f"the role serverless-iam-roles-per-function generates for function '{name}'"
        _put(resources, logical, "AWS::Lambda::Function", props, key_where, where)
        origins[logical] = f"function '{name}'"
        url = fn.get("url")
        if url is True or isinstance(url, LocDict):
            _function_url(resources, origins, str(name), logical, fn, url)
    sections: dict[str, LocDict] = {}
    for part in _resource_parts(config.get("resources")):
        for section in TEMPLATE_SECTIONS:
            value = part.get(section)
            if not isinstance(value, LocDict):
                continue
            target = resources if section == "Resources" else sections.setdefault(section, LocDict(value.span))
            for key, body in value.items():
                target.put(key, body, value.span_of(key), value.key_span_of(key))
    for section, value in sections.items():
        template.put(section, value, value.span)
    template.put("Resources", resources, resources.span)
    return template, origins


def _resource_parts(value: Any) -> list[LocDict]:
    """``resources``: one template fragment, or a list of them (``${file(…)}`` items are unknown)."""
    if isinstance(value, LocDict):
        return [value]
    if isinstance(value, LocList):
        return [item for item in value if isinstance(item, LocDict)]
    return []


def _role(statements: Any, managed: Any, boundary: Any, span: Span) -> LocDict:
    body: dict[str, Any] = {"AssumeRolePolicyDocument": LAMBDA_TRUST}
    if isinstance(statements, LocList) and statements:
        body["Policies"] = [{"PolicyName": "serverless-policy",
                             "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
    if isinstance(managed, LocList) and managed:
        body["ManagedPolicyArns"] = managed
    if boundary is not None:
        body["PermissionsBoundary"] = boundary
    return build(body, span)


def _function_url(resources: LocDict, origins: dict[str, str], name: str, logical: str, fn: LocDict, url: Any) -> None:
    where = fn.span_of("url")
    authorizer = url.get("authorizer") if isinstance(url, LocDict) else None
    auth = "AWS_IAM" if authorizer == "aws_iam" else "NONE"
    span = url.span_of("authorizer") if isinstance(url, LocDict) and "authorizer" in url else where
    if auth == "NONE":  # the URL and its public permission: one declaration
        span = shared_span(span, "url")
    prefix = normalised_name(name)
    _put(resources, prefix + "LambdaFunctionUrl", "AWS::Lambda::Url",
         build({"AuthType": At(auth, span), "TargetFunctionArn": {"Fn::GetAtt": [logical, "Arn"]}}, where),
         fn.key_span_of("url"), where)
    origins[prefix + "LambdaFunctionUrl"] = f"the URL of function '{name}'"
    if auth == "NONE":
        _put(resources, prefix + "LambdaPermissionFnUrl", "AWS::Lambda::Permission",
             build({"Action": "lambda:InvokeFunctionUrl", "FunctionName": {"Fn::GetAtt": [logical, "Arn"]},
                    "Principal": "*", "FunctionUrlAuthType": At("NONE", span)}, span), fn.key_span_of("url"), where)
        origins[prefix + "LambdaPermissionFnUrl"] = f"the public URL permission of function '{name}'"


def _put(resources: LocDict, logical: str, rtype: str, props: LocDict, key_span: Span, span: Span) -> None:
    body = LocDict(span)
    body.put("Type", rtype, span)
    body.put("Properties", props, props.span)
    resources.put(logical, body, span, key_span)


def _mapping(parent: Any, key: str) -> LocDict:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, LocDict) else LocDict(getattr(parent, "span", None) or Span(1, 1, 1, 1))


def _first_list(*places: tuple[LocDict, str]) -> LocList | None:
    for parent, key in places:
        if isinstance(parent.get(key), LocList):
            return parent[key]
    return None


def _first(first: LocDict, key: str, second: LocDict, second_key: str) -> Any:
    for parent, name in ((first, key), (second, second_key)):
        if name in parent and parent[name] is not None:
            value = parent[name]
            return value if isinstance(value, (LocDict, LocList)) else At(value, parent.span_of(name))
    return None


def _concat(first: Any, second: LocList, span: Span) -> LocList:
    out = LocList(span)
    for part in (first, second):
        if isinstance(part, LocList):
            for i, item in enumerate(part):
                out.add(item, part.span_of(i))
    return out


def _merged(provider_env: Any, function_env: Any, span: Span) -> LocDict | None:
    if not isinstance(provider_env, LocDict) and not isinstance(function_env, LocDict):
        return None
    out = LocDict(span)
    for part in (provider_env, function_env):
        if isinstance(part, LocDict):
            for key, value in part.items():
                out.put(key, value, part.span_of(key), part.key_span_of(key))
    return out


