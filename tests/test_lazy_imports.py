"""A run pays only for what it lints: no Terraform parser without Terraform files, no process
pool for a handful of files, and never python-hcl2 or Lark (the tests' reference parser only) (``python -X importtime`` lists every module a run imports)."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def imported_modules(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "policylint", "scan", *args],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def test_cloudformation_and_policy_runs_do_not_import_terraform_or_pool_machinery():
    modules = imported_modules("examples/cloudformation", "examples/policies")
    assert "policylint.scan" in modules  # the listing works
    assert not {m for m in modules if m.split(".")[0] in ("lark", "hcl2", "multiprocessing", "concurrent")}
    assert "policylint.load.hcl_parser" not in modules


def test_terraform_runs_import_the_terraform_parser_and_not_the_reference_one():
    modules = imported_modules("examples/terraform")
    assert "policylint.load.hcl_parser" in modules
    assert not {m for m in modules if m.split(".")[0] in ("lark", "hcl2")}


def test_plain_scans_import_no_sam_serverless_or_language_extension_code():
    modules = imported_modules("examples/cloudformation", "examples/policies", "examples/terraform")
    transforms = {m for m in modules if m.startswith(("policylint.normalise.sam", "policylint.normalise.serverless",
                                                      "policylint.normalise.language_extensions",
                                                      "policylint.normalise.cfn_transforms"))}
    assert "policylint.normalise.cloudformation" in modules and not transforms


def test_a_sam_scan_imports_the_sam_transform():
    modules = imported_modules("fixtures/sam/function-policies.yaml")
    assert "policylint.normalise.sam" in modules and "policylint.normalise.language_extensions" not in modules


def test_the_managed_policy_catalogue_is_read_only_when_an_attachment_is_met():
    plain = imported_modules("fixtures/rules/PL1001/fail.yaml", "--select", "PL1001,PL1006,PL1011")
    assert "policylint.iam.managed" not in plain and "gzip" not in plain
    attached = imported_modules("fixtures/rules/PL1011/fail.yaml", "--select", "PL1011")
    assert "policylint.iam.managed" in attached


def test_a_policy_file_scan_loads_no_yaml_parser_regex_engine_or_template_normaliser():
    # The pre-commit case: one JSON policy. PyYAML is for YAML documents (and configuration files),
    # the regex engine for rule patterns (no policy rule has one), the CloudFormation normaliser
    # for templates.
    modules = imported_modules("examples/policies/insecure-admin-policy.json", "-f", "sarif", "-o", "/dev/null")
    assert "policylint.normalise.policy_file" in modules
    loaded = {m for m in modules if m.split(".")[0] in ("yaml", "regex")}
    assert not loaded and "policylint.normalise.cloudformation" not in modules


def test_a_terraform_scan_loads_no_yaml_parser():
    modules = imported_modules("examples/terraform/insecure")
    assert "policylint.load.hcl_parser" in modules and "yaml" not in modules
