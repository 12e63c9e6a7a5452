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


@pytest.mark.parametrize("pattern, bounded", [
    ("(?s).*(?<![A-Z0-9])(AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9]).*", True),
    ("(?i).*(arns?|names?|kms.?key.*)$", True),
    ("(?s)(?!\\{\\{resolve:)(?!\\s*$).+", True),
    ("[A-Za-z0-9/+]{40}", True),
    ("((x)+)+y", False),  # nested: exponential
    ("(a|b)*c*", True),
    ("(?:ab+){2,}", False),  # an unbounded repetition inside a repeated group
    (".*a.*b.*c", False),  # three on one path: n³
    ("(?s).*x(?=.*y).*", False),  # a lookahead's repetition counts
    ("(?i).*(a+|b).*", False),
    ("(?<name>a", False),  # unreadable
])
def test_bounded_by_construction_admits_at_most_two_unnested_unbounded_repetitions(pattern, bounded):
    from policylint.evaluate.rule_regex import bounded_by_construction

    assert bounded_by_construction(pattern) is bounded


def test_only_built_in_rules_reviewed_patterns_run_without_the_regex_time_bound(tmp_path):
    """A built-in rule's pattern bounded by construction, written in it or the shipped default of
    its option, runs without the time bound; an option the user sets to another pattern, and every
    pattern of a user's rule, keep it."""
    from policylint.evaluate.conditions import _matches, _matches_bounded, leaves
    from policylint.evaluate.rule_regex import bounded_by_construction
    from policylint.evaluate.rules import builtin_rules_dir, load_rules

    def checks(rules):
        return {(r.id, leaf.arg.pattern, leaf.check) for r in rules for c in r.conditions() for leaf in leaves(c)
                if leaf.operator == "matches"}

    builtin = checks(load_rules([builtin_rules_dir()]))
    assert any(check is _matches_bounded for _, _, check in builtin)
    assert any(_from_option(rule_id, pattern) and check is _matches_bounded for rule_id, pattern, check in builtin)
    for rule_id, pattern, check in builtin:
        assert (check is _matches_bounded) == bounded_by_construction(pattern), (rule_id, pattern)
    user_set = checks(load_rules([builtin_rules_dir()], {"PL5003": {"secret_names": "(?i).*(pass|word).*"}}))
    assert ("PL5003", "(?i).*(pass|word).*", _matches) in user_set
    _rule(tmp_path, HEADER + BODY.replace('matches: "Bad.*"', 'matches: ".*Bad.*"'))
    user = checks(load_rules([tmp_path / "rules"]))
    assert user and all(check is _matches for _, _, check in user)


def _from_option(rule_id: str, pattern: str) -> bool:
    from policylint.evaluate.rules import builtin_rules_dir, load_rules

    rule = next(r for r in load_rules([builtin_rules_dir()]) if r.id == rule_id)
    return any(pattern == str(value) for value in rule.options.values())
