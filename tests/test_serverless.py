"""Serverless Framework configurations: recognised by content, variables resolved, read as the
CloudFormation the framework deploys, findings in serverless.yml."""
from __future__ import annotations

import textwrap

from conftest import FIXTURES, REPO

from policylint.load.documents import load_document, sniff
from policylint.load.located import Unknown, plain
from policylint.load.yaml_loader import load_yaml
from policylint.normalise.serverless import build_resources
from policylint.normalise.serverless.variables import Variables
from policylint.scan import ScanOptions, scan

SLS = FIXTURES / "serverless"


def findings(path, *select):
    result = scan(ScanOptions(paths=[str(path)], root=str(REPO), select=list(select)))
    return sorted((f.rule_id, f.span.line, f.resource) for f in result.findings)


def test_recognised_by_content_in_yaml_and_json():
    assert load_document(str(SLS / "v3" / "serverless.yml")).format == "serverless"
    assert load_document(str(SLS / "v1" / "serverless.json")).format == "serverless"
    assert sniff(load_yaml("service: x\nprovider: {name: aws}\n")) == "serverless"
    assert sniff(load_yaml("service: x\nprovider: aws\n")) == "other"


def test_v3_statements_per_function_roles_and_resources():
    found = findings(SLS / "v3" / "serverless.yml", "PL1001", "PL1003", "PL1005")
    assert found == [
        ("PL1001", 7, "IamRoleLambdaExecution.Policies[0].PolicyDocument"),  # iam:* from ${self:custom.adminActions}
        ("PL1001", 18, "IamRoleLambdaExecution.ManagedPolicyArns[0]"),  # AdministratorAccess, judged as it attaches
        ("PL1001", 28, "IamRoleLambdaExecution.Policies[0].PolicyDocument"),
        ("PL1001", 42, "ReportIamRoleLambdaExecution.Policies[0].PolicyDocument"),  # iamRoleStatements of a function
        ("PL1003", 60, "ArchivePolicy.PolicyDocument"),  # resources.Resources
        ("PL1005", 7, "IamRoleLambdaExecution.Policies[0].PolicyDocument"),  # iam:* (PassRole) where it is written
        ("PL1005", 18, "IamRoleLambdaExecution.ManagedPolicyArns[0]"),
    ]


def test_v1_statements_and_environment_secrets():
    assert findings(SLS / "v1" / "serverless.json", "PL1001") == [  # AmazonS3FullAccess: s3:* and s3-object-lambda:*
        ("PL1001", 6, "IamRoleLambdaExecution.ManagedPolicyArns[0]"),
        ("PL1001", 6, "IamRoleLambdaExecution.ManagedPolicyArns[0]"),
        ("PL1001", 10, "IamRoleLambdaExecution.Policies[0].PolicyDocument")]
    assert findings(SLS / "v3" / "serverless.yml", "PL5003") == [
        ("PL5003", 14, "CreateDashorderLambdaFunction"),  # provider.environment: one finding for both functions
        ("PL5003", 34, "CreateDashorderLambdaFunction")]


def test_managed_policies_function_urls_and_the_generated_names():
    config = load_yaml((SLS / "v3" / "serverless.yml").read_text())
    by_name = {r.name: r for r in build_resources(config, "serverless.yml") if r.kind is None}
    role = by_name["IamRoleLambdaExecution"]
    assert plain(role.props["ManagedPolicyArns"]) == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert role.props["ManagedPolicyArns"].span_of(0).line == 18
    assert by_name["CreateDashorderLambdaFunctionUrl"].props["AuthType"] == "NONE"
    assert by_name["CreateDashorderLambdaPermissionFnUrl"].props["Principal"] == "*"
    assert by_name["ReportLambdaFunctionUrl"].props["AuthType"] == "AWS_IAM"
    assert "ReportLambdaPermissionFnUrl" not in by_name
    legacy = load_document(str(SLS / "v1" / "serverless.json")).data
    arns = {r.name: r for r in build_resources(legacy, "s.json") if r.kind is None}["IamRoleLambdaExecution"].props
    assert plain(arns["ManagedPolicyArns"]) == ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]


def test_an_existing_provider_role_means_no_generated_role():
    config = load_yaml("service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::1:role/x\n"
                       "  iamRoleStatements: [{Effect: Allow, Action: '*', Resource: '*'}]\nfunctions: {f: {handler: h}}\n")
    assert not [r for r in build_resources(config, "s.yml") if r.type == "AWS::IAM::Role"]


def _resolve(text: str):
    config = load_yaml(textwrap.dedent(text))
    return Variables(config).value(config, config.span)[0]


