"""IAM resource semantics: when a ``Resource`` / ``NotResource`` pattern reaches every resource.

An ARN pattern is ``arn:partition:service:region:account:resource``; IAM matches it with ``*`` and
``?`` wildcards, and a ``*`` may span colons. A pattern reaches *every resource* (of a service,
of one resource type) when it is all ``*``, or when its service is that service or a wildcard
and its resource part is only wildcards and ``/`` (after the resource type, ``role/*``,
``secret:*``, ``parameter/*``; S3 ARNs have none: ``arn:aws:s3:::*`` and ``arn:aws:s3:::*/*`` are
every bucket and object, ``arn:aws:s3:::logs/*`` is not); the partition, region and account may be anything (a fixed
account is still every resource of that account, which is the grant's own account in practice).
"""
from __future__ import annotations

import re
from typing import Any

from ..load.located import Unknown

_WILD = re.compile(r"^[*/?]*\*[*/?]*$")


def _all_wild(text: str) -> bool:
    return bool(_WILD.match(text))


def reaches_every(pattern: Any, service: str | None = None,
                  resource_type: str | tuple[str, ...] | None = None) -> bool | None:
    """Whether one ``Resource`` pattern matches every resource of ``service`` (any service when
    ``None``), of type ``resource_type`` when given (``role``, or one of several types: those an
    action acts on); ``None`` for an unresolved value."""
    if isinstance(pattern, Unknown):
        return None
    if not isinstance(pattern, str):
        return False
    text = pattern.strip()
    if text and set(text) == {"*"}:
        return True
    parts = text.split(":", 5)
    if len(parts) < 2 or parts[0].lower() != "arn":
        return False
    if len(parts) < 6:
        # arn:*  or  arn:aws:*  — a final '*' spans the remaining fields
        return _all_wild(parts[-1]) and all(_all_wild(p) for p in parts[2:-1])
    _, _partition, svc, region, account, rest = parts
    if not (_all_wild(svc) or (service is not None and svc.lower() == service)):
        return False
    if service is None and not _all_wild(svc):
        return False
    if region and not _all_wild(region) and service is None:
        return False
    if account and not _all_wild(account) and service is None:
        return False
    if _all_wild(rest):
        return True
    if resource_type is None and service is None:
        return False
    if svc.lower() == "s3":
        return False  # S3 ARNs name a bucket (and key) with no resource-type prefix
    head, sep, tail = _split_type(rest)
    if not sep:
        return False
    if resource_type is not None and head.lower() not in (
            (resource_type,) if isinstance(resource_type, str) else resource_type):
        return False
    return _all_wild(tail)


def _split_type(rest: str) -> tuple[str, str, str]:
    for i, c in enumerate(rest):
        if c in ":/":
            return rest[:i], c, rest[i + 1:]
    return rest, "", ""


def statement_reaches_every(statement: Any, service: str | None = None,
                            resource_type: str | tuple[str, ...] | None = None) -> bool | None:
    """Whether a statement applies to every resource (of ``service`` / ``resource_type``): a
    ``Resource`` entry that reaches every one, or a ``NotResource`` none of whose entries does
    (everything but a few resources)."""
    if not isinstance(statement, dict):
        return False
    resources, not_resources = statement.get("resources"), statement.get("not_resources")
    if resources is not None:
        results = [reaches_every(r, service, resource_type) for r in _items(resources)]
        return True if True in results else None if None in results else False
    if not_resources is not None:
        results = [reaches_every(r, service, resource_type) for r in _items(not_resources)]
        return False if True in results else None if None in results else True
    return False


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
