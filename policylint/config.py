"""The configuration file: ``.policylint.yaml`` or ``[tool.policylint]`` in ``pyproject.toml``.

Found by walking up from the scanned paths (stopping at the repository root, the folder holding
``.git``). Every key is validated; an unknown key or a bad value is a :class:`ConfigError` naming
the file and line. Paths in the file (rule directories, globs) are relative to the file's folder.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .discover import display_path
from .findings import RULE_ID, SEVERITIES
from .globs import matches
from .load.errors import LoadError
from .load.located import LocDict, LocList, plain
from .report import FORMATS
from .suppress.directives import Directive, parse_date

YAML_NAMES = (".policylint.yaml", ".policylint.yml")
KEYS = (
    "select", "ignore", "severity", "options", "exclude", "rule-dirs", "severity-threshold", "format",
    "inline-ignores", "suppress",
)
SUPPRESS_KEYS = ("rules", "paths", "reason", "expires")

STARTER = """\
# policylint configuration (https://github.com/policylint/policylint/blob/main/docs/configuration.md).
# Paths and globs are relative to this file's folder.

# Only these rules: ids, names or tags (default: every rule enabled by default).
# select: [iam, s3, network]

# Skip these rules (ids, names or tags).
ignore: []

# Change a rule's severity (by id or name): low, medium, high or critical.
severity: {}
#   PL2001: critical

# Rule options (see `policylint rules show ID`).
options: {}
#   PL3001:
#     allowed_ports: [80, 443]

# Files and folders not to scan (globs).
exclude: []
#   - "legacy/**"

# Folders of your own rules.
rule-dirs: []

# Report and fail only on findings at or above this severity: low, medium, high, critical.
severity-threshold: low

# Default report format: text, json, sarif or github.
format: text

# Inline `# policylint: ignore` comments and CloudFormation Metadata ignores are honoured.
# Set to false to allow only the suppressions below.
inline-ignores: true

# Suppressions by path; a reason is required, an expiry date is recommended.
suppress: []
#   - rules: [PL1001]
#     paths: ["sandbox/**"]
#     reason: "sandbox account, no production data"
#     expires: 2027-01-31
"""


class ConfigError(Exception):
    """A configuration file that cannot be used: ``file:line: message``."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")


