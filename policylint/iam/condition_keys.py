"""IAM condition semantics: which conditions restrict who may use a statement, and which keys exist.

A condition *fixes* a key when its operator is positive (``StringEquals``, ``StringLike``,
``ArnEquals``, ``ArnLike``, ``IpAddress``, …; not ``…IfExists``, not ``ForAllValues:``, and not
``ForAnyValue:`` on a single-valued key) and every value is fixed: no ``*`` or ``?`` (a value
chosen at deploy time, such as ``${AWS::AccountId}``, counts as fixed), no ``aws:userid`` pattern
``AROA…:*`` (any session of a role), and for ``aws:SourceIp`` no CIDR open to every address.

The keys that make a public principal non-public are the ones AWS lists for that purpose in the
S3 Block Public Access definition of "public" (and IAM Access Analyzer): see
:data:`PUBLIC_RESTRICTING_KEYS`. Which condition keys exist, and which an action supports, comes
from the action catalogue (:mod:`policylint.iam.actions`) plus the global keys below.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, Iterable

from ..load.located import Unknown
from . import actions as catalogue

# Keys that confine a statement to fixed principals, networks or sources (lower case).
PUBLIC_RESTRICTING_KEYS = frozenset((
    "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
    "aws:sourceaccount", "aws:userid", "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn", "s3:dataaccesspointaccount", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principalaccount", "aws:principalarn", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:vpceaccount", "aws:vpceorgid", "aws:vpceorgpaths", "kms:calleraccount", "aws:principalisawsservice",
))

# Keys that tie a cross-account trust to the party meant (PL1013).
CROSS_ACCOUNT_KEYS = frozenset(("sts:externalid", "aws:principalorgid", "aws:sourceaccount", "aws:sourcearn"))

# AWS global condition keys (lower case) → multi-valued; ``${…}`` marks a tag-key template.
GLOBAL_KEYS: dict[str, bool] = {
    "aws:calledvia": True, "aws:calledviafirst": False, "aws:calledvialast": False,
    "aws:currenttime": False, "aws:epochtime": False, "aws:federatedprovider": False,
    "aws:multifactorauthage": False, "aws:multifactorauthpresent": False,
    "aws:principalaccount": False, "aws:principalarn": False, "aws:principalisawsservice": False,
    "aws:principalorgid": False, "aws:principalorgpaths": True, "aws:principalservicename": False,
    "aws:principalservicenameslist": True, "aws:principaltag/${tagkey}": False, "aws:principaltype": False,
    "aws:referer": False, "aws:requestedregion": False, "aws:requesttag/${tagkey}": False,
    "aws:resourceaccount": False, "aws:resourceorgid": False, "aws:resourceorgpaths": True,
    "aws:resourcetag/${tagkey}": False, "aws:securetransport": False, "aws:sourceaccount": False,
    "aws:sourcearn": False, "aws:sourceidentity": False, "aws:sourceip": False, "aws:sourceorgid": False,
    "aws:sourceorgpaths": True, "aws:sourcevpc": False, "aws:sourcevpcarn": False, "aws:sourcevpce": False,
    "aws:tagkeys": True, "aws:tokenissuetime": False, "aws:useragent": False, "aws:userid": False,
    "aws:username": False, "aws:viaawsservice": False, "aws:vpcsourceip": False, "aws:vpceaccount": False,
    "aws:vpceorgid": False, "aws:vpceorgpaths": True, "aws:ec2instancesourcevpc": False,
    "aws:ec2instancesourceprivateipv4": False, "aws:sourceowner": False, "aws:chatbotsourcearn": False,
    "aws:ismcpserviceaction": False, "aws:viaawsmcpservice": False, "aws:calledviaawsmcp": False,
    "aws:requestcontextprovider": False, "aws:assumedroot": False, "aws:principalorgmasteraccountid": False,
}

_POSITIVE = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
_ROLE_SESSION = re.compile(r"^[A-Za-z0-9]+:\*$")  # aws:userid AROAEXAMPLEID:* — any session of a role


def _plain_text(value: Any) -> str | None:
    """A value's text with deploy-time placeholders removed, ``None`` when it is not a scalar."""
    if isinstance(value, Unknown):
        return re.sub(r"\$\{[^}]*\}", "", value.text)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


def value_is_fixed(key: str, value: Any) -> bool:
    """Whether one condition value names one fixed thing for ``key`` (see the module docstring)."""
    text = _plain_text(value)
    if text is None or not (text.strip() or isinstance(value, Unknown)):
        return False
    if key == "aws:userid" and isinstance(value, str) and _ROLE_SESSION.match(value.strip()):
        return False
    if catalogue.has_wildcard(text):
        return False
    if key == "aws:sourceip" and isinstance(value, str):
        try:
            return ipaddress.ip_network(value.strip(), strict=False).prefixlen > 0
        except ValueError:
            return False
    return True


