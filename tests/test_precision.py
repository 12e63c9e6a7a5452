"""One test per cause of false or duplicate findings met on real repositories (issue 15)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from policylint.scan import ScanOptions, scan


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def findings(path: Path, *select: str, options: dict | None = None):
    result = scan(ScanOptions(paths=[str(path)], root=str(path if path.is_dir() else path.parent),
                              select=list(select), option_overrides=options or {}))
    return [f for f in result.findings if f.rule_id != "PL0001" or "PL0001" in select]


BARE_BUCKETS = """
    Resources:
      Bare:
        Type: AWS::S3::Bucket
      Stated:
        Type: AWS::S3::Bucket
        Properties:
          PublicAccessBlockConfiguration:
            BlockPublicAcls: true
            IgnorePublicAcls: true
            BlockPublicPolicy: true
            RestrictPublicBuckets: true
    """


def test_bare_bucket_has_aws_default_block_public_access(tmp_path):
    template = write(tmp_path / "t.yaml", BARE_BUCKETS)
    assert findings(template, "PL2003") == []
    tf = write(tmp_path / "tf" / "main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    assert findings(tf.parent, "PL2003") == []


def test_bare_bucket_reported_when_the_option_requires_explicit_settings(tmp_path):
    template = write(tmp_path / "t.yaml", BARE_BUCKETS)
    found = findings(template, "PL2003", options={"PL2003": {"require_explicit": True}})
    assert [(f.resource, f.span.line) for f in found] == [("Bare", 2)]


def test_access_log_target_bucket_is_exempt_from_access_logging(tmp_path):
    template = write(tmp_path / "t.yaml", """
        Resources:
          Data:
            Type: AWS::S3::Bucket
            Properties:
              LoggingConfiguration:
                DestinationBucketName: !Ref Logs
          Logs:
            Type: AWS::S3::Bucket
          Unrelated:
            Type: AWS::S3::Bucket
        """)
    assert [f.resource for f in findings(template, "PL2005")] == ["Unrelated"]
    module = write(tmp_path / "tf" / "main.tf", """
        resource "aws_s3_bucket" "data" {
          bucket = "data"
        }
        resource "aws_s3_bucket_logging" "data" {
          bucket        = aws_s3_bucket.data.id
          target_bucket = aws_s3_bucket.logs.id
        }
        resource "aws_s3_bucket" "logs" {
          bucket = "logs"
        }
        """)
    assert findings(module.parent, "PL2005") == []


SG = """
    Resources:
      Web:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: web and ssh
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
            - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
            - {IpProtocol: tcp, FromPort: 8443, ToPort: 8443, CidrIp: 0.0.0.0/0}
            - {IpProtocol: tcp, FromPort: 9000, ToPort: 9000, CidrIp: 0.0.0.0/0}
    """


def test_ssh_open_to_the_world_is_one_finding_that_names_both_rules(tmp_path):
    template = write(tmp_path / "t.yaml", SG)
    found = {f.span.line: f for f in findings(template, "PL3001", "PL3003")}
    assert sorted((line, f.rule_id, f.severity) for line, f in found.items()) == [
        (7, "PL3001", "low"), (8, "PL3003", "critical"), (9, "PL3001", "high"), (10, "PL3001", "high")]
    ssh = found[8]
    assert "PL3001" in ssh.message and [f.rule_id for f in ssh.superseded] == ["PL3001"]
    assert "public web listener" in found[7].message


def test_allowed_public_ports_are_not_reported(tmp_path):
    template = write(tmp_path / "t.yaml", SG)
    found = findings(template, "PL3001", options={"PL3001": {"allowed_ports": [9000], "public_ports": [443, 8443]}})
    assert sorted((f.span.line, f.severity) for f in found) == [(7, "low"), (8, "high"), (9, "low")]


def test_a_suppression_of_either_rule_suppresses_the_pair(tmp_path):
    for rule in ("PL3001", "PL3003"):
        text = SG.replace("- {IpProtocol: tcp, FromPort: 22", f'# policylint: ignore {rule} reason="bastion"\n            - {{IpProtocol: tcp, FromPort: 22')
        template = write(tmp_path / f"{rule}.yaml", text)
        ssh = [f for f in findings(template, "PL3001", "PL3003") if f.rule_id == "PL3003"]
        assert len(ssh) == 1 and ssh[0].suppression is not None, rule


def test_whole_service_wildcard_is_one_finding(tmp_path):
    policy = write(tmp_path / "p.json", '{"Version": "2012-10-17", "Statement": [\n'
                   '  {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},\n'
                   '  {"Effect": "Allow", "Action": "*", "Resource": "*"},\n'
                   '  {"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}]}\n')
    found = sorted((f.span.line, f.rule_id) for f in findings(policy, "PL1001", "PL1006", "PL1010"))
    assert found == [(2, "PL1001"), (3, "PL1006"), (4, "PL1010")]


def test_sarif_names_the_superseded_rule_in_properties_and_related_locations(tmp_path):
    import json

    from policylint.report import sarif

    template = write(tmp_path / "t.yaml", SG)
    result = scan(ScanOptions(paths=[str(template)], root=str(tmp_path), select=["PL3001", "PL3003"]))
    (ssh,) = [r for r in json.loads(sarif.render(result, result.findings))["runs"][0]["results"]
              if r["ruleId"] == "PL3003"]
    assert ssh["properties"]["supersedes"] == ["PL3001"]
    (related,) = ssh["relatedLocations"]
    assert related["message"]["text"].startswith("PL3001: ")
    assert related["physicalLocation"]["region"]["startLine"] == 8


def test_a_bucket_with_a_conditional_name_keeps_its_companions(tmp_path):
    module = write(tmp_path / "main.tf", """
        variable "env" {}
        locals {
          name = var.env == "prod" ? "data-prod" : "data-dev"
        }
        resource "aws_s3_bucket" "by_reference" {
          bucket = var.env == "prod" ? "ref-prod" : "ref-dev"
        }
        resource "aws_s3_bucket_versioning" "by_reference" {
          bucket = aws_s3_bucket.by_reference.bucket
          versioning_configuration {
            status = "Enabled"
          }
        }
        resource "aws_s3_bucket" "by_expression" {
          bucket = local.name
        }
        resource "aws_s3_bucket_versioning" "by_expression" {
          bucket = local.name
          versioning_configuration {
            status = "Enabled"
          }
        }
        resource "aws_s3_bucket_public_access_block" "by_expression" {
          bucket              = local.name
          block_public_acls   = true
          ignore_public_acls  = true
          block_public_policy = false
        }
        """)
    assert findings(module.parent, "PL2004") == []
    assert [(f.resource, f.span.line) for f in findings(module.parent, "PL2003")] == [("aws_s3_bucket.by_expression", 27)]


SECRET_INPUTS = """
    Parameters:
      DbPassword: {Type: String, NoEcho: true, Default: s3cr3t-Pa55}
      ApiToken: {Type: String, Default: /prod/api/token}
      DbSecret: {Type: String, NoEcho: true, Default: none}
      KeySecretAlias: {Type: String, Default: alias/aws/secretsmanager}
      TokenSecret: {Type: String, Default: "arn:aws:secretsmanager:us-east-1:111122223333:secret:t"}
      TokenUrl: {Type: String, Default: "https://vault.example.com/token"}
      PasswordCipher: {Type: String, Default: AQICAHhsZWZ0b3ZlcnNvbWV0aGluZ2Jhc2U2NGxvb2tpbmdjaXBoZXJ0ZXh0Zm9yZml4dHVyZXM=}
      SecretCount: {Type: Number, Default: 3}
      Webhook: {Type: String, Default: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlX2Zha2U}
    Resources:
      T: {Type: AWS::SNS::Topic}
    """


def test_secret_look_alikes_are_not_secrets(tmp_path):
    template = write(tmp_path / "t.yaml", SECRET_INPUTS)
    assert sorted(f.resource for f in findings(template, "PL5004")) == ["Parameters.DbPassword", "Parameters.Webhook"]
    # Not masked: the secret-named string inputs whose default is not a reference to a secret.
    assert sorted(f.resource for f in findings(template, "PL5005")) == []
    module = write(tmp_path / "tf" / "main.tf", """
        variable "enable_token_auth" {
          type    = bool
          default = false
        }
        variable "token_ttl" {
          type    = number
          default = 3600
        }
        variable "api_token" {
          type = string
        }
        """)
    assert [f.resource for f in findings(module.parent, "PL5004", "PL5005")] == ["var.api_token"]


def test_a_module_reached_twice_gives_one_finding_naming_its_callers(tmp_path):
    write(tmp_path / "mod" / "main.tf", """
        variable "name" {}
        resource "aws_s3_bucket" "b" {
          bucket = var.name
        }
        resource "aws_iam_policy" "p" {
          name   = var.name
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
        }
        """)
    write(tmp_path / "main.tf", """
        module "a" {
          source = "./mod"
          name   = "a"
        }
        module "b" {
          source = "./mod"
          name   = "b"
        }
        """)
    found = findings(tmp_path, "PL1001", "PL2004")
    assert sorted((f.rule_id, f.span.line) for f in found) == [("PL1001", 7), ("PL2004", 2)]
    for finding in found:
        assert "module.a, module.b" in finding.message, finding.message


EMBEDDED_YAML = """\
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: !Sub |
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "s3:*",
              "Resource": "arn:aws:s3:::${AWS::AccountId}-bucket/*"
            }
          ]
        }
  Plain:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: |
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "ec2:*",
              "Resource": "*"
            }
          ]
        }
  Broken:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: !Sub |
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "iam:*",
              "Resource": ${ResourceList}
            }
          ]
        }
