"""GitLab Code Quality (``artifacts:reports:codequality``): a JSON array of issues, each with a
description, the rule as ``check_name``, a line-independent fingerprint, a severity on GitLab's scale
and the location (path, lines and positions)."""
from __future__ import annotations


from ..findings import Finding
from . import json_text
from ..scan import ScanResult

SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}


def issue(finding: Finding) -> dict:
    """One finding as a Code Quality issue."""
    span = finding.span
    end_line, end_col = max(span.end_line, span.line), span.end_col
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id}: {finding.message}",
        "categories": ["Security"],
        "fingerprint": finding.fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {
            "path": finding.file,
            "lines": {"begin": span.line, "end": end_line},
            "positions": {"begin": {"line": span.line, "column": span.col}, "end": {"line": end_line, "column": end_col}},
        },
    }


def render(result: ScanResult, findings: list[Finding]) -> str:
    """The report for the active findings (suppressed and baselined ones are not issues)."""
    return json_text(issue(f) for f in findings if f.active)
