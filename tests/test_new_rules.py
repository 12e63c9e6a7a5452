"""The issue-16 rules: predicates and options that the fixtures alone do not exercise."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, scan_json
from policylint.evaluate.predicates import account_outside, covers_bucket_and_objects
from policylint.load.located import Unknown


@pytest.mark.parametrize("principal, allowed, expected", [
    ("arn:aws:iam::444455556666:root", [], True),
    ("444455556666", ["444455556666"], False),
    ("arn:aws:iam::111122223333:role/x", ["444455556666"], True),
    ("arn:aws-us-gov:iam::111122223333:user/y", ["111122223333"], False),
    ("*", [], False),
    ("arn:aws:iam::12345:root", [], False),
    (Unknown("${AWS::AccountId}"), [], None),
])
def test_account_outside(principal, allowed, expected):
    assert account_outside(principal, allowed) is expected


@pytest.mark.parametrize("resources, expected", [
    (["*"], True),
    (["arn:aws:s3:::b", "arn:aws:s3:::b/*"], True),
    (["arn:aws:s3:::b/*"], False),
    (["arn:aws:s3:::b", "arn:aws:s3:::c/*"], False),
    (["arn:aws:s3:::b/*", Unknown("${Bucket.Arn}")], None),
])
def test_covers_bucket_and_objects(resources, expected):
    assert covers_bucket_and_objects({"resources": resources}) is expected


def test_allowed_accounts_option(tmp_path: Path):
    config = tmp_path / ".policylint.yaml"
    config.write_text(textwrap.dedent("""\
        options:
          PL2015:
            allowed_accounts: ["444455556666", "111122223333"]
        """))
    target = str(FIXTURES / "rules" / "PL2015" / "fail.yaml")
    report = scan_json(target, "--select", "PL2015", "--config", str(config))
    assert [f["line"] for f in report["findings"]] == [24]


def test_a_resource_that_cannot_be_read_may_be_the_bucket_policy(tmp_path: Path):
    (tmp_path / "t.json").write_text('{"Resources": {"Odd": {"Type": {"x": 1}}, '
                                     '"B": {"Type": "AWS::S3::Bucket", "Properties": {}}}}')
    (tmp_path / "u.json").write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {}}}}')
    report = scan_json(str(tmp_path), "--select", "PL2006")
    assert [(f["rule"], f["file"].rsplit("/", 1)[-1]) for f in report["findings"]] == [("PL2006", "u.json")]
    assert not report.get("parse_errors")


def test_secret_properties_come_from_the_schemas():
    from policylint.normalise.secret_values import cloudformation

    props = cloudformation()
    assert "MasterUserPassword" in props["AWS::RDS::DBInstance"]
    assert "AuthToken" in props["AWS::ElastiCache::ReplicationGroup"]
    assert "LoginProfile.Password" in props["AWS::IAM::User"]
    flat = [p for paths in props.values() for p in paths]
    assert not [p for p in flat if p.endswith(("Arn", "SecretId", "ClientToken"))]


@pytest.mark.parametrize("value, expected", [
    ("0.0.0.0/0", True), ("::/0", True), ("10.0.0.0/8", False),
    (["0.0.0.0/1", "128.0.0.0/1"], True),
    (["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"], True),
    (["0.0.0.0/1", "10.0.0.0/8"], False),
    (["::/1", "8000::/1"], True),
    (["0.0.0.0/1", "8000::/1"], False),
    (["0.0.0.0/1", Unknown("var.cidr")], None),
])
def test_cidr_world_on_one_cidr_or_several_together(value, expected):
    from policylint.evaluate.predicates import cidr_is_world

    assert cidr_is_world(value) is expected
