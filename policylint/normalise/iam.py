"""IAM policy documents into one normalised shape, whatever wrote them.

Shape (all lists located; absent elements are ``None``)::

    {attachment, version, id, statement_count,
     statements: [{index, sid, effect,
                   actions, not_actions,          # lower-cased
                   resources, not_resources,
                   principal, not_principal,      # {type: [ids]}; "*" → {"*": ["*"]}
                   conditions: [{operator, key, values}],  # key lower-cased
                   denied_by: [Deny statements that subtract from this Allow],  # when any
                   default_key_statement: true,           # the AWS default key-policy statement
                   confined_by: [Deny statements that confine a wildcard principal],  # when any
                   filter_only: true}]}                   # a VPC endpoint policy's: it grants nothing
"""
from __future__ import annotations

from typing import Any

from ..load.errors import LoadError
from ..load.json_loader import load_json
from ..load.located import BlockText, LocDict, LocList, Ref, Span, Unknown, at, key_at, place, relocate, shift_block
from ..iam.actions import subtracting_denies
from ..iam.condition_keys import confining_denies
from ..iam.key_policy import is_default_statement
from .fields import copy


def decode_policy_string(text: str, span: Span) -> Any:
    """A policy written as a JSON string: its data (``None`` if not JSON), located where each
    element is written when the string is a YAML literal block, else at the string."""
    try:
        data = load_json(text)
    except LoadError:
        return None
    if isinstance(text, BlockText):
        return shift_block(data, text)
    return relocate(data, span)


def normalise_policy(doc: Any, span: Span, attachment: str) -> LocDict:
    """The normalised facet of one policy document located at ``span``. Its spans are references
    to where each element is written (:class:`Ref`), found only when a finding asks for one."""
    if getattr(doc, "data", None) is not None:  # a document decoded where it was resolved (Fn::Sub)
        doc = doc.data
    elif isinstance(doc, str):
        doc = decode_policy_string(doc, span) or doc
    where = place(doc, span)
    out = LocDict(where)
    out.put("attachment", attachment, where)
    if isinstance(doc, Unknown) or not isinstance(doc, dict):
        out.put("unresolved", True, where)
        out.put("version", None, where)
        out.put("statements", LocList(where), where)
        return out
    copy(doc, "Version", out, "version")
    copy(doc, "Id", out, "id")
    at_statements = at(doc, "Statement", where) if "Statement" in doc else where
    statements = LocList(at_statements)
    raw = doc.get("Statement")
    if isinstance(raw, dict):
        raw_list, spans = [raw], [at_statements]
    elif isinstance(raw, list):
        raw_list, spans = raw, [at(raw, i, where) for i in range(len(raw))]
    else:
        raw_list, spans = [], []
    for index, (statement, stmt_span) in enumerate(zip(raw_list, spans)):
        statements.add(_statement(statement, stmt_span, index), stmt_span)
    _annotate(statements, attachment)
    out.put("statements", statements, at_statements)
    return out


def _annotate(statements: LocList, attachment: str) -> None:
    """What a statement means in its policy: the Deny statements that subtract from an Allow
    (``denied_by``), the Deny statements that confine it to fixed principals, networks or sources
    (``confined_by``: ``Deny`` unless ``aws:SourceVpce`` is the endpoint's), the AWS default statement of a key policy (``default_key_statement``), and
    an Allow of an endpoint policy, which only lets requests through the endpoint that the
    caller's own policies and the resource's already allow (``filter_only``)."""
    # Only Deny statements can subtract or confine: found once, so that a policy of many Allow
    # statements costs linear time.
    every_deny = [s for s in statements if isinstance(s, LocDict) and s.get("effect") == "Deny"]
    for statement in statements:
        if not isinstance(statement, LocDict) or statement.get("effect") != "Allow":
            continue
        if attachment == "endpoint":
            statement.put("filter_only", True, place(statement, None))
        denies = subtracting_denies(statement, every_deny) if every_deny else []
        if denies:
            found = LocList(place(statement, None))
            for deny in denies:
                found.add(deny, place(deny, None))
            statement.put("denied_by", found, place(statement, None))
        if attachment == "key" and is_default_statement(statement):
            statement.put("default_key_statement", True, place(statement, None))
        confining = confining_denies(statement, every_deny) if every_deny and statement.get("principal") is not None else []
        if confining:
            found = LocList(place(statement, None))
            for deny in confining:
                found.add(deny, place(deny, None))
            statement.put("confined_by", found, place(statement, None))


def _statement(raw: Any, span: Span | Ref, index: int) -> LocDict:
    out = LocDict(span)
    out.put("index", index, span)
    if not isinstance(raw, dict):
        out.put("effect", Unknown(str(raw)) if isinstance(raw, Unknown) else None, span)
        return out
    copy(raw, "Sid", out, "sid")
    copy(raw, "Effect", out, "effect")
    for key, name in (("Action", "actions"), ("NotAction", "not_actions")):
        if key in raw:
            out.put_from(name, _string_list(raw, key, lower=True), raw, key)
    for key, name in (("Resource", "resources"), ("NotResource", "not_resources")):
        if key in raw:
            out.put_from(name, _string_list(raw, key, lower=False), raw, key)
    for key, name in (("Principal", "principal"), ("NotPrincipal", "not_principal")):
        if key in raw:
            out.put_from(name, _principal(raw[key], at(raw, key, span)), raw, key)
    at_conditions = at(raw, "Condition", span) if "Condition" in raw else span
    conditions = LocList(at_conditions)
    block = raw.get("Condition")
    if isinstance(block, dict):
        for operator, keys in block.items():
            if not isinstance(keys, dict):
                continue
            for key, values in keys.items():
                at_key = at(keys, key, span)
                entry = LocDict(at_key)
                entry.put("operator", operator, key_at(block, operator))
                entry.put("key", key.lower() if isinstance(key, str) else key, key_at(keys, key))
                entry.put("values", _as_list(values, at_key), at_key)
                conditions.add(entry, at_key)
    out.put("conditions", conditions, at_conditions)
    return out


def _principal(raw: Any, span: Span | Ref) -> Any:
    """``"*"`` → ``{"*": ["*"]}``; ``{"AWS": "x"}`` → ``{"AWS": ["x"]}``; unresolved stays Unknown."""
    out = LocDict(place(raw, span))
    if isinstance(raw, dict):
        for kind, ids in raw.items():
            out.put_from(kind, _as_list(ids, at(raw, kind, span)), raw, kind)
        return out
    if isinstance(raw, Unknown):
        return raw
    ids = LocList(span)
    ids.add(raw, span)
    out.put("*" if raw == "*" else "AWS", ids, span)
    return out


def _as_list(raw: Any, span: Span | Ref) -> LocList:
    if isinstance(raw, list):
        out = LocList(place(raw, span))
        for i, item in enumerate(raw):
            out.add(item, at(raw, i, span))
        return out
    out = LocList(span)
    out.add(raw, span)
    return out


def _string_list(raw: LocDict, key: str, lower: bool) -> LocList:
    items = _as_list(raw[key], at(raw, key, None))
    if lower:
        for i, item in enumerate(items):
            if isinstance(item, str):
                items[i] = item.lower()
    return items
