"""The Terraform parser against HCL's own specification test suite and Terraform's native-syntax
edge cases.

``SPECSUITE`` has one case for each test of the ``specsuite/tests`` folder of hashicorp/hcl (15
tests), written here in our own inputs: the facts each test checks (which values a construct
has, which forms are errors and where) are kept, its files are not copied. A valid case parses
to the same tree as python-hcl2 where python-hcl2 accepts it, and evaluates to the values the
specification gives; an invalid one is a ``PL0001`` located where HCL locates the error.
``EDGES`` are native-syntax forms met in real code: heredoc markers with trailing white space,
``<<-`` indentation, template directives, unicode identifiers, comments everywhere, CRLF.
"""
from __future__ import annotations

import json
import math
import unicodedata

import pytest

from conftest import run_cli, scan_json
from policylint.discover import Candidate
from policylint.load.errors import LoadError
from policylint.load.hcl import parse_hcl
from policylint.load.located import plain
from policylint.normalise.terraform import build_module
from policylint.scan import ScanOptions
from test_hcl_parser import reference, tree

VARIABLES = '''
variable "word" { default = "Word" }
variable "indented_word" { default = "  Word" }
'''


def _values(tmp_path, body: str) -> dict:
    """The attributes of a resource whose body is ``body``, evaluated as Terraform would."""
    (tmp_path / "main.tf").write_text(VARIABLES + 'resource "null_resource" "r" {\n' + body + "\n}\n")
    candidate = Candidate(str(tmp_path / "main.tf"), "main.tf", "terraform")
    resources, problems, _ = build_module([candidate], ScanOptions(paths=[str(tmp_path)], root=str(tmp_path)))
    assert not problems, problems
    (resource,) = [r for r in resources if r.name == "null_resource.r" and r.kind is None]
    return plain(resource.props)


def _same_tree_where_the_reference_parses(text: str) -> None:
    ours = parse_hcl(text, "main.tf")
    try:
        theirs = reference(text, "main.tf")
    except LoadError:
        return  # python-hcl2 refuses a form Terraform takes: nothing to compare
    # python-hcl2 keeps strings as written; HCL (and policylint) in normal form C.
    assert _nfc(tree(ours)) == _nfc(tree(theirs))


def _nfc(node):
    if isinstance(node, str):
        return unicodedata.normalize("NFC", node)
    if isinstance(node, (tuple, list)):
        return tuple(_nfc(item) for item in node)
    return node


# --- the specification suite: valid files and their values ---------------------------------------

HEREDOC = '''\
plain = {
  flat = <<EOT
one
two
EOT
  keeps_indent = <<EOT
   one
     two
  EOT
  interp = <<EOT
  ${var.word}
  EOT
  blank_lines = <<EOT
one

two
EOT
  marker_in_text = <<EOT
  no EOT here
  EOT
}
flush = {
  flat = <<-EOT
one
two
EOT
  common = <<-EOT
      one
      two
    EOT
  deeper = <<-EOT
    one
        two
    three
  EOT
  shallower = <<-EOT
      one
    two
  EOT
  interp = <<-EOT
    ${var.word}
    two
  EOT
  interp_deeper = <<-EOT
    one
       ${var.word}
  EOT
  interp_less = <<-EOT
      one
    ${var.indented_word}
  EOT
  tab = <<-EOT
\tone
   two
  EOT
  em_spaces = <<-EOT
    \u2003one
    two
  EOT
  blank_lines = <<-EOT
    one

    two
  EOT
}
'''
HEREDOC_VALUES = {
    "plain": {
        "flat": "one\ntwo\n", "keeps_indent": "   one\n     two\n", "interp": "  Word\n",
        "blank_lines": "one\n\ntwo\n", "marker_in_text": "  no EOT here\n",
    },
    "flush": {
        "flat": "one\ntwo\n", "common": "one\ntwo\n", "deeper": "one\n    two\nthree\n",
        "shallower": "  one\ntwo\n", "interp": "Word\ntwo\n", "interp_deeper": "one\n   Word\n",
        "interp_less": "  one\n  Word\n", "tab": "one\n  two\n", "em_spaces": "\u2003one\ntwo\n",
        "blank_lines": "one\n\ntwo\n",
    },
}