"""
EMBEDDED_TF = """\
resource "aws_iam_policy" "plain" {
  name   = "plain"
  policy = <<EOF2
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}
EOF2
}
resource "aws_iam_policy" "templated" {
  name   = "templated"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "ec2:*",
          "Resource": "${var.arn}"
        }
      ]
    }
  EOT
}
variable "arn" {}
"""


def test_json_in_block_scalars_and_sub_strings_is_located_to_the_element(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(EMBEDDED_YAML)
    found = {f.message.split("'")[1]: f for f in findings(template, "PL1001")}
    assert (found["s3:*"].span.line, found["s3:*"].span.col) == (11, 25)  # !Sub |, substitution in a string
    assert (found["ec2:*"].span.line, found["ec2:*"].span.col) == (25, 25)  # plain block scalar
    # ${ResourceList} outside a string: JSON only once substituted, so the enclosing line, said so.
    assert found["iam:*"].span.line == 33 and "JSON only once substituted" in found["iam:*"].message


def test_json_in_heredocs_is_located_to_the_element(tmp_path):
    (tmp_path / "main.tf").write_text(EMBEDDED_TF)
    assert sorted((f.span.line, f.span.col) for f in findings(tmp_path, "PL1001")) == [(9, 17), (24, 21)]


def test_a_template_file_of_another_tool_is_not_a_parse_error(tmp_path):
    write(tmp_path / "App.sln.template", """
        Microsoft Visual Studio Solution File, Format Version 12.00
        # Visual Studio Version 17
        VisualStudioVersion = 17.7.34031.279
        """)
    write(tmp_path / "stack.template", '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path)))
    assert result.parse_errors == [] and [f.endswith("stack.template") for f in result.files] == [True]


def test_a_heredoc_closing_marker_may_carry_trailing_spaces(tmp_path):
    write(tmp_path / "main.tf", 'locals {\n  q = <<EOF\n{"a": 1}\nEOF  \n}\nresource "aws_iam_policy" "p" {\n'
          '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })\n}\n')
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), select=["PL1001"]))
    assert result.parse_errors == [] and [f.rule_id for f in result.findings] == ["PL1001"]
