"""Load one JSON or YAML file and decide what it is by its content."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import LoadError
from .json_loader import load_json, load_json_members
from .limits import MAX_VALUES, PLAN_MAX_BYTES, PLAN_MAX_VALUES
from .located import LocDict
from .text import read_head, read_text

# Text that any file we lint must contain; other JSON/YAML is skipped without parsing.
MARKERS = ("AWSTemplateFormatVersion", "Resources", "Statement", "planned_values", "AWS::")
# A Serverless Framework configuration: a `provider` key at the start of a line (searched only
# in text that shows no marker above).
SERVERLESS_MARKER = re.compile(r"""^\s*["']?provider["']?\s*:""", re.M)
# In JSON those markers that decide what a document is are keys: a file whose text has none of them
# as a key (an SDK's service models, a package lock, a data set naming "Statement" in a string) is
# not parsed. (A key may escape its characters, "St\u0061tement"; no real template does.)
JSON_KEYS = re.compile(r'"(?:AWSTemplateFormatVersion|Resources|Statement|planned_values|provider)"[ \t\r\n]*:')
# A plan as ``terraform show -json`` writes it starts with these keys.
PLAN_HEAD = re.compile(r'^\ufeff?[ \t\r\n]*\{[ \t\r\n]*"format_version"[ \t\r\n]*:[ \t\r\n]*"[^"]*"'
                       r'[ \t\r\n]*,[ \t\r\n]*"terraform_version"')
# What linting a plan reads of it (sniff, plan.build_resources); its other members are skipped.
PLAN_MEMBERS = frozenset(("format_version", "terraform_version", "planned_values"))


@dataclass
class Parsed:
    """A parsed file: ``format`` is cloudformation, serverless, policy, tf-plan, other or unparsable."""

    path: str
    format: str
    data: Any = None
    text: str | None = None
    problems: list[LoadError] = field(default_factory=list)
    disk_path: str | None = None  # where the file was read, when ``path`` is its display name


def is_template(data: Any) -> bool:
    """Whether parsed data looks like a CloudFormation template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values()
    )


def sniff(data: Any) -> str:
    """The kind of a parsed JSON/YAML document."""
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


def is_plan(path: str, text: str) -> bool:
    """Whether a file starts as a Terraform plan's JSON does."""
    return path.endswith(".json") and PLAN_HEAD.match(text[:512]) is not None


def load_document(path: str, always: bool = False) -> Parsed:
    """Parse a ``.json``/``.yaml``/``.yml``/``.template`` file. An empty file, and one whose text
    shows none of the markers of a template or policy (unless ``always`` is set), is ``other`` and
    not parsed. A Terraform plan, known from its first bytes, has its own bounds and only the parts
    linted are built (unless ``always``: a rule reads the whole document)."""
    try:
        try:
            text = read_text(path)
        except LoadError:
            # Past the bound for documents: a plan has its own (its first bytes tell).
            if not is_plan(path, read_head(path, 512).decode("utf-8", "replace")):
                raise
            text = read_text(path, PLAN_MAX_BYTES)
    except LoadError as exc:
        return Parsed(path, "unparsable", problems=[exc])
    plan = is_plan(path, text)
    first = _first_char(text)
    if not first or (not always and not _marked(path, text)):
        return Parsed(path, "other", text=text)  # an empty file holds nothing to lint, in any format
    soft: list[LoadError] = []
    duplicated: list[Any] = []  # the mappings that write a key twice, as the loader met them
    max_values = PLAN_MAX_VALUES if plan else MAX_VALUES
    try:
        if plan and not always:
            try:
                data = load_json_members(text, PLAN_MEMBERS, max_values, duplicated)
            except ValueError:  # not valid, a duplicate key, a bound: the whole parse reports it
                duplicated.clear()
                data = load_json(text, max_values=max_values, duplicated=duplicated)
        elif path.endswith(".json") or first in "{[":
            try:
                data = load_json(text, max_values=max_values, duplicated=duplicated)
            except LoadError:
                if path.endswith(".json"):
                    raise
                duplicated.clear()
                data = _load_yaml(text, soft, duplicated)
        else:
            data = _load_yaml(text, soft, duplicated)
    except LoadError as exc:
        return Parsed(path, "unparsable", text=text, problems=[exc])
    parsed = Parsed(path, sniff(data), data=data, text=text)
    if parsed.format != "other":
        parsed.problems.extend(soft)
        parsed.problems.extend(duplicate_keys(data, duplicated))
    return parsed


def _load_yaml(text: str, soft: list[LoadError], duplicated: list[Any]) -> Any:
    """``load_yaml``, imported when a YAML document is first met: a scan of JSON and Terraform
    files only never loads PyYAML."""
    from .yaml_loader import load_yaml

    return load_yaml(text, soft, duplicated)


def _first_char(text: str) -> str:
    """The first character that is not white space ("" if none), without copying the text."""
    for char in text:
        if not char.isspace():
            return char
    return ""


def _marked(path: str, text: str) -> bool:
    """Whether ``text`` may hold a template, policy, plan or Serverless configuration (cheap
    tests, no parsing)."""
    if not any(marker in text for marker in MARKERS) and not SERVERLESS_MARKER.search(text):
        return False
    return JSON_KEYS.search(text) is not None if path.endswith(".json") else True


def duplicate_keys(data: Any, among: list[Any] | None = None) -> list[LoadError]:
    """A problem for every key written twice in one mapping (CloudFormation rejects these).
    ``among``: the mappings of ``data`` that do, as its loader listed them (``None`` in it, or no
    list: every mapping of ``data`` is searched)."""
    if among is not None and None not in among:
        return sorted((LoadError(f"duplicate key {key!r} (first written at line {first.line})", again)
                       for item in among for key, first, again in item.duplicates),
                      key=lambda p: (p.span.line, p.span.col))
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
