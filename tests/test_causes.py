"""Findings follow their causes: the places a value came through are related locations (SARIF
relatedLocations, JSON related), and naming any of them lints the finding."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, run_cli

MAIN = """\
resource "aws_security_group" "ssh" {
  description = "ssh"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}
module "inner" {
  source = "./inner"
  cidr   = local.open
}
"""
VARIABLES = 'variable "ssh_cidr" {\n  type    = string\n  default = "0.0.0.0/0"\n}\n'
LOCALS = "locals {\n  open = var.ssh_cidr\n}\n"
INNER = """\
variable "cidr" {}
resource "aws_security_group" "inner" {
  description = "inner"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for name, text in {"main.tf": MAIN, "variables.tf": VARIABLES, "locals.tf": LOCALS, "inner/main.tf": INNER}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def related(finding: dict) -> list[tuple[str, int, str]]:
    return [(r["file"], r["line"], r["message"]) for r in finding.get("related", [])]


def findings(*args: str, cwd: Path) -> list[dict]:
    result = run_cli("scan", *args, "-f", "json", "--select", "PL3003", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def test_terraform_chains_default_module_argument_and_using_resource(module):
    by_file = {f["file"]: f for f in findings(".", cwd=module)}
    assert set(by_file) == {"main.tf", "locals.tf"}
    assert related(by_file["main.tf"]) == [("variables.tf", 3, "from the default of variable 'ssh_cidr'")]
    chain = related(by_file["locals.tf"])  # the value is var.ssh_cidr in the local, passed to module inner
    assert chain == [("variables.tf", 3, "from the default of variable 'ssh_cidr'"),
                     ("main.tf", 13, "through argument 'cidr' of module 'inner'"),
                     ("inner/main.tf", 4, "used by module.inner.aws_security_group.inner.ingress[0].cidr_blocks[0]")]


def test_a_tfvars_entry_replaces_the_default_in_the_chain(module):
    (module / "terraform.tfvars").write_text('ssh_cidr = "0.0.0.0/0"\n')
    (module / "variables.tf").write_text(VARIABLES.replace("0.0.0.0/0", "10.0.0.0/8"))
    (main,) = [f for f in findings(".", cwd=module) if f["file"] == "main.tf"]
    assert related(main) == [("terraform.tfvars", 1, "from terraform.tfvars")]


@pytest.mark.parametrize("named, reported", [
    (["variables.tf"], {"main.tf", "locals.tf"}),  # the default is where both values came from
    (["locals.tf"], {"locals.tf"}),
    (["inner/main.tf"], set()),  # linted on its own, the module's input has no value
    (["main.tf"], {"main.tf", "locals.tf"}),  # the module call passes the local's value
])
def test_files_named_one_by_one_report_findings_whose_chain_touches_them(module, named, reported):
    assert {f["file"] for f in findings(*named, cwd=module)} == reported


def test_a_named_tfvars_file_lints_its_module(module):
    (module / "variables.tf").write_text(VARIABLES.replace("0.0.0.0/0", "10.0.0.0/8"))
    (module / "prod.auto.tfvars").write_text('ssh_cidr = "0.0.0.0/0"\n')
    reported = findings("prod.auto.tfvars", cwd=module)
    assert {f["file"] for f in reported} == {"main.tf", "locals.tf"}
    assert all(("prod.auto.tfvars", 1, "from prod.auto.tfvars") in related(f) for f in reported)
    assert findings("variables.tf", cwd=module) == []  # the tfvars value, not the default, is used


def test_cloudformation_parameter_default_is_a_related_location_in_sarif():
    log = json.loads(run_cli("scan", "examples/cloudformation/insecure-stack.yaml", "-f", "sarif", cwd=REPO).stdout)
    results = [r for r in log["runs"][0]["results"] if "(from the Default of parameter" in r["message"]["text"]]
    assert len(results) >= 2
    for result in results:
        places = [p for p in result["relatedLocations"] if p["message"]["text"].startswith("From the Default of parameter")]
        assert len(places) == 1 and places[0]["id"] >= 1
        where = places[0]["physicalLocation"]
        assert where["artifactLocation"]["uri"] == "examples/cloudformation/insecure-stack.yaml"
        assert where["region"]["startLine"] < result["locations"][0]["physicalLocation"]["region"]["startLine"]
    ids = [[p["id"] for p in r.get("relatedLocations", [])] for r in log["runs"][0]["results"]]
    assert all(i == list(range(1, len(i) + 1)) for i in ids)  # causes and superseded findings share one numbering
