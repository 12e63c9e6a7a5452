"""A pull request from a stranger cannot make policylint read, or print, what lies outside the tree
it scans: module sources, ``modules.json`` Dirs, variables files, ``file()`` and symbolic links are
resolved and confined to the scan root; what is refused is a located PL0002 finding."""
from __future__ import annotations

import json
import os
import textwrap

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, scan, scan_report

SECRET = "ghs_Secret0123456789TokenXYZ"
SSH_OPEN = textwrap.dedent("""\
    resource "aws_security_group_rule" "{name}" {{
      type        = "ingress"
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }}
    """)


def _tree(tmp_path):
    """``repo/app`` (scanned from ``repo``) and ``outside/`` beside the repository, holding a
    module with an open SSH rule and a secret."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "app").mkdir(parents=True)
    (outside / "mod").mkdir(parents=True)
    (outside / "mod" / "main.tf").write_text(SSH_OPEN.format(name="outside"))
    (outside / "token.txt").write_text(SECRET + "\n")
    (outside / "creds.json").write_text(json.dumps({"bucket_name": SECRET}))
    return repo, outside


def _everything(repo, *args):
    """Text, JSON and SARIF output of one scan, as one string."""
    return "".join(scan(".", "--no-config", "-f", fmt, *args, cwd=repo).stdout for fmt in ("text", "json", "sarif"))


def _located(report, rule="PL0002"):
    return [(f["file"], f["line"], f["message"]) for f in findings(report, rule)]


def test_a_module_source_leaving_the_tree_is_not_followed(tmp_path):
    repo, _ = _tree(tmp_path)
    (repo / "app" / "main.tf").write_text('module "out" {\n  source = "../../outside/mod"\n}\n')
    report = scan_report(".", "--no-config", cwd=repo)
    assert not findings(report, "PL3003")
    ((file, line, message),) = _located(report)
    assert (file, line) == ("app/main.tf", 2)
    assert "module 'out'" in message and "outside the scanned tree" in message


def test_a_symlinked_module_folder_pointing_out_is_not_followed(tmp_path):
    repo, outside = _tree(tmp_path)
    (repo / "modules").mkdir()
    (repo / "modules" / "net").symlink_to(outside / "mod")
    (repo / "app" / "main.tf").write_text('module "net" {\n  source = "../modules/net"\n}\n')
    report = scan_report(".", "--no-config", cwd=repo)
    assert not findings(report, "PL3003")
    ((file, line, message),) = _located(report)
    assert (file, line) == ("app/main.tf", 2) and "symbolic link leads outside" in message


def test_a_modules_json_dir_leaving_the_tree_is_not_followed(tmp_path):
    repo, _ = _tree(tmp_path)
    (repo / "app" / "main.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n')
    manifest = repo / "app" / ".terraform" / "modules"
    manifest.mkdir(parents=True)
    (manifest / "modules.json").write_text(json.dumps({"Modules": [{"Key": "vpc", "Dir": "../../outside/mod"}]}))
    report = scan_report(".", "--no-config", cwd=repo)
    assert not findings(report, "PL3003")
    ((file, line, message),) = _located(report)
    assert (file, line) == ("app/main.tf", 2) and "modules.json Dir" in message


@pytest.mark.parametrize("name", ["terraform.tfvars.json", "prod.auto.tfvars.json"])
def test_a_symlinked_variables_file_pointing_out_is_not_read(tmp_path, name):
    repo, outside = _tree(tmp_path)
    (repo / "app" / "main.tf").write_text('variable "bucket_name" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.bucket_name\n}\n')
    (repo / "app" / name).symlink_to(outside / "creds.json")
    assert SECRET not in _everything(repo)
    report = scan_report(".", "--no-config", cwd=repo)
    ((file, line, message),) = _located(report)
    assert (file, line) == (f"app/{name}", 1) and "not read" in message


@pytest.mark.parametrize("folder", ["app", "solo"])  # beside a file of the module / the module's only file
def test_a_symlinked_tf_file_pointing_out_is_not_read_and_says_so_where_it_is(tmp_path, folder):
    repo, outside = _tree(tmp_path)
    (repo / "app" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "fine-name"\n}\n')
    (repo / folder).mkdir(exist_ok=True)
    (repo / folder / "extra.tf").symlink_to(outside / "mod" / "main.tf")
    report = scan_report(".", "--no-config", cwd=repo)
    assert not findings(report, "PL3003")
    ((file, line, message),) = _located(report)
    assert (file, line) == (f"{folder}/extra.tf", 1)
    assert "not read" in message and "symbolic link leads outside the scanned tree" in message
    assert not report["skipped"]


def test_a_symlinked_template_pointing_out_is_not_read_and_says_so_where_it_is(tmp_path):
    repo, outside = _tree(tmp_path)
    (outside / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", SECRET))
    (repo / "app" / "t.yaml").symlink_to(outside / "t.yaml")
    assert SECRET not in _everything(repo)
    report = scan_report(".", "--no-config", cwd=repo)
    assert [(f, line) for f, line, _ in _located(report)] == [("app/t.yaml", 1)]
    assert not findings(report, "PL2002")


def test_file_never_reads_hidden_files_or_files_outside(tmp_path):
    repo, _ = _tree(tmp_path)
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n  url = https://x-access-token:{SECRET}@github.com/o/r\n')
    (repo / "app" / "main.tf").write_text(textwrap.dedent("""\
        resource "aws_s3_bucket" "git" {
          bucket = file("../.git/config")
        }
        resource "aws_s3_bucket" "out" {
          bucket = "x-${file("../../outside/token.txt")}"
        }
        """))
    assert SECRET not in _everything(repo)
    report = scan_report(".", "--no-config", cwd=repo)
    located = _located(report)
    assert [(f, line) for f, line, _ in located] == [("app/main.tf", 2), ("app/main.tf", 5)]
    assert "hidden" in located[0][2] and "outside the scanned tree" in located[1][2]


def test_a_value_read_by_file_appears_only_as_a_short_marked_excerpt(tmp_path):
    repo, _ = _tree(tmp_path)
    (repo / "app" / "name.txt").write_text("Bucket_" + SECRET)
    (repo / "app" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = file("name.txt")\n}\n')
    report = scan_report(".", "--no-config", "--select", "PL2002", cwd=repo)
    (finding,) = findings(report, "PL2002")
    assert SECRET not in finding["message"] and "read by file() not shown" in finding["message"]
    assert SECRET not in _everything(repo)


@pytest.mark.parametrize("scanned", [".", "app"])
def test_a_symlinked_tf_file_inside_the_tree_is_linted_like_the_file_it_is(tmp_path, scanned):
    """0.1.0 read a ``locals.tf`` linked into a module folder (a value built from it was checked in
    ``main.tf``) but dropped the findings located in it, and said the link was not followed."""
    repo, _ = _tree(tmp_path)
    (repo / "shared").mkdir()
    (repo / "shared" / "locals.tf").write_text('locals {\n  name = "Shared_Bad_Name"\n}\n')
    (repo / "app" / "locals.tf").symlink_to("../shared/locals.tf")
    (repo / "app" / "main.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = local.name\n}\n'
                                          'resource "aws_s3_bucket" "b" {\n  bucket = "x-${local.name}"\n}\n')
    report = scan_report(scanned, "--no-config", "--select", "PL2002", cwd=repo)
    found = sorted((f["file"], f["line"]) for f in findings(report, "PL2002") if f["file"].startswith("app/"))
    assert found == [("app/locals.tf", 2), ("app/main.tf", 5)]
    assert not report["skipped"]


def test_output_is_never_written_through_a_link_the_tree_holds(tmp_path):
    repo, outside = _tree(tmp_path)
    (repo / "app" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "fine-name"\n}\n')
    (repo / "reports").symlink_to(outside)
    result = scan(".", "--no-config", "-f", "sarif", "-o", "reports/x.sarif", cwd=repo)
    assert result.returncode == 2 and "symbolic link inside the scanned tree" in result.stderr
    assert not (outside / "x.sarif").exists()
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    assert scan(".", "--no-config", "-f", "sarif", "-o", str(elsewhere / "x.sarif"), cwd=repo).returncode in (0, 1)
    assert (elsewhere / "x.sarif").exists()
