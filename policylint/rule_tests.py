"""``policylint test-rules``: run every rule's fixtures and compare findings with expectations.

Layout (the same for built-in and user rules)::

    <rules dir>/                       # user rules: any folder of rule files
      my-rule.yaml                     # id: PL9100
      fixtures/PL9100/                 # one folder per rule id
        expected.yaml                  # fixture path → lines where the rule must fire
        fail.yaml  pass.yaml  fail.json  pass.json  fail.policy.json  fail.sam.yaml ...
        tf_fail/main.tf  tf_pass/main.tf   # a Terraform module is a folder

Built-in rules keep their fixtures in the repository's ``fixtures/rules/<ID>/``. Each fixture file
is scanned with only its rule selected; the multiset of finding lines must equal the listed one
(``[]`` for a passing file). A rule with no fixtures, no failing or no passing fixture fails too.
"""
from __future__ import annotations

import functools

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .discover import TERRAFORM_SUFFIXES
from .evaluate.rules import FIXTURES_DIR, Rule
from .findings import Finding
from .load.errors import LoadError
from .load.yaml_loader import load_yaml

EXPECTED = "expected.yaml"
CFN_YAML, CFN_JSON, TERRAFORM, POLICY_JSON, DOCUMENT = "CloudFormation YAML", "CloudFormation JSON", "Terraform", "policy JSON", "document"
TF_PLAN = "Terraform plan JSON"  # optional: `terraform show -json` output, named *.tfplan.json
SAM = "SAM"  # a SAM template, named *.sam.yaml (read through the SAM transform)
_IAC = (CFN_YAML, CFN_JSON, TERRAFORM)
# Which source formats produce each normalised kind (see docs/architecture.md).
KIND_FORMATS: dict[str, tuple[str, ...]] = {"iam.policy": _IAC + (POLICY_JSON,), "document": (DOCUMENT,)}


class FixtureError(Exception):
    """A fixture folder that cannot be used (no expected.yaml, bad YAML, bad entries)."""


@dataclass
class Outcome:
    """One fixture file of one rule: what was expected and what was found."""

    rule_id: str
    fixture: str  # relative to the rule's fixture folder
    expected: list[int]
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None  # the file is missing, or the scan could not read it

    @property
    def passed(self) -> bool:
        found = Counter(f.span.line for f in self.findings)
        return self.problem is None and found == Counter(self.expected)

    def diff(self) -> list[str]:
        """Readable lines: each expected line not reported, each reported line not expected."""
        if self.problem:
            return [f"  {self.problem}"]
        missing = Counter(self.expected) - Counter(f.span.line for f in self.findings)
        extra = Counter(f.span.line for f in self.findings) - Counter(self.expected)
        lines = [f"  - line {line}: expected a finding, none reported" for line in sorted(missing.elements())]
        unexplained = list(extra.elements())
        for finding in self.findings:
            if finding.span.line in unexplained:
                unexplained.remove(finding.span.line)
                lines.append(f"  + line {finding.span.line}: unexpected finding: {finding.message}")
        return lines


@dataclass
class RuleReport:
    """Every outcome of one rule, and what is wrong with its fixture set as a whole."""

    rule: Rule
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(o.passed for o in self.outcomes)


def builtin_fixtures_dir() -> Path | None:
    """The repository's ``fixtures/rules`` (built-in rule fixtures are not installed with the
    package): beside the source tree, or in the checkout the command runs from (or above it)."""
    here = Path.cwd().resolve()
    for base in (Path(__file__).resolve().parents[1], here, *here.parents):
        candidate = base / "fixtures" / "rules"
        if candidate.is_dir() and (base / "rules").is_dir():
            return candidate
    return None


def user_fixtures_dir(rules_dir: Path) -> Path:
    """Where the fixtures of the rules in ``rules_dir`` live: ``<rules_dir>/fixtures``."""
    return (rules_dir.parent if rules_dir.is_file() else rules_dir) / FIXTURES_DIR