def test_variables_self_resolved_others_unknown():
    resolved = _resolve("""\
        service: app
        custom:
          name: ${self:service}-data
          list: [a, b]
          nested: ${self:custom.name}
          missing: ${self:custom.nope, 'fallback'}
          number: ${self:custom.nope, 3}
        provider:
          name: aws
          a: ${self:custom.list}
          b: ${opt:stage, 'dev'}
          c: ${env:HOME}
          d: arn:${ssm:/path/to/param}:x
          e: ${file(./other.yml):key}
          f: "${self:custom.${opt:stage}}"
          g: ${self:custom.nope}
          h: ${self:custom.a, ${self:custom.name}}
        """)
    assert resolved["custom"]["name"] == "app-data" and resolved["custom"]["nested"] == "app-data"
    assert resolved["custom"]["missing"] == "fallback" and resolved["custom"]["number"] == 3
    provider = resolved["provider"]
    assert plain(provider["a"]) == ["a", "b"] and provider.span_of("a").line == 4  # where the list is written
    for key in "bcdefg":
        assert isinstance(provider[key], Unknown), key
    assert provider["h"] == "app-data"


def test_variables_that_refer_to_themselves_end():
    resolved = _resolve("service: s\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nprovider: {name: aws}\n")
    assert isinstance(resolved["custom"]["a"], Unknown)


def test_other_providers_deploy_nothing_on_aws():
    config = load_yaml("service: s\nprovider: {name: google}\nfunctions:\n  f:\n    handler: h\n"
                       "    environment: {API_SECRET: hunter2hunter2hunter2}\n")
    assert [r for r in build_resources(config, "s.yml") if r.kind is None] == []


def test_resources_as_a_list_of_fragments():
    config = load_yaml("service: s\nprovider: {name: aws}\nresources:\n  - Resources:\n      A: {Type: AWS::SNS::Topic}\n"
                       "  - ${file(./more.yml)}\n  - Resources:\n      B: {Type: AWS::SQS::Queue}\n")
    resolved = Variables(config).value(config, config.span)[0]
    assert {r.name for r in build_resources(resolved, "s.yml") if r.kind is None} >= {"A", "B"}


def test_file_variables_read_files_in_the_configurations_folder_and_locate_findings_there():
    result = scan(ScanOptions(paths=[str(SLS / "files" / "serverless.yml")], root=str(REPO),
                              select=["PL1001", "PL1003"]))
    assert sorted((f.rule_id, f.file, f.span.line) for f in result.findings) == [
        ("PL1001", "fixtures/serverless/files/iam.yml", 3),
        ("PL1003", "fixtures/serverless/files/resources/bucket.yml", 10),
    ]
    config = load_document(str(SLS / "files" / "serverless.yml")).data
    from policylint.normalise.serverless.variables import Files

    resolved = Variables(config, Files(str(SLS / "files" / "serverless.yml"), "s/serverless.yml")).value(config, config.span)[0]
    assert isinstance(resolved["provider"]["environment"], Unknown)  # ../ leaves the folder: not read
    assert resolved["provider"]["iam"]["role"]["statements"].span.file == "s/iam.yml"


def test_provider_environment_shared_by_functions_is_one_finding(tmp_path):
    (tmp_path / "serverless.yml").write_text(textwrap.dedent("""\
        service: demo
        provider:
          name: aws
          runtime: python3.12
          environment:
            DB_PASSWORD: hunter2-very-secret-value
        functions:
          a:
            handler: a.h
            url: true
          b:
            handler: b.h
        """))
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), select=["PL5003", "PL4012"]))
    found = [(f.rule_id, f.span.line, f.resource) for f in result.findings]
    assert found == [("PL5003", 6, "ALambdaFunction"), ("PL4012", 10, "ALambdaFunctionUrl")]
    assert result.findings[0].message.endswith("(written once for 2 resources: ALambdaFunction, BLambdaFunction)")


def test_a_self_reference_used_by_several_resources_is_one_finding_at_its_definition(tmp_path):
    (tmp_path / "serverless.yml").write_text(textwrap.dedent("""\
        service: demo
        custom:
          password: hunter2-very-secret-value
        provider:
          name: aws
        resources:
          Resources:
            One:
              Type: AWS::RDS::DBInstance
              Properties: {Engine: mysql, MasterUsername: admin, MasterUserPassword: "${self:custom.password}"}
            Two:
              Type: AWS::RDS::DBInstance
              Properties: {Engine: mysql, MasterUsername: admin, MasterUserPassword: "${self:custom.password}"}
        """))
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), select=["PL5006"]))
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("PL5006", 3)]
    assert result.findings[0].message.endswith("(written once for 2 resources: One.MasterUserPassword, Two.MasterUserPassword)")
