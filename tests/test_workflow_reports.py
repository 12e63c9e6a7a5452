"""Several reports in one run, and the formats CI systems read: JUnit XML (validated against the
common JUnit XSD), GitLab Code Quality (against GitLab's schema), Markdown, CSV, GitHub annotations."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings, strategies as st
import xmlschema

from conftest import REPO, run_cli

SCHEMAS = Path(__file__).parent / "data" / "schemas"
EXAMPLES = ["examples"]


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    result = run_cli("scan", *EXAMPLES, "-f", "json")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["findings"]


def test_text_sarif_and_junit_in_one_run(tmp_path, junit_schema, findings):
    sarif, junit = tmp_path / "x.sarif", tmp_path / "x.xml"
    result = run_cli("scan", *EXAMPLES, "-f", "text", "-f", "sarif", "-f", "junit", "-o", "-", "-o", str(sarif),
                     "-o", str(junit))
    assert result.returncode == 1, result.stderr
    assert f"{findings[0]['file']}:{findings[0]['line']}:{findings[0]['column']}: {findings[0]['rule']}" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].endswith(")")  # the text summary line
    log = json.loads(sarif.read_text())
    assert len(log["runs"][0]["results"]) == len(findings)
    junit_schema.validate(str(junit))
    root = ET.parse(junit).getroot()
    failures = [tc for tc in root.iter("testcase") if tc.find("failure") is not None or tc.find("error") is not None]
    assert {(tc.get("classname"), tc.get("name").split()[0]) for tc in failures} == {
        (f["file"], f["rule"]) for f in findings}
    assert int(root.get("failures")) + int(root.get("errors")) == len(failures)


def test_junit_test_cases_per_rule_and_file(tmp_path, junit_schema, findings):
    out = tmp_path / "r.xml"
    assert run_cli("scan", *EXAMPLES, "-f", "junit", "-o", str(out)).returncode == 1
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    files = json.loads(run_cli("scan", *EXAMPLES, "-f", "json").stdout)
    assert len(suites) == files["files_scanned"]
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        mine = [f for f in findings if f["file"] == name]
        if not mine:
            assert len(cases) == 1 and not list(cases[0])  # one passing case
            continue
        assert len(cases) == len({f["rule"] for f in mine})
        for case in cases:
            failure = case.find("failure")
            rule = case.get("name").split()[0]
            first = next(f for f in mine if f["rule"] == rule)
            assert failure.get("message").startswith(f"{name}:{first['line']}:{first['column']}: {first['message']}")
            assert len(failure.text.splitlines()) == sum(1 for f in mine if f["rule"] == rule)
    junit_schema.validate(str(out))


def test_junit_escapes_hostile_text_and_marks_parse_errors(tmp_path, junit_schema):
    (tmp_path / 'a<&">.json').write_text('{"Version": "2012-10-17", "Statement": [')
    (tmp_path / "b.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "x\u0001<y>&\"z\""}]}))
    result = run_cli("scan", ".", "-f", "junit", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    junit_schema.validate(io.StringIO(result.stdout))
    root = ET.fromstring(result.stdout.encode())
    errors = [tc for tc in root.iter("testcase") if tc.find("error") is not None]
    assert [tc.get("classname") for tc in errors] == ['a<&">.json'] and errors[0].get("name").startswith("PL0001")


def test_gitlab_code_quality_validates_against_gitlabs_schema(findings):
    result = run_cli("scan", *EXAMPLES, "-f", "gitlab")
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    schema = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text())
    for issue in issues:
        jsonschema.validate(issue, schema)
    assert len(issues) == len(findings)
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues] == [
        (f["file"], f["line"], f["rule"]) for f in findings]
    assert {i["severity"] for i in issues} <= {"info", "minor", "major", "critical", "blocker"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab dedupes by fingerprint
    assert [i["fingerprint"] for i in issues] == [f["fingerprint"] for f in findings]


def test_markdown_summary_table_and_findings(findings):
    result = run_cli("scan", *EXAMPLES, "-f", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "## policylint"
    counts = {row.split("|")[1].strip(): int(row.split("|")[2]) for row in lines if row.startswith("| ") and
              row.split("|")[1].strip() in ("critical", "high", "medium", "low") and len(row.split("|")) == 4}
    assert sum(counts.values()) == len(findings)
    rows = [row for row in lines if row.count("|") >= 5 and "`" in row]
    assert len(rows) == len(findings)
    assert rows[0].split("|")[1].strip() == "critical" or "critical" not in counts or counts["critical"] == 0


def test_markdown_cells_cannot_break_the_table(tmp_path):
    (tmp_path / "p|q.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    out = run_cli("scan", ".", "-f", "markdown", cwd=tmp_path).stdout
    row = next(line for line in out.splitlines() if "p\\|q.json" in line)
    assert row.replace("\\|", "").count("|") == 5


def test_csv_rows_match_the_findings(findings):
    result = run_cli("scan", *EXAMPLES, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["file"], int(r["line"]), r["rule"], r["message"]) for r in rows] == [
        (f["file"], f["line"], f["rule"], f["message"]) for f in findings]
    assert {r["state"] for r in rows} == {"new"}


def test_csv_cells_are_not_formulas(tmp_path):
    (tmp_path / "=cmd.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    rows = list(csv.DictReader(io.StringIO(run_cli("scan", ".", "-f", "csv", cwd=tmp_path).stdout)))
    assert rows and all(r["file"] == "'=cmd.json" for r in rows)


@pytest.mark.parametrize("args", [
    ["-f", "text", "-f", "sarif", "-o", "-"],
    ["-f", "sarif", "-o", "a", "-o", "b"],
    ["-o", "a", "-o", "b"],
    ["-f", "sarif", "-f", "json", "-o", "same", "-o", "same"],
])
def test_formats_and_outputs_that_do_not_pair_are_a_usage_error(tmp_path, args):
    result = run_cli("scan", str(REPO / "examples"), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("policylint: error:") and len(result.stderr.splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_lone_format_goes_to_stdout_and_files_only_print_the_summary(tmp_path):
    alone = run_cli("scan", "examples", "-f", "csv")
    assert alone.stdout.startswith("rule,severity,")
    both = run_cli("scan", "examples", "-f", "csv", "-f", "gitlab", "-o", str(tmp_path / "a.csv"),
                   "-o", str(tmp_path / "b.json"))
    assert both.stdout == ""
    assert "files scanned" in both.stderr
    assert (tmp_path / "a.csv").read_text() == alone.stdout


def _annotated_project(tmp_path: Path, count: int) -> Path:
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": f"s3:Get{i}*", "Resource": "*"} for i in range(count)]
    (tmp_path / "policy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=1))
    return tmp_path


def test_github_annotations_are_capped_per_type_most_severe_first(tmp_path):
    project = _annotated_project(tmp_path, 30)
    findings = json.loads(run_cli("scan", ".", "-f", "json", cwd=project).stdout)["findings"]
    result = run_cli("scan", ".", "-f", "github", cwd=project)
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    kinds = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
    for kind in ("error", "warning", "notice"):
        wanted = [f for f in findings if kinds[f["severity"]] == kind]
        emitted = [c for c in commands if c.startswith(f"::{kind} ")]
        assert len(emitted) == min(10, len(wanted))
    assert len(findings) > len(commands)
    order = [c.split("title=", 1)[1].split("%29", 1)[0] for c in commands]
    ranks = ["critical" in o and 0 or "high" in o and 1 or "medium" in o and 2 or 3 for o in order]
    assert ranks == sorted(ranks)
    assert f"{len(findings) - len(commands)} more findings not annotated" in result.stdout


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text() | st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_json_reports_are_written_exactly_as_the_standard_library_indents_them(document):
    from policylint.report import json_text

    assert json_text(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_json_text_refuses_what_json_cannot_hold():
    from policylint.report import json_text

    for bad in ({"a": object()}, [{1, 2}], {(1, 2): 3}):
        with pytest.raises(TypeError):
            json_text(bad)


def test_json_text_writes_an_iterator_as_the_array_of_what_it_yields():
    from policylint.report import json_text

    rows = [{"rule": f"PL{i:04d}", "line": i, "related": [{"line": i}] if i % 3 else []} for i in range(5000)]
    document = {"findings": iter(rows), "none": iter(()), "nested": [map(str, range(3))]}
    expected = {"findings": rows, "none": [], "nested": [["0", "1", "2"]]}
    assert json_text(document) == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
