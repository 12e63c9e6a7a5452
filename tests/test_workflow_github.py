"""GitHub integration: ``--format github`` workflow commands, and the composite ``action.yml`` run
step by step with bash the way the runner does (inputs reach the script only through ``env``)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli

BUCKET = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: 50%off
"""


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_format_github_prints_escaped_workflow_commands(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    name = "odd,name:1.yaml"
    (tmp_path / name).write_text(BUCKET)
    result = run_cli("scan", name, "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    expected = json.loads(run_cli("scan", name, "-f", "json", cwd=tmp_path).stdout)["findings"]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    expected.sort(key=lambda f: rank[f["severity"]])  # most severe first (a stable sort keeps the order within)
    assert len(commands) == len(expected) >= 2
    pattern = re.compile(r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:]*,?)+)::(.*)$")
    for command, finding in zip(commands, expected):
        match = pattern.match(command)
        assert match, command
        level = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}[finding["severity"]]
        assert match.group(1) == level
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        assert props["file"] == "odd%2Cname%3A1.yaml" and unescape(props["file"]) == name
        assert (props["line"], props["col"]) == (str(finding["line"]), str(finding["column"]))
        assert unescape(props["title"]).startswith(finding["rule"])
        assert unescape(match.group(3)) == finding["message"]
    assert any("50%25off" in c for c in commands) and not any("50%off" in c for c in commands)


def test_format_github_leaves_out_suppressed_findings(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "s.yaml").write_text(BUCKET.replace("  Site:\n", '  # policylint: ignore PL2001,PL2002 reason="demo"\n  Site:\n'))
    result = run_cli("scan", "s.yaml", "--format", "github", "--select", "PL2001,PL2002", cwd=tmp_path)
    assert result.returncode == 0
    assert not [line for line in result.stdout.splitlines() if line.startswith("::")]


# --- the composite action -------------------------------------------------------------------------

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_action_metadata_is_composite_and_never_interpolates_into_scripts():
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "config", "severity-threshold", "sarif-file"} <= set(ACTION["inputs"])
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"expression pasted into the script of {step['name']!r}"


def run_action(workspace: Path, inputs: dict[str, str], venv: Path,
               path: str | None = None) -> tuple[int, dict[str, str], str]:
    """Run the action's ``run`` steps in order, as the runner would (``bash -e``, inputs through
    ``env:``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY`` and ``RUNNER_TEMP`` set), with ``venv`` as
    the Python that ``actions/setup-python`` would provide, ahead of ``path`` (default: this
    process's PATH). Returns (exit code, outputs, log); the job summary is in ``summary.md``
    beside the workspace."""
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    output_file = workspace.parent / "github_output"
    output_file.write_text("")
    summary_file = workspace.parent / "summary.md"
    summary_file.write_text("")
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    log = []
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        env = dict(os.environ, GITHUB_OUTPUT=str(output_file), GITHUB_ACTION_PATH=str(REPO),
                   GITHUB_STEP_SUMMARY=str(summary_file), RUNNER_TEMP=str(runner_temp),
                   PATH=f"{venv / 'bin'}{os.pathsep}{path if path is not None else os.environ['PATH']}")
        env.pop("VIRTUAL_ENV", None)
        for key, value in (step.get("env") or {}).items():
            env[key] = _EXPR.sub(lambda m: _evaluate(m.group(1), values), str(value))
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True,
                              text=True, timeout=600)
        log.append(done.stdout + done.stderr)
        if done.returncode != 0:
            return done.returncode, _outputs(output_file), "".join(log)
    return 0, _outputs(output_file), "".join(log)


def _evaluate(expression: str, inputs: dict[str, str]) -> str:
    if expression.startswith("inputs."):
        return inputs[expression[len("inputs."):]]
    if expression == "github.action_path":
        return str(REPO)
    raise AssertionError(f"this test runner does not know the expression {expression!r}")


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def action_venv(tmp_path_factory) -> Path:
    """An empty virtualenv: the action's install step installs policylint from the repository."""
    venv = tmp_path_factory.mktemp("action") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return venv


def workspace_with(tmp_path: Path, files: dict[str, str]) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    for name, text in files.items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text)
    return workspace


