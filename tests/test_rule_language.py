"""The rule language: validation errors name file and line; conditions use three-valued logic."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from policylint.evaluate.engine import evaluate_rule
from policylint.evaluate.rules import RuleError, builtin_rules_dir, load_rule_file, load_rules
from policylint.load.located import LocDict, Span, Unknown
from policylint.load.yaml_loader import load_yaml
from policylint.model import Resource

HEADER = textwrap.dedent("""\
    id: PL9990
    name: TestRule
    severity: low
    title: t
    description: d
    remediation: r
    references: []
    tags: []
    """)


def _rule(tmp_path: Path, body: str):
    path = tmp_path / "rule.yaml"
    path.write_text(HEADER + textwrap.dedent(body))
    return load_rule_file(path, {})


@pytest.mark.parametrize("body, line, text", [
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\nforbid: {path: a, equals: 1}\ncolour: red\n", 13, "unknown key 'colour'"),
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\nforbid:\n  path: a\n  equal: 1\n", 14, "unknown operator 'equal'"),
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\nforbid:\n  path: a\n  matches: '(unclosed'\n", 14, "invalid regular expression"),
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\nforbid:\n  path: 'a..b'\n  exists: true\n", 13, "unexpected '.'"),
    ("resource: {kinds: [x]}\nmessage: m\nforbid: {path: a, exists: true}\n", 1, "'unknown' must say"),
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\n", 1, "exactly one of 'forbid' or 'require'"),
    ("resource: {kinds: [x]}\nunknown: ignore\nmessage: m\nforbid: {path: a, contains_all: {k: v}}\n", 12, "takes true/false"),
])
def test_invalid_rules_are_errors_with_file_and_line(tmp_path, body, line, text):
    with pytest.raises(RuleError) as info:
        _rule(tmp_path, body)
    assert info.value.line == line and text in info.value.message
    assert str(info.value).startswith(f"{tmp_path / 'rule.yaml'}:{line}:")


def test_bad_id_and_name(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(HEADER.replace("PL9990", "PL-1").replace("TestRule", "test_rule") + "resource: {kinds: [x]}\n")
    with pytest.raises(RuleError, match="id must be"):
        load_rule_file(path, {})


def test_duplicate_ids_across_directories(tmp_path):
    (tmp_path / "a.yaml").write_text((builtin_rules_dir() / "iam" / "PL1001-iam-service-wildcard-action.yaml").read_text())
    with pytest.raises(RuleError, match="already used"):
        load_rules([builtin_rules_dir(), tmp_path])


def test_builtin_rules_all_load():
    ids = [r.id for r in load_rules([builtin_rules_dir()])]
    assert {"PL0001", "PL1001", "PL1002", "PL1003", "PL1004", "PL2001", "PL2002", "PL3001", "PL3002"} <= set(ids)


def _resource(yaml_text: str) -> Resource:
    props = load_yaml(yaml_text)
    return Resource("test", "Test::Type", "R", "f.yaml", Span(1, 1, 1, 1), props, "test")


def test_require_all_is_not_vacuous_and_points_at_the_nearest_existing_parent(tmp_path):
    rule = _rule(tmp_path, "resource: {kinds: [test]}\nunknown: ignore\nmessage: m\n"
                           "require: {path: 'enc.algs[*]', match: all, equals: kms}\n")
    (finding,) = evaluate_rule(rule, _resource("enc:\n  algs: []\n"))
    assert finding.span.line == 2
    assert evaluate_rule(rule, _resource("enc:\n  algs: [kms, kms]\n")) == []
    (finding,) = evaluate_rule(rule, _resource("enc:\n  algs: [kms, aes]\n"))
    assert finding.span[:2] == (2, 15)


def test_unknown_is_ignored_or_reported_as_the_rule_says(tmp_path):
    ignore = _rule(tmp_path, "resource: {kinds: [test]}\nunknown: ignore\nmessage: m\nforbid: {path: a, equals: x}\n")
    report = _rule(tmp_path, "resource: {kinds: [test]}\nunknown: report\nmessage: m\nforbid: {path: a, equals: x}\n")
    resource = _resource("a: placeholder\n")
    resource.props["a"] = Unknown("!Ref P")
    assert evaluate_rule(ignore, resource) == []
    (finding,) = evaluate_rule(report, resource)
    assert "could not be resolved" in finding.message and "!Ref P" in finding.message


def test_kleene_logic_any_all_not():
    from policylint.evaluate.conditions import compile_condition

    data = LocDict()
    data.put("a", Unknown("?"), Span(1, 1, 1, 2))
    data.put("b", 1, Span(2, 1, 2, 2))

    def value(cond):
        return compile_condition(cond, {}).evaluate(data, ())[0]

    unknown, true, false = {"path": "a", "equals": 1}, {"path": "b", "equals": 1}, {"path": "b", "equals": 2}
    assert value({"any": [unknown, true]}) is True
    assert value({"any": [unknown, false]}) is None
    assert value({"all": [unknown, false]}) is False
    assert value({"all": [unknown, true]}) is None
    assert value({"not": unknown}) is None
    assert value({"path": "a", "exists": True}) is True


def test_that_applies_several_tests_to_the_same_element(tmp_path):
    rule = _rule(tmp_path, textwrap.dedent("""\
        resource: {kinds: [test]}
        unknown: ignore
        message: "{value}"
        forbid:
          path: 'items[*]'
          that:
            all:
              - {path: kind, equals: open}
              - {path: port, equals: 22}
        """))
    resource = _resource("items:\n  - {kind: open, port: 80}\n  - {kind: closed, port: 22}\n  - {kind: open, port: 22}\n")
    (finding,) = evaluate_rule(rule, resource)
    assert finding.span.line == 4 and finding.message == "22"


def test_options_are_substituted_and_overridable(tmp_path):
    body = ("resource: {kinds: [test]}\nunknown: ignore\nmessage: m\n"
            "options:\n  allowed: {default: [a], description: allowed values}\n"
            "require: {path: v, in: {option: allowed}}\n")
    path = tmp_path / "rule.yaml"
    path.write_text(HEADER + body)
    default = load_rule_file(path, {})
    overridden = load_rule_file(path, {"PL9990": {"allowed": ["a", "b"]}})
    resource = _resource("v: b\n")
    assert len(evaluate_rule(default, resource)) == 1
    assert evaluate_rule(overridden, resource) == []


def test_an_option_test_switches_part_of_a_condition(tmp_path):
    body = ("resource: {kinds: [test]}\nunknown: ignore\nmessage: m\n"
            "options:\n  strict: {default: false, description: also require v}\n"
            "forbid:\n  all:\n    - {option: strict, equals: true}\n    - {path: v, exists: false}\n")
    path = tmp_path / "rule.yaml"
    path.write_text(HEADER + body)
    resource = _resource("w: 1\n")
    assert evaluate_rule(load_rule_file(path, {}), resource) == []
    assert len(evaluate_rule(load_rule_file(path, {"PL9990": {"strict": True}}), resource)) == 1
    for bad, text in (("{option: nope, equals: true}", "unknown option 'nope'"),
                      ("{option: strict, path: v, equals: true}", "takes no 'path'"),
                      ("{option: strict, cidr_world: true}", "takes exactly one of")):
        path.write_text(HEADER + body.split("forbid:")[0] + f"forbid: {bad}\n")
        with pytest.raises(RuleError, match=text):
            load_rule_file(path, {})
