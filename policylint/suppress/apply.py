"""Apply suppression directives to findings.

A finding is suppressed by the first valid, unexpired directive that names its rule and covers it.
A directive that would cover it but is invalid (no reason) or expired does not suppress; the finding
says so in its message, and every such directive is also listed as a notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..findings import Finding, Suppression
from ..globs import matches
from ..load.located import Span
from ..model import Resource
from .directives import Directive, comment_directives, metadata_directives

COMMENT_SUFFIXES = (".yaml", ".yml", ".template", ".tf", ".tfvars", ".hcl")


@dataclass(frozen=True)
class Block:
    """Where a source resource (a CloudFormation resource, a Terraform block) is written."""

    file: str
    name: str
    span: Span

    def holds(self, finding: Finding, elsewhere: bool) -> bool:
        """Whether ``finding`` is in this resource: by position in the same file, or by name when the
        finding sits in a file that declares no resources itself (``elsewhere``: a policy file a
        Terraform ``file()`` call read)."""
        if finding.file == self.file:
            return self.span.line <= finding.span.line <= self.span.end_line or self._named(finding.resource)
        return elsewhere and self._named(finding.resource)

    def _named(self, name: str) -> bool:
        return name == self.name or name.startswith((self.name + ".", self.name + "["))


@dataclass
class SuppressionIndex:
    """The directives and resource blocks of the files of one scan."""

    directives: list[Directive] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def extend(self, other: "SuppressionIndex | None") -> None:
        if other is not None:
            self.directives.extend(other.directives)
            self.blocks.extend(other.blocks)

    def add_source(self, file: str, text: str | None, data: object = None) -> None:
        """Index one file's comments (YAML/HCL text) and CloudFormation Metadata (parsed ``data``)."""
        if text and file.lower().endswith(COMMENT_SUFFIXES) and "policylint" in text:
            self.directives.extend(comment_directives(text, file))
        if data is not None:
            self.directives.extend(metadata_directives(data, file))

    def add_resources(self, resources: list[Resource]) -> None:
        """Record where each source resource is written (``kind`` ``None``: one per resource)."""
        self.blocks.extend(Block(r.file, r.name, r.span) for r in resources if r.kind is None)


def covers(directive: Directive, finding: Finding, blocks_by_file: dict[str, list[Block]]) -> bool:
    """Whether ``directive`` is about ``finding``'s rule and place (``blocks_by_file``: the resource
    blocks of each file that declares resources)."""
    if not directive.names(finding.rule_id):
        return False
    if directive.paths:
        return any(matches(pattern, finding.file) for pattern in directive.paths)
    elsewhere = finding.file not in blocks_by_file
    blocks = blocks_by_file.get(directive.file, ())
    if directive.resource is not None:
        return any(b.name == directive.resource and b.holds(finding, elsewhere) for b in blocks)
    if directive.line is None:
        return False
    if finding.file == directive.file and finding.span.line == directive.line:
        return True
    return any(b.span.line == directive.line and b.holds(finding, elsewhere) for b in blocks)


def apply_suppressions(findings: list[Finding], index: SuppressionIndex, today: dt.date) -> list[str]:
    """Mark covered findings as suppressed (in place); return notices about directives that do not
    suppress (invalid or expired)."""
    notices = []
    for directive in index.directives:
        if directive.problem:
            notices.append(f"{directive.origin}: suppression ignored: {directive.problem}")
        elif directive.expired(today):
            notices.append(f"{directive.origin}: suppression of {', '.join(directive.rule_ids)} "
                           f"expired on {directive.expires.isoformat()}: no longer applied")
    blocks_by_file: dict[str, list[Block]] = {}
    for block in index.blocks:
        blocks_by_file.setdefault(block.file, []).append(block)
    for finding in findings:
        if finding.suppression is not None:
            continue
        # A finding that supersedes others is suppressed by a suppression of any of them.
        relevant = [d for d in index.directives
                    if any(covers(d, f, blocks_by_file) for f in [finding, *finding.replaced()])]
        valid = next((d for d in relevant if not d.problem and not d.expired(today)), None)
        if valid is not None:
            finding.suppression = Suppression(valid.kind, valid.reason, valid.origin)
            continue
        for directive in relevant:
            note = (f"suppression at {directive.origin} ignored: {directive.problem}" if directive.problem
                    else f"suppression at {directive.origin} expired on {directive.expires.isoformat()}")
            finding.message += f" [{note}]"
    return notices