def is_multivalued(key: str) -> bool:
    """Whether a condition key holds a set of values (``aws:TagKeys``, ``aws:PrincipalOrgPaths``)."""
    if key in GLOBAL_KEYS:
        return GLOBAL_KEYS[key]
    found = _catalogue_key(key)
    return found is not None and found[1].startswith("ArrayOf")


def condition_fixes(condition: Any, keys: Iterable[str]) -> bool:
    """Whether one normalised condition (``{operator, key, values}``) fixes one of ``keys``."""
    if not isinstance(condition, dict):
        return False
    operator, key = condition.get("operator"), condition.get("key")
    if not isinstance(operator, str) or not isinstance(key, str) or key.lower() not in keys:
        return False
    key = key.lower()
    qualifier, _, base = operator.rpartition(":")
    base, qualifier = base.lower(), qualifier.lower()
    if base.endswith("ifexists") or qualifier == "forallvalues":
        return False
    if qualifier == "foranyvalue" and not is_multivalued(key):
        return False
    values = condition.get("values") or []
    if not values:
        return False
    if base == "bool" and key == "aws:principalisawsservice":
        return all(str(v).lower() == "true" for v in values)
    if base not in _POSITIVE:
        return False
    return all(value_is_fixed(key, v) for v in values)


# Keys whose condition confines the resources a statement reaches: tags of the resource, the
# account or organisation owning it, the KMS encryption context or the service a KMS or other
# call comes through (lower case; a trailing ``/`` or ``:`` is a prefix of templated keys).
RESOURCE_SCOPING_KEYS = (
    "aws:resourcetag/", "s3:existingobjecttag/", "aws:resourceaccount", "aws:resourceorgid",
    "aws:resourceorgpaths", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
    "kms:encryptioncontext:", "kms:encryptioncontextkeys", "kms:viaservice", "kms:resourcealiases",
    "secretsmanager:secretid", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
)
_SCOPING_POSITIVE = _POSITIVE | {"arnequals", "arnlike"}


def _scoping_key(key: str) -> bool:
    if key.endswith(":resourcetag") or ":resourcetag/" in key or key.startswith("secretsmanager:resource/"):
        return True  # a service's own tag keys (ssm:resourceTag/x, secretsmanager:ResourceTag/x)
    return any(key == k or (k.endswith(("/", ":")) and key.startswith(k)) for k in RESOURCE_SCOPING_KEYS)


def scopes_resources(conditions: Any) -> bool:
    """Whether a statement's conditions confine the resources it reaches (PL1015): a condition on
    a resource-scoping key (:data:`RESOURCE_SCOPING_KEYS`, a service's ``…:ResourceTag/…``) with a
    positive operator (not ``…IfExists``, not ``ForAllValues:``) and values that are not only
    wildcards (``arn:aws:s3:::app-*`` narrows; ``*`` does not), or ``Null: false`` on such a key
    (only resources carrying the tag)."""
    for condition in conditions or []:
        if not isinstance(condition, dict):
            continue
        operator, key = condition.get("operator"), condition.get("key")
        if not isinstance(operator, str) or not isinstance(key, str) or not _scoping_key(key.lower()):
            continue
        qualifier, _, base = operator.lower().rpartition(":")
        values = condition.get("values") or []
        if base == "null" and values and all(str(v).lower() == "false" for v in values):
            return True  # the key must be present: only resources carrying the tag
        if base.endswith("ifexists") or qualifier == "forallvalues" or base not in _SCOPING_POSITIVE:
            continue
        texts = [_plain_text(v) for v in values]
        if values and all(t is not None and (t.strip(" *?") or isinstance(v, Unknown)) for t, v in zip(texts, values)):
            return True
    return False


_MATCHING = {"stringequals": False, "stringequalsignorecase": False, "stringlike": True}


def conditions_exclude(conditions: Any, key: str, values: Iterable[str]) -> bool:
    """Whether a statement's conditions make it apply to none of ``values`` of ``key``: some
    condition on ``key`` with a positive string operator (not ``…IfExists``, no set qualifier)
    lists no value matching one of them (``StringLike`` patterns as IAM globs; case-insensitive)."""
    wanted = [v.lower() for v in values]
    for condition in conditions or []:
        if not isinstance(condition, dict) or condition.get("key") != key:
            continue
        operator = condition.get("operator")
        if not isinstance(operator, str) or ":" in operator or operator.lower() not in _MATCHING:
            continue
        listed = condition.get("values") or []
        if not listed or not all(isinstance(v, str) for v in listed):
            continue  # a value resolved at deploy time may be any service
        like = _MATCHING[operator.lower()]
        if not any((catalogue.iam_glob(v).fullmatch(w) is not None) if like else v.lower() == w
                   for v in listed for w in wanted):
            return True
    return False


