"""CloudFormation: intrinsic resolution and the normalised model."""
from __future__ import annotations

import textwrap

from policylint.load.located import Unknown, plain
from policylint.load.yaml_loader import load_yaml
from policylint.model import IAM_POLICY, S3_BUCKET, SG_RULE
from policylint.normalise.cfn_intrinsics import NO_VALUE, Resolver
from policylint.normalise.cloudformation import build_resources
from policylint.normalise.policy_file import build_resources as policy_resources
from policylint.load.json_loader import load_json

TEMPLATE = textwrap.dedent("""\
    Parameters:
      Env: {Type: String, Default: prod}
      Cidrs: {Type: CommaDelimitedList, Default: "10.0.0.0/8, 192.168.0.0/16"}
      NoDefault: {Type: String}
    Mappings:
      Region: {prod: {name: logs-prod}}
    Resources:
      Thing: {Type: AWS::SNS::Topic}
    """)


def _resolve(snippet: str, branch: int = 0):
    template = load_yaml(TEMPLATE)
    value = load_yaml("v: " + snippet)
    return Resolver(template, branch).resolve(value["v"], value.span_of("v"))


def test_ref_to_parameter_default_notes_the_parameter():
    value, note = _resolve("!Ref Env")
    assert value == "prod" and "parameter 'Env'" in note.text
    assert note.span[:2] == (2, 32)  # where the Default is written: the finding's related location


def test_ref_to_list_parameter_and_pseudo_parameters():
    assert plain(_resolve("!Ref Cidrs")[0]) == ["10.0.0.0/8", "192.168.0.0/16"]
    assert _resolve("!Ref AWS::Partition")[0] == "aws"
    assert isinstance(_resolve("!Ref AWS::AccountId")[0], Unknown)
    assert isinstance(_resolve("!Ref NoDefault")[0], Unknown)
    assert isinstance(_resolve("!Ref Thing")[0], Unknown)
    assert _resolve("!Ref AWS::NoValue")[0] is NO_VALUE


def test_sub_both_forms_join_select_split_findinmap():
    assert _resolve('!Sub "app-${Env}-${AWS::Partition}-${!Literal}"')[0] == "app-prod-aws-${Literal}"
    assert _resolve("!Sub ['${A}-${Env}', {A: x}]")[0] == "x-prod"
    assert isinstance(_resolve('!Sub "${Thing.Arn}/x"')[0], Unknown)
    assert _resolve("!Join ['-', [a, !Ref Env]]")[0] == "a-prod"
    assert _resolve("!Select [1, !Ref Cidrs]")[0] == "192.168.0.0/16"
    assert plain(_resolve("!Split [',', 'a,b']")[0]) == ["a", "b"]
    value, note = _resolve("!FindInMap [Region, !Ref Env, name]")
    assert value == "logs-prod" and "Region.prod.name" in note.text
    assert note.span[:2] == (6, 25)


def test_if_takes_the_branch_of_the_resolver():
    assert _resolve("!If [C, first, second]", 0)[0] == "first"
    assert _resolve("!If [C, first, second]", 1)[0] == "second"
    assert isinstance(_resolve("!GetAtt Thing.Arn")[0], Unknown)
    assert isinstance(_resolve("!ImportValue shared")[0], Unknown)


def test_if_resources_are_built_for_both_branches():
    template = load_yaml(textwrap.dedent("""\
        Conditions: {C: !Equals [a, b]}
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !If [C, good-name, Bad_Name]
        """))
    names = [r.props["name"] for r in build_resources(template, "t.yaml") if r.kind == S3_BUCKET]
    assert names == ["good-name", "Bad_Name"]


def _statements(resources):
    return [plain(r.props["statements"]) for r in resources if r.kind == IAM_POLICY]


