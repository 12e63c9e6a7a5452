"""Markdown for pull-request comments and job summaries: a table of findings by severity, then the
findings (most severe first) with their locations."""
from __future__ import annotations

from ..findings import SEVERITIES, SEVERITY_RANK, Finding
from ..scan import ScanResult
from .text import summary

MAX_ROWS = 500  # a GitHub job summary holds 1 MiB; past this many rows, the rest are counted


def cell(text: str) -> str:
    """Text that stays inside one table cell."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def render(result: ScanResult, findings: list[Finding]) -> str:
    """The Markdown report for the findings to show."""
    active = sorted((f for f in findings if f.active), key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))
    lines = ["## policylint", "", summary(result, findings), ""]
    lines += ["| Severity | Findings |", "| --- | ---: |"]
    lines += [f"| {s} | {sum(1 for f in active if f.severity == s)} |" for s in reversed(SEVERITIES)]
    if active:
        lines += ["", "| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
        for f in active[:MAX_ROWS]:
            lines.append(f"| {f.severity} | {f.rule_id} | `{cell(f.file)}:{f.span.line}:{f.span.col}` | {cell(f.message)} |")
        if len(active) > MAX_ROWS:
            lines += ["", f"…and {len(active) - MAX_ROWS} more findings (see the full report)."]
    else:
        lines += ["", "No findings."]
    if result.skipped:
        lines += ["", "Not linted:", ""] + [f"- `{cell(s.display)}`: {cell(s.reason)}" for s in result.skipped]
    return "\n".join(lines) + "\n"