def test_action_writes_sarif_then_fails_on_findings(tmp_path, action_venv):
    insecure = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()
    workspace = workspace_with(tmp_path, {"infra/stack.yaml": insecure, "other/ok.txt": "x"})
    code, outputs, log = run_action(workspace, {"paths": "infra", "sarif-file": "out/results.sarif"}, action_venv)
    assert code == 1, log
    assert outputs == {"sarif-file": "out/results.sarif", "exit-code": "1"}, log
    sarif = json.loads((workspace / "out/results.sarif").read_text())
    assert sarif["runs"][0]["results"]
    assert "::error title=policylint::findings at or above 'low'" in log


def test_action_threshold_and_hostile_paths_input(tmp_path, action_venv):
    secure = (REPO / "examples/cloudformation/secure-stack.yaml").read_text()
    insecure = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()
    workspace = workspace_with(tmp_path, {"a/stack.yaml": secure, "b/bad.yaml": insecure})
    hostile = 'a $(touch pwned) `touch pwned2` ; touch pwned3'
    code, outputs, log = run_action(workspace, {"paths": hostile, "severity-threshold": "critical"}, action_venv)
    assert not any((workspace / n).exists() for n in ("pwned", "pwned2", "pwned3")), log
    assert code == 2 and outputs["exit-code"] == "2", log  # odd words are missing paths, never run
    assert "policylint: error: no such file or directory: $(touch" in log, log
    code, outputs, log = run_action(workspace, {"paths": "a\nb", "severity-threshold": "critical"}, action_venv)
    assert code == 1 and outputs["exit-code"] == "1", log
    assert json.loads((workspace / "policylint.sarif").read_text())["runs"][0]["results"]


MANY = "\n".join(["AWSTemplateFormatVersion: \"2010-09-09\"", "Resources:"] + [
    f"  Policy{i}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
    f"        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n"
    f"            Action: s3:*\n            Resource: \"*\"\n            Principal: \"*\"" for i in range(14)]) + "\n"


def test_action_log_annotations_job_summary_and_more_reports(tmp_path, action_venv):
    workspace = workspace_with(tmp_path, {"infra/many.yaml": MANY})
    code, outputs, log = run_action(workspace, {"paths": "infra", "formats": "junit=out/r.xml\ngitlab=gl.json"},
                                    action_venv)
    assert code == 1 and outputs["exit-code"] == "1", log
    findings = json.loads(run_cli("scan", "infra", "-f", "json", cwd=workspace).stdout)["findings"]
    assert len(findings) > 20
    text_lines = [line for line in log.splitlines() if line.startswith("infra/many.yaml:")]
    assert len(text_lines) == len(findings)  # every finding in the log, as text
    annotations = [line for line in log.splitlines() if line.startswith("::") and "file=" in line]
    for kind in ("error", "warning", "notice"):
        assert sum(a.startswith(f"::{kind} ") for a in annotations) <= 10
    assert len(annotations) < len(findings) and "more findings not annotated" in log
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## policylint") and "| critical |" in summary
    assert summary.count("`infra/many.yaml:") == len(findings)
    assert (workspace / "out/r.xml").read_text().startswith("<?xml")
    assert len(json.loads((workspace / "gl.json").read_text())) == len(findings)
    assert json.loads((workspace / "policylint.sarif").read_text())["runs"][0]["results"]


def test_action_soft_fail_baseline_rules_and_var_files(tmp_path, action_venv):
    insecure = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()
    rule_dir = REPO / "tests" / "data" / "action-rules"
    workspace = workspace_with(tmp_path, {
        "infra/stack.yaml": insecure,
        "tf/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\nvariable "name" {}\n',
        "prod.tfvars": 'name = "Not_Valid_Name"\n',
    })
    code, outputs, log = run_action(workspace, {"paths": "infra", "soft-fail": "true"}, action_venv)
    assert code == 0 and outputs["exit-code"] == "1", log
    assert "soft-fail" in log

    assert run_cli("scan", "infra", "--write-baseline", "base.json", cwd=workspace).returncode == 0
    code, outputs, log = run_action(workspace, {"paths": "infra", "baseline": "base.json"}, action_venv)
    assert code == 0 and outputs["exit-code"] == "0", log
    assert "in the baseline" in log

    code, _, log = run_action(workspace, {"paths": "tf", "var-files": "prod.tfvars", "severity-threshold": "low"},
                              action_venv)
    assert code == 1 and "Not_Valid_Name" in log, log  # the variable's value came from the var-file

    code, _, log = run_action(workspace, {"paths": "infra", "baseline": "base.json", "rules": str(rule_dir)},
                              action_venv)
    assert code == 1 and "PL9951" in log, log  # the extra rule folder's rule is not in the baseline


