"""Binary content, broken and unusual encodings, line endings, empty files, a folder named like a file."""
from __future__ import annotations

import json

import pytest

from hostile_support import BUCKET_NAME_COL, BUCKET_NAME_LINE, BUCKET_TEMPLATE, findings, scan_report

JSON_TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Bad_Name"}}},
}, indent=2)
JSON_LINE = 1 + JSON_TEMPLATE.splitlines().index('        "BucketName": "Bad_Name"')
JSON_COL = 1 + JSON_TEMPLATE.splitlines()[JSON_LINE - 1].index('"Bad_Name"')


def _bucket_name_finding(tmp_path, name: str, data: bytes) -> tuple[int, int]:
    (tmp_path / name).write_bytes(data)
    report = scan_report(name, "--select", "PL2002,PL0001", cwd=tmp_path)
    (finding,) = report["findings"]
    assert finding["rule"] == "PL2002", finding
    return finding["line"], finding["column"]


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8-bom"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8"), id="utf-8-bom-crlf"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
    pytest.param(lambda t: b"\xfe\xff" + t.replace("\n", "\r\n").encode("utf-16-be"), id="utf-16-be-crlf"),
    pytest.param(lambda t: t.encode("utf-32"), id="utf-32"),
])
@pytest.mark.parametrize("name, text, line, col", [
    ("t.yaml", BUCKET_TEMPLATE, BUCKET_NAME_LINE, BUCKET_NAME_COL),
    ("t.json", JSON_TEMPLATE, JSON_LINE, JSON_COL),
])
def test_encodings_and_line_endings_keep_lines_and_columns_exact(tmp_path, encode, name, text, line, col):
    assert _bucket_name_finding(tmp_path, name, encode(text)) == (line, col)


@pytest.mark.parametrize("name", ["t.yaml", "t.json"])
def test_columns_count_characters_not_bytes(tmp_path, name):
    # Four characters of 2, 3 and 4 bytes before the value on the same line.
    props = {"Tags": [{"Key": "é€😀x", "Value": "v"}], "BucketName": "Bad_Name"}
    resources = json.dumps({"B": {"Type": "AWS::S3::Bucket", "Properties": props}}, ensure_ascii=False)
    if name.endswith(".json"):
        text, expected_line = '{"Resources": ' + resources + "}", 1
    else:
        text, expected_line = "AWSTemplateFormatVersion: '2010-09-09'\nResources: " + resources + "\n", 2
    line_text = text.splitlines()[expected_line - 1]
    assert _bucket_name_finding(tmp_path, name, text.encode("utf-8")) == (
        expected_line, line_text.index('"Bad_Name"') + 1)


@pytest.mark.parametrize("name, data, message, line, col", [
    ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content", 3, 1),
    ("binary.json", bytes(range(256)) * 4, "binary content", 1, 1),
    ("latin1.yaml", "Resources:\n  B: {Type: AWS::S3::Bucket, Description: caf\xe9}\n".encode("latin-1"),
     "not valid UTF-8 (byte 0xe9)", 2, 46),
    ("truncated.json", '{"Statement": "\u20ac'.encode("utf-8")[:-1], "not valid UTF-8", 1, 16),
    ("bad-utf16.json", b"\xff\xfe" + '{"Statement": 1}'.encode("utf-16-le") + b"\x00\xd8", "not valid UTF-16", 1, 17),
])
def test_undecodable_files_are_pl0001_at_the_bad_byte_and_the_scan_goes_on(tmp_path, name, data, message, line, col):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "ok.yaml").write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--select", "PL2002,PL0001", cwd=tmp_path)
    (error,) = findings(report, "PL0001")
    assert (error["file"], error["line"], error["column"]) == (name, line, col)
    assert message in error["message"]
    assert [f["file"] for f in findings(report, "PL2002")] == ["ok.yaml"]


def test_binary_terraform_files_are_pl0001(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    (module / "ok.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "Bad_Name"\n}\n')
    report = scan_report("module", "--select", "PL0001", cwd=tmp_path)
    assert [(e["file"], e["rule"]) for e in report["findings"]] == [("module/main.tf", "PL0001")]
    assert "binary content" in report["findings"][0]["message"]


@pytest.mark.parametrize("name", ["empty.yaml", "empty.json", "empty.template", "blank.yml"])
def test_empty_files_hold_nothing_to_lint(tmp_path, name):
    (tmp_path / name).write_text("" if name.startswith("empty") else "\n  \n\t\n")
    for target in (name, "."):
        report = scan_report(target, cwd=tmp_path)
        assert report["findings"] == [] and report["skipped"] == []


def test_empty_terraform_module_holds_nothing_to_lint(tmp_path):
    (tmp_path / "main.tf").write_text("")
    report = scan_report(".", cwd=tmp_path)
    assert report["findings"] == []


def test_a_folder_named_like_a_template_is_walked_not_read(tmp_path):
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    (folder / "inner.yaml").write_text(BUCKET_TEMPLATE)
    (tmp_path / "y.json").mkdir()
    for target in (".", "x.yaml"):
        report = scan_report(target, "--select", "PL2002,PL0001", cwd=tmp_path)
        assert [(f["file"], f["rule"]) for f in report["findings"]] == [("x.yaml/inner.yaml", "PL2002")]
