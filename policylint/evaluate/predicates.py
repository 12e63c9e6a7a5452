"""Domain predicates, written once in Python and used by name from rule files.

Each predicate takes the value a rule path selected and the rule's argument, and answers ``True``,
``False`` or ``None`` (unknown: the value could not be resolved statically).
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from ..load.located import Unknown
from .iam_predicates import IAM_PREDICATES, IAM_SCREENS

# --- CIDRs ---------------------------------------------------------------------------------------

_IPV4_CIDR = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?$")


def cidr_error(value: Any, bare_ip_allowed: bool = False) -> str | None:
    """Why ``value`` is not a strictly valid CIDR (``None`` when it is): octets 0–255 without
    leading zeros, prefix ≤ 32 / 128, no host bits set."""
    if not isinstance(value, str):
        return "not a string"
    m = _IPV4_CIDR.match(value)
    if m:
        octets = m.groups()[:4]
        for octet in octets:
            if int(octet) > 255:
                return f"octet {octet} is greater than 255"
            if len(octet) > 1 and octet.startswith("0"):
                return f"octet {octet} has a leading zero"
        if m.group(5) is None:
            return None if bare_ip_allowed else "no prefix length (/n)"
        prefix = int(m.group(5))
        if prefix > 32 or (len(m.group(5)) > 1 and m.group(5).startswith("0")):
            return f"prefix /{m.group(5)} is not between /0 and /32"
        address = int.from_bytes(bytes(int(o) for o in octets), "big")
        host_mask = (1 << (32 - prefix)) - 1
        if address & host_mask:
            network = ipaddress.IPv4Network((address & ~host_mask & 0xFFFFFFFF, prefix))
            return f"host bits are set (the network is {network})"
        return None
    if ":" in value and value == value.strip():
        address, sep, prefix_text = value.partition("/")
        if not sep:
            if not bare_ip_allowed:
                return "no prefix length (/n)"
            prefix_text = "128"
        if not prefix_text.isdigit() or int(prefix_text) > 128 or (len(prefix_text) > 1 and prefix_text[0] == "0"):
            return f"prefix /{prefix_text} is not between /0 and /128"
        try:
            ip = ipaddress.IPv6Address(address)
        except ValueError:
            return "not a valid IPv6 address"
        try:
            ipaddress.IPv6Network((ip, int(prefix_text)), strict=True)
        except ValueError:
            network = ipaddress.IPv6Network((ip, int(prefix_text)), strict=False)
            return f"host bits are set (the network is {network})"
        return None
    return "not an IPv4 or IPv6 CIDR"


def cidr_valid(value: Any, arg: Any = True) -> bool | None:
    """Whether ``value`` is a strictly valid CIDR; ``arg: bare_ip_allowed`` also accepts an address."""
    if isinstance(value, Unknown):
        return None
    return cidr_error(value, bare_ip_allowed=(arg == "bare_ip_allowed")) is None


def cidr_is_world(value: Any, _arg: Any = True) -> bool | None:
    """Whether ``value`` is a CIDR open to every address (``0.0.0.0/0``, ``::/0``), or a list of
    CIDRs that together cover all of IPv4 or all of IPv6 (``0.0.0.0/1`` and ``128.0.0.0/1``)."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, list):
        from ..normalise.network import covers_address_space

        if covers_address_space(value):
            return True
        return None if any(isinstance(v, Unknown) for v in value) else False
    if not isinstance(value, str) or "/" not in value:
        return False
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


# --- S3 bucket names -----------------------------------------------------------------------------

_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")
_IP_FORM = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_error(name: Any) -> str | None:
    """Which AWS naming rule a general-purpose bucket name breaks (``None`` when valid)."""
    if not isinstance(name, str):
        return "not a string"
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters long (3 to 63 allowed)"
    if name != name.lower():
        return "contains uppercase letters"
    if not _BUCKET_CHARS.match(name):
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in ".-"))})
        if bad:
            return f"contains {', '.join(repr(c) for c in bad)} (only a-z, 0-9, '.' and '-' allowed)"
        return "must begin and end with a letter or digit"
    if ".." in name:
        return "contains two adjacent periods"
    if ".-" in name or "-." in name:
        return "has a period next to a hyphen"
    if _IP_FORM.match(name):
        return "is formatted as an IP address"
    for prefix in BUCKET_PREFIXES:
        if name.startswith(prefix):
            return f"starts with the reserved prefix {prefix!r}"
    for suffix in BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"ends with the reserved suffix {suffix!r}"
    return None


def bucket_name_valid(value: Any, _arg: Any = True) -> bool | None:
    """Whether ``value`` follows every AWS general-purpose bucket naming rule."""
    if isinstance(value, Unknown):
        return None
    return bucket_name_error(value) is None


# --- ports and lists -------------------------------------------------------------------------------


