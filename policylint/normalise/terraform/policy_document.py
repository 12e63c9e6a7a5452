"""``data "aws_iam_policy_document"`` into the JSON shape of a policy, located in the ``.tf`` file.

Statements come from ``source_policy_documents`` first, then the data source's own ``statement``
blocks (replacing a source statement with the same ``sid``), then ``override_policy_documents``
(replacing by ``sid`` or appended) — the provider's merge order.
"""
from __future__ import annotations

from typing import Any

from ...load.located import LocDict, LocList, Span, Unknown, span_of
from ..iam import decode_policy_string
from ..fields import blocks
from .values import decoded

_LISTS = (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
          ("not_resources", "NotResource"))


def policy_from_data_source(props: LocDict, span: Span) -> LocDict:
    """The policy document (``Version``, ``Id``, ``Statement``) a data source renders."""
    doc = LocDict(span)
    if "version" in props and props["version"] is not None:
        doc.put("Version", props["version"], props.span_of("version"), props.key_span_of("version"))
    else:
        doc.put("Version", "2012-10-17", span)
    if props.get("policy_id") is not None:
        doc.put("Id", props["policy_id"], props.span_of("policy_id"), props.key_span_of("policy_id"))
    statements = LocList(props.span_of("statement") if "statement" in props else span)
    for source in _documents(props, "source_policy_documents"):
        _merge(statements, source)
    own = LocList(statements.span)
    for block, block_span in blocks(props, "statement"):
        own.add(statement(block, block_span), block_span)
    # Each own statement replaces a source statement with its sid; two own statements with one sid
    # are both kept (the provider refuses them; PL1019 reports them, and neither is hidden).
    _merge(statements, (own, statements.span), len(statements))
    for override in _documents(props, "override_policy_documents"):
        _merge(statements, override)
    doc.put("Statement", statements, statements.span, props.key_span_of("statement") if "statement" in props else span)
    return doc


def statement(block: LocDict, span: Span) -> LocDict:
    """One ``statement`` block as a policy statement."""
    out = LocDict(span)
    if block.get("sid") not in (None, ""):
        out.put("Sid", block["sid"], block.span_of("sid"), block.key_span_of("sid"))
    if block.get("effect") is not None:
        out.put("Effect", block["effect"], block.span_of("effect"), block.key_span_of("effect"))
    else:
        out.put("Effect", "Allow", span)
    for name, key in _LISTS:
        if block.get(name) is not None:
            out.put(key, block[name], block.span_of(name), block.key_span_of(name))
    for name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        found = blocks(block, name)
        if found:
            out.put(key, _principals(found, block.span_of(name)), block.span_of(name), block.key_span_of(name))
    conditions = blocks(block, "condition")
    if conditions:
        out.put("Condition", _conditions(conditions, block.span_of("condition")), block.span_of("condition"),
                block.key_span_of("condition"))
    return out


def _principals(found: list[tuple[LocDict, Span]], span: Span) -> Any:
    out = LocDict(span)
    for block, block_span in found:
        kind = block.get("type")
        ids = block.get("identifiers")
        if isinstance(kind, Unknown) or not isinstance(kind, str):
            return kind if isinstance(kind, Unknown) else Unknown("principals")
        merged = out.get(kind)
        if merged is None:
            merged = LocList(block.span_of("identifiers"))
            out.put(kind, merged, block.span_of("identifiers"), block.key_span_of("type"))
        if isinstance(ids, list):
            for i, item in enumerate(ids):
                merged.add(item, span_of(ids, i, block_span))
        else:
            merged.add(ids, block.span_of("identifiers"))
    if list(out) == ["*"]:  # type = "*", identifiers = ["*"] renders "Principal": "*"
        return out["*"][0] if len(out["*"]) == 1 and out["*"][0] == "*" else out
    return out


def _conditions(found: list[tuple[LocDict, Span]], span: Span) -> LocDict:
    out = LocDict(span)
    for block, block_span in found:
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            continue
        operator = out.get(test)
        if operator is None:
            operator = LocDict(block_span)
            out.put(test, operator, block_span, block.span_of("test"))
        operator.put(variable, block.get("values"), block.span_of("values"), block.span_of("variable"))
    return out


def _documents(props: LocDict, name: str) -> list[tuple[LocList, Span]]:
    value = props.get(name)
    out = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        doc = decoded(item)
        if isinstance(doc, str):
            doc = decode_policy_string(doc, value.span_of(i))
        if isinstance(doc, dict):
            found = doc.get("Statement")
            if isinstance(found, dict):
                single = LocList(doc.span_of("Statement"))
                single.add(found, doc.span_of("Statement"))
                found = single
            if isinstance(found, LocList):
                out.append((found, found.span))
    return out


def _merge(statements: LocList, incoming: tuple[LocList, Span], replaceable: int | None = None) -> None:
    """Add ``incoming`` statements, each replacing an existing one with the same ``Sid`` (only
    among the first ``replaceable`` statements when given)."""
    new, _ = incoming
    for i, item in enumerate(new):
        sid = item.get("Sid") if isinstance(item, dict) else None
        replaced = False
        if isinstance(sid, str) and sid:
            candidates = list(statements)[:replaceable] if replaceable is not None else list(statements)
            for j, existing in enumerate(candidates):
                if isinstance(existing, dict) and existing.get("Sid") == sid:
                    statements[j] = item
                    statements.spans[j] = new.span_of(i)
                    replaced = True
                    break
        if not replaced:
            statements.add(item, new.span_of(i))
