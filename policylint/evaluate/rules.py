"""Rule files: one YAML rule per file, validated and compiled when loaded.

Built-in rules ship inside the package (``policylint.builtin_rules``, the repository's top-level
``rules/``); users add directories. A rule file with an unknown key, operator or option, a bad
regular expression or a bad path is a :class:`RuleError` naming the file and line.
"""
from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import RULE_ID, SEVERITIES
from ..globs import matches
from ..load.documents import duplicate_keys
from ..load.errors import LoadError
from ..load.located import LocDict, Span
from ..load.text import read_text
from ..model import DOCUMENT
from . import rule_index
from .conditions import Condition, ConditionError, compile_condition, leaves
from .paths import PathError, compile_path

REQUIRED = ("id", "name", "severity", "title", "description", "remediation", "references", "tags")
OPTIONAL = (
    "resource", "for_each", "where", "forbid", "require", "message", "unknown", "location",
    "options", "enabled", "engine", "precision", "compliance", "supersedes",
    "severity_by",
)
FIXTURES_DIR = "fixtures"  # inside a rule directory: the rules' test files (see rule_tests.py)
ENGINES = ("parse-error", "incomplete")  # findings the pipeline makes itself: unreadable input, unfinished evaluation
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class RuleError(Exception):
    """A rule file that cannot be used."""

    def __init__(self, file: str, span: Span | None, message: str):
        line = span.line if span else 1
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass
class Rule:
    """A compiled rule."""

    id: str
    name: str
    severity: str
    title: str
    description: str
    remediation: str
    references: list[str]
    tags: list[str]
    file: str
    kinds: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # path globs: the rule judges those files as ``document`` resources
    for_each: tuple[Any, ...] | None = None
    where: Condition | None = None
    condition: Condition | None = None
    mode: str = "forbid"  # forbid: finding when true; require: finding when false
    message: str = ""
    unknown: str = "ignore"
    location: tuple[Any, ...] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    option_help: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name → (default, description)
    enabled: bool = True
    engine: str | None = None  # built-in rules with no conditions (PL0001, PL0002): one of ENGINES
    precision: str = "high"
    compliance: dict[str, tuple[str, ...]] = field(default_factory=dict)  # benchmark → control ids
    supersedes: tuple[str, ...] = ()  # rule ids whose finding on the same element this one replaces
    severity_by: tuple["SeverityTier", ...] = ()  # the first tier whose condition holds sets severity and message
    # A shipped rule's conditions are compiled when it first meets a resource it selects (a scan
    # of one file needs few of them); the test suite compiles every one.
    pending: Any = field(default=None, repr=False, compare=False)

    def ready(self) -> "Rule":
        """This rule with its conditions compiled."""
        if self.pending is not None:
            data, file = self.pending
            self.pending = None
            _compile_logic(self, data, file)
            self.trust()
        return self

    def trust(self) -> None:
        """Mark a shipped rule's patterns as reviewed (see ``rule_regex.bounded_by_construction``)."""
        for leaf in (leaf for c in self.conditions() for leaf in leaves(c)):
            leaf.trust()

    def conditions(self) -> list[Condition | None]:
        """Every compiled condition of the rule: its test, ``where`` and severity tiers."""
        self.ready()
        return [self.condition, self.where, *(tier.where for tier in self.severity_by)]

    def selects(self, kind: str | None, rtype: str) -> bool:
        # ``types`` selects the provider's resource as written, not the facets derived from it.
        return (kind is not None and kind in self.kinds) or (kind is None and rtype in self.types)

    def targets_file(self, display: str) -> bool:
        """Whether this rule's ``files`` patterns (``.gitignore`` semantics, ``globs.py``) name the
        file ``display`` (a relative POSIX path)."""
        return any(matches(pattern, display) for pattern in self.files)


