"""Suppression directives: where they are written and what they say.

Three sources, one shape:

- comments in YAML and HCL: ``# policylint: ignore PL1001 reason="…" expires=2027-01-31``
  (``//`` also starts an HCL comment). A comment after code covers its own line; a comment alone on
  its line covers the next line of code. When that line is where a resource starts, the directive
  covers the whole resource;
- CloudFormation ``Metadata`` on a resource: ``policylint: {ignore: [{id, reason, expires}]}``;
- ``suppress`` entries of the configuration file, matching files by glob.

A directive without a reason, or with a malformed date, never suppresses: it carries a ``problem``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..findings import RULE_ID
from ..load.located import LocDict, LocList

# Patterns compiled when first used (``re`` keeps them compiled): most files hold no ignore comment.
_MARK = "policylint:"  # written in every comment _COMMENT matches
_COMMENT = r"(?:^|(?<=\s))(?:#|//)\s*policylint:\s*ignore\b(?P<rest>.*)$"
_TOKEN = r"""\s*(?:(?P<key>[A-Za-z_-]+)=(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|\S*)|(?P<word>[^\s=]+))"""


@dataclass
class Directive:
    """One instruction to ignore rules somewhere.

    ``kind`` is the SARIF suppression kind: ``inSource`` (comment, Metadata) or ``external``
    (configuration). Exactly one of ``line``, ``resource`` and ``paths`` says where it applies."""

    rule_ids: tuple[str, ...]
    reason: str
    expires: dt.date | None
    origin: str  # "file:line" where it is written, for messages
    kind: str = "inSource"
    file: str | None = None
    line: int | None = None  # the line of code it covers
    resource: str | None = None  # a CloudFormation logical id (Metadata)
    paths: tuple[str, ...] = ()  # patterns over reported file paths, .gitignore semantics (configuration)
    problem: str | None = None

    def names(self, rule_id: str) -> bool:
        return rule_id in self.rule_ids

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today


def parse_date(value: Any) -> dt.date | None:
    """A ``YYYY-MM-DD`` date (``None`` when ``value`` is not one)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
        if value and value[0] != "'":
            value = re.sub(r"\\(.)", r"\1", value)
    return value.strip()


def parse_comment(rest: str) -> tuple[tuple[str, ...], str, dt.date | None, str | None]:
    """Rule ids, reason, expiry date and a problem (or ``None``) from what follows ``ignore``."""
    ids: list[str] = []
    reason, expires, problems = "", None, []
    for match in re.finditer(_TOKEN, rest):
        if match.group("word"):
            for part in filter(None, match.group("word").split(",")):
                if RULE_ID.fullmatch(part):
                    ids.append(part)
                else:
                    problems.append(f"{part!r} is not a rule id")
        elif match.group("key"):
            key, value = match.group("key"), _unquote(match.group("value"))
            if key == "reason":
                reason = value
            elif key == "expires":
                expires = parse_date(value)
                if expires is None:
                    problems.append(f"expires={value!r} is not a date (YYYY-MM-DD)")
            else:
                problems.append(f"unknown setting {key!r}")
    if not ids:
        problems.insert(0, "it names no rule id")
    if not reason:
        problems.insert(0, 'it has no reason="…"')
    return tuple(ids), reason, expires, "; ".join(problems) or None


def comment_directives(text: str, file: str) -> list[Directive]:
    """The ignore comments of one YAML or HCL file."""
    if _MARK not in text:
        return []
    search = re.compile(_COMMENT).search
    lines = text.splitlines()
    pending: list[tuple[int, re.Match[str]]] = []
    out: list[Directive] = []
    for number, line in enumerate(lines, 1):
        match = search(line)
        code = line[: match.start()].strip() if match else line.strip()
        if match and not code:
            pending.append((number, match))
            continue
        if match:
            out.append(_from_comment(match, file, number, number))
        if code and not code.startswith(("#", "//")):
            out.extend(_from_comment(m, file, at, number) for at, m in pending)
            pending = []
    out.extend(_from_comment(m, file, at, at) for at, m in pending)
    return out


def _from_comment(match: re.Match[str], file: str, written: int, covers: int) -> Directive:
    ids, reason, expires, problem = parse_comment(match.group("rest"))
    return Directive(ids, reason, expires, f"{file}:{written}", file=file, line=covers, problem=problem)


def metadata_directives(template: Any, file: str) -> list[Directive]:
    """``Metadata.policylint.ignore`` entries of a CloudFormation template's resources."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return []
    out: list[Directive] = []
    for logical, body in resources.items():
        metadata = body.get("Metadata") if isinstance(body, dict) else None
        settings = metadata.get("policylint") if isinstance(metadata, dict) else None
        if settings is None:
            continue
        entries = settings.get("ignore") if isinstance(settings, dict) else None
        where = _line_of(metadata, "policylint")
        if not isinstance(entries, list):
            out.append(Directive((), "", None, f"{file}:{where}", file=file, resource=str(logical),
                                 problem="Metadata policylint needs 'ignore: [{id, reason, expires}]'"))
            continue
        for index, entry in enumerate(entries):
            at = entries.span_of(index).line if isinstance(entries, LocList) else where
            out.append(_from_metadata(entry, file, at, str(logical)))
    return out


def _from_metadata(entry: Any, file: str, line: int, logical: str) -> Directive:
    origin = f"{file}:{line}"
    if not isinstance(entry, dict):
        return Directive((), "", None, origin, file=file, resource=logical,
                         problem="each ignore entry must be a mapping {id, reason, expires}")
    problems = [f"unknown key {k!r}" for k in entry if k not in ("id", "reason", "expires")]
    rule_id = entry.get("id")
    ids = (rule_id,) if isinstance(rule_id, str) and RULE_ID.fullmatch(rule_id) else ()
    if not ids:
        problems.insert(0, "'id' must be a rule id such as PL1001")
    reason = entry.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        problems.insert(0, "it has no reason")
    expires = None
    if entry.get("expires") is not None:
        expires = parse_date(entry["expires"])
        if expires is None:
            problems.append(f"expires {entry['expires']!r} is not a date (YYYY-MM-DD)")
    return Directive(ids, reason, expires, origin, file=file, resource=logical, problem="; ".join(problems) or None)


def _line_of(mapping: Any, key: str) -> int:
    if isinstance(mapping, LocDict):
        return mapping.key_span_of(key).line
    return 1
