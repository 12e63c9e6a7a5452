"""policylint's Terraform parser against python-hcl2's grammar, and on what only it accepts.

The reference (``hcl_oracle``) is python-hcl2 8.1's Lark parser turned into the same tree. The two
must agree node for node — kinds, values, spans and source text — on every Terraform file of the
repository and on the constructs below, except where policylint is deliberately different:
``-1`` is the unary minus of ``1`` (the reference reads ``-1`` so but ``-1.5`` as one literal),
and an empty block body is located at its braces (the reference puts it at line 1).
"""
from __future__ import annotations

import textwrap

import pytest

from conftest import REPO
from policylint.load.errors import LoadError
from policylint.load.hcl import Block, Body, Expr, Interpolation, parse_hcl
from policylint.load.limits import MAX_DEPTH

reference = pytest.importorskip("hcl_oracle").reference_parse
pytest.importorskip("hcl2", reason="python-hcl2 is the reference parser (a test dependency)")


def tree(node, empty_bodies: bool = True):
    """A comparable form of a parse tree."""
    if isinstance(node, Expr):
        if node.op == "unary" and node.args[0] == "-" and node.args[1].op == "lit" \
                and type(node.args[1].args[0]) in (int, float):
            return ("lit", (-node.args[1].args[0],), tuple(node.span[:4]), node.text)
        return (node.op, tree(node.args, empty_bodies), tuple(node.span[:4]), node.text)
    if isinstance(node, Body):
        attrs = node.attrs
        located = tuple((k, tree(v, empty_bodies), attrs.span_of(k)[:4], attrs.key_span_of(k)[:4])
                        for k, v in attrs.items())
        span = tuple(node.span[:4]) if (attrs or node.blocks or not empty_bodies) else "empty"
        return ("body", located, tuple(tree(b, empty_bodies) for b in node.blocks), span,
                [(k, a[:4], b[:4]) for k, a, b in attrs.duplicates])
    if isinstance(node, Block):
        return ("block", node.type, tuple(node.labels), tree(node.body, empty_bodies), tuple(node.span[:4]))
    if isinstance(node, Interpolation):
        return ("interpolation", tree(node.expr, empty_bodies), node.text, node.in_json_string, tuple(node.span[:4]))
    if isinstance(node, (tuple, list)):
        return tuple(tree(item, empty_bodies) for item in node)
    return node


def assert_same_as_reference(text: str, name: str = "main.tf") -> Body:
    ours = parse_hcl(text, name)
    assert tree(ours) == tree(reference(text, name))
    return ours


TERRAFORM_FILES = sorted(p for pattern in ("*.tf", "*.tfvars") for folder in ("fixtures", "examples")
                         for p in (REPO / folder).rglob(pattern))


