"""Domain predicates: action coverage, principals, CIDRs and bucket names."""
from __future__ import annotations

import ipaddress

import pytest

from policylint.evaluate import iam_predicates as ip
from policylint.evaluate import predicates as p
from policylint.iam import actions as iam
from policylint.load.located import Unknown


@pytest.mark.parametrize("pattern, action, covers", [
    ("*", "s3:*", True), ("*:*", "iam:*", True), ("S3:*", "s3:*", True), ("s?:*", "s3:*", True),
    ("s3*", "s3:*", True), ("s3:Get*", "s3:*", False), ("iam:*", "s3:*", False),
    ("s3:*Object", "s3:GetObject", True), ("s3:[ab]", "s3:a", False),
])
def test_action_covers(pattern, action, covers):
    assert iam.action_covers(pattern, action) is covers


@pytest.mark.parametrize("a, b, overlap", [
    ("s3:get*", "s3:*", True), ("iam:*", "s3:*", False), ("s3:*object", "s3:get*", True),
    ("s3:getobject", "s3:putobject", False), ("*", "x", True), ("a?c", "abc", True),
])
def test_globs_overlap(a, b, overlap):
    assert iam.globs_overlap(a, b) is overlap


@pytest.mark.parametrize("action, wildcard", [
    ("s3:*", True), ("S3:*", True), ("*", True), ("*:*", True), ("s3:**", True),
    ("s3:Get*", False), ("s3:GetObject", False), ("", False), (Unknown("!Ref X"), None),
])
def test_service_wildcard(action, wildcard):
    assert ip.is_service_wildcard(action) is wildcard


def _stmt(principal, conditions=(), effect="Allow"):
    return {"effect": effect, "principal": principal, "conditions": list(conditions)}


@pytest.mark.parametrize("statement, public", [
    (_stmt({"*": ["*"]}), True),
    (_stmt({"AWS": ["*"]}), True),
    (_stmt({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
    (_stmt({"AWS": ["arn:aws:iam::*:root"]}), True),
    (_stmt({"AWS": ["arn:aws:iam::111122223333:root"]}), False),
    (_stmt({"Service": ["lambda.amazonaws.com"]}), False),
    (_stmt({"*": ["*"]}, [{"operator": "StringEquals", "key": "aws:principalorgid", "values": ["o-1"]}]), False),
    (_stmt({"*": ["*"]}, [{"operator": "StringEqualsIfExists", "key": "aws:principalorgid", "values": ["o-1"]}]), True),
    (_stmt({"*": ["*"]}, [{"operator": "ForAllValues:StringEquals", "key": "aws:sourcevpce", "values": ["v"]}]), True),
    (_stmt({"*": ["*"]}, [{"operator": "StringNotEquals", "key": "aws:sourceaccount", "values": ["1"]}]), True),
    (_stmt({"*": ["*"]}, [{"operator": "StringLike", "key": "aws:principalorgid", "values": ["o-*"]}]), True),
    (_stmt({"*": ["*"]}, [{"operator": "IpAddress", "key": "aws:sourceip", "values": ["0.0.0.0/0"]}]), True),
    (_stmt({"*": ["*"]}, [{"operator": "IpAddress", "key": "aws:sourceip", "values": ["10.0.0.0/8"]}]), False),
    (_stmt({"*": ["*"]}, [{"operator": "StringEquals", "key": "aws:sourceaccount", "values": [Unknown("${AWS::AccountId}")]}]), False),
    (_stmt({"AWS": [Unknown("!Ref P")]}), None),
    (_stmt(Unknown("!Ref P")), None),
    (_stmt(None), False),
])
def test_public_principal(statement, public):
    assert ip.is_public_principal(statement) is public


@pytest.mark.parametrize("value, error", [
    ("10.0.0.0/16", None), ("0.0.0.0/0", None), ("::/0", None), ("2001:db8::/32", None),
    ("10.0.0.0/33", "prefix"), ("192.168.0.0/8", "host bits"), ("10.0.300.0/24", "greater than 255"),
    ("010.0.0.0/8", "leading zero"), ("10.0.0.1", "no prefix"), ("2001:db8::1/32", "host bits"),
    ("2001:db8::/129", "prefix"), ("abc", "not an IPv4"), (" 10.0.0.0/8", "not an IPv4"), (5, "not a string"),
])
def test_cidr_error(value, error):
    result = p.cidr_error(value)
    if error is None:
        assert result is None
    else:
        assert result is not None and error in result


@pytest.mark.parametrize("value", ["10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "10.1.2.3/32", "fd00::/8", "::/0"])
def test_cidr_valid_agrees_with_ipaddress(value):
    ipaddress.ip_network(value, strict=True)
    assert p.cidr_valid(value) is True


def test_cidr_bare_address_only_where_allowed():
    assert p.cidr_valid("203.0.113.7") is False
    assert p.cidr_valid("203.0.113.7", "bare_ip_allowed") is True
    assert p.cidr_valid(Unknown("!Ref X")) is None


@pytest.mark.parametrize("value, world", [
    ("0.0.0.0/0", True), ("::/0", True), ("10.0.0.0/8", False), ("0.0.0.0/1", False), ("bogus", False),
])
def test_cidr_world(value, world):
    assert p.cidr_is_world(value) is world


@pytest.mark.parametrize("name, problem", [
    ("my-bucket", None), ("www.example.com", None), ("a" * 63, None),
    ("MyBucket", "uppercase"), ("my_bucket", "'_'"), ("my..bucket", "adjacent periods"),
    ("../../../etc", "'/'"), ("a" * 64, "64 characters"), ("ab", "2 characters"),
    ("192.168.5.4", "IP address"), ("xn--bucket", "xn--"), ("sthree-x", "sthree-"),
    ("amzn-s3-demo-x", "amzn-s3-demo-"), ("data-s3alias", "-s3alias"), ("data--ol-s3", "--ol-s3"),
    ("data.mrap", ".mrap"), ("data--x-s3", "--x-s3"), ("data--table-s3", "--table-s3"),
    ("-bucket", "begin and end"), ("bucket-", "begin and end"), ("my.-bucket", "period next to a hyphen"),
])
def test_bucket_name_rules(name, problem):
    result = p.bucket_name_error(name)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_allows_action_with_not_action_as_complement():
    stmt = {"effect": "Allow", "not_actions": ["iam:*"]}
    assert ip.allows_action(stmt, "s3:*") is True
    assert ip.allows_action(stmt, "iam:createuser") is False
    assert ip.allows_action({"effect": "Allow", "actions": ["s3:get*"]}, "s3:*") is False
    assert ip.allows_action({"effect": "Deny", "actions": ["*"]}, "s3:*") is False


def test_ports_within_needs_every_admitted_port_known_and_listed():
    from policylint.evaluate.predicates import ports_within

    def rule(protocol, low, high):
        return {"protocol": protocol, "from_port": low, "to_port": high}

    assert ports_within(rule("tcp", 443, 443), [80, 443]) is True
    assert ports_within(rule("tcp", 80, 443), [80, 443]) is False  # 81–442 too
    assert ports_within(rule("tcp", 80, 81), [80, 81]) is True
    assert ports_within(rule("all", None, None), [80, 443]) is False
    assert ports_within(rule("tcp", -1, -1), [80, 443]) is False
    assert ports_within(rule("tcp", Unknown("var.port"), 443), [443]) is False
    assert ports_within(rule("tcp", 443, 443), []) is False
