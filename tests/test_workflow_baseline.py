"""Baselines through the installed CLI: record, shift lines, add a finding, SARIF baselineState."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_cli

INSECURE = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "stack.yaml").write_text(INSECURE)
    return tmp_path


def record(repo: Path) -> int:
    result = run_cli("scan", "stack.yaml", "--write-baseline", "baseline.json", cwd=repo)
    assert result.returncode == 0, result.stderr  # recording is not a failure
    entries = json.loads((repo / "baseline.json").read_text())["findings"]
    assert f"baseline of {len(entries)} findings written to baseline.json" in result.stderr
    return len(entries)


def test_baseline_excuses_recorded_findings_even_after_lines_shift(repo):
    count = record(repo)
    assert count >= 5
    before = json.loads(run_cli("scan", "stack.yaml", "-f", "json", cwd=repo).stdout)["findings"]
    shifted = INSECURE.replace("Resources:\n", "Resources:\n" + "  # a comment\n" * 3, 1)
    (repo / "stack.yaml").write_text(shifted)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "-f", "json", cwd=repo)
    assert result.returncode == 0, result.stdout
    after = json.loads(result.stdout)["findings"]
    assert [f["line"] for f in after] == [f["line"] + (3 if f["line"] > 12 else 0) for f in before]
    assert {f["baseline_state"] for f in after} == {"unchanged"}
    text = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert text.returncode == 0
    assert text.stdout.strip() == f"1 file scanned, 0 findings, {count} in the baseline"


def test_only_new_findings_fail(repo):
    count = record(repo)
    added = INSECURE.replace(
        "Resources:\n",
        "Resources:\n  Extra:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: Not_Valid\n", 1)
    (repo / "stack.yaml").write_text(added)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert result.returncode == 1
    reported = [line for line in result.stdout.splitlines() if line.startswith("stack.yaml:")]
    assert reported and all(13 <= int(line.split(":")[1]) <= 16 for line in reported), reported  # only Extra
    assert f"{count} in the baseline" in result.stdout
    sarif = json.loads(run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "-f", "sarif", cwd=repo).stdout)
    states = [(r["baselineState"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
              for r in sarif["runs"][0]["results"]]
    assert all(state in ("new", "unchanged") for state, _ in states)
    assert sum(state == "unchanged" for state, _ in states) == count
    assert {line for state, line in states if state == "new"} == {int(r.split(":")[1]) for r in reported}


def test_without_a_baseline_there_is_no_baseline_state(repo):
    sarif = json.loads(run_cli("scan", "stack.yaml", "-f", "sarif", cwd=repo).stdout)
    assert all("baselineState" not in r for r in sarif["runs"][0]["results"])


def test_a_file_that_is_not_a_baseline_is_an_error(repo):
    (repo / "baseline.json").write_text('{"findings": []}')
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", cwd=repo)
    assert result.returncode == 2 and "not a policylint baseline" in result.stderr
    missing = run_cli("scan", "stack.yaml", "--baseline", "nope.json", cwd=repo)
    assert missing.returncode == 2 and "cannot read baseline nope.json" in missing.stderr


def test_entries_no_finding_matches_any_more_are_noted_for_scanned_files_only(repo):
    count = record(repo)
    (repo / "other.yaml").write_text(INSECURE)
    fixed = INSECURE.replace("Default: Customer_Uploads", "Default: customer-uploads")
    assert fixed != INSECURE
    (repo / "stack.yaml").write_text(fixed)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert "1 baseline entry of the scanned files no longer found (fixed?)" in result.stderr
    assert f"{count - 1} in the baseline" in result.stdout
    other = run_cli("scan", "other.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert "baseline entr" not in other.stderr  # stack.yaml was not scanned: nothing to say about it
    (repo / "stack.yaml").write_text(INSECURE)
    again = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert again.returncode == 0 and "baseline entr" not in again.stderr


STACK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
{first}
{second}
"""
POLICY = """\
  DeployPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
{extra}          - Effect: Allow
            Action: {action}
            Resource: "*"
          - Sid: Admin
            Effect: Allow
            Action: "*"
            Resource: "*"
"""
GROUP = """\
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""
DENY = """\
          - Effect: Deny
            Action: s3:DeleteBucket
            Resource: "*"
            Condition: {Bool: {"aws:MultiFactorAuthPresent": "false"}}
