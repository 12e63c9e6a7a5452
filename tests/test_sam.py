"""SAM: SAM resources read as the CloudFormation resources SAM generates, every finding at the SAM line."""
from __future__ import annotations

import json
import textwrap

from conftest import FIXTURES, REPO

from policylint.load.located import plain
from policylint.load.yaml_loader import load_yaml
from policylint.model import IAM_POLICY
from policylint.normalise.cloudformation import build_resources
from policylint.scan import ScanOptions, scan

SAM = FIXTURES / "sam"


def findings(path, *select):
    result = scan(ScanOptions(paths=[str(path)], root=str(REPO), select=list(select)))
    return [(f.rule_id, f.span.line, f.resource) for f in result.findings], result


def resources(text: str):
    return build_resources(load_yaml(textwrap.dedent(text)), "t.yaml")


def test_every_form_of_policies_is_read_at_its_sam_line():
    found, _ = findings(SAM / "function-policies.yaml", "PL1001", "PL1005")
    assert sorted(found) == sorted([
        # SAM's bare managed-policy names, judged as the AWS managed policies they attach (issue 13)
        ("PL1001", 33, "BroadRole.ManagedPolicyArns[1]"),  # AmazonS3FullAccess: s3:*
        ("PL1001", 33, "BroadRole.ManagedPolicyArns[1]"),  # ... and s3-object-lambda:*
        ("PL1001", 34, "BroadRole.ManagedPolicyArns[2]"),  # AdministratorAccess: *
        ("PL1005", 34, "BroadRole.ManagedPolicyArns[2]"),
        ("PL1001", 35, "BroadRole.Policies[0].PolicyDocument"),  # TextractPolicy: the template's name
        ("PL1001", 38, "BroadRole.Policies[1].PolicyDocument"),  # a statement's action
        ("PL1005", 44, "BroadRole.Policies[2].PolicyDocument"),  # at the action that grants iam:PassRole
        ("PL1001", 51, "BroadRole.Policies[3].PolicyDocument"),  # inside !If
        ("PL1001", 64, "SingleDocumentRole.Policies[0].PolicyDocument"),  # one document, not a list
        ("PL1001", 87, "MachineRole.Policies[1].PolicyDocument"),  # a state machine's role
    ])


def test_scoped_policy_templates_give_no_finding():
    found, _ = findings(SAM / "function-policies.yaml")
    assert not [f for f in found if f[2].startswith("ScopedRole")]


def test_managed_policies_by_name_and_arn_feed_managed_policy_arns_at_their_lines():
    role = [r for r in resources((SAM / "function-policies.yaml").read_text()) if r.kind is None and r.name == "BroadRole"][0]
    arns = role.props["ManagedPolicyArns"]
    assert plain(arns) == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                           "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                           "arn:aws:iam::aws:policy/AdministratorAccess"]
    assert [arns.span_of(i).line for i in (1, 2)] == [33, 34]
    assert role.props["PermissionsBoundary"] == "arn:aws:iam::123456789012:policy/boundary"
    assert role.type == "AWS::IAM::Role" and "SAM generates for function 'Broad'" in role.origin


def test_role_given_means_no_generated_role():
    names = {r.name for r in resources((SAM / "function-policies.yaml").read_text())}
    assert "OwnRole" in names and not any(n.startswith("OwnRoleRole") for n in names)
    assert {"ScopedRole", "BroadRole", "SingleDocumentRole", "MachineRole"} <= names


def test_policy_template_expands_to_sam_statements_with_parameter_values_located():
    found = resources("""\
        Transform: [AWS::Serverless-2016-10-31]
        Parameters:
          B: {Type: String, Default: my-bucket}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - S3ReadPolicy:
                    BucketName: !Ref B
        """)
    (policy,) = [r for r in found if r.kind == IAM_POLICY and r.name.startswith("FnRole.Policies")]
    (statement,) = policy.props["statements"]
    assert "s3:getobject" in statement["actions"] and statement["effect"] == "Allow"
    assert plain(statement["resources"]) == ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]
    assert statement["actions"].span.line == 9  # the template's name
    assert policy.props["version"] == "2012-10-17"


