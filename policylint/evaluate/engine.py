"""Apply compiled rules to resources and turn witnesses into located findings."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable

from ..findings import Finding, Related
from ..identity_cache import IdentityCache
from ..load.located import LocDict, LocList, Span, Unknown, plain
from ..model import Resource
from .conditions import Witness
from .paths import resolve_trail, walk
from .rules import Rule

_PLACEHOLDER = re.compile(r"\{(value|reason|resource|path)(?:\|([^{}]*))?\}")


def evaluate(rules: list[Rule], resources: Iterable[Resource]) -> list[Finding]:
    """Every finding of ``rules`` on ``resources``, duplicates (same rule, place and message)
    dropped, in a stable order."""
    selection = _SELECTIONS.get(rules, _Selection, len(rules))
    by_selector, superseding = selection.by_selector, selection.superseding
    findings: dict[tuple, Finding] = {}
    for resource in resources:
        key = (resource.kind, resource.type)
        selected = by_selector.get(key)
        if selected is None:
            selected = by_selector[key] = [r for r in rules if r.engine is None and r.selects(*key)]
        found: list[Finding] = []
        scopes: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], Any]]] = {}
        for rule in selected:
            if rule.files and not rule.targets_file(resource.file):
                continue
            found.extend(evaluate_rule(rule, resource, scopes))
        for finding in supersede(found, superseding) if superseding and len(found) > 1 else found:
            findings.setdefault(finding.identity() + (finding.resource,), finding)  # callers merged by the scan
    return sorted(findings.values(), key=Finding.sort_key)


class _Selection:
    """What a run's rule list gives every resource: the rules each (kind, type) selects, filled in
    as types are met, and which rule supersedes which."""

    __slots__ = ("by_selector", "superseding")

    def __init__(self, rules: list[Rule], _count: int):
        self.by_selector: dict[tuple[str | None, str], list[Rule]] = {}
        self.superseding = {r.id: r.supersedes for r in rules if r.supersedes}


_SELECTIONS: IdentityCache[_Selection] = IdentityCache(16)  # by the run's rule list (and its length)


def supersede(found: list[Finding], superseding: dict[str, tuple[str, ...]]) -> list[Finding]:
    """``found`` (one resource's findings) with each finding whose rule another finding's rule
    ``supersedes`` on the same element folded into that one, which names the ids it replaces."""
    by_element: dict[str, list[Finding]] = {}
    for finding in found:
        by_element.setdefault(finding.element, []).append(finding)
    gone: set[int] = set()
    for group in by_element.values():
        if len(group) < 2:
            continue
        for finding in group:
            if id(finding) in gone:
                continue
            for other in group:
                if other is not finding and id(other) not in gone and other.rule_id in superseding.get(finding.rule_id, ()):
                    gone.add(id(other))
                    finding.superseded.append(other)
    out = []
    for finding in found:
        if id(finding) in gone:
            continue
        if finding.superseded:
            ids = sorted({f.rule_id for f in finding.replaced()})
            finding.message += f" (supersedes {', '.join(ids)} on the same element)"
        out.append(finding)
    return out


def evaluate_rule(rule: Rule, resource: Resource,
                  scopes: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], Any]]] | None = None) -> list[Finding]:
    """The findings of one rule on one resource. ``scopes`` keeps the ``for_each`` matches of the
    resource's rules by path, for the next rule that walks the same path."""
    rule.ready()
    props = resource.props
    if rule.for_each is None:
        each = [((), props)]
    elif scopes is not None and rule.for_each in scopes:
        each = scopes[rule.for_each]
    else:
        each = [(m.trail, m.value) for m in walk(props, rule.for_each)[0]]
        if scopes is not None:
            scopes[rule.for_each] = each
    condition = rule.condition
    assert condition is not None
    quiet = False if rule.mode == "forbid" else True  # the answer that makes no finding
    out: list[Finding] = []
    for trail, scope in each:
        if rule.where is not None and rule.where.test(scope) is not True:
            continue
        answer = condition.test(scope)
        if answer is quiet or (answer is None and rule.unknown != "report"):
            continue
        value, witnesses = condition.evaluate(scope, trail)
        if value is None:
            if rule.unknown == "report":
                out.append(_finding(rule, resource, trail, scope, witnesses[:1], unresolved=True))
            continue
        violated = value if rule.mode == "forbid" else not value
        if not violated:
            continue
        if rule.mode == "require":
            witnesses = witnesses[:1]
        out.extend(_finding(rule, resource, trail, scope, [w], unresolved=False) for w in _distinct(witnesses))
        if not witnesses:
            out.append(_finding(rule, resource, trail, scope, [], unresolved=False))
    return out


def _distinct(witnesses: list[Witness]) -> list[Witness]:
    seen: set[tuple] = set()
    out = []
    for witness in witnesses:
        key = tuple(str(t) for t in witness.trail)
        if key not in seen:
            seen.add(key)
            out.append(witness)
    return out


def locate(resource: Resource, trail: tuple[Any, ...], at_key: bool = False) -> Span:
    """The span of the value (or its key) at ``trail`` in the resource's facet (the resource span
    for the root)."""
    if not trail:
        return resource.span or getattr(resource.props, "span", None)
    try:
        container, key = resolve_trail(resource.props, trail)
    except (KeyError, IndexError, TypeError):
        return resource.span
    if isinstance(container, LocDict):
        return container.key_span_of(key) if at_key else container.span_of(key)
    if isinstance(container, LocList):
        return container.span_of(key)
    return resource.span


def _finding(rule: Rule, resource: Resource, scope_trail: tuple[Any, ...], scope: Any,
             witnesses: list[Witness], unresolved: bool) -> Finding:
    witness = witnesses[0] if witnesses else Witness(scope_trail, scope, None)
    trail, at_key = witness.trail, witness.at_key
    if rule.location is not None:
        matches = walk(scope, rule.location)[0]
        if matches:
            trail, at_key = scope_trail + matches[0].trail, False
    span = locate(resource, trail, at_key)
    value = witness.value
    element = _trail_text(trail)
    severity, template = rule.severity, rule.message
    for tier in rule.severity_by:
        if tier.where.test(scope) is True:
            severity, template = tier.severity, tier.message or rule.message
            break

    def placeholder(match: re.Match[str]) -> str:  # a witness's reason is worked out only when shown
        name = match.group(1)
        if name == "value":
            text = _show(value)
        elif name == "reason":
            text = witness.reason or ""
        elif name == "resource":
            text = resource.name
        else:
            text = element if witness.trail == trail else _trail_text(witness.trail)
        return text or (match.group(2) or "")
    message = _PLACEHOLDER.sub(placeholder, template) if "{" in template else template
    if span.note:
        message += f" ({span.note})"
    if resource.origin:
        message += f" ({resource.origin})"
    if unresolved:
        message += f" — could not be resolved statically: {_show(value)}"
    file = span.file or resource.file
    related = causes(span, file, resource)
    shared = any(getattr(origin, "shared", False) for origin in span.via)
    span = span.region()
    return Finding(
        rule_id=rule.id, severity=severity, message=message, file=file, span=span,
        resource=resource.name, element=element, meaning=meaning(resource.props, trail),
        related=related, shared=shared,
    )


def causes(span: Span, file: str, resource: Resource) -> tuple[Related, ...]:
    """Where the value at ``span`` (in ``file``) came from: each :class:`Origin` it came through,
    nearest first, and then the resource that uses it when that is written in another file."""
    if not span.via and (not resource.file or resource.file == file):
        return ()  # no origins, and the resource is written where the value is
    out: list[Related] = []
    seen = {(file, span[:4])}
    pending = list(span.via)
    while pending and len(out) < MAX_CAUSES:
        origin = pending.pop(0)
        place = origin.span
        if place is None:
            continue
        where = place.file or file
        if (where, place[:4]) not in seen:
            seen.add((where, place[:4]))
            out.append(Related(where, place.region(), origin.text))
        pending.extend(place.via)
    if resource.file and resource.file != file and (resource.file, resource.span[:4]) not in seen:
        out.append(Related(resource.file, resource.span.region(),
                           f"used by {resource.name}"))
    return tuple(out)


MAX_CAUSES = 10


POSITIONAL_FIELDS = frozenset({"index"})  # a statement's position in its policy: not its meaning


def meaning(props: Any, trail: tuple[Any, ...]) -> str:
    """The element at ``trail`` named by content rather than position: each list position is
    replaced by what the item is (a statement by its ``sid``, else a hash of the normalised item; a
    scalar by its value), and a scalar reached at the end by its value. ``statements[2].actions[0]``
    becomes ``statements[sid:Admin].actions[=s3:*]``; ``cidr`` becomes ``cidr=0.0.0.0/0``."""
    parts: list[str] = []
    node: Any = props
    for step in trail:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
            node = None
            continue
        parts.append(f"[{_item_key(node)}]" if isinstance(step, int) else f".{step}")
    if trail and not isinstance(trail[-1], int) and node is not None and not isinstance(node, (dict, list)):
        parts.append(f"={_show(node)}")
    return "".join(parts).lstrip(".")


def _item_key(item: Any) -> str:
    if isinstance(item, (dict, list)):  # several findings may name the same item
        return _ITEM_KEYS.get(item, _content_key)
    return f"={_show(item)}"


_ITEM_KEYS: IdentityCache[str] = IdentityCache(4096, per_task=True)


def _content_key(item: Any) -> str:
    if isinstance(item, dict):
        sid = item.get("sid")
        if isinstance(sid, str) and sid:
            return f"sid:{sid}"
        item = {k: v for k, v in item.items() if k not in POSITIONAL_FIELDS}
    if isinstance(item, (dict, list)):
        text = json.dumps(plain(item), sort_keys=True, ensure_ascii=False, default=str)
        return "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"={_show(item)}"


def _show(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.text
    if isinstance(value, bool):  # as templates and policies write it
        return "true" if value else "false"
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return str(value)


def _trail_text(trail: tuple[Any, ...]) -> str:
    return "".join([f"[{t}]" if isinstance(t, int) else f".{t}" for t in trail]).lstrip(".")
