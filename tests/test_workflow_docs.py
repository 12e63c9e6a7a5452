"""The copy-paste snippets of the workflow docs, taken from the markdown and run as a user would."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli
from test_workflow_github import action_venv, run_action  # noqa: F401 (fixture)

DOCS = REPO / "docs"
INSECURE = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()


def snippet(doc: str, language: str, index: int = 0) -> str:
    """The ``index``-th fenced block of ``language`` in ``docs/<doc>``."""
    blocks = re.findall(rf"^```{re.escape(language)}\n(.*?)^```", (DOCS / doc).read_text(), re.MULTILINE | re.DOTALL)
    assert len(blocks) > index, f"docs/{doc} has no {language} block #{index}"
    return blocks[index]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def findings(repo: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("scan", *args, "-f", "json", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_suppressions_yaml_comment_snippet(repo):
    (repo / "stack.yaml").write_text(snippet("suppressions.md", "yaml", 0))
    code, report = findings(repo, "stack.yaml", "--select", "PL1001")
    assert code == 0
    assert [f["suppressed"]["justification"] for f in report["findings"]] == [
        "deploy role needs all of S3; tracked in SEC-123", "instance scheduler"]
    code, report = findings(repo, "stack.yaml", "--select", "PL1001", "--no-inline-ignores")
    assert code == 1 and len(report["findings"]) == 2


def test_suppressions_json_metadata_snippet(repo):
    (repo / "stack.json").write_text(snippet("suppressions.md", "json", 0))
    code, report = findings(repo, "stack.json", "--select", "PL1001")
    assert code == 0 and report["summary"] == {"findings": 0, "suppressed": 1, "parse_errors": 0}


def test_suppressions_config_snippet(repo):
    (repo / ".policylint.yaml").write_text(snippet("suppressions.md", "yaml", 1))
    (repo / "sandbox").mkdir()
    (repo / "sandbox/admin.yaml").write_text(snippet("suppressions.md", "yaml", 0).replace("# policylint:", "# was:"))
    code, report = findings(repo, ".", "--select", "PL1001")
    assert code == 0
    assert {f["suppressed"]["kind"] for f in report["findings"]} == {"external"}


def test_configuration_yaml_snippet(repo):
    (repo / ".policylint.yaml").write_text(snippet("configuration.md", "yaml", 0))
    for folder in ("infra", "legacy", "sandbox"):
        (repo / folder).mkdir()
        (repo / folder / "stack.yaml").write_text(INSECURE)
    result = run_cli("scan", ".", cwd=repo)  # the snippet says format: text
    assert result.returncode == 1, result.stderr
    code, report = findings(repo, ".")
    active = [f for f in report["findings"] if "suppressed" not in f]
    assert {f["file"] for f in active} <= {"infra/stack.yaml", "sandbox/stack.yaml"}  # legacy/** excluded
    assert "PL2002" not in {f["rule"] for f in report["findings"]}  # ignored
    assert all(f["severity"] in ("medium", "high", "critical") for f in active)  # threshold medium
    assert {f["severity"] for f in report["findings"] if f["rule"] == "PL2001"} == {"high"}  # override
    assert {(f["file"], f["rule"]) for f in report["findings"] if "suppressed" in f} == {("sandbox/stack.yaml", "PL1001")}


def test_configuration_toml_snippet(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n\n' + snippet("configuration.md", "toml", 0))
    (repo / "infra").mkdir()
    (repo / "infra/stack.yaml").write_text(INSECURE)
    code, report = findings(repo, ".")
    assert code == 1
    # what the snippet asks for: iam and s3 rules, PL2001 raised to critical, high and above
    tags = {r["id"]: set(r["tags"]) for r in json.loads(run_cli("rules", "--format", "json").stdout)}
    _, everything = findings(repo, ".", "--no-config")
    rank = {"low": 1, "medium": 2, "high": 3, "critical": 4}
    expected = {(f["rule"], "critical" if f["rule"] == "PL2001" else f["severity"]) for f in everything["findings"]
                if tags[f["rule"]] & {"iam", "s3"}}
    expected = {(rule, severity) for rule, severity in expected if rank[severity] >= rank["high"]}
    assert {("PL1003", "critical"), ("PL2001", "critical")} <= expected
    assert {(f["rule"], f["severity"]) for f in report["findings"]} == expected


def test_configuration_baseline_snippet(repo):
    (repo / "stack.yaml").write_text(INSECURE)
    write, check = [line.split() for line in snippet("configuration.md", "sh", 0).strip().splitlines()]
    assert write[0] == check[0] == "policylint"
    assert run_cli(*write[1:], cwd=repo).returncode == 0
    (repo / "stack.yaml").write_text(INSECURE.replace("Resources:\n", "Resources:\n  # moved\n", 1))
    assert run_cli(*check[1:], cwd=repo).returncode == 0
    (repo / "stack.yaml").write_text(INSECURE.replace("SSEAlgorithm: AES256", "SSEAlgorithm: none"))
    changed = run_cli(*check[1:], "-f", "json", cwd=repo)  # the offending value changed: a new finding
    assert changed.returncode == 1
    assert [f["rule"] for f in json.loads(changed.stdout)["findings"] if f["baseline_state"] == "new"] == ["PL2001"]


def test_github_actions_workflow_snippet(tmp_path, action_venv):  # noqa: F811
    workflow = yaml.safe_load(snippet("github-actions.md", "yaml", 0))
    steps = workflow["jobs"]["policylint"]["steps"]
    assert workflow["permissions"]["security-events"] == "write"
    ours = next(s for s in steps if s.get("uses", "").startswith("policylint/policylint@"))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert steps.index(upload) > steps.index(ours)
    assert "failure()" in upload["if"] or "always()" in upload["if"]
    workspace = tmp_path / "workspace"
    for folder in ours["with"]["paths"].split():
        (workspace / folder).mkdir(parents=True)
        (workspace / folder / "stack.yaml").write_text(INSECURE)
    code, outputs, log = run_action(workspace, {k: str(v) for k, v in ours["with"].items()}, action_venv)
    assert code == 1, log  # the insecure stack has critical and high findings: the step fails...
    sarif = json.loads((workspace / upload["with"]["sarif_file"]).read_text())  # ...after writing SARIF
    assert sarif["runs"][0]["results"] and "automationDetails" not in sarif["runs"][0]