OPERATORS = '''\
eq = ["x" == "x", "x" == "y", "2" == 2, "false" == false]
ne = ["x" != "x", "x" != "y", "2" != 2, "false" != false]
lt = [3 < 4, 4 < 3, 3 < 3]
le = [3 <= 4, 4 <= 3, 3 <= 3]
gt = [3 > 4, 4 > 3, 3 > 3]
ge = [3 >= 4, 4 >= 3, 3 >= 3]
sum = 1.25 + 2
difference = [4.5 - 1, 1 - 4.5]
product = 3 * 1.5
quotient = 3 / 4
remainder = [17 % 5, 7 % 2.5]
and = [true && true, true && false, false && true, false && false]
or = [true || true, true || false, false || true, false || false]
not = [!true, !false]
choice = [true ? "yes" : "no", false ? "yes" : "no"]
'''
OPERATOR_VALUES = {
    "eq": [True, False, False, False], "ne": [False, True, True, True],
    "lt": [True, False, False], "le": [True, False, True], "gt": [False, True, False], "ge": [False, True, True],
    "sum": 3.25, "difference": [3.5, -3.5], "product": 4.5, "quotient": 0.75, "remainder": [2, 2.0],
    "and": [True, False, False, False], "or": [True, True, True, False], "not": [False, True],
    "choice": ["yes", "no"],
}

PRIMITIVES = '''\
# numbers
integer = 42
fraction = 0.5
long_fraction = 2.71828182845904523536028747135266249775724709369995
# strings
ascii = "text"
cyrillic = "Щука"
emoji = "\U0001F9D1\u200D\U0001F680"
not_normalised = "an\u0303o"
escaped_combining = "n\\u0303"
# keywords as names
true = true
false = false
null = null
'''
PRIMITIVE_VALUES = {
    "integer": 42, "fraction": 0.5, "ascii": "text", "cyrillic": "Щука", "emoji": "\U0001F9D1\u200D\U0001F680",
    # HCL keeps strings in normal form C: "n" and a combining tilde are one precomposed "ñ"
    "not_normalised": "a\u00f1o", "escaped_combining": "\u00f1",
    "true": True, "false": False, "null": None,
}

SPECSUITE_VALID = {
    "comments/hash_comment": ("# nothing but a comment\n", {}),
    "comments/multiline_comment": ("/*\n  several\n  lines\n*/\n", {}),
    "comments/slash_comment": ("// nothing but a comment\n", {}),
    "empty": ("", {}),
    "expressions/heredoc": (HEREDOC, HEREDOC_VALUES),
    "expressions/operators": (OPERATORS, OPERATOR_VALUES),
    "expressions/primitive_literals": (PRIMITIVES, PRIMITIVE_VALUES),
    "structure/attributes/expected": ('x = "first"\ny = "second"\nz = "third"\n',
                                      {"x": "first", "y": "second", "z": "third"}),
    # The suite's test expects a diagnostic from its schema (an argument the schema does not
    # name); the syntax is valid, and policylint has no schema: it parses.
    "structure/attributes/unexpected": ('x = "1"\ny = "2"\nextra = "3"\n', {"x": "1", "y": "2", "extra": "3"}),
    "structure/blocks/single_empty_oneline": ("inner {}\n", {}),
    "structure/blocks/single_expected": ("inner {\n\n}\n", {}),
    "structure/blocks/single_oneline": ('inner { k = "v" }\n', {}),
}

# (text, line, column) of the first error HCL reports.
SPECSUITE_INVALID = {
    "structure/attributes/singleline_bad": [('x = "one", y = "two"\n', 1, 10)],
    "structure/blocks/single_oneline_invalid": [
        ('inner { k = "v", l = "w" }\n', 1, 16),
        ('inner { k = "v"\n}\n', 1, 16),
        ('inner { k = "v"\n  l = "w" }\n', 1, 16),
        ('top = 1\ninner { k = "v"\n  l = "w"\n}\n', 2, 16),
        ("inner { deeper {} }\n", 1, 9),
    ],
    "structure/blocks/single_unclosed": [("inner {\n", 1, 7), ('x = 1\nouter "a" {\n  y = 2\n', 2, 11)],
}

