"""A prebuilt index of the shipped rule files, so that a scan does not parse every rule's YAML.

The index (``index.json`` in the shipped rules folder) holds, per rule file, the SHA-256 of its
bytes and its parsed mapping, and the analysis of every regular expression the files hold
(:func:`policylint.evaluate.rule_regex.analyse`), so that a scan need not parse them. A file whose bytes still have that hash is taken from the index; any
other file (edited since the index was built, or new) is parsed as usual, so a stale index costs
time, never correctness. Values from the index carry no positions: they serve shipped rules only,
whose mistakes the test suite finds. ``tools/gen_rule_index.py`` rebuilds it; a test keeps it fresh.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..load.located import LocDict, LocList
from . import rule_regex

INDEX_NAME = "index.json"
FORMAT = 1


def digest(data: bytes) -> str:
    """The hash an index entry is checked against."""
    return hashlib.sha256(data).hexdigest()


def plain(value: Any) -> Any:
    """A parsed rule file as JSON data; raises ``TypeError`` for what JSON cannot hold the same."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a mapping key that is not a string")
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"a {type(value).__name__} value")


# The parts of a rule file its conditions are compiled from: a shipped rule compiles them when it
# first meets a resource it selects (most of a scan's rules never do), so they stay as the index
# holds them until then (:func:`logic_located`).
LOGIC = frozenset(("forbid", "require", "where", "severity_by", "for_each", "location"))


def located(value: Any, deferred: frozenset[str] = frozenset()) -> Any:
    """Index data as the containers the rule compiler reads (without positions); the values of the
    top-level keys in ``deferred`` are left as they are."""
    if isinstance(value, dict):
        out = LocDict()
        for k, v in value.items():
            out[k] = located(v) if isinstance(v, (dict, list)) and k not in deferred else v
        return out
    if isinstance(value, list):
        items = LocList()
        items.extend([located(v) if isinstance(v, (dict, list)) else v for v in value])
        return items
    return value


def read_index(directory: Path) -> dict[str, Any]:
    """``{relative POSIX path: {"sha256", "data"}}`` of the index in ``directory`` (empty when
    there is none or it is not this format). The analyses of its patterns become known to
    :mod:`rule_regex` (the patterns of an edited file are compiled and analysed as any other)."""
    try:
        index = json.loads((directory / INDEX_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(index, dict) or index.get("format") != FORMAT or not isinstance(index.get("files"), dict):
        return {}
    for pattern, (bounded, literals, ignore_case) in (index.get("patterns") or {}).items():
        rule_regex.REVIEWED[pattern] = (bool(bounded), None if literals is None else frozenset(literals), bool(ignore_case))
    return index["files"]


def pattern_entry(pattern: str) -> list[Any]:
    """How the index records a pattern's analysis."""
    bounded, literals, ignore_case = rule_regex.analyse(pattern)
    return [bounded, None if literals is None else sorted(literals), ignore_case]


def entry_data(index: dict[str, Any], relative: str, raw: bytes) -> Any | None:
    """The indexed mapping of the file ``relative`` whose bytes are ``raw``, or ``None`` when the
    index does not hold these bytes."""
    entry = index.get(relative)
    if not isinstance(entry, dict) or entry.get("sha256") != digest(raw):
        return None
    return located(entry.get("data"), LOGIC)


def logic_located(data: LocDict) -> LocDict:
    """A rule file's mapping with its :data:`LOGIC` parts as located containers (for a mapping
    from the index, which leaves them as JSON values; a parsed YAML file's already are)."""
    for key in LOGIC & data.keys():
        if type(data[key]) in (dict, list):
            data[key] = located(data[key])
    return data
