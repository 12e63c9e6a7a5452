"""Golden tests through ``policylint scan``: every rule's fixtures give exactly the expected
findings, at the expected lines. (``policylint test-rules`` checks the same expectations in
process, plus fixture coverage per format: see test_rule_pack.py.)"""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from conftest import FIXTURES, scan_json

RULE_FIXTURES = FIXTURES / "rules"


def _rules():
    for expected_file in sorted(RULE_FIXTURES.glob("*/expected.yaml")):
        yield pytest.param(expected_file.parent, id=expected_file.parent.name)


@pytest.mark.parametrize("folder", list(_rules()))
def test_fixture_findings(folder):
    rule_id = folder.name
    expected = yaml.safe_load((folder / "expected.yaml").read_text()) or {}
    missing = [name for name in expected if not (folder / name).exists()]
    assert not missing, f"listed in expected.yaml but missing: {missing}"
    report = scan_json(*(str(folder / name) for name in sorted(expected)), "--select", rule_id)
    found: dict[str, Counter] = {}
    for finding in report["findings"]:
        if finding["rule"] == rule_id:
            name = finding["file"].split(f"fixtures/rules/{rule_id}/", 1)[-1]
            found.setdefault(name, Counter())[finding["line"]] += 1
    wrong = {
        name: (sorted(lines), sorted(found.get(name, Counter()).elements()))
        for name, lines in expected.items()
        if Counter(lines) != found.get(name, Counter())
    }
    assert not wrong, f"{rule_id}: file: (expected lines, found lines): {wrong}"
    assert set(found) <= set(expected), f"{rule_id}: findings in unlisted files {sorted(set(found) - set(expected))}"


# Rules whose kinds or types SAM resources produce (policies, trust policies, API resource
# policies, function environments and runtimes, function URLs and invoke permissions): each has a failing and
# a passing SAM fixture.
SAM_RULES = ["PL1001", "PL1002", "PL1003", "PL1004", "PL1005", "PL1006", "PL1007", "PL1008", "PL1009",
             "PL1010", "PL1011", "PL1012", "PL1013", "PL1014", "PL1015", "PL1016", "PL1017", "PL1018", "PL1019",
             "PL4012", "PL4022", "PL5003"]


@pytest.mark.parametrize("rule_id", SAM_RULES)
def test_rules_that_apply_to_sam_have_sam_fixtures(rule_id):
    from policylint.rule_tests import SAM, fixture_format

    expected = yaml.safe_load((RULE_FIXTURES / rule_id / "expected.yaml").read_text())
    sam = {name: lines for name, lines in expected.items() if fixture_format(_Rule(), name) == SAM}
    assert any(sam.values()) and any(not lines for lines in sam.values()), sorted(sam)


class _Rule:
    files: list[str] = []