"""  # conditional: an unconditional Deny would subtract from the Allow s3:* (IAM semantics) and change the findings


def test_baseline_survives_an_inserted_statement_and_reordered_resources_but_not_a_changed_action(tmp_path):
    (tmp_path / ".git").mkdir()
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK.format(first=POLICY.format(extra="", action="s3:*"), second=GROUP))
    assert run_cli("scan", "stack.yaml", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    recorded = json.loads((tmp_path / "b.json").read_text())["findings"]
    assert {e["rule"] for e in recorded} >= {"PL1001", "PL3003"} and len(recorded) >= 4  # PL3003 supersedes PL3001

    stack.write_text(STACK.format(first=GROUP, second=POLICY.format(extra=DENY, action="s3:*")))
    edited = run_cli("scan", "stack.yaml", "--baseline", "b.json", "-f", "json", cwd=tmp_path)
    assert edited.returncode == 0, edited.stdout
    findings = json.loads(edited.stdout)["findings"]
    assert len(findings) == len(recorded) and {f["baseline_state"] for f in findings} == {"unchanged"}
    assert "statements[1].actions[0]" in {f["element"] for f in findings if f["rule"] == "PL1001"}  # it moved

    stack.write_text(STACK.format(first=GROUP, second=POLICY.format(extra=DENY, action="ec2:*")))
    changed = run_cli("scan", "stack.yaml", "--baseline", "b.json", "--no-color", cwd=tmp_path)
    assert changed.returncode == 1, changed.stdout
    new = [line for line in changed.stdout.splitlines() if line.startswith("stack.yaml:")]
    # the changed statement's findings: PL1001 on ec2:*, and PL1015 (ec2:GetPasswordData on every resource)
    assert new and all("ec2:*" in line or "ec2:GetPasswordData" in line for line in new), new
    assert "In the baseline, no longer found" in changed.stdout  # the s3:* entries are absent now
    assert "stack.yaml: PL1001 DeployPolicy.PolicyDocument statements[0].actions[0]" in changed.stdout


def test_a_changed_cidr_is_a_new_finding(tmp_path):
    (tmp_path / ".git").mkdir()
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK.format(first=GROUP.replace("0.0.0.0/0", "10.0.1.0/16"), second=""))  # host bits set
    assert run_cli("scan", "stack.yaml", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    stack.write_text(STACK.format(first=GROUP.replace("0.0.0.0/0", "10.0.2.0/16"), second=""))
    result = run_cli("scan", "stack.yaml", "--baseline", "b.json", "-f", "json", "--select", "PL3002", cwd=tmp_path)
    assert result.returncode == 1
    states = [f["baseline_state"] for f in json.loads(result.stdout)["findings"]]
    assert states == ["new"]


def test_a_baseline_of_the_old_positional_format_is_an_error_that_says_what_to_do(repo):
    (repo / "old.json").write_text(json.dumps({"policylint_baseline": 1, "findings": []}))
    result = run_cli("scan", "stack.yaml", "--baseline", "old.json", cwd=repo)
    assert result.returncode == 2 and "--write-baseline old.json" in result.stderr


TF_POLICY = """\
resource "aws_iam_policy" "p" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
{extra}      {{ Effect = "Allow", Action = "{action}", Resource = "*" }},
    ]
  }})
}}
"""
TF_GROUP = """\
resource "aws_security_group" "g" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def test_terraform_baseline_survives_an_inserted_statement_and_reordered_resources(tmp_path):
    (tmp_path / ".git").mkdir()
    main = tmp_path / "main.tf"
    main.write_text(TF_POLICY.format(extra="", action="s3:*") + TF_GROUP)
    assert run_cli("scan", ".", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    # conditional: an unconditional Deny would subtract from the Allow s3:* (IAM semantics)
    deny = ('      { Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*",\n'
            '        Condition = { Bool = { "aws:MultiFactorAuthPresent" = "false" } } },\n')
    main.write_text(TF_GROUP + "\n" + TF_POLICY.format(extra=deny, action="s3:*"))
    assert run_cli("scan", ".", "--baseline", "b.json", cwd=tmp_path).returncode == 0
    main.write_text(TF_GROUP + "\n" + TF_POLICY.format(extra=deny, action="ec2:*"))
    changed = run_cli("scan", ".", "--baseline", "b.json", "-f", "json", cwd=tmp_path)
    assert changed.returncode == 1
    new = [f for f in json.loads(changed.stdout)["findings"] if f["baseline_state"] == "new"]
    # the changed statement: PL1001 on ec2:*, and PL1015 (ec2:GetPasswordData on every resource)
    assert sorted(f["rule"] for f in new) == ["PL1001", "PL1015"]
    assert "ec2:*" in next(f for f in new if f["rule"] == "PL1001")["message"]
