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


MAIN_TF = """\
resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}
"""
VARIABLES_TF = """\
variable "ssh_cidr" {{
  description = "{description}"
  type        = string
  default     = "{cidr}"
}}
"""


def commit(project: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x"],
                   cwd=project, check=True)


def test_hook_sees_insecure_values_whose_cause_is_the_only_staged_file(project, tmp_path):
    """Terraform: the finding is in main.tf, its cause in variables.tf or terraform.tfvars, and only
    the cause is staged (pre-commit passes only staged files)."""
    home = tmp_path / "pre-commit-home"
    stage(project, "infra/main.tf", MAIN_TF)
    stage(project, "infra/variables.tf", VARIABLES_TF.format(description="SSH from", cidr="10.0.0.0/8"))
    commit(project)

    stage(project, "infra/variables.tf", VARIABLES_TF.format(description="SSH from", cidr="0.0.0.0/0"))
    opened = pre_commit("try-repo", str(REPO), "policylint", cwd=project, home=home)
    output = opened.stdout + opened.stderr
    assert opened.returncode == 1, output
    assert "infra/main.tf:7:20: PL3003 critical" in output and "from the default of variable 'ssh_cidr'" in output

    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=project, check=True)
    subprocess.run(["git", "reset", "-q"], cwd=project, check=True)
    (project / "infra/variables.tf").write_text(VARIABLES_TF.format(description="SSH from", cidr="10.0.0.0/8"))
    stage(project, "infra/terraform.tfvars", 'ssh_cidr = "0.0.0.0/0"\n')
    tfvars = pre_commit("try-repo", str(REPO), "policylint", cwd=project, home=home)
    output = tfvars.stdout + tfvars.stderr
    assert tfvars.returncode == 1, output
    assert "infra/main.tf:7:20: PL3003 critical" in output and "from infra/terraform.tfvars" in output

    stage(project, "infra/terraform.tfvars", 'ssh_cidr = "10.1.0.0/16"\n')
    stage(project, "infra/variables.tf", VARIABLES_TF.format(description="SSH from the office", cidr="10.0.0.0/8"))
    clean = pre_commit("try-repo", str(REPO), "policylint", cwd=project, home=home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_hook_files_pattern_takes_variables_files():
    hook = next(h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "policylint")
    import re

    pattern = re.compile(hook["files"])
    for name in ("main.tf", "x.tf.json", "terraform.tfvars", "prod.auto.tfvars", "terraform.tfvars.json", "s.yaml"):
        assert pattern.search(name), name
    assert not pattern.search("notes.md")