def test_the_same_policy_normalises_identically_from_cfn_and_a_policy_file():
    policy = textwrap.dedent("""\
        {"Version": "2012-10-17",
         "Statement": {"Effect": "Allow", "Principal": "*", "Action": "S3:GetObject",
                       "Resource": "arn:aws:s3:::b/*",
                       "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}}""")
    cfn = load_yaml("Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: b\n      PolicyDocument: " + policy.replace("\n", "\n        ") + "\n")
    from_cfn = _statements(build_resources(cfn, "t.yaml"))
    from_file = _statements(policy_resources(load_json(policy), "p.json"))
    assert from_cfn == from_file
    (statement,), = from_file
    assert statement["actions"] == ["s3:getobject"]
    assert statement["principal"] == {"*": ["*"]}
    assert statement["conditions"] == [{"operator": "StringEquals", "key": "aws:sourcevpce", "values": ["vpce-1"]}]


def test_policy_given_as_a_json_string_is_decoded():
    template = load_yaml(textwrap.dedent("""\
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
        """))
    (statements,) = _statements(build_resources(template, "t.yaml"))
    assert statements[0]["actions"] == ["s3:*"]


def test_every_policy_location_yields_a_policy_resource():
    template = load_yaml(textwrap.dedent("""\
        Resources:
          R:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: x}, Action: sts:AssumeRole}]}
              Policies:
                - {PolicyName: a, PolicyDocument: {Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}}
                - {PolicyName: b, PolicyDocument: {Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "*"}]}}
          K:
            Type: AWS::KMS::Key
            Properties:
              KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: x}, Action: kms:*, Resource: "*"}]}
          Q:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [q]
              PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: sqs:*, Resource: "*"}]}
        """))
    policies = {(r.name, r.props["attachment"]) for r in build_resources(template, "t.yaml") if r.kind == IAM_POLICY}
    assert policies == {
        ("R.AssumeRolePolicyDocument", "trust"), ("R.Policies[0].PolicyDocument", "identity"),
        ("R.Policies[1].PolicyDocument", "identity"), ("K.KeyPolicy", "key"), ("Q.PolicyDocument", "queue"),
    }


def test_security_group_rules_one_per_cidr_and_egress_is_not_ingress():
    template = load_yaml(textwrap.dedent("""\
        Resources:
          G:
            Type: AWS::EC2::SecurityGroup
            Properties:
              SecurityGroupIngress:
                - {IpProtocol: "6", FromPort: "22", ToPort: 22, CidrIp: 0.0.0.0/0}
                - {IpProtocol: -1, CidrIpv6: "::/0"}
              SecurityGroupEgress:
                - {IpProtocol: -1, CidrIp: 0.0.0.0/0}
          I:
            Type: AWS::EC2::SecurityGroupIngress
            Properties: {GroupId: sg-1, IpProtocol: udp, FromPort: 53, ToPort: 53, CidrIp: 10.0.0.0/8}
        """))
    rules = [plain(r.props) for r in build_resources(template, "t.yaml") if r.kind == SG_RULE]
    summary = [(r["direction"], r["protocol"], r["from_port"], r["cidr"], r["ip_version"]) for r in rules]
    assert summary == [
        ("ingress", "tcp", 22, "0.0.0.0/0", 4), ("ingress", "all", None, "::/0", 6),
        ("egress", "all", None, "0.0.0.0/0", 4), ("ingress", "udp", 53, "10.0.0.0/8", 4),
    ]


def test_if_branch_contradicting_the_defaults_does_not_use_them():
    template = load_yaml(textwrap.dedent("""\
        Parameters:
          Name: {Type: String, Default: ""}
        Conditions:
          HasName: !Not [!Equals [!Ref Name, ""]]
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !If [HasName, !Ref Name, !Ref AWS::NoValue]
        """))
    names = [r.props["name"] for r in build_resources(template, "t.yaml") if r.kind == S3_BUCKET]
    assert len(names) == 2 and isinstance(names[0], Unknown) and names[1] is None


def test_a_condition_is_decided_the_same_wherever_it_is_first_asked():
    # First asked inside a branch that masks P, NotB must still be decided with P's default.
    head = textwrap.dedent("""\
        Parameters:
          P: {Type: String, Default: "ab"}
        Conditions:
          IsAB: !Equals [!Ref P, "ab"]
          NotB: !Not [!Equals [!Ref P, "b"]]
        Resources:
        """)
    first = """  First:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !If [IsAB, x, !If [NotB, y, z]]\n"""
    bucket = """  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [NotB, !Ref AWS::NoValue, !Ref P]\n"""
    for text in (head + bucket, head + first + bucket):
        names = [r.props.get("name") for r in build_resources(load_yaml(text), "t.yaml") if r.kind == S3_BUCKET]
        assert names == [None, Unknown("!Ref P")], text