def test_action_terraform_init_runs_where_remote_modules_are_called(tmp_path, action_venv):
    module = 'variable "cidr" {}\nresource "aws_security_group" "g" {\n  ingress {\n    from_port = 22\n' \
             '    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n}\n'
    workspace = workspace_with(tmp_path, {
        "live/main.tf": 'module "net" {\n  source = "example/net/aws"\n  cidr   = "0.0.0.0/0"\n}\n',
        "local/main.tf": 'module "here" {\n  source = "./sub"\n}\n', "local/sub/main.tf": "",
        "vendor/net/main.tf": module,
    })
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "terraform-calls"
    (fake / "terraform").write_text(  # records its arguments and 'downloads' the module as terraform init would
        "#!/bin/bash\n"
        f"echo \"$PWD $*\" >> '{calls}'\n"
        "dir=${1#-chdir=}\n"
        "mkdir -p \"$dir/.terraform/modules\"\n"
        "cp -r vendor/net \"$dir/.terraform/modules/net\"\n"
        "echo '{\"Modules\":[{\"Key\":\"net\",\"Source\":\"example/net/aws\",\"Dir\":\".terraform/modules/net\"}]}'"
        " > \"$dir/.terraform/modules/modules.json\"\n")
    (fake / "terraform").chmod(0o755)
    before = run_cli("scan", "live", "--no-color", cwd=workspace)
    assert before.returncode == 0 and "not downloaded" in before.stdout + before.stderr
    code, _, log = run_action(workspace, {"paths": "live local", "terraform-init": "true"}, action_venv,
                              path=f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert calls.read_text().split("\n")[0].endswith("-chdir=live init -backend=false -input=false -no-color"), log
    assert len(calls.read_text().splitlines()) == 1  # not in 'local', whose module is a local folder
    assert code == 1 and "PL3003" in log, log  # the downloaded module is linted

    code, _, log = run_action(workspace, {"paths": "local", "terraform-init": "true"}, action_venv,
                              path="/usr/bin:/bin")
    if shutil.which("terraform", path="/usr/bin:/bin") is None:
        assert "Terraform is not on the runner" in log, log


def test_action_paths_input_matching_nothing_is_named(tmp_path, action_venv):
    workspace = workspace_with(tmp_path, {"a/ok.txt": "x"})
    code, outputs, log = run_action(workspace, {"paths": "infra-typo"}, action_venv)
    assert "infra-typo" in log and "no such file or directory" in log, log
    assert outputs.get("exit-code") in ("0", "2") and code in (0, 2), log
    assert (tmp_path / "summary.md").read_text().startswith("## policylint")


def test_docs_permissions_and_the_pull_request_only_workflow(tmp_path, action_venv):
    from test_workflow_docs import snippet

    full = yaml.safe_load(snippet("github-actions.md", "yaml", 0))
    assert full["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    workflow = yaml.safe_load(snippet("github-actions.md", "yaml", 1))
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key 'on' as True
    steps = workflow["jobs"]["policylint"]["steps"]
    ours = next(s for s in steps if s.get("uses", "").startswith("policylint/policylint@"))
    keep = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    insecure = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()
    workspace = workspace_with(tmp_path, {f"{ours['with']['paths']}/stack.yaml": insecure})
    code, _, log = run_action(workspace, {k: str(v) for k, v in ours["with"].items()}, action_venv)
    assert code == 1, log
    assert (workspace / keep["with"]["path"]).read_text().startswith("<?xml")
    assert "failure()" in keep["if"]


def test_action_fails_the_step_when_a_path_input_matches_nothing(tmp_path, action_venv):
    insecure = (REPO / "examples/cloudformation/insecure-stack.yaml").read_text()
    workspace = workspace_with(tmp_path, {"infra/stack.yaml": insecure})
    for paths in ("infar", "infra/*.yml"):  # a typo; a glob (the action expands none)
        code, outputs, log = run_action(workspace, {"paths": paths}, action_venv)
        assert code == 2 and outputs["exit-code"] == "2", log
        assert f"no such file or directory: {paths}" in log and "::error title=policylint::" in log, log
