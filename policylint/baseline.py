"""Baselines: record today's findings, then fail only on new ones.

A baseline file lists fingerprints keyed by meaning (rule id, file, resource address and the
offending element's content: a statement's ``Sid`` or a hash of the normalised statement, a CIDR's
value; never line numbers or positions), so findings stay matched when lines shift, statements are
inserted and resources reordered, and stop matching when the offending content changes. Each
fingerprint is counted: two identical findings in the baseline excuse two, not three. Entries of
scanned files that no finding matches any more are *absent* (the baseline is stale: a fix, or a
change that hides the old finding): listed in the text report, never written to SARIF as
``absent`` results, which code scanning would show as alerts.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from .findings import Finding

FORMAT_VERSION = 2  # 1: fingerprints by element position (statements[1]...), no longer matched


class BaselineError(Exception):
    """A baseline file that cannot be read."""


@dataclass
class Baseline:
    """The fingerprints a baseline file records, counted, and the entry of each one."""

    counts: Counter[str] = field(default_factory=Counter)
    entries: dict[str, dict] = field(default_factory=dict)


def render_baseline(findings: list[Finding]) -> str:
    """The baseline file for the active (unsuppressed) findings."""
    entries = [
        {"fingerprint": f.fingerprint, "rule": f.rule_id, "file": f.file, "resource": f.resource,
         "element": f.element, "key": f.meaning if f.meaning is not None else f.element}
        for f in sorted(findings, key=Finding.sort_key)
        if f.suppression is None
    ]
    from . import __version__  # noqa: PLC0415 - the package metadata is read only when a baseline is written

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
    if isinstance(document, dict) and document.get("policylint_baseline") == 1:
        raise BaselineError(f"{path} was written by an older policylint, whose fingerprints used element positions; "
                            f"record it again with --write-baseline {path}")
    if not isinstance(document, dict) or document.get("policylint_baseline") != FORMAT_VERSION:
        raise BaselineError(f"{path} is not a policylint baseline (written by --write-baseline)")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise BaselineError(f"{path}: 'findings' must be a list of entries with a fingerprint")
    baseline = Baseline()
    for entry in entries:
        baseline.counts[entry["fingerprint"]] += 1
        baseline.entries[entry["fingerprint"]] = entry
    return baseline


def mark_baseline(findings: list[Finding], baseline: Baseline, scanned: list[str]) -> list[dict]:
    """Set ``baseline_state`` on every finding: ``unchanged`` when the baseline holds it, else ``new``.
    Returns the entries of the ``scanned`` files that no finding matched (``absent``), once per count."""
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
    absent = [baseline.entries[fingerprint] for fingerprint, count in remaining.items()
              if baseline.entries[fingerprint].get("file") in files for _ in range(count)]
    return sorted(absent, key=lambda e: tuple(str(e.get(k, "")) for k in ("file", "rule", "resource", "element")))
