"""Load one JSON or YAML file and decide what it is by its content."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import LoadError
from .json_loader import load_json
from .located import LocDict
from .text import read_text
from .yaml_loader import load_yaml

# Text that any file we lint must contain; other JSON/YAML is skipped without parsing.
MARKERS = ("AWSTemplateFormatVersion", "Resources", "Statement", "planned_values", "AWS::")
# A Serverless Framework configuration: a `provider` key at the start of a line (searched only
# in text that shows no marker above).
SERVERLESS_MARKER = re.compile(r"""^\s*["']?provider["']?\s*:""", re.M)


@dataclass
class Parsed:
    """A parsed file: ``format`` is cloudformation, serverless, policy, tf-plan, other or unparsable."""

    path: str
    format: str
    data: Any = None
    text: str | None = None
    problems: list[LoadError] = field(default_factory=list)
    disk_path: str | None = None  # where the file was read, when ``path`` is its display name


def sniff(data: Any) -> str:
    """The kind of a parsed JSON/YAML document."""
    from ..normalise.cloudformation import is_template

    if is_template(data):
        return "cloudformation"
    if isinstance(data, dict) and "service" in data and isinstance(data.get("provider"), dict):
        return "serverless"
    if isinstance(data, dict):
        if "Statement" in data:
            return "policy"
        if "planned_values" in data and "format_version" in data:
            return "tf-plan"
    return "other"


def load_document(path: str, always: bool = False) -> Parsed:
    """Parse a ``.json``/``.yaml``/``.yml``/``.template`` file. An empty file, and one whose text
    shows none of the markers of a template or policy (unless ``always`` is set), is ``other`` and
    not parsed."""
    try:
        text = read_text(path)
    except LoadError as exc:
        return Parsed(path, "unparsable", problems=[exc])
    if not text.strip() or (not always and not any(marker in text for marker in MARKERS)
                            and not SERVERLESS_MARKER.search(text)):
        return Parsed(path, "other", text=text)  # an empty file holds nothing to lint, in any format
    stripped = text.lstrip()
    soft: list[LoadError] = []
    try:
        if path.endswith(".json") or stripped.startswith(("{", "[")):
            try:
                data = load_json(text)
            except LoadError:
                if path.endswith(".json"):
                    raise
                data = load_yaml(text, soft)
        else:
            data = load_yaml(text, soft)
    except LoadError as exc:
        return Parsed(path, "unparsable", text=text, problems=[exc])
    parsed = Parsed(path, sniff(data), data=data, text=text)
    if parsed.format != "other":
        parsed.problems.extend(soft)
        parsed.problems.extend(duplicate_keys(data))
    return parsed


def duplicate_keys(data: Any) -> list[LoadError]:
    """A problem for every key written twice in one mapping (CloudFormation rejects these)."""
    problems = []
    stack = [data]
    seen: set[int] = set()  # a YAML alias shares its anchor's containers: visit each once
    while stack:
        item = stack.pop()
        if not isinstance(item, (dict, list)) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, LocDict):
            for key, first, again in item.duplicates:
                problems.append(LoadError(f"duplicate key {key!r} (first written at line {first.line})", again))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(problems, key=lambda p: (p.span.line, p.span.col))
