"""Rebuild ``rules/index.json``, the prebuilt index of the shipped rule files
(``policylint/evaluate/rule_index.py``). Run after editing a rule:

    python tools/gen_rule_index.py

A file whose mapping JSON cannot hold unchanged (a non-string key, a date) is left out of the
index and parsed from its YAML at every scan.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policylint.evaluate import rule_index  # noqa: E402
from policylint.evaluate.rule_regex import RulePattern  # noqa: E402
from policylint.evaluate.conditions import leaves  # noqa: E402
from policylint.evaluate.rules import RuleError, load_rules, parse_rule_file, rule_files  # noqa: E402


def build(directory: Path) -> str:
    """The index of ``directory`` as the text written to disk (one line per file)."""
    entries = []
    patterns: set[str] = set()
    for path in rule_files(directory):
        try:
            data = rule_index.plain(parse_rule_file(str(path)))
        except (RuleError, TypeError):
            continue
        relative = path.relative_to(directory).as_posix()
        entry = {"sha256": rule_index.digest(path.read_bytes()), "data": data}
        entries.append(f"{json.dumps(relative)}: {json.dumps(entry, ensure_ascii=False)}")
    for rule in load_rules([directory]):
        rule.ready()
        for condition in (rule.where, rule.condition, *(tier.where for tier in rule.severity_by)):
            patterns.update(leaf.arg.pattern for leaf in leaves(condition) if leaf.operator == "matches")
    for pattern in patterns:
        RulePattern(pattern)._compile()  # a pattern the engine refuses is not indexed as reviewed
    analyses = [f"{json.dumps(p, ensure_ascii=False)}: {json.dumps(rule_index.pattern_entry(p))}" for p in sorted(patterns)]
    return '{"format": %d, "files": {\n%s\n},\n"patterns": {\n%s\n}}\n' % (
        rule_index.FORMAT, ",\n".join(entries), ",\n".join(analyses))


if __name__ == "__main__":
    target = ROOT / "rules" / rule_index.INDEX_NAME
    target.write_text(build(ROOT / "rules"), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
