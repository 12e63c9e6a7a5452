"""Terraform's function table is exact or unknown, never invented.

Every function policylint evaluates is held to the results Terraform's documentation gives for
sample inputs (a result of *unknown* is allowed: it keeps rules silent), and, over random
arguments of every type, to Terraform's signature: a known result only where Terraform would
accept the arguments, of the type Terraform returns — so that no placeholder (``element()`` of a
string giving ``'A'``) ever reaches a rule.
"""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.confine import Confinement
from policylint.load.hcl_parser import parse_expression
from policylint.load.hcl_tree import Source
from policylint.load.located import Span, Unknown, plain
from policylint.normalise.terraform import functions
from policylint.normalise.terraform.expressions import Scope, evaluate
from policylint.normalise.terraform.instance import Build, Instance

UNKNOWN = object()


@pytest.fixture(scope="module")
def scope(tmp_path_factory):
    root = tmp_path_factory.mktemp("functions")
    (root / "main.tf").write_text("")
    (root / "hello.txt").write_text("Hello World")
    (root / "greeting.tpl").write_text("Hello, ${name}!")
    build = Build(lambda p: p, Confinement([str(root)]), str(root))
    return Scope(Instance(build, build.folder(str(root))))


def value_of(text: str, scope: Scope):
    expr = parse_expression(text, Span(1, 1, 1, 1), Source(text, "t.tf"))
    value, _ = evaluate(expr, scope)
    if isinstance(value, Unknown) or _holds_unknown(value):
        return UNKNOWN
    return plain(value)


def _holds_unknown(value) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return False