def test_foreign_tags_are_problems_but_the_rest_is_loaded():
    problems = []
    data = load_yaml("a: !Rain::Embed x.txt\nb: ok\n", problems)
    assert isinstance(data["a"], Unknown) and data["b"] == "ok"
    assert problems and problems[0].span.line == 1


RULES_TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Parameters:
      Env: {Type: String, AllowedValues: [prod, test]}
      Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
    Rules:
      ProdSubnets:
        RuleCondition: !Equals [!Ref Env, prod]
        Assertions:
          - Assert: !Contains [[prod, test], !Ref Env]
          - Assert: !EachMemberEquals [!ValueOfAll ['AWS::EC2::Subnet::Id', VpcId], !Ref Vpc]
          - Assert: !EachMemberIn [!ValueOfAll ['AWS::EC2::Subnet::Id', VpcId], !RefAll 'AWS::EC2::VPC::Id']
          - Assert: !Not [!Equals [!ValueOf [Subnets, Tag], '']]
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties: {BucketName: Bad_Name}
    """)


def test_the_rules_functions_parse_and_the_template_is_linted(tmp_path):
    from conftest import scan_json

    (tmp_path / "rules.yaml").write_text(RULES_TEMPLATE)
    report = scan_json("rules.yaml", cwd=tmp_path)
    assert [f["rule"] for f in report["findings"] if f["rule"] == "PL0001"] == []
    assert "PL2002" in {f["rule"] for f in report["findings"]}
    data = load_yaml(RULES_TEMPLATE)
    assertions = data["Rules"]["ProdSubnets"]["Assertions"]
    assert plain(assertions[0]["Assert"]) == {"Fn::Contains": [["prod", "test"], {"Ref": "Env"}]}
    assert set(assertions[1]["Assert"]) == {"Fn::EachMemberEquals"}
    assert plain(assertions[2]["Assert"]["Fn::EachMemberIn"][1]) == {"Fn::RefAll": "AWS::EC2::VPC::Id"}
    assert plain(assertions[3]["Assert"]["Fn::Not"][0]["Fn::Equals"][0]) == {"Fn::ValueOf": ["Subnets", "Tag"]}


SLN_TEMPLATE = (
    "Microsoft Visual Studio Solution File, Format Version 12.00\r\n"
    "# Visual Studio Version 17\r\n"
    'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "$safeprojectname$", "$safeprojectname$.csproj", "{0}"\r\n'
    "EndProject\r\n"
    "Global\r\n"
    "\tGlobalSection(SolutionConfigurationPlatforms) = preSolution\r\n"
    "\t\tDebug|Any CPU = Debug|Any CPU\r\n"
    "\tEndGlobalSection\r\n"
    "EndGlobal\r\n"
)


def test_a_template_file_of_another_tool_is_skipped_with_a_note(tmp_path):
    from conftest import run_cli, scan_json

    (tmp_path / "Solution.sln.template").write_text(SLN_TEMPLATE)
    (tmp_path / "readme.template").write_text("Hello {{ name }}\nWelcome to {{ site }}.\n")  # a YAML string
    (tmp_path / "broken.template").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    report = scan_json(".", cwd=tmp_path)
    assert [(f["rule"], f["file"]) for f in report["findings"]] == [("PL0001", "broken.template")]
    reason = "a .template file that is not a JSON or YAML mapping: not CloudFormation"
    assert report["skipped"] == [{"path": "Solution.sln.template", "reason": reason},
                                 {"path": "readme.template", "reason": reason}]
    text = run_cli("scan", "Solution.sln.template", "--no-color", cwd=tmp_path)
    assert text.returncode == 0 and f"note: Solution.sln.template: {reason}" in text.stdout