SPECSUITE_TESTS = sorted(SPECSUITE_VALID) + sorted(SPECSUITE_INVALID)


def test_every_test_of_the_specification_suite_has_a_case_here():
    assert len(SPECSUITE_TESTS) == len(set(SPECSUITE_TESTS)) == 15


@pytest.mark.parametrize("name", sorted(SPECSUITE_VALID))
def test_specification_suite_valid_files_parse_and_evaluate(tmp_path, name):
    text, expected = SPECSUITE_VALID[name]
    _same_tree_where_the_reference_parses(text)
    body = parse_hcl(text, "main.tf")
    if not expected:
        return
    assert not body.blocks
    values = _values(tmp_path, text)
    if name == "expressions/primitive_literals":
        assert math.isclose(values.pop("long_fraction"), 2.718281828459045)
    assert values == expected


@pytest.mark.parametrize("name", sorted(SPECSUITE_INVALID))
def test_specification_suite_invalid_files_are_located_errors(name):
    for text, line, col in SPECSUITE_INVALID[name]:
        with pytest.raises(LoadError) as error:
            parse_hcl(text, "main.tf")
        assert error.value.message.startswith("Terraform syntax error: ")
        assert error.value.span[:2] == (line, col), (text, error.value.message)


def test_invalid_files_are_pl0001_through_the_cli_and_the_scan_goes_on(tmp_path):
    cases = [case for name in sorted(SPECSUITE_INVALID) for case in SPECSUITE_INVALID[name]]
    cases += [EDGES_INVALID[name] for name in sorted(EDGES_INVALID)]
    for n, (text, _, _) in enumerate(cases):
        (tmp_path / f"m{n}").mkdir()
        (tmp_path / f"m{n}" / "main.tf").write_text(text)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "Bad_Name"\n}\n')
    report = scan_json(".", "--select", "PL0001,PL2002", cwd=tmp_path)
    errors = sorted((f["file"], f["line"], f["column"]) for f in report["findings"] if f["rule"] == "PL0001")
    assert errors == sorted((f"m{n}/main.tf", line, col) for n, (_, line, col) in enumerate(cases))
    assert [f["file"] for f in report["findings"] if f["rule"] == "PL2002"] == ["ok/main.tf"]


# --- native-syntax edge cases ---------------------------------------------------------------------

EDGES = {
    "heredoc marker followed by spaces": ("p = <<EOF\n{}\nEOF   \nq = 1\n", {"p": "{}\n", "q": 1}),
    "heredoc marker followed by a tab": ("p = <<EOF\nx\nEOF\t\nq = 1\n", {"p": "x\n", "q": 1}),
    "indented heredoc marker followed by spaces": ("p = <<-EOF\n    x\n  EOF  \n", {"p": "x\n"}),
    "text that starts with the marker does not close it": ("p = <<EOF\nEOFS\nEOF\n", {"p": "EOFS\n"}),
    "heredoc with CRLF and trailing spaces": ("p = <<-EOF\r\n  x\r\n  EOF \r\nq = 1\r\n", {"p": "x\r\n", "q": 1}),
    "template directives in a string": ('p = "%{ if true }on%{ else }off%{ endif }"\n', None),
    "template directives in a heredoc": ("p = <<EOT\n%{ for w in [\"a\"] }${w}%{ endfor }\nEOT\n", None),
    "escaped directive and interpolation": ('p = "%%{ x } $${ y }"\n', {"p": "%{ x } ${ y }"}),
    "unicode identifiers": ('résumé = "x"\nnamé-2 = "y"\n名前 = 1\n', {"résumé": "x", "namé-2": "y", "名前": 1}),
    "comments in every position": (
        "# top\np = [ # open\n  1, // one\n  /* two */ 2\n  # before close\n]\n"
        "q = /* inline */ 3 # after\nr = { # open\n  k = 1 // end\n}\n// last, with no newline",
        {"p": [1, 2], "q": 3, "r": {"k": 1}},
    ),
    "comments between a block's type, labels and brace": ('inner /* a */ "x" /* b */ {\n  k = 1 # c\n}\n', {}),
    "CRLF everywhere": ('p = "x"\r\n# c\r\nq = [\r\n  1,\r\n]\r\n', {"p": "x", "q": [1]}),
    "strings in normal form C: quoted, templates, heredocs, object keys": (
        'p = "an\u0303o"\nq = "${var.word}-n\u0303"\nr = <<EOT\nan\u0303o\nEOT\n'
        's = { "an\u0303o" = 1, "n\u0303" = 2 }\n',
        {"p": "a\u00f1o", "q": "Word-\u00f1", "r": "a\u00f1o\n", "s": {"a\u00f1o": 1, "\u00f1": 2}},
    ),
    "a block comment over lines between a block's labels and brace": ('inner "x" /* a\n b */ {\n}\n', {}),
    "names with combining marks (Unicode ID_Continue)": (
        'man\u0303ana = "x"\nq = local.man\u0303ana\nlocals {\n  e\u0301t\u0301 = 1\n}\n',
        {"man\u0303ana": "x", "q": "<unknown: local.man\u0303ana>", "locals": [{"e\u0301t\u0301": 1}]},
    ),
}