@pytest.mark.parametrize("path", TERRAFORM_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_terraform_file_of_the_repository_parses_as_the_reference_does(path):
    text = path.read_text(encoding="utf-8")
    try:
        expected = tree(reference(text, path.name))
    except LoadError:
        with pytest.raises(LoadError):
            parse_hcl(text, path.name)
        return
    assert tree(parse_hcl(text, path.name)) == expected


def test_there_are_terraform_files_to_compare():
    assert len(TERRAFORM_FILES) > 50


CONSTRUCTS = {
    "splats and indexes": '''
        a = aws_instance.web[*].id
        b = var.list.*.name[0]
        c = var.map["key"].x[count.index].y.0
        d = local.x[*][0].z
    ''',
    "functions": '''
        a = jsonencode({ Statement = [for s in var.statements : merge(s, { Effect = "Allow" })] })
        b = provider::aws::arn_parse("arn:aws:iam::123456789012:role/x")
        c = concat(var.a, var.b...)
        d = coalesce(
          var.x,
          "y",
        )
        e = max()
    ''',
    "operators and precedence": '''
        a = 1 + 2 * 3 - 4 / 5 % 6
        b = !var.x && var.y || var.z == "q" && 1 < 2 != false
        c = var.a ? "x" : var.b ? "y" : "z"
        d = (1 + 2) * -3
        e = -var.n
        f = var.long_condition
          && var.other
          || var.third
        g = var.flag
          ? "yes"
          : "no"
        h = 1.5e3 + -2.25 + 10
    ''',
    "collections and keys": '''
        a = [1, "two", true, null, false,]
        b = { a = 1, "b" = 2, c : 3 }
        c = {
          (var.key) = 1
          "${var.prefix}-x" = 2
          in = 3
          for = 4
          if = 5
          local.k = 6
        }
        d = []
        e = {}
        f = [
          "x",
          [ "y", { z = 1 } ],
        ]
    ''',
    "for expressions": '''
        a = [for s in var.list : upper(s) if s != ""]
        b = { for k, v in var.map : k => v... if v != null }
        c = { for i, x in var.items : x.name => i }
        d = [
          for s in var.list :
          s
        ]
    ''',
    "strings and templates": r'''
        a = "plain \"quoted\" \\ \n \t \u00e9 \U0001F600"
        b = "arn:aws:s3:::${var.bucket}/*"
        c = "${var.a}${var.b}"
        d = "$${literal} %%{literal} $ % 100%"
        e = "x-%{ if var.on }on%{ else }off%{ endif }-y"
        f = "${join(",", [for s in var.l : "${s}-x"])}"
        g = "${ var.spaced }"
        h = ""
    ''',
    "heredocs": '''
        a = <<EOF
        {
          "Version": "2012-10-17",
          "Resource": "arn:aws:s3:::${var.bucket}/*"
        }
        EOF
        b = <<-EOT
          indented ${upper("x")}
            more
          EOT
        c = <<EMPTY
        EMPTY
        d = jsonencode(<<J
        text
        J
        )
    ''',
    "blocks and comments": '''
        # a comment
        // another
        /* a block
           comment */
        resource "aws_s3_bucket" "b" {
          bucket = "x" # trailing
          versioning {
            enabled = true
          }
          lifecycle_rule { enabled = true }
          dynamic "rule" {
            for_each = var.rules
            content {
              id = rule.value.id
            }
          }
        }
        terraform {
          required_providers {
            aws = { source = "hashicorp/aws", version = ">= 5.0" }
          }
        }
        locals {
          x = 1
        }
        in {}
        block label_without_quotes "quoted" {
        }
    ''',
    "duplicates and numbers": '''
        a = 1
        a = 2
        b = 0.5
        c = 3e2
    ''',
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_constructs_parse_as_the_reference_does(name):
    assert_same_as_reference(textwrap.dedent(CONSTRUCTS[name]).lstrip())


def test_crlf_line_endings_and_a_missing_final_newline():
    text = 'resource "a" "b" {\r\n  x = <<EOF\r\n  body\r\n  EOF\r\n  y = "z"\r\n}'
    body = assert_same_as_reference(text)
    assert body.blocks[0].body.attrs.span_of("y")[:2] == (5, 7)


def test_an_empty_block_body_is_located_at_its_braces():
    text = 'resource "aws_s3_bucket" "b" {\n}\nx = 1\n'
    body = parse_hcl(text, "main.tf")
    assert body.blocks[0].body.span[:4] == (1, 30, 2, 2)
    assert tree(body) == tree(reference(text, "main.tf"))


def test_a_newline_before_an_operator_does_not_become_part_of_it():
    body = parse_hcl("a = var.x\n  && var.y\nb = 1\n", "main.tf")
    assert body.attrs["a"].op == "binop" and body.attrs["a"].args[0] == "&&"
    assert body.attrs["b"].args == (1,)


FORMS_ONLY_POLICYLINT_READS = {
    "a newline before any binary operator": ("a = var.x\n\n  # why\n  || var.y\n", "binop"),
    "strip markers in an interpolation": ('a = "${~ var.x ~}"\n', "attr"),
    "a one-line block comment inside an expression": ("a = /* note */ 1\n", "lit"),
    "a newline anywhere inside brackets": ("a = [\n  1\n  ,\n  2\n]\n", "tuple"),
}


@pytest.mark.parametrize("name", sorted(FORMS_ONLY_POLICYLINT_READS))
def test_forms_terraform_takes_and_the_reference_grammar_does_not(name):
    text, op = FORMS_ONLY_POLICYLINT_READS[name]
    value = parse_hcl(text, "main.tf").attrs["a"]
    assert value.op == op or (value.op == "tmpl" and value.args[0][0].op == op)


SYNTAX_ERRORS = [
    ('resource "x" "y" {\n  a = [1,\n}\n', 3, 1, "unexpected '}'"),
    ('resource "x" "y" {\n  a = 1\n', 1, 18, "this block is never closed: no '}' before the end of the file"),
    ("a = \n", 1, 5, "unexpected end of line"),
    ("a = 1 +\n", 1, 8, "unexpected end of file"),
    ('a = "unterminated\n', 1, 5, "unterminated string"),
    ("a = <<EOF\nnever closed\n", 1, 5, "heredoc EOF is never closed"),
    ("a = /* open\n", 1, 5, "unterminated comment"),
    ("a = 1 @ 2\n", 1, 7, "unexpected character '@'"),
    ("a = f(1 2)\n", 1, 9, "unexpected '2'"),
    ("a = { b = 1 c }\n", 1, 15, "unexpected '}'"),
    ("a = [for x in y]\n", 1, 16, "unexpected ']'"),
    ("}\n", 1, 1, "unexpected '}'"),
    ('"quoted" = 1\n', 1, 1, "unexpected '\"'"),
    ("a = x.\n", 1, 7, "unexpected end of line"),
]


@pytest.mark.parametrize("text,line,col,message", SYNTAX_ERRORS)
def test_a_syntax_error_is_located_and_named(text, line, col, message):
    with pytest.raises(LoadError) as error:
        parse_hcl(text, "main.tf")
    assert error.value.message == f"Terraform syntax error: {message}"
    assert error.value.span[:2] == (line, col)
    with pytest.raises(LoadError):  # the reference refuses them too
        reference(text, "main.tf")


def test_nesting_past_the_bound_is_refused_with_its_position():
    deep = "a = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    with pytest.raises(LoadError) as error:
        parse_hcl(deep, "main.tf")
    assert f"nesting deeper than {MAX_DEPTH} levels" in error.value.message
    assert error.value.span[:2] == (1, 5 + MAX_DEPTH)
    inside = "a = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert parse_hcl(inside, "main.tf").attrs["a"].op == "tuple"


def test_long_operator_chains_and_unary_runs_are_refused_not_crashed():
    with pytest.raises(LoadError) as error:
        parse_hcl("a = " + " + ".join(["1"] * 10_000) + "\n", "main.tf")
    assert "operators in one Terraform expression" in error.value.message
    with pytest.raises(LoadError) as error:
        parse_hcl("a = " + "!" * 10_000 + "true\n", "main.tf")
    assert "nested too deeply" in error.value.message
