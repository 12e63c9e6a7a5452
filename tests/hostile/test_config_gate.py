"""A configuration file committed in a pull request cannot switch the gate off unseen: what it
narrows is named in every report, ``--config-policy strict`` refuses it, and rule folders it names
must lie inside the repository."""
from __future__ import annotations

import json

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, scan

NARROWING = {
    "select": "select: [PL0001]\n",
    "ignore-every-tag": "ignore: [iam, s3, network, encryption, secrets, governance, compute, correctness]\n",
    "exclude-everything": 'exclude: ["*"]\n',
    "blanket-suppression": 'suppress:\n  - rules: [PL2002, PL2003]\n    paths: ["**"]\n    reason: "not ours"\n',
    "lowered-severity": "severity:\n  PL2002: low\nseverity-threshold: high\n",
}


def _repo(tmp_path, config: str):
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE)
    (tmp_path / ".policylint.yaml").write_text(config)
    return tmp_path


@pytest.mark.parametrize("name", sorted(NARROWING))
def test_every_report_names_the_configuration_and_what_it_narrows(tmp_path, name):
    repo = _repo(tmp_path, NARROWING[name])
    text = scan(".", "-f", "text", cwd=repo)
    assert text.returncode in (0, 1)
    assert "configuration .policylint.yaml changes what is checked: " in text.stdout
    key = NARROWING[name].split(":")[0]
    assert f"{key}: " in text.stdout.splitlines()[-1]
    report = json.loads(scan(".", "-f", "json", cwd=repo).stdout)
    assert report["configuration"]["file"] == ".policylint.yaml" and report["configuration"]["changes"]
    sarif = json.loads(scan(".", "-f", "sarif", cwd=repo).stdout)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["properties"]["configurationFile"] == ".policylint.yaml"
    notes = invocation["toolConfigurationNotifications"]
    assert notes and all(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".policylint.yaml" for n in notes)
    github = scan(".", "-f", "github", cwd=repo)
    assert "configuration .policylint.yaml changes what is checked" in github.stdout


@pytest.mark.parametrize("name", sorted(NARROWING))
def test_strict_policy_refuses_a_configuration_that_switches_checking_off(tmp_path, name):
    repo = _repo(tmp_path, NARROWING[name])
    result = scan(".", "--config-policy", "strict", cwd=repo)
    assert result.returncode == 2
    assert ".policylint.yaml: refused by --config-policy strict" in result.stderr
    assert result.stdout == ""


def test_strict_policy_accepts_a_configuration_that_narrows_nothing(tmp_path):
    repo = _repo(tmp_path, 'exclude: ["legacy/"]\noptions:\n  PL9001:\n    tags: [owner]\n')
    result = scan(".", "--config-policy", "strict", "-f", "json", cwd=repo)
    assert result.returncode == 1
    assert findings(json.loads(result.stdout), "PL2002")


def test_a_configuration_outside_the_tree_is_the_users_choice(tmp_path):
    repo = _repo(tmp_path / "repo", "")
    trusted = tmp_path / "trusted.yaml"
    trusted.write_text("select: [PL2002]\n")
    result = scan(".", "--config", str(trusted), "--config-policy", "strict", "-f", "json", cwd=repo)
    assert result.returncode == 1
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"PL2002"}


@pytest.mark.parametrize("folder", ["/usr", "../elsewhere"])
def test_rule_folders_of_a_repository_configuration_lie_inside_it(tmp_path, folder):
    (tmp_path / "elsewhere").mkdir()
    repo = _repo(tmp_path / "repo", f"rule-dirs: [{folder}]\n")
    result = scan(".", cwd=repo)
    assert result.returncode == 2 and "rule-dirs" in result.stderr and "outside" in result.stderr


def test_the_sarif_rules_array_is_the_effective_rule_set(tmp_path):
    repo = _repo(tmp_path, "ignore: [PL2002]\n")
    sarif = json.loads(scan(".", "-f", "sarif", cwd=repo).stdout)
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "PL2002" not in ids and {"PL0001", "PL0002", "PL2003"} <= ids