# Terraform's documentation, function by function: (call, result).
DOCUMENTED = {
    "jsonencode": [('jsonencode({"hello" = "world"})', '{"hello":"world"}'),
                   ('jsonencode({b = 1, a = "<&>"})', '{"a":"\\u003c\\u0026\\u003e","b":1}')],
    "jsondecode": [('jsondecode("{\\"hello\\": \\"world\\"}")', {"hello": "world"}), ('jsondecode("true")', True)],
    "file": [('file("hello.txt")', "Hello World")],
    "templatefile": [('templatefile("greeting.tpl", { name = "Ander" })', "Hello, Ander!")],
    "format": [('format("Hello, %s!", "Ander")', "Hello, Ander!"), ('format("There are %d lights", 4)', "There are 4 lights"),
               ('format("%q", "x")', '"x"'), ('format("%v", [1, 2])', "[1,2]")],
    "concat": [('concat(["a", ""], ["b", "c"])', ["a", "", "b", "c"])],
    "merge": [('merge({a = "b", c = "d"}, {e = "f", c = "z"})', {"a": "b", "c": "z", "e": "f"})],
    "lookup": [('lookup({a = "ay", b = "bee"}, "a", "what?")', "ay"), ('lookup({a = "ay", b = "bee"}, "c", "what?")', "what?")],
    "tolist": [('tolist(["a", "b", "c"])', ["a", "b", "c"])],
    "toset": [('toset(["c", "b", "b"])', ["b", "c"]), ('toset(["a", "b", "c", "b"])', ["a", "b", "c"])],
    "tomap": [('tomap({"a" = 1, "b" = 2})', {"a": 1, "b": 2})],
    "coalesce": [('coalesce("a", "b")', "a"), ('coalesce("", "b")', "b"), ("coalesce(1, 2)", 1)],
    "coalescelist": [('coalescelist(["a", "b"], ["c", "d"])', ["a", "b"]), ('coalescelist([], ["c", "d"])', ["c", "d"])],
    "flatten": [('flatten([["a", "b"], [], ["c"]])', ["a", "b", "c"]), ('flatten([[["a", "b"], []], ["c"]])', ["a", "b", "c"])],
    "compact": [('compact(["a", "", "b", null, "c"])', ["a", "b", "c"])],
    "distinct": [('distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"])],
    "element": [('element(["a", "b", "c"], 1)', "b"), ('element(["a", "b", "c"], 3)', "a")],
    "one": [("one([])", None), ('one(["hello"])', "hello")],
    "keys": [("keys({a = 1, c = 2, d = 3})", ["a", "c", "d"])],
    "values": [("values({a = 3, c = 2, d = 1})", [3, 2, 1])],
    "join": [('join("-", ["foo", "bar", "baz"])', "foo-bar-baz"), ('join(", ", ["foo"])', "foo")],
    "split": [('split(",", "foo")', ["foo"]), ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]), ('split(",", "")', [""])],
    "replace": [('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"), ('replace("hello world", "/w.*d/", "everybody")', "hello everybody")],
    "length": [("length([])", 0), ('length(["a", "b"])', 2), ('length({"a" = "b"})', 1), ('length("hello")', 5),
               ('length("\U0001F47E\U0001F579\uFE0F")', 2)],
    "lower": [('lower("HELLO")', "hello"), ('lower("\u0410\u041b\u041b\u041e!")', "\u0430\u043b\u043b\u043e!")],
    "upper": [('upper("hello")', "HELLO")],
    "trimspace": [('trimspace("  hello\\n\\n")', "hello")],
    "tostring": [('tostring("hello")', "hello"), ("tostring(1)", "1"), ("tostring(true)", "true")],
    "tonumber": [("tonumber(1)", 1), ('tonumber("1")', 1)],
    "tobool": [("tobool(true)", True), ('tobool("true")', True)],
    "contains": [('contains(["a", "b", "c"], "a")', True), ('contains(["a", "b", "c"], "d")', False)],
    "startswith": [('startswith("hello world", "hello")', True), ('startswith("hello world", "world")', False)],
    "endswith": [('endswith("hello world", "world")', True), ('endswith("hello world", "hello")', False)],
    "min": [("min(12, 54, 3)", 3), ("min([12, 54, 3]...)", 3)],
    "max": [("max(12, 54, 3)", 54)],
    "try": [('try({}.foo, "fallback")', "fallback")],
    "can": [('can(tonumber("no"))', False), ('can(tonumber("1"))', True)],
}
# Documented errors: Terraform refuses these calls, so they must be unknown, never a value.
ERRORS = ['element("ABC", 0)', "element([], 0)", 'element(["a"], -1)', 'join(",", "abc")', 'contains("abc", "a")',
          'compact("abc")', 'tonumber("no")', 'tonumber(" 1")', 'tonumber("1_000")', "tonumber(true)", 'tobool("no")',
          "tobool(1)", 'min("a", "b")', 'format("%d", 1.5)', 'format("%[0]d", 1)', 'format("%b", 5)', 'lookup({a = 1}, "b")',
          'one(["a", "b"])', 'length(1)', 'toset(["a", 1])']


def test_every_function_of_the_table_has_documented_samples():
    assert set(functions._FUNCTIONS) | set(functions._LAZY) == set(DOCUMENTED)


@pytest.mark.parametrize("call, expected", [c for cases in DOCUMENTED.values() for c in cases])
def test_documented_results_or_unknown(scope, call, expected):
    result = value_of(call, scope)
    assert result is UNKNOWN or result == expected, (call, result)


@pytest.mark.parametrize("call", ERRORS)
def test_calls_terraform_refuses_are_unknown(scope, call):
    assert value_of(call, scope) is UNKNOWN, call


def test_element_of_a_string_is_unknown_and_reaches_no_rule(tmp_path):
    from policylint.scan import ScanOptions, scan

    (tmp_path / "main.tf").write_text(
        'variable "azs" {\n  default = "ABC"\n}\n'
        'resource "aws_subnet" "a" {\n  vpc_id     = "vpc-1"\n  cidr_block = element(var.azs, 0)\n}\n')
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), select=["PL3002"]))
    assert result.findings == []


# -- random arguments against Terraform's signatures ------------------------------------------------

