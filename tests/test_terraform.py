"""Terraform through the CLI: every construct of fixtures/terraform gives its findings at the true
line, and nothing else."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import FIXTURES, REPO, run_cli, scan_json

TF = FIXTURES / "terraform"


def found(report: dict, *rules: str) -> list[tuple[str, str, int]]:
    """``(rule, file relative to fixtures/terraform, line)`` of the report's findings, sorted."""
    out = []
    for f in report["findings"]:
        if not rules or f["rule"] in rules:
            out.append((f["rule"], str(Path(REPO / f["file"]).relative_to(TF)), f["line"]))
    return sorted(out)


def scan(target: str, *options: str) -> dict:
    return scan_json(str(TF / target), *options)


def test_a_syntax_error_is_located_and_the_rest_of_the_module_is_linted():
    report = scan("syntax_error", "--select", "PL0001,PL3001")
    assert found(report) == [("PL0001", "syntax_error/broken.tf", 3), ("PL3001", "syntax_error/main.tf", 6)]
    error = next(f for f in report["findings"] if f["rule"] == "PL0001")
    assert error["column"] > 1 and "syntax error" in error["message"]


def test_variables_from_defaults_tfvars_auto_tfvars_var_file_and_var():
    report = scan("variables", "--select", "PL3001")
    assert [(f["line"], f["column"]) for f in report["findings"]] == [(23, 20), (23, 38)]
    messages = [f["message"] for f in report["findings"]]
    assert "default of variable 'from_default'" in messages[0]
    assert "terraform.tfvars" in messages[1]  # *.auto.tfvars overrode from_auto_tfvars with a private range

    with_file = scan("variables", "--select", "PL3001", "--var-file", str(TF / "variables/production.tfvars.example"))
    assert [f["column"] for f in with_file["findings"]] == [20, 38, 77]

    with_var = scan("variables", "--select", "PL3001", "--var", "from_cli=0.0.0.0/0", "--var", "from_tfvars=10.1.0.0/16")
    assert [f["column"] for f in with_var["findings"]] == [20, 77]
    assert "--var" in with_var["findings"][1]["message"]


def test_a_malformed_var_option_is_a_usage_error():
    result = run_cli("scan", str(TF / "variables"), "--var", "no-equals-sign")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


def test_policies_from_file_templatefile_heredoc_and_merged_documents():
    report = scan("embedded/main.tf", "--select", "PL1001")
    assert found(report) == [
        ("PL0002", "embedded/main.tf", 20),  # file("/etc/hostname") is not read, and says so
        ("PL1001", "embedded/main.tf", 30),  # heredoc JSON, decoded although its Resource is unknown
        ("PL1001", "embedded/main.tf", 58),  # override_policy_documents adds lambda:*
        ("PL1001", "embedded/policies/admin.json", 6),  # file(): the line inside the JSON file
        ("PL1001", "embedded/policies/bucket.json.tpl", 6),  # templatefile() with its variables
    ]
    # sns:* (line 45) was replaced by the override's statement with the same sid; /etc/hostname
    # lies outside the scanned tree and is never read.
    assert not any(f["line"] == 45 for f in report["findings"])


def test_local_modules_are_instantiated_with_the_callers_arguments():
    report = scan("modules", "--select", "PL1001,PL2001")
    assert found(report) == [
        ("PL1001", "modules/main.tf", 15),  # organizations:* passed by module "admin"
        ("PL1001", "modules/modules/policy/main.tf", 17),  # support:*, once for the module and its caller
        ("PL2001", "modules/main.tf", 4),  # AES256 passed by module "logs"; "data" passes aws:kms
    ]
    resources = {f["line"]: f["resource"] for f in report["findings"]}
    assert resources[15].startswith("module.admin.") and resources[4] == "module.logs.aws_s3_bucket.this"
    assert "cloudtrail" not in json.dumps(report)  # module "disabled" has create = false: count 0


def test_downloaded_remote_modules_are_linted_and_missing_ones_reported():
    report = scan("remote", "--select", "PL1001")
    assert found(report) == [("PL1001", "remote/.terraform/modules/downloaded/main.tf", 17),
                             ("PL1001", "remote/main.tf", 4)]

    result = run_cli("scan", str(TF / "remote_missing"), "-f", "json", "--select", "PL3002")
    assert result.returncode == 1
    assert [f["line"] for f in json.loads(result.stdout)["findings"]] == [8]
    assert "module 'vpc'" in result.stderr and "not downloaded" in result.stderr


