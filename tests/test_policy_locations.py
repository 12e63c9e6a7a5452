"""Every property that holds a policy document is read: the CloudFormation ones come from the
resource schemas (policy_properties.json), the Terraform ones are their provider equivalents.
VPC endpoint policies grant nothing, so the grant rules stay silent on them."""
from __future__ import annotations

import json

import pytest

from policylint.normalise.cloudformation import ATTACHMENTS, policy_locations
from policylint.scan import ScanOptions, scan

PUBLIC = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}


def _data() -> dict[str, list[str]]:
    from importlib import resources

    text = (resources.files("policylint.normalise") / "policy_properties.json").read_text(encoding="utf-8")
    return json.loads(text)["cloudformation"]


def _nest(path: tuple[str, ...], doc: object) -> dict:
    """Properties with ``doc`` at ``path`` (``*`` is a one-item list)."""
    value: object = doc
    for step in reversed(path):
        value = [value] if step == "*" else {step: value}
    assert isinstance(value, dict)
    return value


def _lint(tmp_path, name: str, body: str):
    target = tmp_path / name
    target.write_text(body)
    return scan(ScanOptions(paths=[str(target)], root=str(tmp_path))).findings


def test_every_generated_location_and_override_is_read():
    data = _data()
    assert len(data) > 60  # the schemas name many more than the IAM types
    for rtype, paths in data.items():
        assert {p for p, _ in policy_locations(rtype)} >= {tuple(p.split(".")) for p in paths}
    for rtype, known in ATTACHMENTS.items():
        assert dict((".".join(p), a) for p, a in policy_locations(rtype)).items() >= known.items()
    assert dict(policy_locations("AWS::EC2::VPCEndpoint")) == {("PolicyDocument",): "endpoint"}
    assert dict(policy_locations("AWS::ApiGateway::DomainNameV2")) == {("Policy",): "resource"}


_OWN_RULES = ("trust", "scp", "identity")  # judged by their own rules (trust: PL1007; identity has no Principal)


@pytest.mark.parametrize("rtype", sorted(t for t in _data() if any(a not in _OWN_RULES for _, a in policy_locations(t))))
def test_a_public_policy_at_each_location_is_found_at_its_line(tmp_path, rtype):
    resources = {}
    for i, (path, attachment) in enumerate(policy_locations(rtype)):
        if attachment not in _OWN_RULES:
            resources[f"R{i}"] = {"Type": rtype, "Properties": _nest(path, PUBLIC)}
    body = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1)
    findings = _lint(tmp_path, "t.json", body)
    lines = body.splitlines()
    public = sorted(f.span.line for f in findings if f.rule_id == "PL1003")
    principal_lines = [n for n, text in enumerate(lines, 1) if '"Principal": "*"' in text]
    endpoint = all(a == "endpoint" for p, a in policy_locations(rtype) if a not in _OWN_RULES)
    if endpoint:
        assert public == [] and not [f for f in findings if f.rule_id in ("PL1001", "PL1006", "PL1010")]
    else:
        assert public == principal_lines


def test_vpc_endpoint_policies_are_filters_not_grants(tmp_path):
    findings = _lint(tmp_path, "t.yaml", """\
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-1
      ServiceName: com.amazonaws.us-east-1.s3
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: "*"
            Resource: "*"
          - Effect: Allow
            Principal: "*"
            NotAction: s3:DeleteBucket
            NotResource: arn:aws:s3:::x
""")
    # read (PL1008: no Version), but none of the grant rules fire
    assert sorted({f.rule_id for f in findings}) == ["PL1008"]


def test_terraform_plan_reads_the_new_locations(tmp_path):
    def resource(rtype: str, name: str, values: dict) -> dict:
        return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name, "values": values}

    public = json.dumps(PUBLIC)
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        resource("aws_api_gateway_domain_name", "d", {"domain_name": "x", "policy": public}),
        resource("aws_vpc_endpoint", "e", {"vpc_id": "vpc-1", "policy": public}),
        resource("aws_vpc_endpoint_policy", "p", {"vpc_endpoint_id": "vpce-1", "policy": public}),
    ]}}}
    findings = _lint(tmp_path, "x.tfplan.json", json.dumps(plan, indent=1))
    assert [(f.rule_id, f.resource) for f in findings if f.rule_id in ("PL1001", "PL1003")] == [
        ("PL1001", "aws_api_gateway_domain_name.d.policy"), ("PL1003", "aws_api_gateway_domain_name.d.policy")]


@pytest.mark.parametrize("operator, key, values, confines", [
    ("StringNotEquals", "aws:sourcevpce", ["vpce-1"], True),
    ("StringNotEqualsIfExists", "aws:sourcevpce", ["vpce-1"], True),  # a request without the key is denied too
    ("NotIpAddress", "aws:sourceip", ["203.0.113.0/24"], True),
    ("NotIpAddress", "aws:sourceip", ["0.0.0.0/0"], False),
    ("StringNotLike", "aws:principalorgid", ["o-*"], False),  # a wildcard is not a fixed value
    ("StringEquals", "aws:sourcevpce", ["vpce-1"], False),  # Deny when it *is* the endpoint
    ("ForAnyValue:StringNotEquals", "aws:sourcevpce", ["vpce-1"], False),
    ("StringNotEquals", "aws:requestedregion", ["us-east-1"], False),  # not about who
])
def test_which_deny_conditions_confine(operator, key, values, confines):
    from policylint.iam.condition_keys import deny_confines

    assert deny_confines({"operator": operator, "key": key, "values": values}) is confines
