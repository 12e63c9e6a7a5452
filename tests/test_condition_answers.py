"""``Condition.test`` (the answer alone, which evaluation asks first) agrees with
``Condition.evaluate`` (the answer with its witnesses) on every scope the shipped rules meet in
their fixtures, at every node of every condition."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from policylint.evaluate.conditions import All, Any_, Each, Leaf, Not, OptionTest, compile_condition
from policylint.load.located import Unknown
from policylint.load.yaml_loader import load_yaml
from policylint.scan import ScanOptions, scan

NODES = (All, Any_, Not, Leaf, OptionTest, Each)


@pytest.fixture
def checked(monkeypatch):
    """Every compiled ``test`` (each node's) also runs ``evaluate`` on the same scope and compares the answers."""
    seen = {"calls": 0, "answers": set()}

    def wrap(cls):
        original = cls.tester

        def tester(self):
            compiled = original(self)

            def test(scope):
                answer = compiled(scope)
                expected = self.evaluate(scope, ())[0]
                assert answer is expected, (cls.__name__, answer, expected, scope)
                seen["calls"] += 1
                seen["answers"].add(answer)
                return answer
            return test
        monkeypatch.setattr(cls, "tester", tester)

    for cls in NODES:
        wrap(cls)
    return seen


def test_answers_agree_on_every_rule_fixture(checked):
    result = scan(ScanOptions(paths=[str(FIXTURES / "rules")], root=str(FIXTURES), jobs=1))
    assert result.findings
    assert checked["calls"] > 10_000 and checked["answers"] == {True, False, None}


def _condition(text: str, options: dict | None = None):
    return compile_condition(load_yaml(text), options or {})


@pytest.mark.parametrize("text, scope, answer", [
    # an option test holds but names no witness: the `any` holds all the same
    ("any: [{option: strict, equals: true}, {path: a, equals: 1}]", {"a": 2}, True),
    ("path: items[*]\nmatch: any\nthat: {option: strict, equals: true}", {"items": [1, 2]}, True),
    ("path: items[*]\nmatch: all\nthat: {option: strict, equals: false}", {"items": [1, 2]}, False),
    ("all: [{path: a, equals: 1}, {option: strict, equals: true}]", {"a": 1}, True),
])
def test_an_answer_does_not_depend_on_witnesses(text, scope, answer):
    condition = _condition(text, {"strict": True})
    assert condition.evaluate(scope, ())[0] is answer
    assert condition.test(scope) is answer



U = Unknown("${var.x}")


@pytest.mark.parametrize("text, scope, answer", [
    ("path: v[*]\nmatch: any\nequals: y", {"v": [U, "x"]}, None),
    ("path: v[*]\nmatch: any\nequals: y", {"v": [U, "y"]}, True),
    ("path: v[*]\nmatch: any\nequals: y", {"v": ["x"]}, False),
    ("path: v[*]\nmatch: all\nequals: y", {"v": [U, "y"]}, None),
    ("path: v[*]\nmatch: all\nequals: y", {"v": [U, "x"]}, False),
    ("path: v[*]\nmatch: all\nequals: y", {"v": []}, False),
    ("path: v\nexists: true", {"v": "  "}, False),
    ("path: v\nexists: false", {"v": "  "}, True),
    ("path: v\nexists: true", {"v": U}, True),
    ("path: w.x\nequals: 1", {"w": {"x": None}}, False),
    ("not: {path: v, equals: y}", {"v": U}, None),
    ("all: [{path: a, equals: 1}, {path: v, equals: y}]", {"a": 1, "v": U}, None),
    ("all: [{path: v, equals: y}, {path: a, equals: 2}]", {"a": 1, "v": U}, False),
    ("any: [{path: v, equals: y}, {path: a, equals: 2}]", {"a": 1, "v": U}, None),
    ("any: [{path: v, equals: y}, {path: a, equals: 1}]", {"a": 1, "v": U}, True),
    ("path: s[*]\nmatch: any\nthat: {path: v, equals: y}", {"s": [{"v": U}, {"v": "x"}]}, None),
    ("path: s[*]\nmatch: all\nthat: {path: v, equals: y}", {"s": [{"v": U}, {"v": "y"}]}, None),
    ("path: s[*]\nmatch: all\nthat: {path: v, equals: y}", {"s": [{"v": U}, {"v": "x"}]}, False),
    ("path: s[*].t[*]\nmatch: any\nequals: 3", {"s": [{"t": [1, 2]}, {"t": 3}, {"t": [4, 3]}]}, True),
    ("path: m[*]\nmatch: all\nequals: 3", {"m": {"a": 3, "b": 3}}, True),
    ("path: l[-1]\nequals: 3", {"l": [1, 3]}, True),
    ("path: l[5]\nequals: 3", {"l": [1, 3]}, False),
])
def test_three_valued_answers(text, scope, answer):
    condition = _condition(text)
    assert condition.evaluate(scope, ())[0] is answer
    assert condition.test(scope) is answer