def test_count_for_each_and_dynamic_blocks_do_not_multiply_findings():
    report = scan("expansion", "--select", "PL1001,PL3001")
    # 3 for_each rules, 5 counted policies, 3 dynamic ingress blocks: one finding per place and
    # problem (SSH open is high, HTTPS open a low "public web listener"; the private one none).
    assert found(report) == [("PL1001", "expansion/main.tf", 23), ("PL3001", "expansion/main.tf", 10),
                             ("PL3001", "expansion/main.tf", 10), ("PL3001", "expansion/main.tf", 30),
                             ("PL3001", "expansion/main.tf", 30)]
    assert sorted(f["severity"] for f in report["findings"] if f["line"] == 10) == ["high", "low"]


def test_tf_json_files_are_templates_too():
    report = scan("tf_json", "--select", "PL1001,PL3001")
    assert found(report) == [("PL1001", "tf_json/main.tf.json", 19), ("PL3001", "tf_json/main.tf.json", 12)]


def test_plan_json_with_child_modules():
    report = scan("plan/tfplan.json")
    assert found(report, "PL1001", "PL2001", "PL2002", "PL3001", "PL3003") == [
        ("PL1001", "plan/tfplan.json", 46), ("PL2001", "plan/tfplan.json", 27),
        ("PL2002", "plan/tfplan.json", 13), ("PL3003", "plan/tfplan.json", 56),  # supersedes PL3001 there
    ]
    policy = next(f for f in report["findings"] if f["rule"] == "PL1001")
    assert policy["resource"].startswith("module.iam.aws_iam_policy.p")


def test_provider_blocks_are_in_the_model(tmp_path):
    rule = tmp_path / "rules" / "provider-key.yaml"
    rule.parent.mkdir()
    rule.write_text(textwrap.dedent("""\
        id: PL9901
        name: ProviderWithStaticKey
        severity: high
        title: A provider block holds a static access key
        description: Test rule.
        remediation: Use a role.
        references: [https://example.com]
        tags: [test]
        resource:
          types: [provider.aws]
        forbid:
          path: access_key
          exists: true
        message: "provider has a static key"
        unknown: ignore
        """))
    report = scan("provider", "--rules", str(rule.parent), "--select", "PL9901")
    assert [(f["line"], f["resource"]) for f in report["findings"]] == [(3, "provider.aws")]


