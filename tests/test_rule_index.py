"""The prebuilt index of the shipped rules (rules/index.json): fresh, and giving the same rules
as their YAML."""
from __future__ import annotations

import dataclasses
import importlib.util
import shutil
from pathlib import Path

from conftest import REPO

from policylint.evaluate import rule_index
from policylint.evaluate.conditions import leaves
from policylint.evaluate.rules import load_rule_file, load_rules, rule_files

RULES = REPO / "rules"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rule_index", REPO / "tools" / "gen_rule_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_index_is_fresh():
    assert (RULES / rule_index.INDEX_NAME).read_text(encoding="utf-8") == _generator().build(RULES), \
        "rules/index.json is stale: run python tools/gen_rule_index.py"


def _fields(rule):
    out = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)
           if f.name not in ("pending", "condition", "where", "severity_by", "file")}
    return out


def test_rules_from_the_index_are_the_rules_of_the_yaml():
    index = rule_index.read_index(RULES)
    files = rule_files(RULES)
    assert len(index) == len(files)
    for path in files:
        parsed = rule_index.entry_data(index, path.relative_to(RULES).as_posix(), path.read_bytes())
        assert parsed is not None, path
        from_index = load_rule_file(path, {}, parsed=parsed)
        from_yaml = load_rule_file(path, {})
        assert (from_index is None) == (from_yaml is None)
        if from_yaml is not None:
            assert _fields(from_index) == _fields(from_yaml), path
            assert _leaves(from_index) == _leaves(from_yaml), path


def _leaves(rule):
    return [(leaf.path, leaf.quantifier, leaf.operator, _arg(leaf.arg), leaf.negate)
            for c in rule.conditions() for leaf in leaves(c)]


def _arg(arg):
    """A leaf's argument as text; a compiled pattern (prefiltered or not) as its pattern and flags."""
    if hasattr(arg, "pattern"):
        return (type(arg).__name__, arg.pattern, getattr(getattr(arg, "regex", arg), "flags", None))
    return str(arg)


def test_an_edited_rule_file_is_read_from_its_yaml_not_the_stale_index(tmp_path: Path, monkeypatch):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    victim = next(p for p in rule_files(copy) if p.name.startswith("PL2001"))
    victim.write_text(victim.read_text(encoding="utf-8").replace("severity: high", "severity: low", 1)
                      .replace("severity: medium", "severity: low", 1), encoding="utf-8")
    monkeypatch.setattr("policylint.evaluate.rules.builtin_rules_dir", lambda: copy)
    rule = next(r for r in load_rules([copy]) if r.id == "PL2001")
    assert rule.severity == "low"
    assert rule_index.entry_data(rule_index.read_index(copy), victim.relative_to(copy).as_posix(),
                                 victim.read_bytes()) is None
