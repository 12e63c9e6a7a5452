"""SARIF 2.1.0, shaped for GitHub code scanning.

One run; every enabled rule in ``tool.driver.rules`` with short and full descriptions, help text and
markdown, ``security-severity`` and tags; relative URIs against ``%SRCROOT%``; regions with start
and end line and column; parse errors both as ``PL0001`` results and as tool execution
notifications; paths not linted (symbolic links, unreadable folders) as warning notifications; a
line-independent ``partialFingerprints`` key. Output is byte-identical for the same input.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..evaluate.rules import Rule
from ..findings import Finding, cap_message
from . import json_text
from ..scan import PARSE_ERROR, ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/policylint/policylint"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
MAX_TAGS = 10
# One result stays small whatever the input: its message is capped (``findings.MAX_MESSAGE``), and
# so are the names and texts of its locations, the number of related locations and, last, the
# size of the whole result (related locations are dropped from the end, and counted, until it fits).
MAX_NAME = 300  # characters of a logical location's name or a related location's message
MAX_RELATED_LOCATIONS = 20
MAX_RESULT = 16_384  # characters of one result as compact JSON


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    references = "\n".join(f"- {url}" for url in rule.references)
    markdown = f"**{rule.title}**\n\n{rule.description}\n\n**Remediation**\n\n{rule.remediation}"
    if references:
        markdown += f"\n\n**References**\n\n{references}"
    properties: dict[str, Any] = {"tags": rule.tags[:MAX_TAGS], "precision": rule.precision}
    if rule.compliance:
        properties["compliance"] = {bench: list(ids) for bench, ids in rule.compliance.items()}
    if "security" in rule.tags:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        properties["problem.severity"] = "error" if LEVELS[rule.severity] == "error" else "warning"
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description[:1024]},
        "help": {"text": f"{rule.remediation}\n\n{references}".strip(), "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _artifact(file: str) -> dict[str, Any]:
    if file.startswith("/"):  # outside the directory policylint ran from
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file), "uriBaseId": "%SRCROOT%"}


def _physical(file: str, span: Any) -> dict[str, Any]:
    end_line, end_col = span.end_line, span.end_col
    if (end_line, end_col) <= (span.line, span.col):
        end_line, end_col = span.line, span.col + 1
    return {
        "artifactLocation": _artifact(file),
        "region": {"startLine": span.line, "startColumn": span.col, "endLine": end_line, "endColumn": end_col},
    }


def _related(finding: Finding) -> list[dict[str, Any]]:
    """``relatedLocations``: where the finding's value came from (ids 1, 2, … nearest first)."""
    return [{"id": i, "physicalLocation": _physical(r.file, r.span), "message": {"text": _sentence(cap_message(r.text, MAX_NAME))}}
            for i, r in enumerate(finding.related, 1)]


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) + ("" if text.endswith((".", "!", "?")) else ".")


def _location(finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": _physical(finding.file, finding.span)}
    if finding.resource:
        location["logicalLocations"] = [{"name": cap_message(finding.resource, MAX_NAME), "kind": "resource"}]
    return location


def _add_superseded(entry: dict[str, Any], finding: Finding) -> None:
    """The findings this one supersedes: their ids in ``properties.supersedes`` and their places
    as ``relatedLocations`` (appended to any the result already has)."""
    replaced = finding.replaced()
    if not replaced:
        return
    entry.setdefault("properties", {})["supersedes"] = sorted({f.rule_id for f in replaced})
    related = entry.setdefault("relatedLocations", [])
    for other in replaced:
        location = {"id": len(related) + 1, **_location(other)}
        location["message"] = {"text": cap_message(f"{other.rule_id}: {_message(other)}", MAX_NAME)}
        location.pop("logicalLocations", None)
        related.append(location)


def _bound(entry: dict[str, Any]) -> None:
    """Keep one result within ``MAX_RELATED_LOCATIONS`` related locations and ``MAX_RESULT``
    characters: related locations past either are dropped from the end, and
    ``properties.relatedLocationsNotShown`` says how many."""
    related = entry.get("relatedLocations")
    if not related:
        return
    dropped = max(0, len(related) - MAX_RELATED_LOCATIONS)
    del related[len(related) - dropped:]
    size = len(json.dumps(entry, ensure_ascii=False))
    while related and size > MAX_RESULT:
        size -= len(json.dumps(related.pop(), ensure_ascii=False)) + 2
        dropped += 1
    if not related:
        del entry["relatedLocations"]
    if dropped:
        entry.setdefault("properties", {})["relatedLocationsNotShown"] = dropped


def _message(finding: Finding) -> str:
    return _message_text(finding.message.strip() or finding.rule_id)


def _message_text(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _suppressions(finding: Finding) -> list[dict[str, Any]]:
    """The result's ``suppressions``: its own (a comment, the configuration), or an ``external`` one
    when the baseline holds it, so that code scanning does not raise it; empty when active."""
    if finding.suppression is not None:
        return [{"kind": finding.suppression.kind, "justification": finding.suppression.justification}]
    if finding.baseline_state == "unchanged":
        return [{"kind": "external", "justification": "recorded in the baseline (--baseline)"}]
    return []
def _invocation(result: ScanResult, notifications: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's invocation: what could not be read, and what the configuration file narrowed
    (``toolConfigurationNotifications``, and the file and changes as properties)."""
    invocation: dict[str, Any] = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    if result.config_file:
        invocation["properties"] = {"configurationFile": result.config_file, "configurationChanges": result.config_changes}
    if result.config_changes:
        invocation["toolConfigurationNotifications"] = [{
            "level": "warning",
            "message": {"text": f"{result.config_file} changes what is checked: {change}."},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(result.config_file)}}],
        } for change in result.config_changes]
    return invocation


def _result(finding: Finding, index: dict[str, int], suppressions: bool) -> dict[str, Any]:
    """One result (its ``suppressions`` written when ``suppressions``)."""
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_location(finding)],
        "partialFingerprints": {"policylint/v1": finding.fingerprint},
    }
    if finding.rule_id in index:
        entry["ruleIndex"] = index[finding.rule_id]
    if finding.related:
        entry["relatedLocations"] = _related(finding)
    if suppressions:
        entry["suppressions"] = _suppressions(finding)
    if finding.baseline_state:
        entry["baselineState"] = finding.baseline_state
    _add_superseded(entry, finding)
    _bound(entry)
    return entry


def render(result: ScanResult, findings: list[Finding], include_suppressed: bool = False) -> str:
    """The SARIF log for ``findings``; suppressed ones are left out unless ``include_suppressed``."""
    rules = sorted(result.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    shown = [f for f in findings if include_suppressed or f.suppression is None]
    baselined = any(f.baseline_state for f in shown)  # then every result says whether it is suppressed
    # Each result is made as it is written (not all held as data beside the text).
    results = (_result(finding, index, include_suppressed or baselined) for finding in shown)
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{_message(f)}"},
            "descriptor": {"id": PARSE_ERROR},
            "locations": [_location(f)],
        }
        for f in result.parse_errors
    ] + [
        {
            "level": "warning",
            "message": {"text": f"{skipped.display} was not linted: {skipped.reason}."},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(skipped.display)}}],
        }
        for skipped in result.skipped
    ] + [
        {
            "level": "warning",
            "message": {"text": _message_text(module.message)},
            "locations": [{"physicalLocation": _physical(module.file, module.span)}],
        }
        for module in result.modules
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "policylint",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(result, notifications)],
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory policylint was run from."}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(log)
