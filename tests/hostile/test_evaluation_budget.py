"""Evaluation is bounded and says where it stopped: a kilobyte of Terraform or CloudFormation never
costs minutes or gigabytes, no bound drops instances silently (PL0002 says so), and no value —
infinite, NaN, thousands of digits, a lone surrogate — crashes the scan or loses other findings."""
from __future__ import annotations

import json
import pytest

from hostile_support import BUCKET_TEMPLATE, findings, peak_memory_mib, scan, scan_report
from policylint.budget import MAX_DEPTH, MAX_ITEMS, MAX_STEPS, MAX_STRING
from policylint.findings import MAX_MESSAGE
from policylint.normalise.terraform.instance import MAX_INSTANCES

MEMORY_MIB = 300  # a scan of these files stays far below; unbounded, each took gigabytes


def _rule(name: str, blocks: str, meta: str = "") -> str:
    """An SSH ingress rule from ``blocks``; ``meta``: a first line such as ``count = 3``."""
    first = f"  {meta}\n" if meta else ""
    return (f'resource "aws_security_group_rule" "{name}" {{\n{first}  type        = "ingress"\n  from_port   = 22\n'
            f'  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = {blocks}\n}}\n')


def _incomplete(report: dict) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["message"]) for f in findings(report, "PL0002")]


def _bounded(tmp_path, *args: str) -> dict:
    """The JSON report of a scan of ``tmp_path``, after checking its memory stayed bounded."""
    code, peak = peak_memory_mib("scan", ".", "--no-config", *args, cwd=tmp_path)
    assert code in (0, 1) and peak < MEMORY_MIB, (code, peak)
    return scan_report(".", "--no-config", *args, cwd=tmp_path)


def test_the_seventeenth_instance_is_checked(tmp_path):
    cidrs = [f'"10.0.{i}.0/24"' for i in range(40)]
    cidrs[16] = '"0.0.0.0/0"'
    (tmp_path / "main.tf").write_text(
        f"variable \"cidrs\" {{\n  default = [{', '.join(cidrs)}]\n}}\n"
        + _rule("ssh", "[var.cidrs[count.index]]", "count = length(var.cidrs)"))
    report = scan_report(".", "--no-config", "--select", "PL3003", cwd=tmp_path)
    assert len(findings(report, "PL3003")) == 1 and not _incomplete(report)


def test_more_instances_than_are_expanded_is_reported_at_the_count(tmp_path):
    (tmp_path / "main.tf").write_text(_rule("ssh", '["10.0.0.0/8"]', f"count = {MAX_INSTANCES + 1}"))
    ((file, line, message),) = _incomplete(scan_report(".", "--no-config", cwd=tmp_path))
    assert (file, line) == ("main.tf", 2) and f"only the first {MAX_INSTANCES}" in message


def test_a_for_expression_over_more_than_ten_thousand_items_is_evaluated_to_the_end(tmp_path):
    cidrs = ['"10.0.0.0/8"'] * 12_000 + ['"0.0.0.0/0"']
    (tmp_path / "main.tf").write_text(
        f"variable \"cidrs\" {{\n  default = [{', '.join(cidrs)}]\n}}\n"
        + _rule("ssh", "[for c in var.cidrs : c]"))
    report = scan_report(".", "--no-config", "--select", "PL3003", cwd=tmp_path)
    assert findings(report, "PL3003") and not _incomplete(report)


def test_a_long_chain_of_locals_is_reported_where_evaluation_stopped(tmp_path):
    lines = ["locals {", '  c0 = "0.0.0.0/0"'] + [f"  c{i} = local.c{i - 1}" for i in range(1, 400)] + ["}"]
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n" + _rule("ssh", "[local.c399]"))
    report = scan_report(".", "--no-config", cwd=tmp_path)
    ((file, _, message),) = _incomplete(report)
    assert file == "main.tf" and f"nested more than {MAX_DEPTH} deep" in message