def ports_include(rule: Any, ports: Any) -> bool | None:
    """Whether a security-group rule or NACL entry facet admits any of ``ports``: protocol ``all``,
    or a tcp/udp range ``from_port``–``to_port`` holding one of them (``-1`` ports mean all)."""
    if not isinstance(rule, dict):
        return False
    protocol = rule.get("protocol")
    if isinstance(protocol, Unknown):
        return None
    if protocol == "all":
        return True
    if protocol not in ("tcp", "udp"):
        return False
    low, high = rule.get("from_port"), rule.get("to_port")
    if isinstance(low, Unknown) or isinstance(high, Unknown):
        return None
    if low is None and high is None or low == -1 or high == -1:
        return True
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    wanted = ports if isinstance(ports, list) else [ports]
    return any(isinstance(p, int) and low <= p <= high for p in wanted)


def ports_within(rule: Any, ports: Any) -> bool | None:
    """Whether every port a tcp/udp security-group rule or NACL entry admits is known to be one of
    ``ports`` (false for every protocol, every port, a rule without ports — and for ports that
    cannot be known: an exemption or a lower severity needs them known)."""
    if not isinstance(rule, dict):
        return False
    protocol, low, high = rule.get("protocol"), rule.get("from_port"), rule.get("to_port")
    if protocol not in ("tcp", "udp") or isinstance(low, bool) or isinstance(high, bool):
        return False
    if not isinstance(low, int) or not isinstance(high, int) or low < 0 or high < low:
        return False
    allowed = {p for p in (ports if isinstance(ports, list) else [ports]) if isinstance(p, int)}
    return high - low < len(allowed) and all(p in allowed for p in range(low, high + 1))


def contains_all(value: Any, wanted: Any) -> bool | None:
    """Whether a list holds every item of ``wanted`` (strings compared exactly)."""
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, list):
        return False
    return not _missing(value, wanted)


def _missing(value: Any, wanted: Any) -> list[Any]:
    have = set(v for v in value if isinstance(v, (str, int))) if isinstance(value, list) else set()
    return [w for w in (wanted if isinstance(wanted, list) else [wanted]) if w not in have]


def _missing_reason(value: Any, wanted: Any) -> str | None:
    missing = _missing(value, wanted)
    return f"missing {', '.join(str(m) for m in missing)}" if missing else None


# --- accounts and S3 resources -----------------------------------------------------------------

_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:(?:iam|sts)::)?(\d{12})(?::.*)?$")


def account_outside(principal: Any, allowed: Any) -> bool | None:
    """Whether an ``AWS`` principal value (``123456789012``, ``arn:aws:iam::123456789012:root``,
    a role or user ARN) names an account that is not in ``allowed`` (a list of account ids)."""
    if isinstance(principal, Unknown):
        return None
    m = _ACCOUNT_PRINCIPAL.match(principal) if isinstance(principal, str) else None
    if m is None:
        return False
    wanted = allowed if isinstance(allowed, list) else [allowed]
    return m.group(1) not in {str(a) for a in wanted}


_BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[^/]+$")


def covers_bucket_and_objects(statement: Any, _arg: Any = True) -> bool | None:
    """Whether a statement's ``Resource`` covers a bucket and its objects: ``*``, or a bucket ARN
    together with the same ARN followed by ``/*``."""
    resources = statement.get("resources") if isinstance(statement, dict) else None
    if not isinstance(resources, list):
        return False
    known = [r for r in resources if isinstance(r, str)]
    if any(r in ("*", "arn:aws:s3:::*") for r in known):
        return True
    buckets = {r for r in known if _BUCKET_ARN.match(r)}
    if any(r.endswith("/*") and r[:-2] in buckets for r in known):
        return True
    return None if len(known) < len(resources) else False


# --- secrets: judged by their values -----------------------------------------------------------