def test_one_file_of_a_module_is_linted_with_its_folder_as_context(tmp_path):
    (tmp_path / "variables.tf").write_text('variable "cidr" {\n  default = "0.0.0.0/0"\n}\n'
                                           'resource "aws_vpc" "other" {\n  cidr_block = "10.0.0.0/33"\n}\n')
    (tmp_path / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_security_group_rule" "in" {
          type              = "ingress"
          from_port         = 443
          to_port           = 443
          protocol          = "tcp"
          cidr_blocks       = [var.cidr]
          security_group_id = "sg-123"
        }
        """))
    report = scan_json("main.tf", "--select", "PL3001,PL3002", cwd=tmp_path)
    # The default comes from variables.tf; that file's own problem is reported when it is passed.
    assert [(f["rule"], f["file"], f["line"]) for f in report["findings"]] == [("PL3001", "main.tf", 6)]
    both = scan_json("main.tf", "variables.tf", "--select", "PL3001,PL3002", cwd=tmp_path)
    assert sorted((f["file"], f["line"]) for f in both["findings"]) == [("main.tf", 6), ("variables.tf", 5)]


def test_files_named_one_by_one_report_only_their_own_findings():
    # The pre-commit case: the named file's folder and called modules are context only.
    report = scan("modules/main.tf", "--select", "PL1001,PL2001")
    assert found(report) == [("PL1001", "modules/main.tf", 15), ("PL2001", "modules/main.tf", 4)]
    both = scan("modules/main.tf", str(TF / "modules/modules/policy/main.tf"), "--select", "PL1001")
    assert ("PL1001", "modules/modules/policy/main.tf", 17) in found(both)


def test_a_local_module_that_does_not_exist_is_a_parse_error_at_its_source(tmp_path):
    (tmp_path / "main.tf").write_text('module "net" {\n  source = "./nope"\n}\n'
                                      'resource "aws_s3_bucket" "b" {\n  bucket = "Bad_Name"\n}\n')
    report = json.loads(run_cli("scan", ".", "-f", "json", cwd=tmp_path).stdout)
    errors = [f for f in report["findings"] if f["rule"] == "PL0001"]
    assert [(f["file"], f["line"], f["column"]) for f in errors] == [("main.tf", 2, 12)]
    assert "'./nope' does not exist" in errors[0]["message"] and "not read" in errors[0]["message"]
    assert any(f["rule"] == "PL2002" for f in report["findings"])  # the rest of the module is still linted


def test_remote_modules_not_downloaded_are_one_summary_line_and_listed_in_json_and_sarif(tmp_path):
    calls = "".join(f'module "m{i}" {{\n  source = "example/m{i}/aws"\n}}\n' for i in range(30))
    (tmp_path / "main.tf").write_text(calls)
    result = run_cli("scan", ".", cwd=tmp_path)
    warnings = [line for line in result.stderr.splitlines() if "not downloaded" in line]
    assert len(warnings) == 1, result.stderr
    assert "30 remote module calls" in warnings[0] and "and 27 more" in warnings[0]
    assert "main.tf:2 module 'm0' (example/m0/aws)" in warnings[0] and "'m3'" not in warnings[0]
    listed = json.loads(run_cli("scan", ".", "-f", "json", cwd=tmp_path).stdout)["modules_not_downloaded"]
    assert [(m["line"], m["module"], m["source"]) for m in listed] == [
        (2 + 3 * i, f"m{i}", f"example/m{i}/aws") for i in range(30)]
    sarif = json.loads(run_cli("scan", ".", "-f", "sarif", cwd=tmp_path).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert sum("is remote and not downloaded" in n["message"]["text"] for n in notes) == 30


def _plan_entry(rtype: str, name: str, values: dict) -> dict:
    return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name, "values": values}


def test_a_plan_is_judged_one_resource_at_a_time_with_the_findings_of_the_whole(tmp_path):
    """A plan's resources are built and judged one at a time, each entry dropped from the plan then,
    with the findings of building them all first: links between resources (a bucket and its
    public access block, network ACL entries open to the internet only together) still hold."""
    from policylint.discover import Candidate
    from policylint.evaluate.engine import evaluate
    from policylint.load.documents import load_document
    from policylint.normalise.terraform import plan
    from policylint.scan import ScanOptions, lint_document, load_all_rules

    resources = [
        _plan_entry("aws_s3_bucket", "b", {"bucket": "data", "acl": "public-read"}),
        _plan_entry("aws_s3_bucket_public_access_block", "b", {
            "bucket": "data", "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
            "restrict_public_buckets": True}),
        _plan_entry("aws_network_acl_rule", "low", {"network_acl_id": "acl-1", "rule_action": "allow", "egress": False,
                                                    "protocol": "-1", "rule_number": 1, "cidr_block": "0.0.0.0/1"}),
        _plan_entry("aws_network_acl_rule", "high", {"network_acl_id": "acl-1", "rule_action": "allow", "egress": False,
                                                     "protocol": "-1", "rule_number": 2, "cidr_block": "128.0.0.0/1"}),
        _plan_entry("aws_iam_policy", "p", {"policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})}),
    ]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.9.5",
                                "planned_values": {"root_module": {"resources": resources}}}, indent=2))
    rules = load_all_rules(ScanOptions())
    whole = evaluate(rules, plan.build_resources(load_document(str(path)).data, "plan.json"))
    streamed = lint_document(Candidate(str(path), "plan.json", "document"), rules).findings
    assert [(f.rule_id, f.resource, f.span, f.message) for f in streamed] == \
        [(f.rule_id, f.resource, f.span, f.message) for f in whole]
    # the bucket's public access block is linked to it; the two entries open the ACL together
    judged = {(f.rule_id, f.resource) for f in streamed}
    assert {("PL2008", "aws_s3_bucket.b"), ("PL3004", "aws_network_acl_rule.low.cidr_block"),
            ("PL1006", "aws_iam_policy.p.policy")} <= judged and ("PL2003", "aws_s3_bucket.b") not in judged

    parsed = load_document(str(path))
    built = list(plan.iter_resources(parsed.data, "plan.json", consume=True))
    assert len(built) == len(plan.build_resources(load_document(str(path)).data, "plan.json"))
    assert list(parsed.data["planned_values"]["root_module"]["resources"]) == [None] * len(resources)
