"""The HCL loader's locations and the Terraform evaluator's values, below the CLI."""
from __future__ import annotations

import textwrap

import pytest

from policylint.discover import Candidate
from policylint.load.errors import LoadError
from policylint.load.hcl import parse_hcl
from policylint.load.located import Unknown, plain
from policylint.normalise.terraform import build_module
from policylint.scan import ScanOptions

SOURCE = textwrap.dedent('''\
    resource "aws_s3_bucket" "b" {
      bucket = "name"
      tags = {
        Team = "core"
      }
      list = [
        "a",
        "b",
      ]
      nested {
        key = 1
      }
    }
    ''')


def test_blocks_attributes_object_elements_and_list_items_are_located():
    body = parse_hcl(SOURCE, "main.tf")
    block = body.blocks[0]
    assert (block.type, block.labels, block.span[:2]) == ("resource", ["aws_s3_bucket", "b"], (1, 1))
    attrs = block.body.attrs
    assert attrs.key_span_of("bucket")[:2] == (2, 3) and attrs.span_of("bucket")[:2] == (2, 12)
    tags = attrs["tags"]
    key, value = tags.args[0]
    assert key.args == ("Team",) and key.span[:2] == (4, 5) and value.span[:2] == (4, 12)
    assert [item.span[:2] for item in attrs["list"].args] == [(7, 5), (8, 5)]
    nested = block.body.blocks[0]
    assert nested.type == "nested" and nested.span[:2] == (10, 3) and nested.body.attrs.span_of("key")[:2] == (11, 11)
    assert attrs.span_of("bucket").file == "main.tf"


def test_a_syntax_error_has_a_position():
    with pytest.raises(LoadError) as error:
        parse_hcl('resource "x" "y" {\n  a = [1,\n}\n', "bad.tf")
    assert error.value.span.line >= 2 and "syntax error" in error.value.message


def module(tmp_path, text: str, **options):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text))
    candidate = Candidate(str(tmp_path / "main.tf"), "main.tf", "terraform")
    resources, problems, _ = build_module([candidate], ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), **options))
    return {r.name: r for r in resources if r.kind is None}, problems


def test_functions_and_expressions_evaluate(tmp_path):
    resources, problems = module(tmp_path, '''
        variable "env" { default = "prod" }
        variable "unset" {}
        locals {
          names = ["a", "b"]
          tags  = { Team = "core" }
        }
        resource "null_resource" "r" {
          formatted   = format("%s-%03d-%q", var.env, 7, "x")
          merged      = merge(local.tags, { Env = var.env })
          looked_up   = lookup(local.tags, "Missing", "fallback")
          joined      = join(",", concat(local.names, ["c"]))
          as_set      = toset(["x", "x", "y"])
          decoded     = jsondecode("{\\"a\\": [1, 2]}")
          conditional = var.env == "prod" ? "yes" : "no"
          unknown     = var.unset
          either      = var.unset ? "a" : "b"
          forexpr     = [for n in local.names : upper(n) if n != "b"]
          spread      = { for k, v in local.tags : lower(k) => v }
          tried       = try(local.tags.Missing, "default")
          kept        = try(var.unset, "default")
        }
        ''')
    assert not problems
    props = plain(resources["null_resource.r"].props)
    assert props["formatted"] == 'prod-007-"x"'
    assert props["merged"] == {"Team": "core", "Env": "prod"}
    assert props["looked_up"] == "fallback"
    assert props["joined"] == "a,b,c"
    assert props["as_set"] == ["x", "y"]
    assert props["decoded"] == {"a": [1, 2]}
    assert props["conditional"] == "yes"
    assert props["unknown"] == "<unknown: var.unset>"
    assert props["either"].startswith("<unknown:")
    assert props["forexpr"] == ["A"]
    assert props["spread"] == {"team": "core"}
    assert props["tried"] == "default"  # an error falls back; an unknown value stays unknown
    assert props["kept"] == "<unknown: var.unset>"


def test_cli_variables_take_precedence_and_keep_their_type(tmp_path):
    resources, _ = module(tmp_path, '''
        variable "list" { default = [] }
        variable "text" { default = "a" }
        resource "null_resource" "r" {
          list = var.list
          text = var.text
        }
        ''', variables={"list": '["10.0.0.0/8"]', "text": "0.0.0.0/0"})
    props = resources["null_resource.r"].props
    assert plain(props) == {"list": ["10.0.0.0/8"], "text": "0.0.0.0/0"}
    assert "--var" in props.span_of("text").note


def test_file_outside_the_scanned_tree_is_not_read(tmp_path):
    (tmp_path / "inside.json").write_text('{"Statement": []}')
    resources, _ = module(tmp_path, '''
        resource "null_resource" "r" {
          inside  = file("inside.json")
          outside = file("/etc/passwd")
          escape  = file("../../../../../../etc/passwd")
        }
        ''')
    props = resources["null_resource.r"].props
    assert props["inside"] == '{"Statement": []}'
    assert isinstance(props["outside"], Unknown) and isinstance(props["escape"], Unknown)