# Token formats that are credentials whatever they are called (prefixes the issuers document).
_TOKEN_FORMAT_TEXTS = [
    ("an AWS access key id", r"(AKIA|ASIA)[A-Z2-7]{16}"),
    ("a GitHub token", r"(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})"),
    ("a GitLab token", r"glpat-[A-Za-z0-9_-]{20,}"),
    ("a Slack token", r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Stripe secret key", r"[sr]k_live_[A-Za-z0-9]{16,}"),
    ("a Google API key", r"AIza[A-Za-z0-9_-]{35}"),
    ("a private key", r"(?s)-----BEGIN ([A-Z]+ )?PRIVATE KEY-----.*"),
    ("a JSON web token", r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("a SendGrid key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("a Twilio key", r"SK[0-9a-f]{32}"),
]
_PLACEHOLDER_WORDS_TEXT = (
    r"(?i)(none|null|nil|n/?a|empty|unset|undefined|default|changeme|change[-_ ]?me|replace[-_ ]?me|to[-_ ]?do|tbd|"
    r"dummy|example|sample|test|placeholder|secret|password|passwd|token|key|required|optional|your[-_ ].*|"
    r"enter[-_ ].*|insert[-_ ].*|my[-_]?(password|secret|token|key)|x+|\*+|\.+|-+|_+|#+|0+|1234(5678?)?)")
_NOT_SECRET_SHAPE_TEXTS = [
    ("a dynamic reference", r"(?s)\{\{resolve:.*"),
    ("a placeholder", r"(?s)<.*>|\$\{.*\}|\{\{.*\}\}|%\{.*\}|\[.*\]|(.)\1*"),
    ("an ARN", r"(?s)arn:.*"),
    ("a URL", r"(?s)[a-zA-Z][a-zA-Z0-9+.-]*://.*"),
    ("a KMS alias", r"(?s)alias/.*"),
    ("a path", r"(?s)(/|~/|\./|\.\./)[^\s]*|[\w.-]+(/[\w.-]+){2,}/?"),
    ("KMS ciphertext", r"(?s)AQ[IE]C[A-Za-z0-9+/]{40,}={0,2}"),
    ("ciphertext", r"[A-Za-z0-9+/]{120,}={0,2}"),
    ("a boolean or number", r"(?i)true|false|yes|no|on|off|-?\d+(\.\d+)?"),
]


@lru_cache(maxsize=1)
def _secret_patterns() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    """The token formats, placeholder words and not-a-secret shapes, compiled when first asked
    (many scans never look at a secret: compiling them costs a small scan's start-up)."""
    return ([(name, re.compile(text)) for name, text in _TOKEN_FORMAT_TEXTS], re.compile(_PLACEHOLDER_WORDS_TEXT),
            [(name, re.compile(text)) for name, text in _NOT_SECRET_SHAPE_TEXTS])


def credential_format(value: Any, _arg: Any = True) -> bool | None:
    """Whether a string is a credential by its format alone (an AWS key id, a GitHub, Slack,
    Stripe or Google key, a private key, a JWT, ...)."""
    if isinstance(value, Unknown):
        return None
    return isinstance(value, str) and any(p.fullmatch(value.strip()) for _, p in _secret_patterns()[0])


def _credential_format_reason(value: Any, _arg: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return next((name for name, p in _secret_patterns()[0] if p.fullmatch(text)), None)


def not_a_secret(value: Any) -> str | None:
    """What a string evidently is instead of a secret (a path, an ARN, a placeholder, ...)."""
    text = value.strip() if isinstance(value, str) else ""
    _, placeholder_words, shapes = _secret_patterns()
    if not text or placeholder_words.fullmatch(text):
        return "a placeholder"
    return next((name for name, p in shapes if p.fullmatch(text)), None)


def literal_secret(value: Any, _arg: Any = True) -> bool | None:
    """Whether a string default of an input named like a secret is a literal secret: a known
    credential format, or a value of at least 6 characters, without spaces, that is not a path,
    alias, ARN, URL, placeholder, dynamic reference, number or ciphertext."""
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return False
    if credential_format(value):
        return True
    text = value.strip()
    return len(text) >= 6 and not any(c.isspace() for c in text) and not_a_secret(text) is None


_REFERENCES = {"a dynamic reference", "an ARN", "a URL", "a KMS alias", "a path", "KMS ciphertext", "ciphertext"}


def secret_reference(value: Any, _arg: Any = True) -> bool | None:
    """Whether a string names where a secret is kept (a path, an ARN, a KMS alias, a URL, a
    dynamic reference) or is ciphertext, rather than being the secret."""
    if isinstance(value, Unknown):
        return None
    return isinstance(value, str) and not credential_format(value) and not_a_secret(value) in _REFERENCES


# Name → (function, explain) where explain(value, arg) gives a reason for a failing value.
PREDICATES = {
    "cidr_valid": (cidr_valid, lambda v, a: cidr_error(v)),
    "ip_or_cidr_valid": (lambda v, a=True: cidr_valid(v, "bare_ip_allowed"), lambda v, a: cidr_error(v, True)),
    "cidr_world": (cidr_is_world, None),
    "bucket_name_valid": (bucket_name_valid, lambda v, a: bucket_name_error(v)),
    "ports_include": (ports_include, None),
    "ports_within": (ports_within, None),
    "contains_all": (contains_all, _missing_reason),
    "account_outside": (account_outside, None),
    "covers_bucket_and_objects": (covers_bucket_and_objects, None),
    "credential_format": (credential_format, _credential_format_reason),
    "literal_secret": (literal_secret, _credential_format_reason),
    "secret_reference": (secret_reference, lambda v, a: not_a_secret(v)),
    **IAM_PREDICATES,
}
# Predicates that also take the scope their path was walked from (a statement, a policy).
CONTEXTUAL = frozenset(IAM_PREDICATES)
# Name → screen(values, scope) of the predicates that can rule out every value a path found at once.
SCREENS = {**IAM_SCREENS}
