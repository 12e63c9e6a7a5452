"""Baselines through the installed CLI: record, shift lines, add a finding, SARIF baselineState."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_cli

INSECURE = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "stack.yaml").write_text(INSECURE)
    return tmp_path


def record(repo: Path) -> int:
    result = run_cli("scan", "stack.yaml", "--write-baseline", "baseline.json", cwd=repo)
    assert result.returncode == 0, result.stderr  # recording is not a failure
    entries = json.loads((repo / "baseline.json").read_text())["findings"]
    assert f"baseline of {len(entries)} findings written to baseline.json" in result.stderr
    return len(entries)


def test_baseline_excuses_recorded_findings_even_after_lines_shift(repo):
    count = record(repo)
    assert count >= 5
    before = json.loads(run_cli("scan", "stack.yaml", "-f", "json", cwd=repo).stdout)["findings"]
    shifted = INSECURE.replace("Resources:\n", "Resources:\n" + "  # a comment\n" * 3, 1)
    (repo / "stack.yaml").write_text(shifted)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "-f", "json", cwd=repo)
    assert result.returncode == 0, result.stdout
    after = json.loads(result.stdout)["findings"]
    assert [f["line"] for f in after] == [f["line"] + (3 if f["line"] > 12 else 0) for f in before]
    assert {f["baseline_state"] for f in after} == {"unchanged"}
    text = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert text.returncode == 0
    assert text.stdout.strip() == f"1 file scanned, 0 findings, {count} in the baseline"


def test_only_new_findings_fail(repo):
    count = record(repo)
    added = INSECURE.replace(
        "Resources:\n",
        "Resources:\n  Extra:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: Not_Valid\n", 1)
    (repo / "stack.yaml").write_text(added)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert result.returncode == 1
    reported = [line for line in result.stdout.splitlines() if line.startswith("stack.yaml:")]
    assert reported and all(13 <= int(line.split(":")[1]) <= 16 for line in reported), reported  # only Extra
    assert f"{count} in the baseline" in result.stdout
    sarif = json.loads(run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "-f", "sarif", cwd=repo).stdout)
    states = [(r["baselineState"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
              for r in sarif["runs"][0]["results"]]
    assert all(state in ("new", "unchanged") for state, _ in states)
    assert sum(state == "unchanged" for state, _ in states) == count
    assert {line for state, line in states if state == "new"} == {int(r.split(":")[1]) for r in reported}


def test_without_a_baseline_there_is_no_baseline_state(repo):
    sarif = json.loads(run_cli("scan", "stack.yaml", "-f", "sarif", cwd=repo).stdout)
    assert all("baselineState" not in r for r in sarif["runs"][0]["results"])


def test_a_file_that_is_not_a_baseline_is_an_error(repo):
    (repo / "baseline.json").write_text('{"findings": []}')
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", cwd=repo)
    assert result.returncode == 2 and "not a policylint baseline" in result.stderr
    missing = run_cli("scan", "stack.yaml", "--baseline", "nope.json", cwd=repo)
    assert missing.returncode == 2 and "cannot read baseline nope.json" in missing.stderr


def test_entries_no_finding_matches_any_more_are_noted_for_scanned_files_only(repo):
    count = record(repo)
    (repo / "other.yaml").write_text(INSECURE)
    fixed = INSECURE.replace("Default: Customer_Uploads", "Default: customer-uploads")
    assert fixed != INSECURE
    (repo / "stack.yaml").write_text(fixed)
    result = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert "1 baseline entry of the scanned files no longer found (fixed?)" in result.stderr
    assert f"{count - 1} in the baseline" in result.stdout
    other = run_cli("scan", "other.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert "baseline entr" not in other.stderr  # stack.yaml was not scanned: nothing to say about it
    (repo / "stack.yaml").write_text(INSECURE)
    again = run_cli("scan", "stack.yaml", "--baseline", "baseline.json", "--no-color", cwd=repo)
    assert again.returncode == 0 and "baseline entr" not in again.stderr