def test_conditionals_nested_past_the_depth_bound_are_reported_where_evaluation_stopped(tmp_path):
    """600 conditionals, as an else-if chain and nested in the true branch: 0.1.0 gave no finding
    and no word; now a PL0002 at the attribute says evaluation stopped there."""
    levels = 600
    chain = "".join(f'var.level == {i} ? ["10.0.0.0/8"] : ' for i in range(levels)) + '["0.0.0.0/0"]'
    (tmp_path / "main.tf").write_text('variable "level" {\n  default = 9999\n}\n' + _rule("chain", chain))
    (tmp_path / "nest").mkdir()
    nested = "true ? " * levels + '["0.0.0.0/0"]' + " : []" * levels
    (tmp_path / "nest" / "main.tf").write_text(_rule("nested", nested))
    report = scan_report(".", "--no-config", "--select", "PL3003,PL0001,PL0002", cwd=tmp_path)
    assert not findings(report, "PL0001")
    incomplete = _incomplete(report)
    assert sorted((file, line) for file, line, _ in incomplete) == [("main.tf", 9), ("nest/main.tf", 6)]  # once each
    assert all(f"nested more than {MAX_DEPTH} deep" in message for _, _, message in incomplete)


def _doubling(name: str, first: str, step: str, levels: int, use: str) -> str:
    lines = ["locals {", f"  {name}0 = {first}"]
    lines += [f"  {name}{i} = {step.format(prev=f'local.{name}{i - 1}')}" for i in range(1, levels + 1)]
    return "\n".join(lines + ["}", use.format(last=f"local.{name}{levels}")]) + "\n"


@pytest.mark.parametrize("source, expected", [
    (_doubling("s", '"0123456789abcdef"', '"${{{prev}}}${{{prev}}}"', 26,
               'resource "aws_s3_bucket" "b" {{\n  bucket = {last}\n}}'), f"(the bound is {MAX_STRING:,})"),
    (_doubling("l", '["a", "b"]', "concat({prev}, {prev})", 20,
               'resource "aws_s3_bucket" "b" {{\n  bucket = length({last})\n}}'), f"(the bound is {MAX_ITEMS:,})"),
    (_doubling("n", "99999999999999999999", "{prev} * {prev}", 30,
               'resource "aws_s3_bucket" "b" {{\n  bucket = "x${{{last}}}"\n}}'), "an integer of more than 4,300 digits"),
    ('variable "xs" {\n  default = [' + ", ".join(['"a"'] * 3000) + ']\n}\nlocals {\n  m = [for a in var.xs : [for b in var.xs : "${a}${b}"]]\n}\n'
     'resource "aws_s3_bucket" "b" {\n  bucket = jsonencode(local.m)\n}\n', f"more than {MAX_STEPS:,} evaluation steps"),
    ('resource "aws_s3_bucket" "b" {\n  bucket = format("%999999999d", 1)\n}\n', "past the bound of one string"),
], ids=["string-doubling", "concat-doubling", "big-integer-squaring", "for-3000x3000", "format-width"])
def test_growth_stops_at_the_budget_and_says_where(tmp_path, source, expected):
    (tmp_path / "main.tf").write_text(source)
    report = _bounded(tmp_path)
    assert any(expected in message for _, _, message in _incomplete(report)), _incomplete(report)
    assert [f for f in report["findings"] if f["rule"] not in ("PL0001", "PL0002")]  # the bucket itself is still checked


def test_a_module_tree_fanning_out_is_cut_and_reported(tmp_path):
    for depth in range(10):
        folder = tmp_path / "/".join(["m"] * depth) if depth else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        calls = "".join(f'module "c{i}" {{\n  source = "./m"\n}}\n' for i in range(8)) if depth < 9 else ""
        (folder / "main.tf").write_text(calls + _rule("ssh", '["10.0.0.0/8"]'))
    report = _bounded(tmp_path)
    assert any("module instances" in message for _, _, message in _incomplete(report))


