"""The human report: ``path:line:col: ID severity message``, grouped by file, and a summary."""
from __future__ import annotations

from ..findings import SEVERITIES, Finding
from ..scan import ScanResult

_COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(result: ScanResult, findings: list[Finding], colour: bool = False, quiet: bool = False) -> str:
    """The report for the findings to show (already filtered and suppressed); ``quiet``: only the
    finding lines."""
    lines: list[str] = []
    current = None
    shown = [f for f in findings if f.active]
    for finding in shown:
        if finding.file != current and not quiet:
            if current is not None:
                lines.append("")
            current = finding.file
            lines.append(f"{_BOLD}{finding.file}{_RESET}" if colour else finding.file)
        severity = finding.severity
        if colour:
            severity = f"{_COLOURS[severity]}{severity}{_RESET}"
        lines.append(
            f"{finding.file}:{finding.span.line}:{finding.span.col}: {finding.rule_id} {severity} {finding.message}"
        )
    if quiet:
        return "".join(line + "\n" for line in lines)
    for skipped in result.skipped:
        lines.append(f"note: {skipped.display}: {skipped.reason}")
    if result.absent:
        if lines:
            lines.append("")
        lines.append(f"In the baseline, no longer found ({len(result.absent)}):")
        for entry in result.absent:
            what = " ".join(str(entry[k]) for k in ("rule", "resource", "element") if entry.get(k))
            lines.append(f"  {entry.get('file', '?')}: {what}")
    if lines:
        lines.append("")
    lines.append(summary(result, findings))
    return "\n".join(lines) + "\n"


def summary(result: ScanResult, findings: list[Finding]) -> str:
    """One line: files, findings by severity, parse errors, suppressed, already in the baseline;
    and a second naming the configuration file when it narrows what is checked."""
    known = sum(1 for f in findings if f.suppression is None and f.baseline_state == "unchanged")
    active = [f for f in findings if f.active]
    counts = {s: sum(1 for f in active if f.severity == s) for s in reversed(SEVERITIES)}
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    suppressed = sum(1 for f in findings if f.suppression is not None)
    text = f"{len(result.files)} file{'s' if len(result.files) != 1 else ''} scanned, "
    text += f"{len(active)} finding{'s' if len(active) != 1 else ''}"
    if parts:
        text += f" ({', '.join(parts)})"
    if result.parse_errors:
        text += f", {len(result.parse_errors)} parse error{'s' if len(result.parse_errors) != 1 else ''}"
    if suppressed:
        text += f", {suppressed} suppressed"
    if known:
        text += f", {known} in the baseline"
    if result.absent:
        text += f", {len(result.absent)} baseline entr{'ies' if len(result.absent) != 1 else 'y'} no longer found"
    if result.config_changes:
        text += f"\nconfiguration {result.config_file} changes what is checked: {'; '.join(result.config_changes)}"
    return text
