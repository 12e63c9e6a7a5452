"""JUnit XML, as Jenkins, GitLab, Azure DevOps and CircleCI read it: one ``<testsuite>`` per file
scanned, one ``<testcase>`` per rule and file. A rule with findings in a file is a failing test
case (``<error>`` for a file that could not be parsed) whose message is the first finding and whose
text lists every finding with its location; findings already in the baseline are a skipped test
case; a file without findings is one passing test case."""
from __future__ import annotations

from itertools import groupby
from xml.sax.saxutils import quoteattr

from ..findings import Finding
from ..scan import PARSE_ERROR, ScanResult

_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}  # not allowed in XML 1.0


def _text(value: str) -> str:
    return value.translate(_CONTROL).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return quoteattr(value.translate(_CONTROL))


def _where(finding: Finding) -> str:
    return f"{finding.file}:{finding.span.line}:{finding.span.col}"


def _case(file: str, rule_id: str, findings: list[Finding], names: dict[str, str]) -> tuple[str, str]:
    """``(outcome, XML)`` of the test case for one rule in one file."""
    name = f"{rule_id} {names.get(rule_id, '')}".strip()
    head = f"    <testcase name={_attr(name)} classname={_attr(file)} time=\"0\">"
    active = [f for f in findings if f.active]
    if not active:
        lines = "\n".join(f"{_where(f)}: {f.message}" for f in findings)
        return "skipped", (f"{head}\n      <skipped message={_attr('already in the baseline')}>{_text(lines)}</skipped>\n"
                           "    </testcase>")
    first = active[0]
    tag = "error" if rule_id == PARSE_ERROR else "failure"
    message = f"{_where(first)}: {first.message}" + (f" (and {len(active) - 1} more)" if len(active) > 1 else "")
    body = "\n".join(f"{_where(f)}: {f.severity}: {f.message}" + (f" [{f.resource}]" if f.resource else "")
                     for f in active)
    return tag, (f"{head}\n      <{tag} type={_attr(f'{rule_id} ({first.severity})')} message={_attr(message)}>"
                 f"{_text(body)}</{tag}>\n    </testcase>")


def render(result: ScanResult, findings: list[Finding]) -> str:
    """The JUnit document for the findings to show (suppressed findings are left out)."""
    names = {r.id: r.name for r in result.rules}
    counted = [f for f in findings if f.suppression is None]
    by_file = {file: list(group) for file, group in groupby(sorted(counted, key=lambda f: (f.file, f.rule_id)),
                                                             key=lambda f: f.file)}
    suites: list[str] = []
    totals = {"tests": 0, "failure": 0, "error": 0}
    for file in sorted(set(result.files) | set(by_file)):
        cases = []
        counts = {"failure": 0, "error": 0, "skipped": 0}
        for rule_id, group in groupby(by_file.get(file, []), key=lambda f: f.rule_id):
            outcome, xml = _case(file, rule_id, sorted(group, key=Finding.sort_key), names)
            counts[outcome] += 1
            cases.append(xml)
        if not cases:
            cases.append(f"    <testcase name=\"policylint\" classname={_attr(file)} time=\"0\"/>")
        totals["tests"] += len(cases)
        totals["failure"] += counts["failure"]
        totals["error"] += counts["error"]
        suites.append(
            f"  <testsuite name={_attr(file)} file={_attr(file)} tests=\"{len(cases)}\" failures=\"{counts['failure']}\" "
            f"errors=\"{counts['error']}\" skipped=\"{counts['skipped']}\" time=\"0\">\n" + "\n".join(cases) + "\n  </testsuite>")
    head = (f"<testsuites name=\"policylint\" tests=\"{totals['tests']}\" failures=\"{totals['failure']}\" "
            f"errors=\"{totals['error']}\" time=\"0\">")
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *suites, "</testsuites>"]) + "\n"