def test_a_cloudformation_ref_to_a_large_default_used_often_is_bounded(tmp_path):
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {"P": {"Type": "String", "Default": ["x" * 10] * 3000}},
                "Resources": {f"T{i}": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": {"Ref": "P"}}} for i in range(2000)}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    report = _bounded(tmp_path)
    ((file, _, message),) = _incomplete(report)
    assert file == "t.json" and "list and map items" in message


def test_messages_and_sarif_results_are_capped(tmp_path):
    (tmp_path / "main.tf").write_text(_doubling("s", '"Bad_Name"', '"${{{prev}}}${{{prev}}}"', 16,
                                                'resource "aws_s3_bucket" "b" {{\n  bucket = {last}\n}}'))
    result = scan(".", "--no-config", "-f", "sarif", "--select", "PL2002", cwd=tmp_path)
    assert result.returncode == 1 and len(result.stdout) < 50_000
    (entry,) = json.loads(result.stdout)["runs"][0]["results"]
    assert len(entry["message"]["text"]) < MAX_MESSAGE + 100 and "more characters not shown" in entry["message"]["text"]


def test_one_sarif_result_is_bounded_with_long_names_related_locations_and_a_superseded_finding(tmp_path):
    """A capped message, a 20,000-character resource label and variable name (in the logical
    location and a related location's text) and a superseded PL3001: the result stays small."""
    name, variable = "r" * 20_000, "v" * 20_000
    (tmp_path / "variables.tf").write_text(f'variable "{variable}" {{\n  default = ["0.0.0.0/0"]\n}}\n')
    (tmp_path / "main.tf").write_text(
        f'resource "aws_security_group_rule" "{name}" {{\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n'
        f'  protocol = "tcp"\n  cidr_blocks = var.{variable}\n  description = "{"d" * 5000}"\n}}\n')
    result = scan(".", "--no-config", "-f", "sarif", "--select", "PL3001,PL3003", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    (entry,) = json.loads(result.stdout)["runs"][0]["results"]
    assert entry["ruleId"] == "PL3003" and entry["properties"]["supersedes"] == ["PL3001"]
    assert entry["relatedLocations"] and len(json.dumps(entry, ensure_ascii=False)) < 8_000


@pytest.mark.parametrize("name, text", [
    ("main.tf", _rule("ssh", '["0.0.0.0/0"]', "count = 1e400")),
    ("nan.tf", _rule("ssh", '["0.0.0.0/0"]', "count = 1e400 - 1e400")),
    ("digits.tf", _rule("ssh", '["0.0.0.0/0"]', f"count = {'9' * 5000}")),
    ("select.yaml", BUCKET_TEMPLATE + "  Other:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Select [.inf, [a, b]]\n"),
    ("nan.yaml", BUCKET_TEMPLATE + "  Other:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Select [.nan, [a, b]]\n"),
    ("digits.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", '
                    '"Properties": {"BucketName": "Bad_Name", "Size": ' + "9" * 5000 + "}}}}"),
], ids=["inf-count", "nan-count", "5000-digit-count", "select-inf", "select-nan", "5000-digit-json"])
def test_no_number_crashes_the_scan_or_loses_the_files_findings(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    (tmp_path / "other.yaml").write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--no-config", "--select", "PL2002,PL3003", cwd=tmp_path)
    assert not any("internal error" in f["message"] for f in report["findings"])
    assert "other.yaml" in {f["file"] for f in findings(report, "PL2002")}
    if name.endswith(".tf"):
        assert findings(report, "PL3003")  # evaluated once with an unknown index, as for any unknown count
    else:
        assert name in {f["file"] for f in findings(report, "PL2002")}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_lone_surrogate_echoed_in_a_message_is_escaped(tmp_path, fmt):
    (tmp_path / "t.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket", '
                                     '"Properties": {"BucketName": "Bad_\\udfff_Name"}}}}')
    result = scan("t.json", "--no-config", "--select", "PL2002", "-f", fmt, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "\\udfff" in result.stdout
    if fmt in ("json", "sarif"):
        assert "\\udfff" in json.dumps(json.loads(result.stdout))