def conditions_fix(conditions: Any, keys: Iterable[str]) -> bool:
    """Whether any condition of a statement fixes one of ``keys`` (conditions are ANDed)."""
    wanted = frozenset(k.lower() for k in keys)
    return any(condition_fixes(c, wanted) for c in conditions or [])


_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike", "notipaddress"}


def deny_confines(condition: Any, keys: Iterable[str] = PUBLIC_RESTRICTING_KEYS) -> bool:
    """Whether a Deny statement's one condition denies every request whose ``key`` is not one of
    fixed values (``StringNotEquals: {aws:SourceVpce: vpce-1}``): the negation of a condition that
    fixes the key, so the Allow it applies to is confined as if it carried that condition.
    ``…IfExists`` denies requests without the key too, and still confines."""
    if not isinstance(condition, dict):
        return False
    operator, key = condition.get("operator"), condition.get("key")
    if not isinstance(operator, str) or ":" in operator or not isinstance(key, str) or key.lower() not in keys:
        return False
    base = operator.lower()
    base = base[:-len("ifexists")] if base.endswith("ifexists") else base
    values = condition.get("values") or []
    return base in _NEGATED and bool(values) and all(value_is_fixed(key.lower(), v) for v in values)


def _strings(value: Any) -> list[str]:
    """The patterns of an element; an unresolved one by how it is written (the same text, the same
    resources: ``!Sub arn:aws:execute-api:${AWS::Region}:…`` in both statements)."""
    items = value if isinstance(value, list) else [value]
    return [v.text if isinstance(v, Unknown) else v for v in items if isinstance(v, (str, Unknown))]


def confining_denies(allow: dict, statements: list) -> list[dict]:
    """The Deny statements of a policy that confine the Allow ``allow`` to fixed principals,
    networks or sources: a principal of ``*``, one condition that :func:`deny_confines`, every
    action of the Allow among its actions, and ``Resource: *`` or the Allow's own resources."""
    allowed = _strings(allow.get("actions")) if allow.get("actions") is not None else None
    resources = _strings(allow.get("resources"))
    out = []
    for deny in statements:
        if not isinstance(deny, dict) or deny.get("effect") != "Deny" or deny is allow:
            continue
        conditions = deny.get("conditions") or []
        if len(conditions) != 1 or not deny_confines(conditions[0]):
            continue
        principal = deny.get("principal")
        if not (isinstance(principal, dict) and "*" in [v for ids in principal.values() for v in _strings(ids)]):
            continue
        denied = _strings(deny.get("actions")) if deny.get("actions") is not None else []
        if allowed is None or not allowed or not all(any(catalogue.action_covers(d, a) for d in denied) for a in allowed):
            continue
        denied_resources = _strings(deny.get("resources"))
        if not any(set(r.strip()) == {"*"} for r in denied_resources) and \
                not (resources and all(r in denied_resources for r in resources)):
            continue
        out.append(deny)
    return out


# --- which keys exist ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key$")


def _is_template(key: str) -> bool:
    """Keys the reference writes with a placeholder (``${TagKey}``, ``<key>``, ``tag-key``), and
    every key with a ``/`` (``secretsmanager:resource/Type``): the part after the last ``/`` is
    chosen by the user in several services' tag and attribute keys."""
    return bool(_PLACEHOLDER.search(key)) or "/" in key


@lru_cache(maxsize=None)
def _template(key: str) -> re.Pattern[str]:
    """A condition-key template (``s3:ExistingObjectTag/<key>``, ``aws:ResourceTag/${TagKey}``)
    as a regular expression: the placeholder, or what follows the last ``/``, matches any text."""
    if not _PLACEHOLDER.search(key):
        key = key[:key.rindex("/") + 1] + "${}"
    parts = _PLACEHOLDER.split(key)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE)


