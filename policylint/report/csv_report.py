"""CSV for spreadsheets: one row per finding to show, with a header row."""
from __future__ import annotations

import csv
import io

from ..findings import Finding
from ..scan import ScanResult

COLUMNS = ("rule", "severity", "file", "line", "column", "end_line", "end_column", "resource", "message",
           "fingerprint", "state")


def _state(finding: Finding) -> str:
    if finding.suppression is not None:
        return f"suppressed ({finding.suppression.kind})"
    return finding.baseline_state or "new"


def _safe(text: str) -> str:
    """A cell a spreadsheet does not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render(result: ScanResult, findings: list[Finding]) -> str:
    """The CSV document."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings:
        span = f.span
        writer.writerow([f.rule_id, f.severity, _safe(f.file), span.line, span.col, span.end_line, span.end_col,
                         _safe(f.resource), _safe(f.message), f.fingerprint, _state(f)])
    return out.getvalue()