def _hcl(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value >= 0 else f"({value!r})"
    if isinstance(value, str):
        return json.dumps(value).replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_hcl(v)}" for k, v in value.items()) + "}"


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 20), st.floats(-3, 3, allow_nan=False).map(lambda f: round(f, 2)),
                    st.text(st.sampled_from("abAB ,-_%d01\u00e9\u0130\t"), max_size=6),
                    st.sampled_from(["", "true", "false", "1", "1.5", " 1", "abc", "ABC", "/x/", "%s", "%d"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a", "b", "c"]), inner, max_size=3), max_leaves=6)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _primitive(v) -> bool:
    return isinstance(v, (str, bool)) or _is_number(v)


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _flat(v):
    return [x for item in v for x in (_flat(item) if isinstance(item, list) else [item])]


# name → check(args, result): whether a known result is what Terraform returns for these arguments
# (``False`` for arguments Terraform refuses).
SIGNATURES = {
    "element": lambda a, r: len(a) == 2 and isinstance(a[0], list) and bool(a[0]) and _is_number(a[1])
    and float(a[1]).is_integer() and a[1] >= 0 and r == a[0][int(a[1]) % len(a[0])],
    "join": lambda a, r: len(a) >= 2 and isinstance(a[0], str) and all(isinstance(x, list) for x in a[1:])
    and all(_primitive(i) for x in a[1:] for i in x) and r == a[0].join(_text(i) for x in a[1:] for i in x),
    "length": lambda a, r: len(a) == 1 and isinstance(a[0], (list, dict, str)) and r == len(a[0]),
    "lower": lambda a, r: len(a) == 1 and isinstance(a[0], str) and r == a[0].lower() and a[0].isascii(),
    "upper": lambda a, r: len(a) == 1 and isinstance(a[0], str) and r == a[0].upper() and a[0].isascii(),
    "trimspace": lambda a, r: len(a) == 1 and isinstance(a[0], str) and isinstance(r, str) and a[0].strip().startswith(r.strip()),
    "contains": lambda a, r: len(a) == 2 and isinstance(a[0], list) and r == (a[1] in a[0]),
    "compact": lambda a, r: len(a) == 1 and isinstance(a[0], list) and r == [x for x in a[0] if x not in (None, "")],
    "distinct": lambda a, r: len(a) == 1 and isinstance(a[0], list) and isinstance(r, list),
    "toset": lambda a, r: len(a) == 1 and isinstance(a[0], list) and r == sorted(set(r)) and set(map(str, r)) == set(map(str, a[0])),
    "tolist": lambda a, r: len(a) == 1 and isinstance(a[0], list) and r == a[0],
    "tomap": lambda a, r: len(a) == 1 and isinstance(a[0], dict) and r == a[0],
    "concat": lambda a, r: all(isinstance(x, list) for x in a) and r == [i for x in a for i in x],
    "flatten": lambda a, r: len(a) == 1 and isinstance(a[0], list) and r == _flat(a[0]),
    "keys": lambda a, r: len(a) == 1 and isinstance(a[0], dict) and r == sorted(a[0]),
    "values": lambda a, r: len(a) == 1 and isinstance(a[0], dict) and r == [a[0][k] for k in sorted(a[0])],
    "merge": lambda a, r: all(isinstance(x, dict) or x is None for x in a) and isinstance(r, dict),
    "one": lambda a, r: len(a) == 1 and isinstance(a[0], list) and len(a[0]) <= 1 and r == (a[0][0] if a[0] else None),
    "split": lambda a, r: len(a) == 2 and isinstance(a[0], str) and a[0] != "" and isinstance(a[1], str) and r == a[1].split(a[0]),
    "replace": lambda a, r: len(a) == 3 and all(isinstance(x, str) for x in a) and r == a[0].replace(a[1], a[2]),
    "tostring": lambda a, r: len(a) == 1 and _primitive(a[0]) and r == _text(a[0]),
    "tonumber": lambda a, r: len(a) == 1 and _is_number(r) and (_is_number(a[0]) or isinstance(a[0], str))
    and math.isclose(float(a[0]), r),
    "tobool": lambda a, r: len(a) == 1 and r in (True, False) and (a[0] is r or a[0] == _text(r)),
    "startswith": lambda a, r: len(a) == 2 and all(isinstance(x, str) for x in a) and r == a[0].startswith(a[1]),
    "endswith": lambda a, r: len(a) == 2 and all(isinstance(x, str) for x in a) and r == a[0].endswith(a[1]),
    "min": lambda a, r: bool(a) and all(_is_number(x) for x in a) and r == min(a),
    "max": lambda a, r: bool(a) and all(_is_number(x) for x in a) and r == max(a),
    "coalesce": lambda a, r: r in a and r not in (None, ""),
    "coalescelist": lambda a, r: isinstance(r, list) and bool(r) and r in a
    and all(isinstance(x, list) and not x for x in a[:a.index(r)]),
    "lookup": lambda a, r: len(a) in (2, 3) and isinstance(a[0], dict)
    and r == (a[0][_text(a[1])] if _text(a[1]) in a[0] else a[2] if len(a) == 3 else object()),
    "format": lambda a, r: bool(a) and isinstance(a[0], str) and isinstance(r, str),
    "jsonencode": lambda a, r: len(a) == 1 and json.loads(r) == a[0],
    "jsondecode": lambda a, r: len(a) == 1 and isinstance(a[0], str) and json.loads(a[0]) == r,
    "try": lambda a, r: r in a,
    "can": lambda a, r: r is True,
}
NOT_RANDOM = {"file", "templatefile"}  # read files: held to their documented samples above


def test_every_function_has_a_signature():
    assert set(SIGNATURES) | NOT_RANDOM == set(DOCUMENTED)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(SIGNATURES)), args=st.lists(values, max_size=3))
def test_random_arguments_give_terraforms_result_or_unknown(scope, name, args):
    call = f"{name}({', '.join(_hcl(a) for a in args)})"
    result = value_of(call, scope)
    if result is UNKNOWN:
        return
    assert SIGNATURES[name](args, result), (call, result)
