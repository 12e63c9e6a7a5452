"""Smaller things a hostile tree or a broken pipe meets: YAML reader errors are placed where they
are, a failed write to standard output names it, SARIF never carries the runner's own paths."""
from __future__ import annotations

import json
import os

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, scan, scan_report


def test_a_character_yaml_refuses_is_placed_where_it_is(tmp_path):
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", "Bad\x01Name"))
    (error,) = findings(scan_report("t.yaml", "--no-config", cwd=tmp_path), "PL0001")
    assert (error["line"], error["column"]) == (6, 22)
    assert "control characters" in error["message"] and "position" not in error["message"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_failed_write_to_standard_output_names_it(tmp_path):
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE)
    with open("/dev/full", "w") as full:
        from conftest import policylint_command
        import subprocess

        result = subprocess.run(policylint_command() + ["scan", "t.yaml", "--no-config"], cwd=tmp_path,
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2
    assert "cannot write standard output" in result.stderr and "None" not in result.stderr


def test_sarif_never_carries_paths_of_the_runner_for_modules_outside_the_tree(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "o" {\n  bucket = "Outside_Bad"\n}\n')
    (repo / "main.tf").write_text('module "o" {\n  source = "../outside"\n}\n')
    result = scan(".", "--no-config", "-f", "sarif", cwd=repo)
    assert "file://" not in result.stdout and str(tmp_path) not in result.stdout
    rules = {r["ruleId"] for r in json.loads(result.stdout)["runs"][0]["results"]}
    assert rules == {"PL0002"}
