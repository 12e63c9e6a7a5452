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
