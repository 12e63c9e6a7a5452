"""A required value written as an empty or whitespace-only string (or null) is not configured."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import scan_json
from policylint.normalise.fields import is_set


@pytest.mark.parametrize("value, expected", [("", False), ("  ", False), ("\t\n", False), (None, False),
                                             ("alias/key", True), (0, True), (False, True)])
def test_is_set(value, expected):
    assert is_set(value) is expected


def test_blank_values_fail_in_every_format(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(textwrap.dedent("""\
        Resources:
          Trail:
            Type: AWS::CloudTrail::Trail
            Properties: {S3BucketName: logs, IsLogging: true, KMSKeyId: " "}
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              LoggingConfiguration: {DestinationBucketName: ""}
        """))
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_sns_topic" "t" {
          kms_master_key_id = ""
        }
        resource "aws_security_group_rule" "r" {
          type              = "ingress"
          from_port         = 443
          to_port           = 443
          protocol          = "tcp"
          cidr_blocks       = ["10.0.0.0/8"]
          security_group_id = "sg-1"
          description       = "  "
        }
        """))
    report = scan_json(str(tmp_path), "--select", "PL4006,PL2005,PL4009")
    assert sorted(f["rule"] for f in report["findings"]) == ["PL2005", "PL4006", "PL4009"]
