"""Compliance benchmarks: the control ids rules may map to, and which rules check each control.

The benchmarks ship as data (``policylint/benchmarks/<id>.yaml``: every control with its title,
and for those no rule checks, why). A rule declares ``compliance: {<benchmark>: [control ids]}``;
:func:`mapping_error` validates that against the data when the rule loads.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .load.text import read_text

AUDIT = "control-audit.yaml"
DATA_DIR = Path(__file__).resolve().parent / "benchmarks"


@dataclass(frozen=True)
class Control:
    """One control (recommendation) of a benchmark."""

    id: str
    title: str
    decidable: bool = True
    reason: str = ""  # why not decidable from code, or (decidable) why no rule checks it yet


@dataclass(frozen=True)
class Benchmark:
    id: str
    title: str
    url: str
    controls: dict[str, Control]


def control_order(control_id: str) -> tuple[Any, ...]:
    """Natural order: ``1.2`` < ``1.10``, ``EC2.2`` < ``EC2.10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.]", control_id))


@functools.lru_cache(maxsize=1)
def benchmarks() -> dict[str, Benchmark]:
    """Every shipped benchmark by id."""
    from .load.yaml_loader import load_yaml

    out: dict[str, Benchmark] = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        if path.name == AUDIT:  # the project's own control audit, not a benchmark
            continue
        data = load_yaml(read_text(str(path)))
        controls = {}
        for cid, spec in data["controls"].items():
            decidable = spec.get("decidable", True) is not False
            reason = spec.get("reason", "") if not decidable else spec.get("not_covered", "")
            controls[str(cid)] = Control(str(cid), spec["title"], decidable, reason)
        ordered = dict(sorted(controls.items(), key=lambda kv: control_order(kv[0])))
        out[data["id"]] = Benchmark(data["id"], data["title"], data["url"], ordered)
    return out


def mapping_error(value: Any) -> str | None:
    """Why a rule's ``compliance`` value is not valid (``None`` when it is)."""
    known = benchmarks()
    if not isinstance(value, dict) or not value:
        return "compliance must map benchmark ids to lists of control ids, e.g. {aws-fsbp: [S3.5]}"
    for bench, ids in value.items():
        if bench not in known:
            return f"compliance: unknown benchmark {bench!r} (known: {', '.join(sorted(known))})"
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return (f"compliance: {bench} takes a non-empty list of control ids as strings "
                    f"(quote numeric ids: [\"2.1.1\", \"3.4\"])")
        for cid in ids:
            control = known[bench].controls.get(cid)
            if control is None:
                return f"compliance: {bench} has no control {cid!r}"
            if not control.decidable:
                return f"compliance: {bench} {cid} is listed as not decidable from code ({control.reason})"
    return None


def selectors(mapping: dict[str, tuple[str, ...]]) -> set[str]:
    """The names ``--select`` / ``--ignore`` accept for a rule with this mapping: each benchmark
    id and each ``<benchmark>:<control>``."""
    out: set[str] = set()
    for bench, ids in mapping.items():
        out.add(bench)
        out.update(f"{bench}:{cid}" for cid in ids)
    return out


def coverage(rules: list[Any], bench: str) -> list[tuple[Control, list[str]]]:
    """Every control of benchmark ``bench`` with the ids of the rules that map to it."""
    mapped: dict[str, list[str]] = {}
    for rule in rules:
        for cid in rule.compliance.get(bench, ()):
            mapped.setdefault(cid, []).append(rule.id)
    return [(control, sorted(mapped.get(cid, []))) for cid, control in benchmarks()[bench].controls.items()]


def status(control: Control, rule_ids: list[str]) -> str:
    """``covered``, ``not decidable`` or ``not covered``."""
    if rule_ids:
        return "covered"
    return "not decidable" if not control.decidable else "not covered"