@lru_cache(maxsize=None)
def _service_keys(service: str) -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]] | None:
    """``({key: type}, [(template regex, type)])`` of one service's condition keys."""
    if service == "aws":
        exact = {k: ("ArrayOfString" if multi else "String") for k, multi in GLOBAL_KEYS.items() if not _is_template(k)}
        templates = [(_template(k), "String") for k in GLOBAL_KEYS if _is_template(k)]
        return exact, templates
    if catalogue.service_actions(service) is None:
        return None
    data = catalogue._catalogue().Conditions()
    try:
        raw = {k.lower(): data.get_condition_key_details(service, k) for k in data.get_condition_keys_for_service(service)}
    except Exception:  # noqa: BLE001 - a service with no condition keys has no file
        raw = {}
    exact: dict[str, str] = {}
    templates: list[tuple[re.Pattern[str], str]] = []
    for lower, details in raw.items():
        kind = str(details.get("type", "String")) if isinstance(details, dict) else "String"
        if _is_template(lower):
            templates.append((_template(lower), kind))
        else:
            exact[lower] = kind
    return exact, templates


def _catalogue_key(key: str) -> tuple[str, str] | None:
    """``(key, type)`` when the catalogue (or the global list) knows ``key``."""
    service = key.partition(":")[0]
    found = _service_keys(service)
    if found is None:
        return None
    exact, templates = found
    if key in exact:
        return key, exact[key]
    for pattern, kind in templates:
        if pattern.fullmatch(key):
            return key, kind
    return None


_AWS_USE = "condition-keys-in-aws-policies.json"


@lru_cache(maxsize=1)
def aws_policy_use() -> dict[str, frozenset[str]]:
    """``{key: actions}`` (lower case): condition keys AWS's own managed policies use with actions
    the Service Authorization Reference does not tie them to (or keys it does not list at all),
    generated from the managed-policy catalogue by ``tools/managed_policies.py``. AWS writing a
    key with an action is evidence that it works there; the reference lags behind."""
    from importlib import resources  # noqa: PLC0415 - read only when a key would be reported
    import json  # noqa: PLC0415

    text = resources.files(__package__).joinpath("data", _AWS_USE).read_text(encoding="utf-8")
    return {k: frozenset(v) for k, v in json.loads(text)["keys"].items()}


def key_problem(key: Any, actions: Any) -> str | None:
    """Why a condition key is wrong for a statement: a key of a known service (or ``aws:``) that
    does not exist, or a service key that none of the statement's actions supports — by the
    reference, unless AWS's own managed policies use the key with one of the statement's actions
    (:func:`aws_policy_use`). ``None`` when fine or when it cannot be judged (keys of identity
    providers, unknown services)."""
    problem = reference_key_problem(key, actions)
    if problem is None:
        return None
    used_with = aws_policy_use().get(key.lower())
    if used_with and any(_any_covers(p, used_with) for p in _patterns(actions)):
        return None
    return problem


def _patterns(actions: Any) -> list[str]:
    return [a for a in (actions if isinstance(actions, list) else [actions] if actions else [])
            if isinstance(a, str)]


def _any_covers(pattern: str, actions: frozenset[str]) -> bool:
    return any(catalogue.action_covers(pattern, action) for action in actions)


def reference_key_problem(key: Any, actions: Any) -> str | None:
    """:func:`key_problem` by the Service Authorization Reference alone (the catalogue)."""
    if not isinstance(key, str) or ":" not in key:
        return None
    key = key.lower()
    service = key.partition(":")[0]
    if service != "aws" and ("." in service or "/" in service):
        return None  # an identity provider's keys (token.actions.githubusercontent.com:sub)
    if _service_keys(service) is None:
        return None
    if _catalogue_key(key) is None:
        return f"is not a condition key of {'AWS (global keys)' if service == 'aws' else 'service ' + repr(service)}"
    if service == "aws":
        return None
    used = catalogue.keys_used_by_actions(service)
    if key not in used and not any(_is_template(k) and _template(k).fullmatch(key) for k in used):
        return None  # the reference ties this key to no action: support cannot be judged
    patterns = _patterns(actions)
    if not patterns:
        return None
    supported = False
    judged = False
    for pattern in patterns:
        if catalogue.is_every_action(pattern):
            return None
        expanded = catalogue.expand(pattern) if ":" in pattern else None
        if expanded is None:
            return None  # an action of a service we cannot list: cannot judge
        for name, _ in expanded:
            keys = catalogue.action_condition_keys(name)
            if keys is None:
                continue
            judged = True
            if key in keys or any(_is_template(k) and _template(k).fullmatch(key) for k in keys):
                supported = True
                break
        if supported:
            break
    if judged and not supported:
        shown = ", ".join(p for p in patterns[:3]) + (", …" if len(patterns) > 3 else "")
        return f"is not supported by any of the statement's actions ({shown})"
    return None
