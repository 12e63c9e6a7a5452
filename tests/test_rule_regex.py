"""Rule regexes: the required-literal prefilter never turns a match into a miss, and shipped
patterns are analysed in the index, not at every scan."""
from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.evaluate.conditions import leaves
from policylint.evaluate import rule_regex
from policylint.evaluate.rule_regex import RulePattern, RegexSyntaxError, required_literals
from policylint.evaluate.rules import builtin_rules_dir, load_rules


@pytest.mark.parametrize("pattern, literals, ignore_case", [
    ("(?s).*(?<![A-Z0-9])(AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9]).*", {"AKIA", "ASIA"}, False),
    ("(?i).*secret.?(access.?)?key.*", {"secret"}, True),
    ("(?si).*aws_secret_access_key[\\s:=\"']+[A-Za-z0-9/+]{40}.*", {"aws_secret_access_key"}, True),
    ("(?i).*(arns?|ids?)$", {"arn", "id"}, True),
    ("AWS::SSM::Parameter::Value<.*>|AWS::SSM::Parameter::Name", {"AWS::SSM::Parameter::"}, False),
    ("(ab)+c", {"ab"}, False),
    ("(ab)*c", {"c"}, False),
    ("a(?i:B)", {"a"}, True),
])
def test_literals_of_a_pattern(pattern, literals, ignore_case):
    assert required_literals(pattern) == (frozenset(literals), ignore_case)


@pytest.mark.parametrize("pattern", [
    "[A-Za-z0-9/+]{40}",  # no literal at all
    "(?i)(?!string$).+",
    "(ab)?c?",
    "(?:foo){e<=1}",  # the regex engine's fuzzy matching: foo need not appear
    "(?i)\u212a",  # the Kelvin sign folds to k: not a substring test
    "(?i)stra\u00dfe",
    "\\p{L}+x",  # syntax the standard parser does not read
    "a|.*",  # one alternative needs nothing
])
def test_no_prefilter_where_literals_are_not_required(pattern):
    assert required_literals(pattern) is None


def test_a_case_insensitive_pattern_on_text_beyond_ascii_runs_the_engine():
    compiled = RulePattern("(?i).*kb.*")
    assert compiled.analysis[1:] == (frozenset({"kb"}), True)
    assert compiled.fullmatch("xx\u212ab") is not None  # KELVIN SIGN + b
    assert compiled.fullmatch("xxKB") is not None
    assert compiled.fullmatch("xxk b") is None


def _builtin_patterns() -> list[str]:
    out = []
    for rule in load_rules([builtin_rules_dir()]):
        rule.ready()
        for condition in (rule.where, rule.condition):
            for leaf in leaves(condition):
                if leaf.operator == "matches":
                    out.append(leaf.arg.pattern)
    return sorted(set(out))


BUILTIN = _builtin_patterns()
EXTRA = ["(ab)+c", "(?i)x(AB|cd)y", "a(?i:B)c", "(?s).*(?<![A-Z0-9])(AKIA|ASIA)[A-Z2-7]{16}.*", "(?x) a b \\  c",
         "[{]x", "x{2}y", "(?i)(?-i:AB)c", "((a|b)(c|d)){2}e", "(?>ab)c", "(?i)k+\\d"]


def _alphabet() -> str:
    chars = set("abcdeABCDE0123456789 _-:/+=\"'\n\u212a\u017f\u00df\u0130")
    for pattern in BUILTIN + EXTRA:
        chars.update(c for c in pattern if c.isprintable())
    return "".join(sorted(chars))


def _texts():
    pieces = [literal for pattern in BUILTIN + EXTRA for literal in (required_literals(pattern) or ((), 0))[0]]
    words = st.sampled_from(pieces + [p.upper() for p in pieces] + [p.swapcase() for p in pieces]) if pieces else st.just("")
    return st.lists(st.one_of(words, st.text(alphabet=_alphabet(), max_size=8)), max_size=6).map("".join)


