"""The JSON report: stable keys, one object per finding."""
from __future__ import annotations


from .. import __version__
from ..findings import Finding
from . import json_text
from ..scan import ScanResult


def finding_dict(finding: Finding) -> dict:
    """One finding as plain data."""
    span = finding.span
    out = {
        "rule": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "file": finding.file,
        "line": span.line,
        "column": span.col,
        "end_line": span.end_line,
        "end_column": span.end_col,
        "resource": finding.resource,
        "element": finding.element,
        "fingerprint": finding.fingerprint,
    }
    replaced = finding.replaced()
    if replaced:
        out["supersedes"] = [{"rule": f.rule_id, "message": f.message, "line": f.span.line, "column": f.span.col}
                             for f in replaced]
    if finding.callers:
        out["also_reached_through"] = list(finding.callers)
    if finding.related:
        out["related"] = [
            {"file": r.file, "line": r.span.line, "column": r.span.col, "end_line": r.span.end_line,
             "end_column": r.span.end_col, "message": r.text}
            for r in finding.related
        ]
    if finding.suppression is not None:
        out["suppressed"] = {"kind": finding.suppression.kind, "justification": finding.suppression.justification}
    if finding.baseline_state:
        out["baseline_state"] = finding.baseline_state
    return out


def render(result: ScanResult, findings: list[Finding]) -> str:
    """The JSON document for the findings to show."""
    document = {
        "tool": {"name": "policylint", "version": __version__},
        "files_scanned": len(result.files),
        "findings": map(finding_dict, findings),  # each made as it is written
        "skipped": [{"path": s.display, "reason": s.reason} for s in result.skipped],
        "baseline_absent": result.absent,
        "modules_not_downloaded": [
            {"file": m.file, "line": m.span.line, "column": m.span.col, "module": m.module, "source": m.source}
            for m in result.modules
        ],
        "configuration": {"file": result.config_file, "changes": result.config_changes},
        "summary": {
            "findings": sum(1 for f in findings if f.suppression is None),
            "suppressed": sum(1 for f in findings if f.suppression is not None),
            "parse_errors": len(result.parse_errors),
        },
    }
    return json_text(document)
