"""GitHub Actions workflow commands: ``::error``/``::warning``/``::notice`` lines, shown as
annotations on the pull request without code scanning. GitHub shows at most
:data:`ANNOTATIONS_PER_TYPE` annotations of each type per step, so no more are emitted: the most
severe findings first, and a line counting the rest."""
from __future__ import annotations

from ..findings import SEVERITY_RANK, Finding
from ..scan import ScanResult

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
ANNOTATIONS_PER_TYPE = 10


def escape_data(text: str) -> str:
    """Escape a command's message (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    """The workflow command for one finding."""
    span = finding.span
    properties = [
        ("file", finding.file), ("line", str(span.line)), ("col", str(span.col)),
        ("endLine", str(max(span.end_line, span.line))),
        ("title", f"{finding.rule_id} ({finding.severity})"),
    ]
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(finding.message)}"


def render(result: ScanResult, findings: list[Finding]) -> str:
    """Commands for the active findings (not suppressed, not in the baseline), most severe first and
    at most :data:`ANNOTATIONS_PER_TYPE` of each type, then the summary."""
    from .text import summary

    lines: list[str] = []
    emitted = {kind: 0 for kind in COMMANDS.values()}
    left_out = 0
    for finding in sorted((f for f in findings if f.active), key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key())):
        kind = COMMANDS[finding.severity]
        if emitted[kind] >= ANNOTATIONS_PER_TYPE:
            left_out += 1
            continue
        emitted[kind] += 1
        lines.append(command(finding))
    if left_out:
        lines.append(f"policylint: {left_out} more finding{'s' if left_out != 1 else ''} not annotated (GitHub shows "
                     f"{ANNOTATIONS_PER_TYPE} annotations of each type per step; the text or SARIF report lists all)")
    lines.append(escape_data(summary(result, findings)))
    return "\n".join(lines) + "\n"
