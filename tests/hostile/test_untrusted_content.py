"""Scanned files are data: duplicate keys are reported, foreign YAML tags never construct anything,
and the package holds no unsafe loader or code evaluation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import policylint
from hostile_support import BUCKET_TEMPLATE, findings, scan_report

PACKAGE = Path(policylint.__file__).resolve().parent


@pytest.mark.parametrize("name, text, line", [
    ("dup.yaml", BUCKET_TEMPLATE + "  Bucket:\n    Type: AWS::S3::Bucket\n", 7),
    ("dup.json", '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"B": {"Type": "AWS::S3::Bucket"},\n'
                 '   "B": {"Type": "AWS::S3::Bucket"}}}', 3),
    ("dup.policy.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",\n "Effect": "Allow",'
                        ' "Action": "s3:GetObject", "Resource": "*"}]}', 2),
    ("dup-policy.yaml", "Statement:\n  - Effect: Allow\n    Action: s3:*\n    Action: s3:GetObject\n    Resource: '*'\n", 4),
])
def test_duplicate_keys_are_reported_where_written_again(tmp_path, name, text, line):
    (tmp_path / name).write_text(text)
    report = scan_report(name, cwd=tmp_path)
    (error,) = findings(report, "PL0001")
    assert error["line"] == line and "duplicate key" in error["message"]


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch pwned']",
    "!!python/object/new:subprocess.Popen [['touch', 'pwned']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!set {a, b}",
    "!Custom value",
])
def test_foreign_yaml_tags_are_parse_errors_and_never_construct_objects(tmp_path, tag):
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", tag))
    report = scan_report("t.yaml", cwd=tmp_path)
    (error,) = findings(report, "PL0001")
    assert error["line"] == 6 and "unsupported YAML tag" in error["message"]
    assert not (tmp_path / "pwned").exists()


def test_cloudformation_short_tags_are_read_as_intrinsics(tmp_path):
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", "!Sub 'Bad_${AWS::Partition}'"))
    report = scan_report("t.yaml", "--select", "PL2002,PL0001", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("PL2002", 6)]
    assert "Bad_aws" in report["findings"][0]["message"]


UNSAFE = [
    (r"\byaml\.(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all)\(", "a PyYAML loader that constructs objects"),
    (r"Loader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)\b|\b(UnsafeLoader|FullLoader)\b", "an unsafe PyYAML loader class"),
    (r"(?<![\w.])(eval|exec)\(", "eval/exec"),
    (r"\bpickle\b|\bmarshal\.loads?\(|\bshelve\b", "unpickling"),
    (r"\bos\.system\(|\bsubprocess\b|\bos\.popen\(|\bos\.exec\w*\(", "running programs"),
    (r"__import__\(|\bimportlib\.import_module\(", "importing by name from data"),
    (r"\.format_map\(", "format_map over live objects"),
]


# Reviewed uses, each with why it is safe; anything else the check finds fails the test.
ALLOWED: dict[tuple[str, str], str] = {}


def test_the_package_source_holds_no_unsafe_loader_or_code_evaluation():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in UNSAFE:
                if re.search(pattern, code) and (name, what) not in ALLOWED:
                    offences.append(f"{name}:{number}: {what}: {line.strip()}")
    assert not offences, "\n".join(offences)


def test_the_unsafe_source_check_can_fail(tmp_path):
    bad = ["data = yaml.load(text, Loader=yaml.Loader)", "value = eval(expr)", "obj = pickle.loads(blob)",
           "x = yaml.unsafe_load(t)", "subprocess.run(cmd)"]
    for line in bad:
        assert any(re.search(pattern, line) for pattern, _ in UNSAFE), line
    for line in ["node = loader.get_event()", "literal_eval_free = 1", "self.evaluate(x)", "re.compile(p)"]:
        assert not any(re.search(pattern, line) for pattern, _ in UNSAFE), line
