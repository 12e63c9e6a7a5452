"""The scanner never opens a network connection: with sockets disabled in the policylint process
the same scan gives the same report, even for templates that point at remote things."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO
from hostile_support import faulty_env, scan

REMOTE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example.com/nested.yaml
  Included:
    Type: AWS::S3::Bucket
    Properties:
      Fn::Transform:
        Name: AWS::Include
        Parameters: {Location: 's3://example-bucket/snippet.yaml'}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: Bad_Name
"""
REMOTE_MODULES = """\
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
module "git" {
  source = "git::https://example.com/modules.git//s3?ref=v1"
}
resource "aws_s3_bucket" "b" {
  bucket = "Bad_Name"
}
"""


def test_the_fault_really_disables_sockets():
    probe = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n    print(e)\n"
    env = dict(os.environ, **faulty_env(no_network=True))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert "network access is disabled" in out.stdout


def test_scans_work_the_same_without_a_network(tmp_path):
    (tmp_path / "remote.yaml").write_text(REMOTE)
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "main.tf").write_text(REMOTE_MODULES)
    for target, cwd in ((".", tmp_path), ("examples", REPO), ("fixtures/rules/PL1001", REPO)):
        online = scan(target, "-f", "sarif", cwd=cwd)
        offline = scan(target, "-f", "sarif", cwd=cwd, faults={"no_network": True})
        assert online.returncode in (0, 1), online.stderr
        assert (offline.returncode, offline.stdout) == (online.returncode, online.stdout)
        assert "network access is disabled" not in offline.stderr


def test_remote_references_are_not_fetched_and_the_rest_is_linted(tmp_path):
    (tmp_path / "remote.yaml").write_text(REMOTE)
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "main.tf").write_text(REMOTE_MODULES)
    result = scan(".", "--select", "PL2002", "--no-color", cwd=tmp_path, faults={"no_network": True})
    assert result.returncode == 1
    assert "remote.yaml:17:19: PL2002" in result.stdout
    assert "module/main.tf:8:" in result.stdout