@pytest.mark.parametrize("pattern", BUILTIN + EXTRA)
@settings(max_examples=150, deadline=None)
@given(text=_texts())
def test_prefilter_agrees_with_the_engine(pattern, text):
    compiled = regex.compile(pattern, flags=regex.VERSION0)
    assert (RulePattern(pattern).fullmatch(text) is None) == (compiled.fullmatch(text) is None)


def test_the_shipped_secret_patterns_are_prefiltered():
    assert len(BUILTIN) > 10
    assert sum(required_literals(p) is not None for p in BUILTIN) >= 5


def test_a_reviewed_pattern_is_compiled_only_when_a_value_gets_past_its_literals(monkeypatch):
    monkeypatch.setitem(rule_regex.REVIEWED, "(?s).*XYZZY[0-9]+.*", rule_regex.analyse("(?s).*XYZZY[0-9]+.*"))
    pattern = RulePattern("(?s).*XYZZY[0-9]+.*")
    assert pattern.fullmatch("nothing here") is None and pattern._compiled is None
    assert pattern.fullmatch("a XYZZY12 b") is not None and pattern._compiled is not None


def test_a_pattern_not_reviewed_is_checked_when_its_rule_loads():
    with pytest.raises(RegexSyntaxError):
        RulePattern("(unclosed")


def test_the_index_holds_the_analysis_of_every_shipped_pattern():
    from policylint.evaluate import rule_index

    rule_index.read_index(builtin_rules_dir())
    assert set(BUILTIN) <= set(rule_regex.REVIEWED)
    assert all(rule_regex.REVIEWED[p] == rule_regex.analyse(p) for p in BUILTIN)


def test_required_literals_with_the_parser_of_python_3_10_which_has_no_atomic_groups():
    # Python 3.10's sre_parse has no ATOMIC_GROUP: the end of a sequence (op None) must not be
    # taken for one (every secrets rule failed to compile there, an internal error per file).
    try:
        from re import _parser as parser
    except ImportError:  # Python 3.10 itself
        import sre_parse as parser
    class Python310Parser:
        def __getattr__(self, name):
            if name == "ATOMIC_GROUP":
                raise AttributeError(name)
            return getattr(parser, name)

    tree = parser.parse(r"(?s).*(AKIA|ASIA)[A-Z2-7]{16}.*")
    assert rule_regex._sequence(list(tree), Python310Parser()) == {"AKIA", "ASIA"}


@pytest.mark.parametrize("pattern", BUILTIN + EXTRA + ["(?s)(?!\\s*$).+", "[\\S]+x", "a\\\\s"])
@settings(max_examples=150, deadline=None)
@given(text=st.one_of(_texts(), st.text(alphabet="ab \t\n\x1c\x1f\\sS", max_size=6)))
def test_a_bounded_match_by_the_standard_engine_agrees_with_the_regex_engine(pattern, text):
    """``fullmatch_bounded`` (the standard library's engine on ASCII texts) answers as ``regex`` does."""
    compiled = regex.compile(pattern, flags=regex.VERSION0)
    assert RulePattern(pattern).fullmatch_bounded(text) == (compiled.fullmatch(text) is not None)


def test_the_standard_engine_is_kept_from_patterns_it_reads_differently():
    assert RulePattern("(?i).*secret.?(access.?)?key.*")._compile_standard()
    assert RulePattern("a\\\\s")._compile_standard()  # an escaped backslash, then s
    for pattern in ("(?s)(?!\\s*$).+", "[\\S]+", "\u00e9+", "[[a]]"):  # \s differs on \x1c-\x1f; nested set
        assert RulePattern(pattern)._compile_standard() is False


def test_a_small_template_is_scanned_without_the_regex_engine(tmp_path):
    import subprocess
    import sys

    template = tmp_path / "t.yaml"
    template.write_text("Parameters:\n  DbPassword:\n    Type: String\n    Default: hunter2hunter2\n"
                        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n")
    code = ("import sys\nfrom policylint import cli\nsys.argv = ['policylint', 'scan', sys.argv[1], '-f', 'json']\n"
            "try:\n    cli.run()\nexcept SystemExit:\n    pass\nprint('regex' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(template)], capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
    assert "PL5004" in done.stdout  # the secret-parameter rule ran its patterns
