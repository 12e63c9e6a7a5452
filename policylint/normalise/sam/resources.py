"""The CloudFormation resources SAM generates for each SAM resource type.

Each converter takes ``(logical id, properties, resource body)`` — the properties already merged
with ``Globals`` — and returns ``[(logical id, type, properties, origin)]``. Generated values are
located where the SAM source wrote what causes them (a role at the function, its policies at the
``Policies`` entries), so every finding points into the SAM template.
"""
from __future__ import annotations

from typing import Any, Callable

from ...load.located import At, LocDict, LocList, Span, build, shared_span
from .policies import RolePolicies

Generated = tuple[str, str, LocDict, str | None]

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}}]}
STATES_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["states.amazonaws.com"]}}]}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"

# SAM Function properties that AWS::Lambda::Function takes as they are.
FUNCTION_PASSTHROUGH = (
    "Architectures", "CodeSigningConfigArn", "DeadLetterConfig", "Description", "Environment",
    "EphemeralStorage", "FileSystemConfigs", "FunctionName", "Handler", "ImageConfig", "KmsKeyArn",
    "Layers", "LoggingConfig", "MemorySize", "PackageType", "RecursiveLoop", "ReservedConcurrentExecutions",
    "Runtime", "RuntimeManagementConfig", "SnapStart", "Timeout", "VpcConfig",
)
# Event type → (principal of the invoke permission SAM adds, {permission property: event property}).
EVENT_PERMISSIONS: dict[str, tuple[str, dict[str, str]]] = {
    "Api": ("apigateway.amazonaws.com", {"SourceArn": "RestApiId"}),
    "HttpApi": ("apigateway.amazonaws.com", {"SourceArn": "ApiId"}),
    "S3": ("s3.amazonaws.com", {"SourceAccount": ""}),
    "SNS": ("sns.amazonaws.com", {"SourceArn": "Topic"}),
    "Schedule": ("events.amazonaws.com", {"SourceArn": ""}),
    "CloudWatchEvent": ("events.amazonaws.com", {"SourceArn": ""}),
    "EventBridgeRule": ("events.amazonaws.com", {"SourceArn": ""}),
    "CloudWatchLogs": ("logs.amazonaws.com", {"SourceArn": "LogGroupName"}),
    "IoTRule": ("iot.amazonaws.com", {"SourceArn": "", "SourceAccount": ""}),
    "AlexaSkill": ("alexa-appkit.amazon.com", {"EventSourceToken": "SkillId"}),
    "Cognito": ("cognito-idp.amazonaws.com", {"SourceArn": "UserPool"}),
}


def function(logical: str, props: LocDict, span: Span) -> list[Generated]:
    """``AWS::Serverless::Function``: the function, its role, URL and invoke permissions."""
    out: list[Generated] = []
    fn = _copy(props, FUNCTION_PASSTHROUGH, span)
    role = props.get("Role")
    if role is not None:
        fn.put("Role", role, props.span_of("Role"), props.key_span_of("Role"))
    else:
        managed = [At(BASIC_EXECUTION, span)]
        if props.get("Tracing") not in (None, "Disabled"):
            managed.append(At(XRAY_WRITE, props.span_of("Tracing")))
        if props.get("VpcConfig") is not None:
            managed.append(At(VPC_EXECUTION, props.span_of("VpcConfig")))
        out.append(_role(logical, props, span, LAMBDA_TRUST, managed, "function"))
        fn.put("Role", build({"Fn::GetAtt": [f"{logical}Role", "Arn"]}, span), span)
    if "Tracing" in props:
        fn.put("TracingConfig", build({"Mode": At(props["Tracing"], props.span_of("Tracing"))}, props.span_of("Tracing")),
               props.span_of("Tracing"), props.key_span_of("Tracing"))
    _tags(props, fn, span)
    out.insert(0, (logical, "AWS::Lambda::Function", fn, None))
    url = props.get("FunctionUrlConfig")
    if isinstance(url, LocDict):
        out.extend(_function_url(logical, url, props.span_of("FunctionUrlConfig")))
    events = props.get("Events")
    if isinstance(events, LocDict):
        for name, event in events.items():
            permission = _event_permission(logical, str(name), event, events.span_of(name))
            if permission is not None:
                out.append(permission)
    return out


def state_machine(logical: str, props: LocDict, span: Span) -> list[Generated]:
    """``AWS::Serverless::StateMachine``: the state machine and its role."""
    machine = _copy(props, ("Definition", "DefinitionString", "DefinitionS3Location"), span)
    for sam_key, cfn_key in (("Name", "StateMachineName"), ("Type", "StateMachineType"),
                             ("Logging", "LoggingConfiguration"), ("Tracing", "TracingConfiguration")):
        if sam_key in props:
            machine.put(cfn_key, props[sam_key], props.span_of(sam_key), props.key_span_of(sam_key))
    out: list[Generated] = [(logical, "AWS::StepFunctions::StateMachine", machine, None)]
    if props.get("Role") is not None:
        machine.put("RoleArn", props["Role"], props.span_of("Role"), props.key_span_of("Role"))
    else:
        machine.put("RoleArn", build({"Fn::GetAtt": [f"{logical}Role", "Arn"]}, span), span)
        out.append(_role(logical, props, span, STATES_TRUST, [], "state machine"))
    _tags(props, machine, span)
    return out


