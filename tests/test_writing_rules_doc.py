"""docs/writing-rules.md: its example rule and fixtures, written out as a reader would, pass
`policylint test-rules`, and a wrong expectation shows the diff the page promises."""
from __future__ import annotations

import re

from conftest import REPO, run_cli

DOC = REPO / "docs" / "writing-rules.md"
BLOCK = re.compile(r"^```\w+ file=(?P<path>\S+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def _write_example(tmp_path):
    blocks = list(BLOCK.finditer(DOC.read_text(encoding="utf-8")))
    assert len(blocks) >= 6
    for block in blocks:
        target = tmp_path / block["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block["body"])
    return tmp_path / "my-rules"


def test_the_example_rule_passes_its_fixtures(tmp_path):
    rules = _write_example(tmp_path)
    result = run_cli("test-rules", str(rules), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   PL9100 LambdaDeprecatedRuntime (4 fixture files)" in result.stdout


def test_the_diff_shown_on_the_page_is_what_a_wrong_expectation_gives(tmp_path):
    rules = _write_example(tmp_path)
    expected = rules / "fixtures" / "PL9100" / "expected.yaml"
    expected.write_text(expected.read_text().replace("fail.yaml: [5]", "fail.yaml: [4]"))
    result = run_cli("test-rules", str(rules), cwd=tmp_path)
    assert result.returncode == 1
    page = DOC.read_text(encoding="utf-8")
    for line in result.stdout.splitlines()[:4]:
        assert line in page, line


def test_the_example_option_override_works(tmp_path):
    rules = _write_example(tmp_path)
    (tmp_path / ".policylint.yaml").write_text(
        f"rule-dirs: [{rules.name}]\noptions:\n  PL9100:\n    deprecated: [python3.12]\n")
    fixture = "my-rules/fixtures/PL9100/pass.yaml"
    result = run_cli("scan", fixture, "--select", "PL9100", "-f", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "deprecated runtime python3.12" in result.stdout
