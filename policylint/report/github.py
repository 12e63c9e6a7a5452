"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding,
shown as annotations on the pull request without code scanning."""
from __future__ import annotations

from ..findings import Finding
from ..scan import ScanResult

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


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
    """Commands for the active findings (not suppressed, not in the baseline) and a summary notice."""
    from .text import summary

    lines = [command(f) for f in findings if f.active]
    lines.append(escape_data(summary(result, findings)))
    return "\n".join(lines) + "\n"
