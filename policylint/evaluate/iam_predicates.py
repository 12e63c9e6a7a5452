"""IAM predicates for rule files: thin adapters from rule values to :mod:`policylint.iam`.

Each takes the value a rule path selected, the rule's argument and — for the predicates listed in
:data:`CONTEXTUAL` — the scope the path was walked from (the statement, or the policy), and
answers ``True``, ``False`` or ``None`` (unknown). The meaning of actions, resources and
conditions lives in :mod:`policylint.iam`, not here.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from ..iam import actions as iam_actions
from ..iam import condition_keys, escalation, resources
from ..identity_cache import IdentityCache
from ..load.located import Unknown


def _is_statement(value: Any) -> bool:
    return isinstance(value, dict) and "effect" in value


def _allow(statement: Any) -> bool:
    return _is_statement(statement) and statement.get("effect") == "Allow"


def _unknown_in(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(v, Unknown) for v in items)


# --- actions -------------------------------------------------------------------------------------

def is_service_wildcard(action: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """An ``Action`` entry that grants every action of a service (or of every service), by its
    expansion, after the Deny statements that apply to its statement (``scope``)."""
    if isinstance(action, Unknown):
        return None
    if not isinstance(action, str):
        return False
    found = iam_actions.whole_services(action)
    if found and _is_statement(scope):  # what the Deny statements leave of it
        found = iam_actions.grant_of(scope).whole_services_of(action)
    return None if found is None else bool(found)


def allows_action(statement: Any, target: Any, _scope: Any = None) -> bool | None:
    """Whether an ``Allow`` statement grants ``target`` whole (``Action`` coverage, ``NotAction``
    as a complement, less the Deny statements that apply to it)."""
    if not _allow(statement) or not isinstance(target, str):
        return False
    return _granted(iam_actions.grant_of(statement), target)


def _granted(grant: iam_actions.Grant, target: str) -> bool | None:
    if grant.allows(target):
        return True
    return None if grant.unresolved else False


def actions_cover(statement: Any, target: Any, _scope: Any = None) -> bool | None:
    """Whether a statement of either effect names every action of ``target`` (a pattern, or a list
    of patterns of which one must be covered): ``Action`` coverage, or ``NotAction`` as a complement."""
    if not _is_statement(statement):
        return False
    grant = iam_actions.grant_of(statement, with_denies=False)
    results = [_granted(grant, t) if isinstance(t, str) else False
               for t in (target if isinstance(target, list) else [target])]
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def iam_action_known(action: Any, _arg: Any = True, _scope: Any = None) -> bool | None:
    """Whether an action (pattern) names at least one action that exists, by the catalogue."""
    if isinstance(action, Unknown):
        return None
    if not isinstance(action, str):
        return False
    return iam_actions.action_error(action) is None


def _unknown_action_reason(action: Any, _arg: Any, _scope: Any = None) -> str | None:
    return iam_actions.action_error(action) if isinstance(action, str) else None


def _sensitive(action: Any, scope: Any) -> list[str]:
    if not isinstance(action, str):
        return []
    names = iam_actions.sensitive_expansion(action)
    if names and _is_statement(scope) and scope.get("denied_by"):
        grant = iam_actions.grant_of(scope)
        names = [n for n in names if not grant.denied(n)]
    return names


def iam_sensitive_wildcard(action: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """Whether a wildcard action pattern grants permissions-management actions (by the catalogue),
    after the Deny statements that apply to its statement."""
    if isinstance(action, Unknown):
        return None
    return bool(_sensitive(action, scope))


def _sensitive_reason(action: Any, _arg: Any, scope: Any = None) -> str | None:
    names = _sensitive(action, scope)
    if not names:
        return None
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f"grants {len(names)} permissions-management action{'s' if len(names) != 1 else ''} ({shown})"


# --- resources -----------------------------------------------------------------------------------

def _statement_and_entry(value: Any, scope: Any) -> tuple[Any, Any]:
    """A predicate on a statement (``value``) or on one of its ``Action``/``NotAction`` entries
    (``value``, with the statement as ``scope``): ``(statement, entry or None)``."""
    if _is_statement(value):
        return value, None
    if _is_statement(scope):
        return scope, value
    return None, value


def full_admin(value: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """An Allow statement (or its ``Action`` entry) that grants every action on every resource
    (``Action: *`` with ``Resource: *``, ``arn:*:*:*:*:*`` or ``NotResource``), with no Deny taking
    any of it away."""
    statement, entry = _statement_and_entry(value, scope)
    if not _allow(statement):
        return False
    actions = statement.get("actions")
    if actions is None:
        return False
    candidates = [entry] if entry is not None else actions
    if not any(isinstance(a, str) and iam_actions.is_every_action(a) for a in candidates):
        return None if _unknown_in(candidates) else False
    if iam_actions.grant_of(statement).denied("*"):
        return False
    return resources.statement_reaches_every(statement)


def passes_any_role(value: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """An Allow statement (or its ``Action`` entry) granting ``iam:PassRole`` on every role
    (``*``, ``arn:aws:iam::*:role/*``, ``NotResource``)."""
    statement, entry = _statement_and_entry(value, scope)
    if isinstance(entry, Unknown):
        return None
    if isinstance(entry, str) and not iam_actions.action_covers(entry, "iam:passrole"):
        return False
    granted = allows_action(statement, "iam:passrole")
    if granted is not True:
        return granted
    return resources.statement_reaches_every(statement, "iam", "role")


def _reach_key(action: str) -> tuple[str, str | tuple[str, ...] | None]:
    """``(service, resource types)`` of an exact action, for :func:`resources.statement_reaches_every`:
    a typed pattern (``model/*``) reaches every resource of the action only for a type it acts on."""
    if action == "iam:passrole":
        return "iam", "role"
    return action.partition(":")[0], iam_actions.resource_type_prefixes(action)


def broad_actions(statement: Any, wanted: Any) -> list[str]:
    """The actions of ``wanted`` (exact names, or the name of a list of
    :data:`policylint.iam.escalation.CATEGORIES`) an Allow statement grants on every resource.
    An action that acts on no resource type (``ecr:GetAuthorizationToken``, ``sts:GetSessionToken``:
    IAM accepts only ``*`` for it) is not counted: granting it on every resource is no choice; nor
    is a statement whose conditions confine its resources (tags, owner account, KMS context).
    Worked out once per statement and ``wanted`` (a rule's test, its witnesses and its message
    all ask); the list returned must not be changed."""
    if not isinstance(statement, dict):
        return []
    return _BROAD.get(statement, _broad_actions, tuple(wanted) if isinstance(wanted, list) else wanted)


_BROAD: IdentityCache[list[str]] = IdentityCache(per_task=True)


def _broad_actions(statement: dict, wanted: Any) -> list[str]:
    if not _allow(statement) or condition_keys.scopes_resources(statement.get("conditions")):
        return []
    grant = iam_actions.grant_of(statement)
    services = grant.services
    reach: dict[tuple[str, Any], bool | None] = {}  # per service and resource types
    out = []
    for index, name, action in _wanted_actions(wanted, services):
        if not grant.allows(action):
            continue
        key = _reach_key(action)
        if key[1] == ():
            continue
        if key not in reach:
            reach[key] = resources.statement_reaches_every(statement, *key)
        if reach[key] is True:
            out.append((index, escalation.proper(name)))
    return [name for _, name in sorted(out)]


def _wanted_actions(wanted: Any, services: frozenset[str] | None) -> list[tuple[int, str, str]]:
    """``(position, name, lower-case name)`` of the actions ``wanted`` names (a category of
    :data:`escalation.CATEGORIES`, or exact names) of ``services`` (any when ``None``)."""
    if isinstance(wanted, str) and wanted in escalation.CATEGORIES:
        by_service = _category_by_service(wanted)
    else:
        by_service = _by_service(tuple(enumerate(wanted if isinstance(wanted, (list, tuple)) else [wanted])))
    if services is None:
        return [entry for entries in by_service.values() for entry in entries]
    return [entry for service in services & by_service.keys() for entry in by_service[service]]


@lru_cache(maxsize=None)
def _category_by_service(category: str) -> dict[str, list[tuple[int, str, str]]]:
    return _by_service(tuple(enumerate(escalation.CATEGORIES[category])))


def _by_service(names: tuple[tuple[int, Any], ...]) -> dict[str, list[tuple[int, str, str]]]:
    out: dict[str, list[tuple[int, str, str]]] = {}
    for index, name in names:
        if isinstance(name, str):
            action = name.lower()
            out.setdefault(action.partition(":")[0], []).append((index, name, action))
    return out


def grants_on_every_resource(statement: Any, wanted: Any, _scope: Any = None) -> bool | None:
    """Whether an Allow statement grants one of the ``wanted`` actions on every resource."""
    if not _allow(statement):
        return False
    if broad_actions(statement, wanted):
        return True
    return None if _unknown_in(statement.get("actions")) or _unknown_in(statement.get("resources")) else False


def _broad_reason(statement: Any, wanted: Any, _scope: Any = None) -> str | None:
    found = broad_actions(statement, wanted)
    if not found:
        return None
    return ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")


def privilege_escalation(policy: Any, _arg: Any = True, _scope: Any = None) -> bool | None:
    """Whether a policy's Allow statements together grant every action of a known
    privilege-escalation method, each on every resource (``iam:PassRole`` on every role).
    Statements with a ``Principal`` (resource and endpoint policies filter, they do not grant)
    and statements a condition ties to named policies or a permissions boundary do not count; nor,
    for a method passing a role to a service, an ``iam:PassRole`` whose ``iam:PassedToService``
    condition names only other services."""
    return bool(_methods(policy))


def _methods(policy: Any) -> list[tuple[str, tuple[str, ...]]]:
    if not isinstance(policy, dict):
        return []
    grants = []
    for s in policy.get("statements") or []:
        if not _allow(s) or s.get("principal") is not None:
            continue
        grant = iam_actions.grant_of(s)
        if grant.may_name(escalation.SERVICES) and not condition_keys.conditions_fix(s.get("conditions"), escalation.LIMITING_KEYS):
            grants.append((s, grant, grant.services))
    if not grants:
        return []
    holders: dict[str, list[Any]] = {}  # action -> the statements granting it on every resource
    granted: dict[tuple[str, tuple[str, ...]], bool] = {}

    def broad(action: str) -> list[Any]:
        found = holders.get(action)
        if found is None:
            service = action.partition(":")[0]
            allowing = [s for s, grant, services in grants
                        if (services is None or service in services) and grant.allows(action)]
            key = _reach_key(action) if allowing else None
            found = holders[action] = [s for s in allowing if resources.statement_reaches_every(s, *key) is True]
        return found

    def has(action: str, passed_to: tuple[str, ...]) -> bool:
        """``iam:PassRole`` counts only from statements that may pass the role to the method's service."""
        to = passed_to if action == "iam:passrole" else ()
        if (action, to) not in granted:
            granted[action, to] = any(
                not (to and condition_keys.conditions_exclude(s.get("conditions"), escalation.PASSED_TO_SERVICE_KEY, to))
                for s in broad(action))
        return granted[action, to]

    return [(name, needed) for name, needed in escalation.METHODS
            if all(has(a, escalation.passed_to(name)) for a in needed)]


def _escalation_reason(policy: Any, _arg: Any, _scope: Any = None) -> str | None:
    found = _methods(policy)
    if not found:
        return None
    shown = "; ".join(f"{name} ({' + '.join(escalation.proper(a) for a in needed)})" for name, needed in found[:3])
    return shown + (f"; and {len(found) - 3} more methods" if len(found) > 3 else "")


def broad_managed_grant(policy: Any, _arg: Any = True, _scope: Any = None) -> bool | None:
    """Whether a policy grants every action, or every action of a whole service, on every
    resource (``AdministratorAccess``, ``PowerUserAccess``, ``IAMFullAccess``, ``AmazonS3FullAccess``)."""
    return _broad_grant(policy) is not None


def _broad_grant(policy: Any) -> str | None:
    if not isinstance(policy, dict):
        return None
    whole: set[str] = set()
    for statement in policy.get("statements") or []:
        if not _allow(statement):
            continue
        if full_admin(statement) is True:
            return "every action on every resource"
        grant = iam_actions.grant_of(statement)
        if statement.get("actions") is not None:
            for pattern in statement["actions"]:
                if isinstance(pattern, str):
                    for service in grant.whole_services_of(pattern) or ():
                        if resources.statement_reaches_every(statement, None if service == "*" else service):
                            whole.add(service)
        elif statement.get("not_actions") is not None and resources.statement_reaches_every(statement) is True:
            whole.update(grant.whole_services_not_excluded())
    if not whole:
        return None
    names = sorted(whole)
    if len(names) > 5:
        return f"every action of {len(names)} services ({', '.join(names[:5])}, …) on every resource"
    return f"every action of {', '.join(names)} on every resource"


def _broad_managed_reason(policy: Any, _arg: Any, _scope: Any = None) -> str | None:
    reason = _broad_grant(policy)
    if reason is None:
        return None
    return f"grants {reason}"


# --- principals and conditions -------------------------------------------------------------------

def _is_public_id(kind: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if value == "*":
        return True
    if kind == "AWS" and value.startswith("arn:"):
        parts = value.split(":")
        return len(parts) > 4 and parts[4] == "*"
    return False


def principal_is_wildcard(principal: Any, _arg: Any = True, _scope: Any = None) -> bool | None:
    """Whether a normalised principal names everyone (``"*"``, ``{"AWS": "*"}``, ``"*"`` in a list,
    an ARN whose account is ``*``)."""
    if principal is None:
        return False
    if isinstance(principal, Unknown):
        return None
    if not isinstance(principal, dict):
        return False
    unknown = False
    for kind, ids in principal.items():
        for value in ids if isinstance(ids, list) else [ids]:
            if isinstance(value, Unknown):
                unknown = True
            elif _is_public_id(str(kind), value):
                return True
    return None if unknown else False


def is_public_principal(statement: Any, arg: Any = True, _scope: Any = None) -> bool | None:
    """Whether a statement applies to everyone: a wildcard principal with no condition that fixes
    one of the keys AWS lists as restricting (:mod:`policylint.iam.condition_keys`). ``arg`` may be
    a list of condition keys that count as restricting instead."""
    if not isinstance(statement, dict):
        return False
    wildcard = principal_is_wildcard(statement.get("principal"))
    if wildcard is not True:
        return wildcard
    keys = [str(k) for k in arg] if isinstance(arg, list) else condition_keys.PUBLIC_RESTRICTING_KEYS
    return not condition_keys.conditions_fix(statement.get("conditions"), keys)


def _account_of(value: Any) -> str | None:
    """The literal 12-digit account an AWS principal names (``None`` for wildcards, unresolved
    values and service principals)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit() and len(text) == 12:
        return text
    parts = text.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts") and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None


def cross_account_trust(statement: Any, _arg: Any = True, _scope: Any = None) -> bool | None:
    """An Allow statement of a trust policy that lets a principal of a (literal) AWS account assume
    the role with no condition fixing ``sts:ExternalId``, ``aws:PrincipalOrgID``,
    ``aws:SourceAccount`` or ``aws:SourceArn``."""
    if not _allow(statement):
        return False
    principal = statement.get("principal")
    if not isinstance(principal, dict):
        return None if isinstance(principal, Unknown) else False
    ids = principal.get("AWS")
    if not any(_account_of(v) for v in (ids if isinstance(ids, list) else [ids])):
        return False
    if allows_action(statement, "sts:assumerole") is not True:
        return False
    return not condition_keys.conditions_fix(statement.get("conditions"), condition_keys.CROSS_ACCOUNT_KEYS)


def _cross_account_reason(statement: Any, _arg: Any, _scope: Any = None) -> str | None:
    if not isinstance(statement, dict) or not isinstance(statement.get("principal"), dict):
        return None
    ids = statement["principal"].get("AWS")
    accounts = sorted({a for a in (_account_of(v) for v in (ids if isinstance(ids, list) else [ids])) if a})
    return ", ".join(accounts) if accounts else None


def condition_key_wrong(condition: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """A condition (``{operator, key, values}``) whose key does not exist, or that none of its
    statement's actions supports."""
    return _key_problem(condition, scope) is not None


def _key_problem(condition: Any, scope: Any) -> str | None:
    if not isinstance(condition, dict) or not isinstance(condition.get("key"), str):
        return None
    actions = scope.get("actions") if _is_statement(scope) else None
    return condition_keys.key_problem(condition["key"], actions)


def _key_reason(condition: Any, _arg: Any, scope: Any = None) -> str | None:
    problem = _key_problem(condition, scope)
    return f"'{condition['key']}' {problem}" if problem else None


def duplicate_sid(sid: Any, _arg: Any = True, scope: Any = None) -> bool | None:
    """A statement ``Sid`` that another statement of the same policy (``scope``) also uses."""
    if not isinstance(sid, str) or not sid or not isinstance(scope, dict):
        return False
    return _SIDS.get(scope, _sid_counts)[sid] > 1


_SIDS: IdentityCache[Counter] = IdentityCache(256, per_task=True)


def _sid_counts(policy: dict) -> Counter:
    return Counter(s.get("sid") for s in policy.get("statements") or [] if isinstance(s, dict))


def default_key_statement(statement: Any, _arg: Any = True, _scope: Any = None) -> bool:
    """Whether a normalised statement is the AWS default key-policy statement (marked by the
    normaliser of key policies, :func:`policylint.iam.key_policy.is_default_statement`)."""
    return isinstance(statement, dict) and statement.get("default_key_statement") is True


def _may_be_wildcard(values: list[Any], _scope: Any) -> bool:
    """Some value is not a string without a wildcard: the only values a wildcard-only predicate
    can answer other than ``False`` for."""
    return any(not isinstance(v, str) or "*" in v or "?" in v for v in values)


def _may_pass_role(values: list[Any], scope: Any) -> bool:
    """Entries of a statement that does not grant ``iam:PassRole`` all answer ``False`` (unless one
    is unresolved, or is a statement itself)."""
    return any(isinstance(v, Unknown) or _is_statement(v) for v in values) or \
        allows_action(scope, "iam:passrole") is not False


# Name → screen(values, scope): ``False`` only when the predicate answers ``False`` for every one of
# the values a rule path found from ``scope`` — asked once per scope instead of once per value.
IAM_SCREENS = {
    "service_wildcard": _may_be_wildcard,
    "iam_sensitive_wildcard": _may_be_wildcard,
    "full_admin": _may_be_wildcard,
    "passes_any_role": _may_pass_role,
}

# Name → (function, explain); these take the scope the rule path started from as a third argument.
IAM_PREDICATES = {
    "service_wildcard": (is_service_wildcard, None),
    "allows_action": (allows_action, None),
    "actions_cover": (actions_cover, None),
    "public_principal": (is_public_principal, None),
    "wildcard_principal": (principal_is_wildcard, None),
    "iam_action_known": (iam_action_known, _unknown_action_reason),
    "iam_sensitive_wildcard": (iam_sensitive_wildcard, _sensitive_reason),
    "full_admin": (full_admin, None),
    "passes_any_role": (passes_any_role, None),
    "grants_on_every_resource": (grants_on_every_resource, _broad_reason),
    "privilege_escalation": (privilege_escalation, _escalation_reason),
    "broad_managed_grant": (broad_managed_grant, _broad_managed_reason),
    "cross_account_trust": (cross_account_trust, _cross_account_reason),
    "condition_key_wrong": (condition_key_wrong, _key_reason),
    "duplicate_sid": (duplicate_sid, None),
    "default_key_statement": (default_key_statement, None),
}
