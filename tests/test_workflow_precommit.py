"""The hooks in ``.pre-commit-hooks.yaml`` with the real pre-commit, against a scratch repository.

``pre-commit try-repo`` builds the hook's virtualenv from this repository (its committed state plus
uncommitted changes to tracked files), as a user's pre-commit would from a tag.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from test_workflow_docs import snippet

INSECURE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
{comment}  DeployPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: {action}
            Resource: "*"
"""


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    assert executable, "pre-commit is a test dependency: pip install '.[test]'"
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    return project


def stage(project: Path, name: str, text: str) -> None:
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text(text)
    subprocess.run(["git", "add", name], cwd=project, check=True)


def test_manifest_is_valid(tmp_path):
    result = pre_commit("validate-manifest", str(REPO / ".pre-commit-hooks.yaml"), cwd=REPO, home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["policylint"]["require_serial"] is True
    assert hooks["policylint-repo"]["pass_filenames"] is False


def test_hook_fails_on_an_insecure_template_and_passes_after_fix_or_suppression(project, tmp_path):
    home = tmp_path / "pre-commit-home"
    stage(project, ".policylint.yaml", "select: [PL1001]\n")  # the hook finds the project's configuration
    stage(project, "stack.yaml", INSECURE.format(comment="", action="s3:*"))
    stage(project, "notes.md", "not infrastructure\n")
    failed = pre_commit("try-repo", str(REPO), "policylint", "--files", "stack.yaml", "notes.md", cwd=project, home=home)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "policylint" in output and "Failed" in output
    assert "stack.yaml:10:21: PL1001 high Allow statement grants 's3:*'" in output
    assert "notes.md" not in output.split("Failed", 1)[1]  # the files regex kept it out

    stage(project, "stack.yaml", INSECURE.format(comment="", action="s3:GetObject").replace(
        'Resource: "*"', 'Resource: "arn:aws:s3:::reports-bucket/*"'))
    fixed = pre_commit("try-repo", str(REPO), "policylint", "--files", "stack.yaml", cwd=project, home=home)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout

    comment = '  # policylint: ignore PL1001 reason="deploy role, SEC-123" expires=2999-01-01\n'
    stage(project, "stack.yaml", INSECURE.format(comment=comment, action="s3:*"))
    suppressed = pre_commit("try-repo", str(REPO), "policylint", "--files", "stack.yaml", cwd=project, home=home)
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr


def test_docs_snippets_as_the_project_configuration(project, tmp_path):
    """The two `.pre-commit-config.yaml` snippets of docs/pre-commit.md, pointed at this
    repository's HEAD, run by `pre-commit run` (a reason-less suppression does not pass)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    home = tmp_path / "pre-commit-home"
    stage(project, "infra/stack.yaml", INSECURE.format(comment="  # policylint: ignore PL1001\n", action="s3:*"))
    for index, hook in ((0, "policylint"), (2, "policylint-repo")):
        config = yaml.safe_load(snippet("pre-commit.md", "yaml", index))
        assert config["repos"][0]["hooks"][0]["id"] == hook
        config["repos"][0].update(repo=str(REPO), rev=head)
        stage(project, ".pre-commit-config.yaml", yaml.safe_dump(config))
        result = pre_commit("run", "--all-files", cwd=project, home=home)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "infra/stack.yaml:11:21: PL1001 high" in output and "it has no reason" in output
