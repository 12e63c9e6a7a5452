"""Baselines: record today's findings, then fail only on new ones.

A baseline file lists fingerprints (rule id, file, resource address, element path: never line
numbers), so findings stay matched when lines shift. Each fingerprint is counted: two identical
findings in the baseline excuse two, not three. Entries of scanned files that no finding matches
any more are reported (the baseline is stale: a fix, or a change that hides the old finding);
they are never written to SARIF as ``absent`` results, which code scanning would show as alerts.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from . import __version__
from .findings import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read."""


@dataclass
class Baseline:
    """The fingerprints a baseline file records, counted, and the file each one is in."""

    counts: Counter[str] = field(default_factory=Counter)
    files: dict[str, str] = field(default_factory=dict)


def render_baseline(findings: list[Finding]) -> str:
    """The baseline file for the active (unsuppressed) findings."""
    entries = [
        {"fingerprint": f.fingerprint, "rule": f.rule_id, "file": f.file, "resource": f.resource, "element": f.element}
        for f in sorted(findings, key=Finding.sort_key)
        if f.suppression is None
    ]
    document = {"policylint_baseline": FORMAT_VERSION, "tool_version": __version__, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: str) -> Baseline:
    """The fingerprints recorded in a baseline file."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path} is not a policylint baseline (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("policylint_baseline") != FORMAT_VERSION:
        raise BaselineError(f"{path} is not a policylint baseline (written by --write-baseline)")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise BaselineError(f"{path}: 'findings' must be a list of entries with a fingerprint")
    baseline = Baseline()
    for entry in entries:
        baseline.counts[entry["fingerprint"]] += 1
        if isinstance(entry.get("file"), str):
            baseline.files[entry["fingerprint"]] = entry["file"]
    return baseline


def mark_baseline(findings: list[Finding], baseline: Baseline, scanned: list[str]) -> int:
    """Set ``baseline_state`` on every finding: ``unchanged`` when the baseline holds it, else ``new``.
    Returns how many entries of the ``scanned`` files no finding matched."""
    remaining = Counter(baseline.counts)
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.suppression is None and remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            finding.baseline_state = "unchanged"
        elif finding.suppression is not None and finding.fingerprint in baseline.counts:
            remaining[finding.fingerprint] = 0
            finding.baseline_state = "unchanged"
        else:
            finding.baseline_state = "new"
    files = set(scanned)
    return sum(count for fingerprint, count in remaining.items() if baseline.files.get(fingerprint) in files)