def test_policy_templates_come_from_the_generated_data_with_its_version():
    data = json.loads((REPO / "policylint/normalise/sam/policy_templates.json").read_text())
    assert data["translator_version"] and len(data["Templates"]) > 50
    assert "S3ReadPolicy" in data["Templates"] and "BucketName" in data["Templates"]["S3ReadPolicy"]["Parameters"]


def test_globals_are_merged_maps_merged_lists_appended_scalars_overridden():
    found = resources("""\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Runtime: python3.11
            Layers: [global-layer]
            Environment:
              Variables: {A: global, B: global}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Layers: [own-layer]
              Environment:
                Variables: {B: own}
        """)
    (fn,) = [r for r in found if r.kind is None and r.name == "Fn"]
    assert fn.type == "AWS::Lambda::Function"
    assert fn.props["Runtime"] == "python3.12"
    assert plain(fn.props["Layers"]) == ["global-layer", "own-layer"]
    variables = fn.props["Environment"]["Variables"]
    assert plain(variables) == {"A": "global", "B": "own"}
    assert variables.span_of("A").line == 7 and variables.span_of("B").line == 15


def test_function_url_events_environment_and_notices():
    found, result = findings(SAM / "function-exposure.yaml")
    by_name = {r.name: r for r in resources((SAM / "function-exposure.yaml").read_text()) if r.kind is None}
    assert by_name["PublicFnUrl"].props["AuthType"] == "NONE"
    permission = by_name["PublicFnUrlPublicPermissions"].props
    assert permission["Principal"] == "*" and permission["FunctionUrlAuthType"] == "NONE"
    assert by_name["PublicFnAlexaPermission"].props["Principal"] == "alexa-appkit.amazon.com"
    assert "EventSourceToken" not in by_name["PublicFnAlexaPermission"].props
    assert by_name["PublicFnUploadPermission"].props["Principal"] == "s3.amazonaws.com"
    assert ("PL5003", 22, "PublicFn") in found  # a secret in the function's environment
    assert any("nested application 'Nested'" in n for n in result.notices)


def test_api_resource_policy_is_the_apis_policy():
    found, _ = findings(SAM / "api-resource-policy.yaml", "PL1003")
    # The custom statement and the Allow SAM writes beside a blacklist are public; whitelists are not.
    assert sorted(found) == [("PL1003", 13, "PublicApi.Policy"), ("PL1003", 16, "PublicApi.Policy")]
    policies = {r.name: r.props for r in resources((SAM / "api-resource-policy.yaml").read_text()) if r.kind == IAM_POLICY}
    private = policies["PrivateApi.Policy"]["statements"]
    conditions = {(c["operator"], c["key"]) for s in private for c in s["conditions"]}
    assert {("IpAddress", "aws:sourceip"), ("NotIpAddress", "aws:sourceip"),
            ("StringEquals", "aws:sourcevpce"), ("StringNotEquals", "aws:sourcevpce")} <= conditions
    assert plain(private[-1]["principal"]) == {"AWS": ["123456789012"]} or any(
        plain(s["principal"]) == {"AWS": ["123456789012"]} for s in private)


def test_simple_table_is_a_dynamodb_table_with_its_sse_specification():
    (table,) = [r for r in resources((SAM / "api-resource-policy.yaml").read_text()) if r.kind is None and r.name == "Table"]
    assert table.type == "AWS::DynamoDB::Table" and table.props["SSESpecification"]["SSEEnabled"] is False
    assert table.props["SSESpecification"].span.line == 34