def load_expected(folder: Path) -> dict[str, list[int]]:
    """``expected.yaml`` of one rule's fixture folder; raises :class:`FixtureError`."""
    path = folder / EXPECTED
    if not path.is_file():
        raise FixtureError(f"{folder}: no {EXPECTED}")
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, LoadError) as exc:
        raise FixtureError(f"{path}: {getattr(exc, 'message', exc)}") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: must map fixture files to lists of line numbers")
    expected: dict[str, list[int]] = {}
    for name, lines in data.items():
        if not isinstance(lines, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
            raise FixtureError(f"{path}: {name}: expected a list of line numbers, e.g. [12, 30] or []")
        expected[str(name)] = list(lines)
    return expected


def unlisted_files(folder: Path, expected: dict[str, list[int]]) -> list[str]:
    """Fixture files in ``folder`` that ``expected.yaml`` does not list (files in sub-folders are
    Terraform module context and may stay unlisted)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != EXPECTED and p.name not in expected)


@functools.lru_cache(maxsize=1)
def _parse_rule() -> list[Rule]:
    """The built-in ``PL0001`` rule, loaded once: fixtures that cannot be read are reported."""
    from .scan import PARSE_ERROR, ScanOptions, load_all_rules, parse_rule_of

    found = parse_rule_of(load_all_rules(ScanOptions(select=[PARSE_ERROR])))
    return [found] if found else []


def run_fixture(rule: Rule, folder: Path, name: str, lines: list[int]) -> Outcome:
    """Scan one fixture file with only ``rule`` (plus PL0001, which reports unreadable files)."""
    from .scan import PARSE_ERROR, ScanOptions, scan

    outcome = Outcome(rule.id, name, lines)
    path = folder / name
    if not path.is_file():
        outcome.problem = f"{name} is listed in {EXPECTED} but does not exist"
        return outcome
    options = ScanOptions(paths=[str(path)], root=str(folder), select=[rule.id])
    parse_rule = [] if rule.id == PARSE_ERROR else _parse_rule()
    result = scan(options, rules=[rule] + parse_rule)
    outcome.findings = [f for f in result.findings if f.rule_id == rule.id]
    broken = [f for f in result.parse_errors if f.rule_id != rule.id]
    if broken:
        outcome.problem = f"{name} cannot be read: line {broken[0].span.line}: {broken[0].message}"
    return outcome


def check_rule(rule: Rule, fixtures: Path) -> RuleReport:
    """Run every fixture of ``rule`` found under ``fixtures/<rule id>/``."""
    report = RuleReport(rule)
    folder = fixtures / rule.id
    if not folder.is_dir():
        report.problems.append(f"no fixtures: create {folder}/{EXPECTED} and example files")
        return report
    try:
        expected = load_expected(folder)
    except FixtureError as exc:
        report.problems.append(str(exc))
        return report
    for name in unlisted_files(folder, expected):
        report.problems.append(f"{name} is not listed in {EXPECTED}")
    if not any(expected.values()):
        report.problems.append("no failing fixture (a file where the rule must fire)")
    if not any(not lines for lines in expected.values()):
        report.problems.append("no passing fixture (a file listed with [])")
    report.outcomes = [run_fixture(rule, folder, name, lines) for name, lines in sorted(expected.items())]
    return report


def fixture_format(rule: Rule, name: str) -> str:
    """The source format of a fixture file, by its name."""
    if rule.files:
        return DOCUMENT
    lower = name.lower()
    if lower.endswith(".policy.json"):
        return POLICY_JSON
    if lower.endswith(".tfplan.json"):
        return TF_PLAN
    if lower.endswith(".sam.yaml"):
        return SAM
    if lower.endswith(TERRAFORM_SUFFIXES):
        return TERRAFORM
    if lower.endswith(".json"):
        return CFN_JSON
    return CFN_YAML


def formats_of(rule: Rule) -> set[str]:
    """The source formats a rule applies to, from its kinds and types: a normalised kind is built
    from every format listed in ``KIND_FORMATS`` (CloudFormation and Terraform for the others);
    ``AWS::…`` types are CloudFormation, ``aws_…`` types Terraform."""
    formats: set[str] = set()
    for kind in rule.kinds:
        formats.update(KIND_FORMATS.get(kind, _IAC))
    for rtype in rule.types:
        formats.update((CFN_YAML, CFN_JSON) if rtype.startswith(("AWS::", "Custom::")) else (TERRAFORM,))
    return formats


def coverage_gaps(rule: Rule, expected: dict[str, list[int]]) -> list[str]:
    """The formats a rule applies to that lack a failing or a passing fixture."""
    gaps = []
    for fmt in sorted(formats_of(rule)):
        listed = [lines for name, lines in expected.items() if fixture_format(rule, name) == fmt]
        if not any(listed):
            gaps.append(f"{fmt}: no failing fixture")
        if not any(not lines for lines in listed):
            gaps.append(f"{fmt}: no passing fixture")
    return gaps


def render(reports: list[RuleReport]) -> str:
    """The text report: one line per rule, a diff under each failure, a summary."""
    out: list[str] = []
    for report in reports:
        files = len(report.outcomes)
        status = "ok  " if report.passed else "FAIL"
        out.append(f"{status} {report.rule.id} {report.rule.name} ({files} fixture file{'s' if files != 1 else ''})")
        for problem in report.problems:
            out.append(f"  {problem}")
        for outcome in report.outcomes:
            if not outcome.passed:
                out.append(f"  {outcome.fixture}: expected {sorted(outcome.expected)}, "
                           f"found {sorted(f.span.line for f in outcome.findings)}")
                out.extend("  " + line for line in outcome.diff())
    failed = sum(1 for r in reports if not r.passed)
    files = sum(len(r.outcomes) for r in reports)
    out.append(f"{len(reports)} rules, {files} fixture files: "
               + ("all passed" if not failed else f"{failed} rule{'s' if failed != 1 else ''} failed"))
    return "\n".join(out) + "\n"


def run(rules: list[Rule], fixtures_of: dict[str, Path]) -> list[RuleReport]:
    """Test each rule against the fixture root given for its id."""
    return [check_rule(rule, fixtures_of[rule.id]) for rule in rules if rule.engine is None or rule.id in fixtures_of]


def plan(rule_dirs: list[Path], select: list[str]) -> tuple[list[Rule], dict[str, Path]]:
    """The rules to test (the built-in ones when ``rule_dirs`` is empty, else those defined in
    ``rule_dirs``) and the fixture root of each; raises :class:`FixtureError`."""
    from .evaluate.rules import builtin_rules_dir, load_rules

    if rule_dirs:
        rules: list[Rule] = []
        roots: dict[str, Path] = {}
        for directory in rule_dirs:
            for rule in load_rules([directory]):
                rules.append(rule)
                roots[rule.id] = user_fixtures_dir(directory)
        load_rules([builtin_rules_dir()] + rule_dirs)  # ids must not clash with built-in ones
    else:
        root = builtin_fixtures_dir()
        if root is None:
            raise FixtureError("the built-in rules' fixtures are in the source repository (fixtures/rules); "
                               "run test-rules from a checkout, or name your own rule directories")
        rules = load_rules([builtin_rules_dir()])
        roots = {rule.id: root for rule in rules}
    if select:
        rules = [r for r in rules if r.id in select or r.name in select]
    return sorted(rules, key=lambda r: r.id), roots


def as_json(reports: list[RuleReport]) -> list[dict[str, Any]]:
    """The reports as plain data (``--format json``)."""
    return [{
        "rule": r.rule.id, "passed": r.passed, "problems": r.problems,
        "fixtures": [{"file": o.fixture, "passed": o.passed, "expected": sorted(o.expected),
                      "found": sorted(f.span.line for f in o.findings), "problem": o.problem} for o in r.outcomes],
    } for r in reports]