@dataclass
class SeverityTier:
    """``severity_by`` entry: where ``where`` holds on the scope, a finding has this severity and
    (when given) this message."""

    where: Condition
    severity: str
    message: str | None = None


def builtin_rules_dir() -> Path:
    """Where the rules shipped with policylint live: the folder of the installed package
    ``policylint.builtin_rules`` (the repository's ``rules/`` in an editable install), or that
    ``rules/`` when running from a source checkout that is not installed."""
    # The package has no __init__.py: it is a namespace package, whose search locations are the
    # one way to its folder that every supported Python keeps (importlib.resources.files() gives
    # a MultiplexedPath there, and its joinpath('.') raises StopIteration on 3.12.1 and 3.13.0).
    try:
        spec = importlib.util.find_spec("policylint.builtin_rules")
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(__file__).resolve().parents[2] / "rules"


def load_rules(directories: list[Path], option_overrides: dict[str, dict[str, Any]] | None = None) -> list[Rule]:
    """All rules under ``directories``, sorted by id; raises :class:`RuleError` on the first bad
    file and on duplicate ids."""
    rules: dict[str, Rule] = {}
    builtin = builtin_rules_dir().resolve()
    for directory in directories:
        trusted = directory.resolve() == builtin
        index = rule_index.read_index(directory) if trusted else {}
        for parts in _rule_file_parts(directory):
            path = directory.joinpath(*parts)
            parsed = None
            if index:
                try:
                    with open(path, "rb") as handle:
                        parsed = rule_index.entry_data(index, "/".join(parts) or ".", handle.read())
                except OSError:
                    parsed = None  # read_text reports it
            rule = load_rule_file(path, (option_overrides or {}), shipped=trusted, parsed=parsed)
            if rule is None:
                continue
            if rule.id in rules:
                raise RuleError(str(path), None, f"rule id {rule.id} is already used by {rules[rule.id].file}")
            rules[rule.id] = rule
    return sorted(rules.values(), key=lambda r: r.id)


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a rules folder (or the one file given), fixtures left out: its ``*.yaml``
    files, then its ``*.yml`` files, each in path order, as ``sorted(directory.rglob(...))`` lists
    them (symbolic links to folders not followed), from one walk of the folder."""
    return [directory.joinpath(*parts) for parts in _rule_file_parts(directory)]


def _rule_file_parts(directory: Path) -> list[tuple[str, ...]]:
    """:func:`rule_files` as the names leading to each file from ``directory`` (``()``: the file
    ``directory`` itself)."""
    if directory.is_file():
        return [()]
    if not directory.is_dir():
        return []
    found: dict[str, list[tuple[str, ...]]] = {".yaml": [], ".yml": []}
    folders: list[tuple[str, ...]] = [()]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(os.path.join(directory, *folder)) as entries:
                listed = list(entries)
        except PermissionError:
            continue
        for entry in listed:
            parts = folder + (entry.name,)
            name = os.path.normcase(entry.name)
            for suffix, paths in found.items():
                if name.endswith(suffix):
                    paths.append(parts)
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder and entry.name != FIXTURES_DIR:  # rule test inputs, not rules
                folders.append(parts)

    def order(parts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(os.path.normcase(part) for part in parts)  # as paths compare

    return [parts for suffix in (".yaml", ".yml") for parts in sorted(found[suffix], key=order)]


def parse_rule_file(file: str) -> Any:
    """The parsed mapping of a rule file; raises :class:`RuleError` where it cannot be read."""
    from ..load.yaml_loader import load_yaml  # shipped rules come from the prebuilt index: PyYAML only for others

    try:
        data = load_yaml(read_text(file))
    except LoadError as exc:
        raise RuleError(file, exc.span, exc.message) from None
    for problem in duplicate_keys(data):  # the last one would silently win
        raise RuleError(file, problem.span, problem.message)
    return data


def load_rule_file(path: Path, option_overrides: dict[str, dict[str, Any]], shipped: bool = False,
                   parsed: Any = None) -> Rule | None:
    """Compile one rule file (``None`` for YAML files that are not rules: no ``id`` key). A
    ``shipped`` rule is trusted, and its conditions are compiled on first use (:meth:`Rule.ready`)
    unless ``option_overrides`` sets its options. ``parsed``: its mapping, from the rule index."""
    file = str(path)
    data = parse_rule_file(file) if parsed is None else parsed
    if not isinstance(data, LocDict) or "id" not in data:
        if isinstance(data, LocDict) and ("forbid" in data or "require" in data):
            raise RuleError(file, data.span, "missing required key 'id'")
        return None
    # The user's option values are checked where the conditions use them: compiled now.
    lazy = shipped and data["id"] not in option_overrides
    rule = compile_rule(data, file, option_overrides, compile_conditions=not lazy, shipped=shipped)
    if lazy and rule.engine is None:
        rule.pending = (data, file)
    elif shipped:
        rule.trust()
    return rule


def compile_rule(data: LocDict, file: str, option_overrides: dict[str, dict[str, Any]],
                 compile_conditions: bool = True, shipped: bool = False) -> Rule:
    """Validate and compile the mapping of one rule file (its conditions too, unless
    ``compile_conditions`` is false: then :func:`_compile_logic` does it later). A ``shipped``
    rule's compliance mapping is not checked against the benchmarks here: the test suite does."""
    def err(key: str | None, message: str) -> RuleError:
        span = data.key_span_of(key) if key is not None and key in data else data.span
        return RuleError(file, span, message)

    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            raise err(key, f"unknown key {key!r}")
    for key in REQUIRED:
        if key not in data:
            raise err(None, f"missing required key {key!r}")
    if not isinstance(data["id"], str) or not RULE_ID.fullmatch(data["id"]):
        raise err("id", "id must be 'PL' followed by four digits")
    if not isinstance(data["name"], str) or not _NAME.match(data["name"]):
        raise err("name", "name must be PascalCase")
    if data["severity"] not in SEVERITIES:
        raise err("severity", f"severity must be one of {', '.join(SEVERITIES)}")
    for key in ("title", "description", "remediation"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise err(key, f"{key} must be a non-empty string")
    for key in ("references", "tags"):
        if not isinstance(data[key], list) or not all(isinstance(x, str) for x in data[key]):
            raise err(key, f"{key} must be a list of strings")
    rule = Rule(
        id=data["id"], name=data["name"], severity=data["severity"], title=data["title"].strip(),
        description=data["description"].strip(), remediation=data["remediation"].strip(),
        references=list(data["references"]), tags=list(data["tags"]), file=file,
        enabled=data.get("enabled", True) is not False, precision=str(data.get("precision", "high")),
    )
    if "compliance" in data:
        if not shipped:
            from ..compliance import mapping_error

            problem = mapping_error(data["compliance"])
            if problem:
                raise err("compliance", problem)
        rule.compliance = {str(b): tuple(ids) for b, ids in data["compliance"].items()}
    if "engine" in data:
        if data["engine"] not in ENGINES:
            raise err("engine", f"engine must be one of {', '.join(ENGINES)}")
        rule.engine = data["engine"]
        return rule
    rule.options = _options(data, err, option_overrides.get(rule.id, {}))
    rule.option_help = {name: (spec.get("default"), str(spec.get("description", "")))
                        for name, spec in (data.get("options") or {}).items()}
    selector = data.get("resource")
    if not isinstance(selector, dict) or not (set(selector) <= {"kinds", "types", "files"}) or not selector:
        raise err("resource", "resource must be a mapping with 'kinds', 'types' and/or 'files'")
    for key in ("kinds", "types", "files"):
        value = selector.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise err("resource", f"resource.{key} must be a list of strings")
    rule.kinds, rule.types = tuple(selector.get("kinds", [])), tuple(selector.get("types", []))
    rule.files = tuple(selector.get("files", []))
    if rule.files:
        if rule.kinds or rule.types:
            raise err("resource", "resource.files selects whole files (kind 'document'); it cannot be "
                                  "combined with kinds or types")
        rule.kinds = (DOCUMENT,)
    modes = [m for m in ("forbid", "require") if m in data]
    if len(modes) != 1:
        raise err(None, "a rule needs exactly one of 'forbid' or 'require'")
    rule.mode = modes[0]
    if data.get("unknown", None) not in ("ignore", "report"):
        raise err("unknown" if "unknown" in data else None, "'unknown' must say what an unresolved value means: ignore or report")
    rule.unknown = data["unknown"]
    if not isinstance(data.get("message"), str) or not data["message"].strip():
        raise err("message" if "message" in data else None, "message must be a non-empty string")
    rule.message = data["message"].strip()
    rule.supersedes = _supersedes(data, err, rule.id)
    if compile_conditions:
        _compile_logic(rule, data, file)
    return rule


def _compile_logic(rule: Rule, data: LocDict, file: str) -> None:
    """Compile a rule's conditions and paths (its test, ``where``, tiers, ``for_each``, ``location``)."""
    def err(key: str, message: str) -> RuleError:
        return RuleError(file, data.key_span_of(key) if key in data else data.span, message)

    data = rule_index.logic_located(data)
    try:
        rule.condition = compile_condition(data[rule.mode], rule.options, data.span_of(rule.mode))
        if "where" in data:
            rule.where = compile_condition(data["where"], rule.options, data.span_of("where"))
    except ConditionError as exc:
        raise RuleError(file, exc.span, str(exc)) from None
    rule.severity_by = _severity_by(data, err, rule.options, file)
    for key in ("for_each", "location"):
        if key in data:
            try:
                setattr(rule, key, compile_path(data[key]))
            except PathError as exc:
                raise err(key, str(exc)) from None


def _supersedes(data: LocDict, err: Any, own: str) -> tuple[str, ...]:
    ids = data.get("supersedes", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and RULE_ID.fullmatch(i) and i != own for i in ids):
        raise err("supersedes", "supersedes must be a list of other rules' ids")
    return tuple(ids)


def _severity_by(data: LocDict, err: Any, options: dict[str, Any], file: str) -> tuple[SeverityTier, ...]:
    tiers = data.get("severity_by", [])
    if not isinstance(tiers, list):
        raise err("severity_by", "severity_by must be a list of {where, severity, message}")
    out = []
    for tier in tiers:
        if not isinstance(tier, dict) or not {"where", "severity"} <= set(tier) <= {"where", "severity", "message"}:
            raise err("severity_by", "each severity_by entry needs 'where' and 'severity' (and may have 'message')")
        if tier["severity"] not in SEVERITIES:
            raise err("severity_by", f"severity must be one of {', '.join(SEVERITIES)}")
        message = tier.get("message")
        if message is not None and (not isinstance(message, str) or not message.strip()):
            raise err("severity_by", "a severity_by message must be a non-empty string")
        try:
            where = compile_condition(tier["where"], options, getattr(tier, "span", None))
        except ConditionError as exc:
            raise RuleError(file, exc.span, str(exc)) from None
        out.append(SeverityTier(where, tier["severity"], message.strip() if message else None))
    return tuple(out)


def _options(data: LocDict, err: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    declared = data.get("options", {})
    if not isinstance(declared, dict):
        raise err("options", "options must be a mapping of name → {default, description}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if not isinstance(spec, dict) or "default" not in spec or not set(spec) <= {"default", "description"}:
            raise err("options", f"option {name!r} needs a 'default' (and may have a 'description')")
        values[name] = spec["default"]
    for name, value in overrides.items():
        if name not in values:
            raise RuleError(data.get("id", "?"), None, f"rule {data.get('id')} has no option {name!r}")
        values[name] = value
    return values