def simple_table(logical: str, props: LocDict, span: Span) -> list[Generated]:
    """``AWS::Serverless::SimpleTable``: a DynamoDB table (``SSESpecification`` as written)."""
    table = _copy(props, ("SSESpecification", "ProvisionedThroughput", "PointInTimeRecoverySpecification"), span)
    if "TableName" in props:
        table.put("TableName", props["TableName"], props.span_of("TableName"), props.key_span_of("TableName"))
    if "ProvisionedThroughput" not in props:
        table.put("BillingMode", "PAY_PER_REQUEST", span)
    _tags(props, table, span)
    return [(logical, "AWS::DynamoDB::Table", table, None)]


def _role(logical: str, props: LocDict, span: Span, trust: dict, managed: list[Any], what: str) -> Generated:
    role_id = f"{logical}Role"
    policies = RolePolicies(role_id)
    policies.add_all(props.get("Policies"), props.span_of("Policies"))
    own_trust = props.get("AssumeRolePolicyDocument")  # a function may set its role's trust policy
    body: dict[str, Any] = {"AssumeRolePolicyDocument": own_trust if isinstance(own_trust, LocDict) else trust,
                            "ManagedPolicyArns": managed + policies.managed}
    if policies.inline:
        body["Policies"] = policies.inline
    for key in ("PermissionsBoundary", "RolePath"):
        if key in props:
            body[key if key != "RolePath" else "Path"] = _at(props, key)
    role = build(body, span)
    if "PermissionsBoundary" in props:
        role.key_spans["PermissionsBoundary"] = props.key_span_of("PermissionsBoundary")
    return role_id, "AWS::IAM::Role", role, f"the role SAM generates for {what} '{logical}'"


def _function_url(logical: str, config: LocDict, span: Span) -> list[Generated]:
    url = _copy(config, ("AuthType", "Cors", "InvokeMode"), span)
    url.put("TargetFunctionArn", build({"Ref": logical}, span), span)
    out: list[Generated] = [(f"{logical}Url", "AWS::Lambda::Url", url, f"the function URL SAM generates for '{logical}'")]
    if config.get("AuthType") == "NONE":
        where = shared_span(config.span_of("AuthType"), "FunctionUrlConfig")
        url.spans["AuthType"] = shared_span(url.span_of("AuthType"), "FunctionUrlConfig")
        permission = build({"Action": "lambda:InvokeFunctionUrl", "FunctionName": {"Ref": logical},
                            "Principal": "*", "FunctionUrlAuthType": At("NONE", where)}, where)
        out.append((f"{logical}UrlPublicPermissions", "AWS::Lambda::Permission", permission,
                    f"the public URL permission SAM generates for '{logical}'"))
    return out


def _event_permission(logical: str, name: str, event: Any, span: Span) -> Generated | None:
    if not isinstance(event, LocDict) or not isinstance(event.get("Type"), str):
        return None
    found = EVENT_PERMISSIONS.get(event["Type"])
    if found is None:
        return None
    principal, sources = found
    props = event.get("Properties") if isinstance(event.get("Properties"), LocDict) else LocDict(span)
    body: dict[str, Any] = {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": logical}, "Principal": principal}
    for key, source in sources.items():
        if source and source in props:
            body[key] = _at(props, source)
        elif key == "SourceAccount":
            body[key] = {"Ref": "AWS::AccountId"}
        elif key != "EventSourceToken":
            body[key] = {"Fn::GetAtt": [f"{logical}{name}", "Arn"]}  # the rule/API SAM creates for the event
    event_id = f"{logical}{name}"
    return (f"{event_id}Permission", "AWS::Lambda::Permission", build(body, span),
            f"the invoke permission SAM generates for event '{name}' of '{logical}'")


def _copy(props: LocDict, keys: tuple[str, ...], span: Span) -> LocDict:
    out = LocDict(span)
    for key in keys:
        if key in props:
            out.put(key, props[key], props.span_of(key), props.key_span_of(key))
    return out


def _at(props: LocDict, key: str) -> Any:
    value = props[key]
    return value if isinstance(value, (LocDict, LocList)) else At(value, props.span_of(key))


def _tags(props: LocDict, out: LocDict, span: Span) -> None:
    """SAM's ``Tags`` map as CloudFormation's list of ``{Key, Value}``."""
    tags = props.get("Tags")
    if not isinstance(tags, LocDict):
        return
    items = LocList(props.span_of("Tags"))
    for key, value in tags.items():
        entry = LocDict(tags.span_of(key))
        entry.put("Key", key, tags.key_span_of(key))
        entry.put("Value", value, tags.span_of(key))
        items.add(entry, tags.span_of(key))
    out.put("Tags", items, props.span_of("Tags"), props.key_span_of("Tags"))


CONVERTERS: dict[str, Callable[[str, LocDict, Span], list[Generated]]] = {
    "AWS::Serverless::Function": function,
    "AWS::Serverless::StateMachine": state_machine,
    "AWS::Serverless::SimpleTable": simple_table,
}
