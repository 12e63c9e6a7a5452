"""Alias bombs, deep nesting and huge files: refused with a PL0001 finding, never a crash or a hang."""
from __future__ import annotations

import json

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, peak_memory_mib, scan_report
from policylint.load.limits import MAX_BYTES, MAX_DEPTH, MAX_VALUES


def _only_parse_error(report: dict, file: str) -> dict:
    (error,) = findings(report, "PL0001")
    assert error["file"] == file
    return error


def test_yaml_alias_bomb_is_refused_without_expanding_it(tmp_path):
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")  # 9**9 values once expanded
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    code, peak = peak_memory_mib("scan", "bomb.yaml", cwd=tmp_path)
    assert code == 1
    error = _only_parse_error(scan_report("bomb.yaml", cwd=tmp_path), "bomb.yaml")
    assert "alias" in error["message"] and f"{MAX_VALUES:,}" in error["message"]
    assert peak < 150, f"an alias bomb took {peak:.0f} MiB"


def test_recursive_yaml_alias_is_a_parse_error(tmp_path):
    (tmp_path / "loop.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: &r\n  A: *r\n")
    error = _only_parse_error(scan_report("loop.yaml", cwd=tmp_path), "loop.yaml")
    assert "contains it" in error["message"] and error["line"] == 3


def test_aliases_within_the_bound_are_linted(tmp_path):
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("BucketName: Bad_Name", "BucketName: &n Bad_Name")
                                     + "  Other:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: *n\n")
    report = scan_report("t.yaml", "--select", "PL2002", cwd=tmp_path)
    assert sorted(f["line"] for f in findings(report, "PL2002")) == [6, 10]


DEEP = 10_000


def _deep_files() -> dict[str, str]:
    return {
        "deep-flow.yaml": "Statement: " + "[" * DEEP + "]" * DEEP + "\n",
        "deep-block.yaml": "Statement:\n  " + "- " * DEEP + "x\n",
        "deep-map.yaml": "Statement: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n",
        "deep.json": '{"Statement": ' + "[" * DEEP + "]" * DEEP + "}",
        "deep-object.json": '{"Statement": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
        "deep.template": '{"Resources": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
    }


@pytest.mark.parametrize("name", sorted(_deep_files()))
def test_ten_thousand_levels_of_nesting_give_pl0001(tmp_path, name):
    (tmp_path / name).write_text(_deep_files()[name])
    error = _only_parse_error(scan_report(name, cwd=tmp_path), name)
    assert f"nesting deeper than {MAX_DEPTH} levels" in error["message"]
    assert error["line"] in (1, 2)


@pytest.mark.parametrize("levels", [100_000, 1_000_000])
def test_far_deeper_yaml_is_refused_as_fast(tmp_path, levels):
    # PyYAML's composer recursed once per level: 100,000 levels killed the interpreter (SIGSEGV).
    (tmp_path / "deep.yaml").write_text("Statement: " + "[" * levels + "]" * levels + "\n")
    (tmp_path / "ok.yaml").write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--select", "PL2002", cwd=tmp_path)
    assert "nesting deeper" in _only_parse_error(report, "deep.yaml")["message"]
    assert [f["file"] for f in findings(report, "PL2002")] == ["ok.yaml"]  # and the run went on


def test_ten_thousand_levels_in_terraform_give_pl0001(tmp_path):
    pytest.importorskip("policylint.load.hcl", reason="the HCL loader (Terraform support) is not there yet")
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  tags = ' + "[" * DEEP + "]" * DEEP + "\n}\n")
    (module / "nested.tf.json").write_text('{"locals": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}")
    report = scan_report("module", cwd=tmp_path)
    errors = findings(report, "PL0001")
    assert sorted(e["file"] for e in errors) == ["module/main.tf", "module/nested.tf.json"]
    assert all("internal error" not in e["message"] for e in errors)


def test_nesting_just_inside_the_bound_is_linted_through_every_stage(tmp_path):
    # Nested intrinsics recurse in the resolver: the deepest accepted document must still lint.
    value = "Bad_Name"
    depth = 1
    while depth + 3 < MAX_DEPTH - 6:
        value = "{'Fn::If': [Always, %s, other]}" % value
        depth += 2
    text = BUCKET_TEMPLATE.replace("BucketName: Bad_Name", f"BucketName: {value}")
    (tmp_path / "t.yaml").write_text(text)
    report = scan_report("t.yaml", "--select", "PL2002,PL0001", cwd=tmp_path)
    assert [f["rule"] for f in report["findings"]] == ["PL2002"]


def test_fifty_megabyte_file_is_refused_quickly_in_little_memory(tmp_path):
    big = tmp_path / "big.json"
    with big.open("w") as handle:
        handle.write('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {')
        chunk = ", ".join(f'"B{i}": {{"Type": "AWS::S3::Bucket"}}' for i in range(1000))
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk + ", ")
        handle.write('"Last": {"Type": "AWS::S3::Bucket"}}}')
    (tmp_path / "ok.yaml").write_text(BUCKET_TEMPLATE)
    code, peak = peak_memory_mib("scan", ".", cwd=tmp_path)
    assert code == 1
    report = scan_report(".", "--select", "PL2002", cwd=tmp_path)
    error = _only_parse_error(report, "big.json")
    assert f"larger than {MAX_BYTES // 2**20} MiB" in error["message"]
    assert [f["file"] for f in findings(report, "PL2002")] == ["ok.yaml"]
    assert peak < 250, f"refusing a 50 MB file took {peak:.0f} MiB"


@pytest.mark.parametrize("name", ["many.json", "many.yaml"])
def test_too_many_values_are_refused_before_they_exhaust_memory(tmp_path, name):
    count = MAX_VALUES + 10
    if name.endswith(".json"):
        text = '{"Statement": [' + ",".join(["1"] * count) + "]}"
    else:
        text = "Statement:\n" + "- 1\n" * count
    (tmp_path / name).write_text(text)
    error = _only_parse_error(scan_report(name, cwd=tmp_path), name)
    assert f"more than {MAX_VALUES:,} values" in error["message"]


def test_a_long_chain_of_conditions_is_reported_and_the_scan_goes_on(tmp_path):
    # Conditions name each other across the template, so nesting bounds do not limit the chain.
    chain = {f"C{i}": {"Condition": f"C{i + 1}"} for i in range(3000)}
    chain["C3000"] = {"Fn::Equals": ["a", "a"]}
    chain["Loop"] = {"Condition": "Loop"}
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Conditions": chain, "Resources": {
        "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::If": ["C0", "Bad_Name", "ok-name"]}}},
        "L": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::If": ["Loop", "Bad_Loop", "ok-name"]}}},
    }}
    (tmp_path / "chain.json").write_text(json.dumps(template))
    (tmp_path / "ok.yaml").write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--select", "PL2002,PL0001", cwd=tmp_path)
    assert {f["file"] for f in report["findings"]} == {"chain.json", "ok.yaml"}
