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


def rest_api(logical: str, props: LocDict, span: Span) -> list[Generated]:
    """The REST API, its ``Policy`` built from ``Auth.ResourcePolicy``."""
    api = LocDict(span)
    for key in ("Name", "Description", "EndpointConfiguration", "DisableExecuteApiEndpoint", "MinimumCompressionSize"):
        if key in props:
            api.put(key, props[key], props.span_of(key), props.key_span_of(key))
    auth = props.get("Auth")
    policy = auth.get("ResourcePolicy") if isinstance(auth, LocDict) else None
    if isinstance(policy, LocDict):
        where = auth.span_of("ResourcePolicy")
        api.put("Policy", resource_policy(policy, where), where, auth.key_span_of("ResourcePolicy"))
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
        if key in policy:
            statements.append(build({"Effect": effect, "Action": INVOKE, "Resource": ANY_METHOD,
                                     "Principal": {"AWS": _item(policy, key)}}, policy.key_span_of(key)))
    for key, allowed, denied, condition_key in (
        ("IpRangeWhitelist", "IpAddress", "NotIpAddress", "aws:SourceIp"),
        ("IpRangeBlacklist", None, "IpAddress", "aws:SourceIp"),
        ("SourceVpcWhitelist", "StringEquals", "StringNotEquals", None),
        ("SourceVpcBlacklist", None, "StringEquals", None),
    ):
        if key not in policy:
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