@dataclass
class Config:
    """Settings read from a configuration file (empty when there is none)."""

    file: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    rule_dirs: list[str] = field(default_factory=list)
    threshold: str | None = None
    format: str | None = None
    inline_ignores: bool | None = None
    suppress: list[Directive] = field(default_factory=list)
    rule_dirs_written: list[str] = field(default_factory=list)  # as the file writes them
    source: str | None = None  # the file's path, to open
    line_of: Callable[[tuple[str, ...]], int] = lambda path: 1

    def narrowing(self) -> list[str]:
        """What this file changes that narrows or weakens checking, one item per setting, in
        words (empty when it changes nothing of the kind). Every report names these."""
        out = []
        if self.select:
            out.append(f"select: only {', '.join(self.select)}")
        if self.ignore:
            out.append(f"ignore: {', '.join(self.ignore)}")
        if self.exclude:
            out.append(f"exclude: {', '.join(self.exclude)}")
        for directive in self.suppress:
            out.append(f"suppress: {', '.join(directive.rule_ids)} in {', '.join(directive.paths)}")
        if self.severity:
            out.append("severity: " + ", ".join(f"{k} {v}" for k, v in self.severity.items()))
        if self.options:
            out.append("options: " + ", ".join(f"{k} ({', '.join(v)})" for k, v in self.options.items()))
        if self.rule_dirs:
            out.append(f"rule-dirs: {', '.join(self.rule_dirs_written)}")
        if self.threshold not in (None, "low"):
            out.append(f"severity-threshold: {self.threshold}")
        return out

    def strict_refusal(self, rules: list[Any], displays: list[str]) -> str | None:
        """Why ``--config-policy strict`` refuses this file (``None`` when it does not): it
        removes rules (``select``, ``ignore``, a lowered severity, a raised threshold), excludes or
        suppresses every scanned file (``displays``). Rule folders outside the root are refused
        whatever the policy (see ``_validate``)."""
        from .discover import excluded

        if self.select:
            return "select narrows the rules that run"
        if self.ignore:
            return "ignore removes rules"
        by_name = {n: r for r in rules for n in (r.id, r.name)}
        for name, severity in self.severity.items():
            rule = by_name.get(name)
            if rule is not None and SEVERITIES.index(severity) < SEVERITIES.index(rule.severity):
                return f"severity lowers {name} from {rule.severity} to {severity}"
        if self.threshold not in (None, "low"):
            return f"severity-threshold {self.threshold} stops lower findings from failing"
        if displays and self.exclude and all(excluded(d, self.exclude) for d in displays):
            return "exclude leaves nothing to scan"
        for directive in self.suppress:
            if displays and all(any(matches(p, d) for p in directive.paths) for d in displays):
                return f"suppress of {', '.join(directive.rule_ids)} covers every scanned file"
        return None

    def error(self, path: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(self.file or "?", self.line_of(path), message)

    def check_rules(self, rules: list[Any]) -> None:
        """Every rule the file names exists, and every option it sets is one the rule has."""
        from .scan import unknown_selector
        from .suggest import did_you_mean

        for key in ("select", "ignore"):
            unknown = unknown_selector(getattr(self, key), rules)
            if unknown is not None:
                raise self.error((key, unknown[0]), f"{key}: {unknown[1]}")
        named = {r.id for r in rules} | {r.name for r in rules}
        for name in self.severity:
            if name not in named:
                raise self.error(("severity", name), f"severity: no rule {name!r}{did_you_mean(name, named)}")
        by_id = {r.id: r for r in rules}
        for rule_id, values in self.options.items():
            if rule_id not in by_id:
                raise self.error(("options", rule_id), f"options: no rule {rule_id!r}{did_you_mean(rule_id, by_id)}")
            for option in values:
                if option not in by_id[rule_id].options:
                    have = ", ".join(sorted(by_id[rule_id].options)) or "none"
                    hint = did_you_mean(option, by_id[rule_id].options)
                    raise self.error(("options", rule_id, option),
                                     f"options: rule {rule_id} has no option {option!r}{hint} (it has: {have})")


def find_config(paths: list[str]) -> Path | None:
    """The nearest configuration file above the scanned ``paths``."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = os.path.commonpath(absolute)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    directory = Path(start)
    while True:
        for name in YAML_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\[?\s*tool\.policylint\b", text, re.MULTILINE) is not None


def load_config(path: Path, root: str) -> Config:
    """Read and validate one configuration file; ``root`` is the folder reported paths are
    relative to (globs are rebased onto it)."""
    display = display_path(str(path), root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(display, 1, f"cannot read configuration: {exc}") from None
    if path.name == "pyproject.toml":
        data, line_of = _read_pyproject(text, display)
    else:
        from .load.yaml_loader import load_yaml  # a JSON or Terraform scan with no YAML to read never loads PyYAML

        try:
            data = load_yaml(text)
        except LoadError as exc:
            raise ConfigError(display, exc.span.line, exc.message) from None
        line_of = _yaml_lines(data)
    config = Config(file=display, line_of=line_of, source=str(path))
    _validate(config, data if data is not None else {}, path.parent, root)
    return config


def _read_pyproject(text: str, display: str) -> tuple[Any, Callable[[tuple[str, ...]], int]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(display, int(match.group(1)) if match else 1, f"invalid TOML: {exc}") from None
    data = document.get("tool", {}).get("policylint", {})
    return data, _toml_lines(text)


def _yaml_lines(data: Any) -> Callable[[tuple[str, ...]], int]:
    def line_of(path: tuple[str, ...]) -> int:
        node, line = data, getattr(data, "span", None).line if hasattr(data, "span") else 1
        for step in path:
            if isinstance(node, LocDict) and step in node:
                line = node.key_span_of(step).line
                node = node[step]
            elif isinstance(node, LocList):
                index = step if isinstance(step, int) else (node.index(step) if step in node else None)
                if index is None or index >= len(node):
                    break
                line = node.span_of(index).line
                node = node[index]
            else:
                break
        return line
    return line_of


def _toml_lines(text: str) -> Callable[[tuple[str, ...]], int]:
    """Best-effort lines for keys of ``[tool.policylint]`` (tomllib keeps no positions)."""
    lines = text.splitlines()

    def line_of(path: tuple[str, ...]) -> int:
        best, table = 1, None
        names = [str(p) for p in path if not isinstance(p, int)]
        for number, line in enumerate(lines, 1):
            header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
            if header:
                table = header.group(1).replace('"', "")
                if table == "tool.policylint" and best == 1:
                    best = number
                elif table.startswith("tool.policylint."):
                    rest = table[len("tool.policylint."):].split(".")
                    if rest == names[: len(rest)]:
                        best = number
                continue
            if table is None or not (table == "tool.policylint" or table.startswith("tool.policylint.")):
                continue
            for name in names:
                if re.search(rf'(^|[\s{{,\["\'])"?{re.escape(name)}"?\s*[=,\]}}"\']', line):
                    best = number
                    break
        return best
    return line_of


def _validate(config: Config, data: Any, base: Path, root: str) -> None:
    if not isinstance(data, dict):
        raise config.error((), "the configuration must be a mapping of settings")
    for key in data:
        if key not in KEYS:
            raise config.error((key,), f"unknown setting {key!r} (known: {', '.join(KEYS)})")
    config.select = _strings(config, data, "select")
    config.ignore = _strings(config, data, "ignore")
    config.severity = _mapping(config, data, "severity")
    for name, value in config.severity.items():
        if value not in SEVERITIES:
            raise config.error(("severity", name), f"severity of {name}: {value!r} is not one of {', '.join(SEVERITIES)}")
    options = _mapping(config, data, "options")
    for rule_id, values in options.items():
        if not isinstance(values, dict):
            raise config.error(("options", rule_id), f"options of {rule_id} must be a mapping of option → value")
        config.options[str(rule_id)] = {str(k): plain(v) for k, v in values.items()}
    config.exclude = [p for g in _strings(config, data, "exclude") if (p := rebase_pattern(g, base, root)) is not None]
    config.rule_dirs = []
    from .confine import Confinement

    # Rules from a file the repository holds come from the repository: its folder or the scan root.
    inside = Confinement([str(base), root])
    for entry in _strings(config, data, "rule-dirs"):
        directory = base / entry
        if not directory.exists():
            raise config.error(("rule-dirs", entry), f"rule-dirs: {entry!r} does not exist")
        refusal = inside.refusal(str(directory))
        if refusal is not None:
            raise config.error(("rule-dirs", entry), f"rule-dirs: {entry!r} is refused: {refusal} (the configuration's folder)")
        config.rule_dirs.append(str(directory))
        config.rule_dirs_written.append(entry)
    config.threshold = _choice(config, data, "severity-threshold", SEVERITIES)
    config.format = _choice(config, data, "format", FORMATS)
    if "inline-ignores" in data:
        if not isinstance(data["inline-ignores"], bool):
            raise config.error(("inline-ignores",), "inline-ignores must be true or false")
        config.inline_ignores = data["inline-ignores"]
    config.suppress = _suppressions(config, data, base, root)


def _strings(config: Config, data: dict, key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise config.error((key,), f"{key} must be a list of strings")
    return [x.strip() for x in value]


def _mapping(config: Config, data: dict, key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise config.error((key,), f"{key} must be a mapping")
    return {str(k): v for k, v in value.items()}


def _choice(config: Config, data: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    if key not in data:
        return None
    if data[key] not in allowed:
        raise config.error((key,), f"{key}: {data[key]!r} is not one of {', '.join(allowed)}")
    return data[key]


def _suppressions(config: Config, data: dict, base: Path, root: str) -> list[Directive]:
    entries = data.get("suppress", [])
    if not isinstance(entries, list):
        raise config.error(("suppress",), "suppress must be a list of {rules, paths, reason, expires}")
    out = []
    for index, entry in enumerate(entries):
        where = ("suppress", index)
        if not isinstance(entry, dict):
            raise config.error(where, "each suppress entry must be a mapping {rules, paths, reason, expires}")
        for key in entry:
            if key not in SUPPRESS_KEYS:
                raise config.error(where + (key,), f"suppress: unknown key {key!r} (known: {', '.join(SUPPRESS_KEYS)})")
        rules = _strings(config, entry, "rules")
        paths = _strings(config, entry, "paths")
        if not rules or not paths:
            raise config.error(where, "suppress entries need 'rules' and 'paths'")
        for rule in rules:
            if not RULE_ID.fullmatch(rule):
                raise config.error(where + ("rules",), f"suppress: {rule!r} is not a rule id")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise config.error(where, "suppress entries need a non-empty 'reason'")
        expires = None
        if entry.get("expires") is not None:
            expires = parse_date(entry["expires"])
            if expires is None:
                raise config.error(where + ("expires",), f"suppress: expires {entry['expires']!r} is not a date (YYYY-MM-DD)")
        out.append(Directive(
            tuple(rules), reason.strip(), expires, f"{config.file}:{config.line_of(where)}", kind="external",
            paths=tuple(p for g in paths if (p := rebase_pattern(g, base, root)) is not None),
        ))
    return out


def rebase_pattern(pattern: str, base: Path, root: str) -> str | None:
    """A path pattern (``.gitignore`` semantics, ``globs.py``: ``exclude`` and ``suppress`` paths)
    written in a file in folder ``base``, rewritten relative to ``root`` (the folder reported paths
    are relative to): anchored patterns stay anchored to ``base``, floating ones match at any depth
    below it. ``None`` when it can match nothing under ``root``."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    trailing = "/" if pattern.endswith("/") else ""
    body = pattern.rstrip("/")
    anchored = "/" in body
    body = body.lstrip("/")
    prefix = Path(os.path.relpath(base, root)).as_posix()
    if prefix == ".":
        return pattern
    if not prefix.startswith(".."):
        return f"{prefix}/{body if anchored else '**/' + body}{trailing}"
    below = Path(os.path.relpath(root, base)).as_posix()
    if below.startswith(".."):  # the root is not inside the file's folder
        return body + trailing if not anchored else None
    # The root lies below the file's folder.
    if matches(pattern, below, is_folder=True):
        return "**"  # the pattern names the root or a folder holding it: everything
    if not anchored:
        return body + trailing
    names = body.split("/")  # its leading names must lead down to the root
    for folder in below.split("/"):
        if names[0] == "**":
            break
        if not matches("/" + names[0], folder):
            return None
        names = names[1:]
        if not names:
            return None
    return "/" + "/".join(names) + trailing


def write_starter(path: Path) -> None:
    """Write the commented starter configuration (never over an existing file)."""
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(STARTER)
