"""User rule files are data: a malformed one is a one-line load error naming file and line, its
regular expressions cannot hang the scan, and nothing in a rule or a scanned file runs as code."""
from __future__ import annotations

import json
import textwrap

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, scan, scan_report

HEADER = textwrap.dedent("""\
    id: PL9901
    name: HostileRule
    severity: low
    title: A user rule
    description: Written by a user.
    remediation: None.
    references: []
    tags: [test]
    """)
BODY = textwrap.dedent("""\
    resource: {types: ["AWS::S3::Bucket"]}
    unknown: ignore
    message: "name {value}"
    forbid:
      path: BucketName
      matches: "Bad.*"
    """)


def _rule(tmp_path, text: str | bytes):
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    target = rules / "rule.yaml"
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE)
    return target


@pytest.mark.parametrize("text, line, words", [
    (HEADER + BODY.replace("forbid:", "forbid: [", 1), 14, "invalid YAML"),
    (HEADER + BODY + "surprise: 1\n", 15, "unknown key 'surprise'"),
    (HEADER + BODY.replace('matches: "Bad.*"', 'matches: "Bad[.*"'), 14, "invalid regular expression"),
    (HEADER + BODY.replace('matches: "Bad.*"', 'matches: "' + "a" * 1001 + '"'), 14, "at most 1000 characters"),
    (HEADER + BODY.replace('matches: "Bad.*"', "eval: 1"), 14, "unknown operator 'eval'"),
    (HEADER + BODY.replace('path: BucketName', 'path: "__class__.__init__[0"'), 13, "path"),
    (HEADER + BODY.replace('"Bad.*"', "!!python/object/apply:os.system ['touch pwned']"), 14, "unsupported YAML tag"),
    (HEADER.replace("severity: low", "severity: !Ref Severity") + BODY, 3, "severity"),
    (HEADER + BODY + "forbid: {path: a, exists: true}\n", 15, "duplicate key 'forbid'"),
    (HEADER + "resource: " + "[" * 5000 + "]" * 5000 + "\n", 9, "nesting deeper"),
])
def test_malformed_rule_is_one_line_naming_file_and_line(tmp_path, text, line, words):
    rule = _rule(tmp_path, text)
    result = scan("t.yaml", "--rules", "rules", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"policylint: error: invalid rule: {rule.relative_to(tmp_path).as_posix()}:{line}: "), message
    assert words in message
    assert not (tmp_path / "pwned").exists()


def test_rule_file_that_is_not_utf8_is_a_load_error(tmp_path):
    _rule(tmp_path, (HEADER + BODY).encode("utf-8").replace(b"A user rule", b"A user \xff rule"))
    result = scan("t.yaml", "--rules", "rules", cwd=tmp_path)
    assert result.returncode == 2
    (message,) = result.stderr.splitlines()
    assert "rules/rule.yaml" in message


def test_a_catastrophic_rule_regex_stops_the_scan_with_an_error_instead_of_hanging(tmp_path):
    # Neither (a+)+ nor (a|b)* shaped, so the load-time check lets it through; matching backtracks
    # exponentially, and the bounded engine gives up within its time bound.
    _rule(tmp_path, HEADER + BODY.replace('matches: "Bad.*"', 'matches: "((x)+)+y"'))
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", "x" * 5000))
    result = scan("t.yaml", "--rules", "rules", cwd=tmp_path)  # a hang would hit run_cli's timeout
    assert result.returncode == 2
    (message,) = result.stderr.splitlines()
    assert "'((x)+)+y'" in message and "rewrite it" in message


def test_rule_regexes_still_match_normally(tmp_path):
    _rule(tmp_path, HEADER + BODY.replace('matches: "Bad.*"', 'matches: "(?i)(?!good)b[a-z]+_(\\\\w)+"'))
    report = scan_report("t.yaml", "--rules", "rules", "--select", "PL9901", cwd=tmp_path)
    assert [(f["line"], f["message"]) for f in findings(report, "PL9901")] == [(6, "name Bad_Name")]


@pytest.mark.parametrize("name", [
    "{value.__class__.__mro__}", "{__import__('os').system('touch pwned')}", "${{7*7}}", "%(value)s {0}",
])
def test_message_templates_and_scanned_values_are_never_evaluated(tmp_path, name):
    message = json.dumps("name {value} " + name)
    _rule(tmp_path, HEADER + BODY.replace('message: "name {value}"', f"message: {message}")
          .replace('matches: "Bad.*"', 'matches: ".*"'))
    (tmp_path / "t.yaml").write_text(BUCKET_TEMPLATE.replace("Bad_Name", json.dumps(name)))
    report = scan_report("t.yaml", "--rules", "rules", "--select", "PL9901", cwd=tmp_path)
    (finding,) = findings(report, "PL9901")
    assert finding["message"] == f"name {name} {name}"
    assert not (tmp_path / "pwned").exists()
