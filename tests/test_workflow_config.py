"""The configuration file through the installed CLI: discovery, every setting, errors, ``init``."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_cli

INSECURE = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the insecure example stack at ``infra/stack.yaml``."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/stack.yaml").write_text(INSECURE)
    return tmp_path


def rules_of(result: subprocess.CompletedProcess) -> set[str]:
    assert result.returncode in (0, 1), result.stderr
    return {f["rule"] for f in json.loads(result.stdout)["findings"] if "suppressed" not in f}


def baseline_rules(repo: Path) -> set[str]:
    return rules_of(run_cli("scan", "infra", "-f", "json", "--no-config", cwd=repo))


def test_yaml_config_is_found_walking_up_from_the_scanned_path(repo):
    everything = baseline_rules(repo)
    assert {"PL1003", "PL2002"} <= everything
    (repo / ".policylint.yaml").write_text("ignore: [PL2002, IamAllowsPublicPrincipal]\nformat: json\n")
    # run from inside the tree: the file is above the scanned path
    result = run_cli("scan", ".", cwd=repo / "infra")
    assert rules_of(result) == everything - {"PL2002", "PL1003"}
    assert rules_of(run_cli("scan", "infra", "-f", "json", "--no-config", cwd=repo)) == everything


def test_pyproject_table_is_found_and_yaml_wins_in_the_same_folder(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.policylint]\nselect = ["PL2001", "S3BucketNameInvalid"]\n')
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == {"PL2001", "PL2002"}
    (repo / ".policylint.yaml").write_text("select: [PL3001]\n")
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == {"PL3001"}


def test_pyproject_without_the_table_is_not_a_config(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == baseline_rules(repo)


def test_discovery_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".policylint.yaml").write_text("select: [PL3001]\n")
    inner = tmp_path / "inner"
    subprocess.run(["git", "init", "-q", str(inner)], check=True)
    (inner / "stack.yaml").write_text(INSECURE)
    assert len(rules_of(run_cli("scan", "stack.yaml", "-f", "json", cwd=inner))) > 1


def test_severity_override_threshold_and_exit_code(repo):
    (repo / ".policylint.yaml").write_text(textwrap.dedent("""\
        select: [PL2001, PL2002]
        severity:
          PL2001: critical
          S3BucketNameInvalid: low
        severity-threshold: high
    """))
    result = run_cli("scan", "infra", "-f", "json", cwd=repo)
    report = json.loads(result.stdout)
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("PL2001", "critical")]
    assert result.returncode == 1
    assert run_cli("scan", "infra", "--severity-threshold", "critical", "--ignore", "PL2001", cwd=repo).returncode == 0


def test_exclude_globs_are_relative_to_the_config_file(repo):
    (repo / "legacy").mkdir()
    (repo / "legacy/old.yaml").write_text(INSECURE)
    (repo / ".policylint.yaml").write_text('exclude: ["legacy/**"]\n')
    result = run_cli("scan", ".", "-f", "json", cwd=repo)
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"infra/stack.yaml"}
    # the same file, scanned from a sub-folder: globs are rebased
    (repo / "legacy/sub").mkdir()
    (repo / "legacy/sub/older.yaml").write_text(INSECURE)
    inner = run_cli("scan", ".", "-f", "json", cwd=repo / "legacy")
    assert json.loads(inner.stdout)["findings"] == []


def test_extra_rule_directories_and_rule_options(repo):
    rules = repo / "my-rules"
    rules.mkdir()
    (rules / "PL9990.yaml").write_text(textwrap.dedent("""\
        id: PL9990
        name: BucketNameHasPrefix
        severity: low
        title: Bucket names start with the team prefix
        description: Team buckets share a prefix.
        remediation: Rename the bucket.
        references: []
        tags: [naming]
        resource: {kinds: [s3.bucket]}
        options:
          pattern: {default: "team-.*", description: the names every bucket must match}
        require: {path: name, matches: {option: pattern}}
        unknown: ignore
        message: "bucket name {value} lacks the prefix"
    """))
    (repo / ".policylint.yaml").write_text("rule-dirs: [my-rules]\nselect: [PL9990]\noptions:\n  PL9990: {pattern: Customer.*}\n")
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == set()
    (repo / ".policylint.yaml").write_text("rule-dirs: [my-rules]\nselect: [PL9990]\n")
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == {"PL9990"}


@pytest.mark.parametrize("text, line, words", [
    ("select: [s3]\nseverty: {}\n", 2, "unknown setting 'severty'"),
    ("severity:\n  PL2001: urgent\n", 2, "'urgent' is not one of"),
    ("severity-threshold: huge\n", 1, "severity-threshold"),
    ("format: xml\n", 1, "format"),
    ("select:\n  - s3\n  - nosuchrule\n", 3, "no rule, rule name or tag 'nosuchrule'"),
    ("options:\n  PL1001:\n    colour: red\n", 3, "rule PL1001 has no option 'colour'"),
    ("rule-dirs: [missing]\n", 1, "does not exist"),
    ("suppress:\n  - rules: [PL1001]\n    paths: ['x/**']\n", 2, "need a non-empty 'reason'"),
    ("suppress:\n  - rules: [PL1001]\n    paths: ['x/**']\n    reason: r\n    until: 2027-01-01\n", 5, "unknown key 'until'"),
    ("select: [s3]\nformat: [\n", 2, "invalid YAML"),
])
def test_bad_yaml_config_is_one_line_naming_file_and_line(repo, text, line, words):
    (repo / ".policylint.yaml").write_text(text)
    result = run_cli("scan", "infra", cwd=repo)
    assert result.returncode == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"policylint: error: .policylint.yaml:{line}: "), message
    assert words in message


def test_bad_pyproject_config_names_file_and_line(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.policylint]\nselect = ["s3"]\nformat = "xml"\n')
    result = run_cli("scan", "infra", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("policylint: error: pyproject.toml:6: format: 'xml'"), result.stderr


def test_explicit_config_and_missing_explicit_config(repo):
    (repo / "strict.yaml").write_text("select: [PL3001]\n")
    assert rules_of(run_cli("scan", "infra", "--config", "strict.yaml", "-f", "json", cwd=repo)) == {"PL3001"}
    missing = run_cli("scan", "infra", "--config", "nope.yaml", cwd=repo)
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_config_inline_ignores_false_refuses_comments(repo):
    stack = repo / "infra/stack.yaml"
    lines = stack.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if "Principal: \"*\"" in line)
    lines[number] += '  # policylint: ignore PL1003 reason="public website"'
    stack.write_text("\n".join(lines) + "\n")
    assert "PL1003" not in rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo))
    (repo / ".policylint.yaml").write_text("inline-ignores: false\n")
    assert "PL1003" in rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo))


def test_path_suppressions_are_external_and_expire(repo):
    (repo / ".policylint.yaml").write_text(textwrap.dedent("""\
        suppress:
          - rules: [PL1003]
            paths: ["infra/*"]
            reason: "public website bucket"
            expires: 2999-12-31
    """))
    result = run_cli("scan", "infra", "-f", "sarif", "--show-suppressed", cwd=repo)
    results = json.loads(result.stdout)["runs"][0]["results"]
    suppressed = [r for r in results if r["suppressions"]]
    assert {r["ruleId"] for r in suppressed} == {"PL1003"}
    assert suppressed[0]["suppressions"] == [{"kind": "external", "justification": "public website bucket"}]
    (repo / ".policylint.yaml").write_text(
        (repo / ".policylint.yaml").read_text().replace("2999-12-31", "2021-06-30"))
    expired = run_cli("scan", "infra", "-f", "json", cwd=repo)
    assert "PL1003" in rules_of(expired)
    assert ".policylint.yaml:2: suppression of PL1003 expired on 2021-06-30" in expired.stderr


def test_init_writes_a_starter_file_that_loads(repo):
    result = run_cli("init", cwd=repo)
    assert result.returncode == 0, result.stderr
    starter = (repo / ".policylint.yaml").read_text()
    assert starter.count("#") > 10  # commented
    assert rules_of(run_cli("scan", "infra", "-f", "json", cwd=repo)) == baseline_rules(repo)
    again = run_cli("init", cwd=repo)
    assert again.returncode == 2 and "already exists" in again.stderr