# (text, line, column) of the error HCL reports: its parser refuses a block whose "{" is not on
# the line of the block's type and labels ("Invalid block definition"), where python-hcl2 takes it.
EDGES_INVALID = {
    "a block's brace on the next line": ("locals\n{\n  x = 1\n}\n", 1, 7),
    "a labelled block's brace on the next line": ('resource "aws_s3_bucket" "b"\n{\n}\n', 1, 29),
    "a comment between the labels and a brace on the next line": ('inner "x" # c\n{\n}\n', 1, 11),
    "a label on the next line": ('resource "aws_s3_bucket"\n"b" {\n}\n', 1, 25),
    "a nested block's brace on the next line": ("outer {\n  inner\n  {\n  }\n}\n", 2, 8),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_native_syntax_edge_cases(tmp_path, name):
    text, expected = EDGES[name]
    _same_tree_where_the_reference_parses(text)
    if expected:
        values = _values(tmp_path, text)
        assert values == expected


@pytest.mark.parametrize("name", sorted(EDGES_INVALID))
def test_native_syntax_edge_cases_terraform_refuses_are_located_errors(name):
    text, line, col = EDGES_INVALID[name]
    with pytest.raises(LoadError) as error:
        parse_hcl(text, "main.tf")
    assert error.value.message.startswith("Terraform syntax error: ")
    assert error.value.span[:2] == (line, col), error.value.message


def test_a_block_label_keeps_its_code_points():
    """HCL normalises string values, not names: a label is used as written."""
    body = parse_hcl('resource "aws_s3_bucket" "an\u0303o" {\n}\n', "main.tf")
    assert body.blocks[0].labels == ["aws_s3_bucket", "an\u0303o"]


def test_tf_json_strings_are_in_normal_form_c(tmp_path):
    document = {"resource": {"null_resource": {"r": {"p": "an\u0303o", "q": "${var.word}n\u0303",
                                                   "s": {"n\u0303": 1}}}},
                "variable": {"word": {"default": "Word"}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(document))
    candidate = Candidate(str(tmp_path / "main.tf.json"), "main.tf.json", "terraform")
    resources, problems, _ = build_module([candidate], ScanOptions(paths=[str(tmp_path)], root=str(tmp_path)))
    assert not problems, problems
    (resource,) = [r for r in resources if r.name == "null_resource.r" and r.kind is None]
    assert plain(resource.props) == {"p": "a\u00f1o", "q": "Word\u00f1", "s": {"\u00f1": 1}}


def test_a_heredoc_whose_closing_marker_has_trailing_spaces_is_linted(tmp_path):
    policy = (
        'resource "aws_iam_policy" "p" {\n'
        "  policy = <<EOF\n"
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'
        "EOF   \n"
        "}\n"
    )
    (tmp_path / "main.tf").write_text(policy)
    result = run_cli("scan", ".", "-f", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = scan_json(".", cwd=tmp_path)
    rules = {f["rule"] for f in report["findings"]}
    assert "PL0001" not in rules and rules, rules
    assert all(f["line"] == 3 for f in report["findings"])
