"""``AWS::Serverless::Api`` ``Auth.ResourcePolicy`` as the REST API's resource policy.

The statements are those SAM writes into the API definition: ``CustomStatements`` as written;
``AwsAccountWhitelist`` / ``Blacklist`` an Allow / Deny for those principals; ``IpRangeWhitelist``
and ``SourceVpcWhitelist`` an Allow for everyone with a Deny for everyone else. SAM's Allow of that
pair has no condition (its Deny does the restricting); the Allow here carries the opposite of the
Deny's condition, which leaves the policy's effect unchanged and tells a rule reading one statement
that it is restricted. Blacklists stay as SAM writes them: an unconditioned Allow for everyone
and a Deny for the listed sources.
"""
from __future__ import annotations

from typing import Any

from ...load.located import At, LocDict, LocList, Span, build
from .resources import Generated

INVOKE = "execute-api:Invoke"
ANY_METHOD = "execute-api:/*"


IMPLICIT_API = "ServerlessRestApi"  # the API SAM creates for Api events that name none


def event_policies(logical: str, props: LocDict) -> list[tuple[str, LocDict, Span]]:
    """``(API logical id, ResourcePolicy, span)`` of each ``Api`` event of a function that sets
    ``Auth.ResourcePolicy`` — SAM adds those statements to the API's policy — and
    ``(API, empty, span)`` for an event on the implicit API (which SAM then creates)."""
    events = props.get("Events")
    out: list[tuple[str, LocDict, Span]] = []
    if not isinstance(events, LocDict):
        return out
    for name, event in events.items():
        if not isinstance(event, LocDict) or event.get("Type") != "Api":
            continue
        where = events.span_of(name)
        details = event.get("Properties") if isinstance(event.get("Properties"), LocDict) else LocDict(where)
        target = details.get("RestApiId")
        if isinstance(target, dict) and isinstance(target.get("Ref"), str):
            target = target["Ref"]
        api_id = target if isinstance(target, str) else (IMPLICIT_API if target is None else None)
        auth = details.get("Auth")
        policy = auth.get("ResourcePolicy") if isinstance(auth, LocDict) else None
        if api_id is not None:
            out.append((api_id, policy if isinstance(policy, LocDict) else LocDict(where),
                        auth.span_of("ResourcePolicy") if isinstance(policy, LocDict) else where))
    return out


def rest_api(logical: str, props: LocDict, span: Span,
             from_events: list[tuple[LocDict, Span]] = ()) -> list[Generated]:
    """The REST API, its ``Policy`` built from ``Auth.ResourcePolicy`` and the resource policies
    of the function events on it."""
    api = LocDict(span)
    for key in ("Name", "Description", "EndpointConfiguration", "DisableExecuteApiEndpoint", "MinimumCompressionSize"):
        if key in props:
            api.put(key, props[key], props.span_of(key), props.key_span_of(key))
    auth = props.get("Auth")
    policy = auth.get("ResourcePolicy") if isinstance(auth, LocDict) else None
    parts = [(policy, auth.span_of("ResourcePolicy"))] if isinstance(policy, LocDict) else []
    parts.extend((p, where) for p, where in from_events if p)
    if parts:
        document = resource_policy(parts[0][0], parts[0][1])
        for extra, where in parts[1:]:
            statements = resource_policy(extra, where)["Statement"]
            for i, statement in enumerate(statements):
                document["Statement"].add(statement, statements.span_of(i))
        key_span = auth.key_span_of("ResourcePolicy") if isinstance(policy, LocDict) else parts[0][1]
        api.put("Policy", document, parts[0][1], key_span)
    return [(logical, "AWS::ApiGateway::RestApi", api, None)]


def resource_policy(policy: LocDict, span: Span) -> LocDict:
    """The policy document of one ``ResourcePolicy`` setting."""
    statements: list[Any] = []
    custom = policy.get("CustomStatements")
    if isinstance(custom, LocList):
        statements.extend(custom[i] if isinstance(custom[i], LocDict) else At(custom[i], custom.span_of(i))
                          for i in range(len(custom)))
    elif isinstance(custom, LocDict):
        statements.append(custom)
    for key, effect in (("AwsAccountWhitelist", "Allow"), ("AwsAccountBlacklist", "Deny")):
        if policy.get(key) not in ([], None):
            statements.append(build({"Effect": effect, "Action": INVOKE, "Resource": ANY_METHOD,
                                     "Principal": {"AWS": _item(policy, key)}}, policy.key_span_of(key)))
    for key, allowed, denied, condition_key in (
        ("IpRangeWhitelist", "IpAddress", "NotIpAddress", "aws:SourceIp"),
        ("IpRangeBlacklist", None, "IpAddress", "aws:SourceIp"),
        ("SourceVpcWhitelist", "StringEquals", "StringNotEquals", None),
        ("SourceVpcBlacklist", None, "StringEquals", None),
    ):
        if key not in policy or policy[key] in ([], None):  # SAM writes nothing for an empty list
            continue
        where = policy.key_span_of(key)
        values = _item(policy, key)
        ckey = condition_key or _vpc_key(values)
        allow: dict[str, Any] = {"Effect": "Allow", "Action": INVOKE, "Resource": ANY_METHOD, "Principal": "*"}
        if allowed:
            allow["Condition"] = {allowed: {ckey: values}}
        statements.append(build(allow, where))
        statements.append(build({"Effect": "Deny", "Action": INVOKE, "Resource": ANY_METHOD, "Principal": "*",
                                 "Condition": {denied: {ckey: values}}}, where))
    return build({"Version": "2012-10-17", "Statement": statements}, span)


def _item(policy: LocDict, key: str) -> Any:
    value = policy[key]
    return value if isinstance(value, (LocDict, LocList)) else At(value, policy.span_of(key))


def _vpc_key(values: Any) -> str:
    items = values if isinstance(values, list) else [values]
    return "aws:SourceVpce" if items and all(isinstance(v, str) and v.startswith("vpce-") for v in items) else "aws:SourceVpc"
