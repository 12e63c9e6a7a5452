"""Compliance mapping: rules name benchmark controls, validated against the shipped control lists;
the CLI, SARIF and docs/compliance.md report it."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli, scan_json
from policylint.compliance import benchmarks, coverage
from policylint.evaluate.rules import RuleError, builtin_rules_dir, load_rule_file, load_rules

RULE = textwrap.dedent("""\
    id: PL9990
    name: TestRule
    severity: low
    title: t
    description: d
    remediation: r
    references: []
    tags: []
    resource: {kinds: [s3.bucket]}
    forbid: {path: name, exists: true}
    message: m
    unknown: ignore
    """)


def test_shipped_benchmarks_list_every_control():
    known = benchmarks()
    assert len(known["cis-aws-foundations-3.0"].controls) == 62
    assert len(known["aws-fsbp"].controls) == 113
    assert "2.1.1" in known["cis-aws-foundations-3.0"].controls and "S3.5" in known["aws-fsbp"].controls


@pytest.mark.parametrize("mapping, text", [
    ("{nist-800-53: [AC-3]}", "unknown benchmark 'nist-800-53'"),
    ("{aws-fsbp: [S3.99]}", "aws-fsbp has no control 'S3.99'"),
    ("{aws-fsbp: S3.5}", "non-empty list of control ids"),
    ("{cis-aws-foundations-3.0: [\"2.1.1\", \"1.4\"]}", "1.4 is listed as not decidable"),
    ("[aws-fsbp]", "compliance must map benchmark ids"),
])
def test_a_bad_mapping_is_an_error_naming_file_and_line(tmp_path: Path, mapping, text):
    path = tmp_path / "rule.yaml"
    path.write_text(RULE + f"compliance: {mapping}\n")
    with pytest.raises(RuleError) as caught:
        load_rule_file(path, {})
    assert caught.value.line == 13 and text in caught.value.message


def test_every_decidable_control_without_a_rule_says_why():
    rules = load_rules([builtin_rules_dir()])
    for bench in benchmarks():
        silent = [c.id for c, ids in coverage(rules, bench) if not ids and not c.reason]
        assert not silent, f"{bench}: controls with neither rules nor a reason: {silent}"


def test_compliance_doc_is_generated():
    from policylint.compliance_docs import render

    committed = (REPO / "docs" / "compliance.md").read_text(encoding="utf-8")
    assert committed == render(load_rules([builtin_rules_dir()])), (
        "docs/compliance.md is stale: run  python -m policylint.compliance_docs > docs/compliance.md")


def test_rules_compliance_lists_control_to_rules():
    out = run_cli("rules", "--compliance", "cis-aws-foundations-3.0")
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if l.startswith("2.1.1 "))
    assert "PL2006" in line
    assert any(l.startswith("4.1 ") and "not decidable" in l for l in out.stdout.splitlines())
    data = json.loads(run_cli("rules", "--compliance", "aws-fsbp", "--format", "json").stdout)
    assert {"control": "S3.5", "rules": ["PL2006"]}.items() <= next(r for r in data if r["control"] == "S3.5").items()
    bad = run_cli("rules", "--compliance", "cis-9")
    assert bad.returncode == 2 and "no benchmark 'cis-9'" in bad.stderr


def test_rules_show_prints_the_mapping():
    out = run_cli("rules", "show", "PL2006")
    assert "cis-aws-foundations-3.0: 2.1.1" in out.stdout and "aws-fsbp: S3.5" in out.stdout


def test_select_a_benchmark_or_one_control(tmp_path: Path):
    target = str(FIXTURES / "rules" / "PL2006" / "fail.yaml")
    by_control = scan_json(target, "--select", "aws-fsbp:S3.5")
    assert {f["rule"] for f in by_control["findings"]} == {"PL2006"}
    by_benchmark = scan_json(target, "--select", "cis-aws-foundations-3.0")
    assert "PL2006" in {f["rule"] for f in by_benchmark["findings"]}
    ignored = scan_json(target, "--select", "PL2006", "--ignore", "aws-fsbp:S3.5")
    assert not [f for f in ignored["findings"] if f["rule"] == "PL2006"]
    config = tmp_path / ".policylint.yaml"
    config.write_text("select: [cis-aws-foundations-3.0:2.1.1]\n")
    from_config = scan_json(target, "--config", str(config))
    assert {f["rule"] for f in from_config["findings"]} == {"PL2006"}


def test_sarif_rule_descriptors_carry_the_mapping(tmp_path: Path):
    out = run_cli("scan", str(FIXTURES / "rules" / "PL2006" / "fail.yaml"), "--select", "PL2006", "-f", "sarif")
    rules = json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]
    descriptor = next(r for r in rules if r["id"] == "PL2006")
    assert descriptor["properties"]["compliance"] == {"cis-aws-foundations-3.0": ["2.1.1"], "aws-fsbp": ["S3.5"]}


def test_readme_states_the_number_of_rules():
    import re

    count = len(load_rules([builtin_rules_dir()]))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"(\d+) rules ship with policylint", readme)
    assert stated and int(stated.group(1)) == count, f"README says {stated and stated.group(1)} rules; there are {count}"


def test_control_audit_rows_name_existing_rules_and_90_percent_are_covered():
    from policylint.compliance_docs import audit_rows

    ids = {r.id for r in load_rules([builtin_rules_dir()])}
    _, rows = audit_rows()
    named = {i for row in rows.values() for i in row.get("rules", [])}
    assert named <= ids, f"unknown rules in control-audit.yaml: {sorted(named - ids)}"
    assert all(row.get("rules") or row.get("not_covered") for row in rows.values())
    assert sum(1 for row in rows.values() if row.get("rules")) >= 0.9 * len(rows)


def test_every_shipped_rule_maps_to_known_decidable_controls():
    # Shipped rules skip this check at load time (it reads the benchmark lists): it holds here.
    from policylint.compliance import mapping_error
    from policylint.evaluate.rules import parse_rule_file, rule_files

    for path in rule_files(builtin_rules_dir()):
        data = parse_rule_file(str(path))
        if isinstance(data, dict) and "compliance" in data:
            assert mapping_error(data["compliance"]) is None, path
