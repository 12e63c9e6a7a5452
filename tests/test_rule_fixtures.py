"""Golden tests: every rule's fixtures give exactly the expected findings, at the expected lines."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from conftest import FIXTURES, scan_json

RULE_FIXTURES = FIXTURES / "rules"


def _cases():
    for expected_file in sorted(RULE_FIXTURES.glob("*/expected.yaml")):
        rule_id = expected_file.parent.name
        expected = yaml.safe_load(expected_file.read_text()) or {}
        for name, lines in sorted(expected.items()):
            yield pytest.param(rule_id, expected_file.parent / name, lines, id=f"{rule_id}/{name}")


@pytest.mark.parametrize("rule_id, path, lines", list(_cases()))
def test_fixture_findings(rule_id, path, lines):
    assert path.exists(), f"{path} is listed in expected.yaml but missing"
    report = scan_json(str(path), "--select", rule_id)
    found = [f["line"] for f in report["findings"] if f["rule"] == rule_id]
    assert Counter(found) == Counter(lines), f"{path.name}: expected lines {sorted(lines)}, found {sorted(found)}"


def test_every_fixture_file_is_listed():
    for folder in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        expected = yaml.safe_load((folder / "expected.yaml").read_text()) or {}
        listed = {str(k) for k in expected}
        on_disk = {
            str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and p.name != "expected.yaml"
        }
        # A Terraform module folder is listed by its .tf files; other files in it are context.
        unlisted = {f for f in on_disk - listed if not f.endswith((".tfvars", ".tpl")) and "/" not in f}
        assert not unlisted, f"{folder.name}: fixtures not in expected.yaml: {sorted(unlisted)}"


def test_core_rules_have_failing_and_passing_fixtures():
    for rule_id in ("PL1001", "PL1002", "PL1003", "PL1004", "PL2001", "PL2002", "PL3001", "PL3002"):
        expected = yaml.safe_load((RULE_FIXTURES / rule_id / "expected.yaml").read_text())
        for suffix in (".yaml", ".json"):
            fails = [k for k, v in expected.items() if k.endswith(suffix) and not k.endswith(".policy.json") and v]
            passes = [k for k, v in expected.items() if k.endswith(suffix) and not k.endswith(".policy.json") and not v]
            assert fails and passes, f"{rule_id} needs failing and passing CloudFormation{suffix} fixtures"
