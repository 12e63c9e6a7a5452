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