def test_actions_a_template_lists_that_are_not_iam_actions_are_left_out():
    data = json.loads((REPO / "policylint/normalise/sam/policy_templates.json").read_text())
    dropped = {a.lower() for actions in data["not_iam_actions"].values() for a in actions}
    found = resources("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - SQSPollerPolicy: {QueueName: q}
        """)
    (policy,) = [r for r in found if r.kind == IAM_POLICY and r.name.startswith("FnRole.Policies")]
    actions = {a for s in policy.props["statements"] for a in s["actions"]}
    assert "sqs:receivemessage" in actions and not actions & dropped


def test_event_resource_policies_join_their_api_and_the_implicit_api_is_created():
    found, _ = findings(SAM / "implicit-api.yaml", "PL1003")
    assert found == [("PL1003", 26, "ServerlessRestApi.Policy")]
    policies = {r.name: r.props for r in resources((SAM / "implicit-api.yaml").read_text()) if r.kind == IAM_POLICY}
    (denied,) = policies["Named.Policy"]["statements"]
    assert denied["effect"] == "Deny" and plain(denied["principal"]) == {"AWS": ["111122223333"]}


def test_globals_api_applies_to_every_api():
    found = resources("""\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Api:
            Auth:
              ResourcePolicy:
                SourceVpcWhitelist: [vpc-1234]
        Resources:
          Named:
            Type: AWS::Serverless::Api
            Properties: {StageName: prod}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Get: {Type: Api, Properties: {Path: /, Method: get}}
        """)
    policies = {r.name: r.props for r in found if r.kind == IAM_POLICY}
    for name in ("Named.Policy", "ServerlessRestApi.Policy"):
        keys = {(c["operator"], c["key"]) for s in policies[name]["statements"] for c in s["conditions"]}
        assert keys == {("StringEquals", "aws:sourcevpc"), ("StringNotEquals", "aws:sourcevpc")}, name


def test_a_functions_assume_role_policy_document_is_its_roles_trust_policy():
    found, _ = findings(SAM / "function-trust.yaml", "PL1007")
    assert found == [("PL1007", 15, "FnRole.AssumeRolePolicyDocument")]


def test_empty_whitelists_add_no_statement():
    found = resources("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Auth:
                ResourcePolicy: {IpRangeWhitelist: [], SourceVpcWhitelist: [], AwsAccountWhitelist: []}
        """)
    assert [plain(r.props["statements"]) for r in found if r.kind == IAM_POLICY] == [[]]


def test_a_shared_declaration_gives_one_finding_naming_its_resources(tmp_path):
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Environment:
              Variables:
                DB_PASSWORD: hunter2-very-secret-value
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.h
              CodeUri: .
              FunctionUrlConfig:
                AuthType: NONE
          B:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.h
              CodeUri: .
              Environment:
                Variables:
                  API_TOKEN: another-very-secret-value-1
          C:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: app.h, CodeUri: .}
        """))
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), select=["PL5003", "PL4012"]))
    found = [(f.rule_id, f.span.line, f.resource) for f in result.findings]
    # Globals: one finding for three functions; B's own variable: its own; the URL and the
    # permission SAM generates for it: one cause, one finding
    assert found == [("PL5003", 6, "A"), ("PL4012", 15, "AUrl"), ("PL5003", 24, "B")]
    shared = result.findings[0]
    assert shared.message.endswith("(written once for 3 resources: A, B, C)") and shared.callers == ["B", "C"]
    assert result.findings[1].message.endswith("(written once for 2 resources: AUrl, AUrlPublicPermissions)")


def test_unexpanded_project_templates_that_do_not_parse_are_skipped_with_a_note(tmp_path):
    folder = tmp_path / "hello" / "{{cookiecutter.project_name}}"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: {{ cookiecutter.runtime }}
              {%- if cookiecutter.tracing == "y" %}
              Tracing: Active
              {%- endif %}
        """))
    (folder / "parses.yaml").write_text(textwrap.dedent("""\
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
        """))
    (folder / "broken.yaml").write_text("Resources: [unclosed\n")  # no Jinja markup: the file's own mistake
    (tmp_path / "plain.yaml").write_text("Resources:\n  X: {{ not jinja here\n")  # not in a template folder
    result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path)))
    assert [(s.display, s.reason) for s in result.skipped] == [(
        "hello/{{cookiecutter.project_name}}/template.yaml",
        "Jinja markup in a project template's folder ('{{cookiecutter.project_name}}'): not JSON/YAML until generated")]
    assert sorted((f.rule_id, f.file) for f in result.findings if f.rule_id in ("PL0001", "PL1001")) == [
        ("PL0001", "hello/{{cookiecutter.project_name}}/broken.yaml"), ("PL0001", "plain.yaml"),
        ("PL1001", "hello/{{cookiecutter.project_name}}/parses.yaml")]
