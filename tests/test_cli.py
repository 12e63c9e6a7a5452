"""The command line as a user meets it: exit codes, formats, options, messages."""
from __future__ import annotations

import json

from conftest import REPO, run_cli, scan_json

INSECURE = "examples/cloudformation/insecure-stack.yaml"
SECURE = "examples/cloudformation/secure-stack.yaml"


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and "policylint" in result.stdout


def test_exit_codes_and_text_report():
    bad = run_cli("scan", INSECURE, "--no-color")
    assert bad.returncode == 1
    assert f"{INSECURE}:30:24: PL1003 critical" in bad.stdout
    assert bad.stdout.rstrip().splitlines()[-1].startswith("1 file scanned, 15 findings")
    good = run_cli("scan", SECURE)
    assert good.returncode == 0, good.stdout
    assert "0 findings" in good.stdout


def test_severity_threshold_filters_and_sets_exit_code():
    critical = scan_json(INSECURE, "--severity-threshold", "critical")
    assert {f["rule"] for f in critical["findings"]} == {"PL1003", "PL3003"}
    assert run_cli("scan", "examples/policies/insecure-admin-policy.json", "--severity-threshold", "critical").returncode == 0


def test_select_and_ignore_by_id_name_and_tag():
    assert {f["rule"] for f in scan_json(INSECURE, "--select", "PL3001")["findings"]} == {"PL3001"}
    assert {f["rule"] for f in scan_json(INSECURE, "--select", "IngressOpenToWorld")["findings"]} == {"PL3001"}
    assert {f["rule"] for f in scan_json(INSECURE, "--select", "s3")["findings"]} == {
        "PL2001", "PL2002", "PL2004", "PL2005", "PL2006"}  # PL2007 is off: a tag does not turn it on
    ignored = {f["rule"] for f in scan_json(INSECURE, "--ignore", "PL1001,PL1003")["findings"]}
    # PL3003 supersedes PL3001 on the SSH rule; with PL1001 ignored, PL1010 reports the s3:* grant.
    assert "PL1001" not in ignored and "PL1003" not in ignored and {"PL3003", "PL1010"} <= ignored


def test_output_file_and_json_report(tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("scan", INSECURE, "-f", "json", "-o", str(out))
    assert result.returncode == 1 and result.stdout == ""
    report = json.loads(out.read_text())
    assert report["files_scanned"] == 1 and len(report["findings"]) == 15
    first = report["findings"][0]
    assert set(first) >= {"rule", "severity", "message", "file", "line", "column", "end_line", "end_column", "fingerprint"}
    assert "15 findings" in result.stderr


def test_usage_errors_exit_2_with_one_line():
    result = run_cli("scan", "-f", "xml")
    assert result.returncode == 2
    result = run_cli("scan", "--rules", "does-not-exist")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_invalid_user_rule_is_an_error_naming_file_and_line(tmp_path):
    rule = tmp_path / "bad.yaml"
    rule.write_text(
        "id: PL9901\nname: Bad\nseverity: high\ntitle: t\ndescription: d\nremediation: r\n"
        "references: []\ntags: []\nresource: {kinds: [s3.bucket]}\nunknown: ignore\nmessage: m\n"
        "forbid:\n  path: name\n  equal: x\n"
    )
    result = run_cli("scan", INSECURE, "--rules", str(tmp_path))
    assert result.returncode == 2
    assert "bad.yaml:14" in result.stderr and "unknown operator 'equal'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_user_rule_directory_adds_rules(tmp_path):
    (tmp_path / "names.yaml").write_text(
        "id: PL9902\nname: BucketNameHasEnv\nseverity: low\ntitle: Bucket names carry the environment\n"
        "description: d\nremediation: r\nreferences: []\ntags: [naming]\nresource: {kinds: [s3.bucket]}\n"
        "unknown: ignore\nmessage: \"bucket name '{value}' lacks an environment prefix\"\n"
        "require:\n  path: name\n  matches: '(dev|prod)-.*'\n"
    )
    report = scan_json(INSECURE, "--rules", str(tmp_path), "--select", "PL9902")
    (finding,) = report["findings"]
    assert finding["line"] == 16 and "Customer_Uploads" in finding["message"]


def test_rules_listing_and_show():
    listing = run_cli("rules")
    assert listing.returncode == 0 and "PL1003" in listing.stdout and "IamAllowsPublicPrincipal" in listing.stdout
    as_json = json.loads(run_cli("rules", "--format", "json").stdout)
    assert any(r["id"] == "PL2002" and r["severity"] == "medium" for r in as_json)
    shown = run_cli("rules", "show", "PL2001")
    assert shown.returncode == 0 and "Remediation" in shown.stdout and "https://" in shown.stdout
    assert run_cli("rules", "show", "PL0000").returncode == 2


def test_directory_discovery_skips_hidden_and_vendor_folders(tmp_path):
    template = (REPO / INSECURE).read_text()
    for folder in (".git", ".terraform", "node_modules", ".hidden", "real"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "stack.yaml").write_text(template)
    (tmp_path / "real" / "notes.yaml").write_text("just: data\n")
    (tmp_path / "real" / "stack.template").write_text(template)
    report = scan_json(".", cwd=tmp_path)
    assert {f["file"] for f in report["findings"]} == {"real/stack.yaml", "real/stack.template"}
    assert report["files_scanned"] == 2


def test_a_file_whose_name_starts_with_two_dots_is_shown_relative(tmp_path):
    (tmp_path / "..stack.yaml").write_text((REPO / INSECURE).read_text())
    report = scan_json(".", cwd=tmp_path)
    assert report["findings"] and {f["file"] for f in report["findings"]} == {"..stack.yaml"}


def test_broken_file_is_reported_and_the_scan_goes_on(tmp_path):
    (tmp_path / "a.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    (tmp_path / "b.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    report = scan_json(".", cwd=tmp_path)
    rules = sorted((f["file"], f["rule"]) for f in report["findings"])
    # PL1001 supersedes PL1010; PL1015: s3:* grants s3:GetObject on every resource
    assert rules == [("a.yaml", "PL0001"), ("b.json", "PL1001"), ("b.json", "PL1008"), ("b.json", "PL1015")]


def _one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("policylint: error: "), line
    return line


def test_a_path_that_does_not_exist_is_an_error_with_a_close_match(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "stack.yaml").write_text((REPO / INSECURE).read_text())
    line = _one_error_line(run_cli("scan", "templates/stack.yaml", "tempaltes", cwd=tmp_path))
    assert line.endswith("no such file or directory: tempaltes (did you mean 'templates'?)"), line
    line = _one_error_line(run_cli("scan", "templates/stak.yaml", cwd=tmp_path))
    assert "(did you mean 'templates/stack.yaml'?)" in line
    line = _one_error_line(run_cli("scan", "templates/*.yml", cwd=tmp_path))  # a glob the shell did not expand
    assert "no such file or directory: templates/*.yml" in line


def test_unknown_select_or_ignore_on_the_command_line_is_an_error_with_a_close_match():
    line = _one_error_line(run_cli("scan", INSECURE, "--select", "PL1110"))
    assert line == "policylint: error: --select: no rule, rule name or tag 'PL1110' (did you mean 'PL1011'?)"
    line = _one_error_line(run_cli("scan", INSECURE, "--select", "s3,IamAllowsPublicPrincpal"))
    assert "'IamAllowsPublicPrincpal' (did you mean 'IamAllowsPublicPrincipal'?)" in line
    line = _one_error_line(run_cli("scan", INSECURE, "--ignore", "pl1001"))
    assert line.startswith("policylint: error: --ignore: ") and "(did you mean 'PL1001'?)" in line
    line = _one_error_line(run_cli("scan", INSECURE, "--select", "PL9999"))
    assert "'PL9999'" in line and "did you mean" not in line  # nothing close: no guess
    line = _one_error_line(run_cli("scan", INSECURE, "--ignore", "networkk"))
    assert "(did you mean 'network'?)" in line


def test_the_configuration_file_and_the_command_line_reject_unknown_names_alike(tmp_path):
    (tmp_path / "t.yaml").write_text((REPO / INSECURE).read_text())
    (tmp_path / ".policylint.yaml").write_text("select: [s3, PL1110]\n")
    line = _one_error_line(run_cli("scan", "t.yaml", cwd=tmp_path))
    assert line.endswith(".policylint.yaml:1: select: no rule, rule name or tag 'PL1110' (did you mean 'PL1011'?)")
    cli = _one_error_line(run_cli("scan", "t.yaml", "--no-config", "--select", "PL1110", cwd=tmp_path))
    assert cli.split("--select: ", 1)[1] == line.split("select: ", 1)[1]


def test_an_unreadable_var_file_is_an_error(tmp_path):
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    line = _one_error_line(run_cli("scan", ".", "--var-file", "prod.tfvar", cwd=tmp_path))
    assert line == "policylint: error: --var-file prod.tfvar: no such file"
    (tmp_path / "binary.tfvars").write_bytes(b"x = \x00\xff\n")
    line = _one_error_line(run_cli("scan", ".", "--var-file", "binary.tfvars", cwd=tmp_path))
    assert line.startswith("policylint: error: --var-file binary.tfvars: binary content")
    line = _one_error_line(run_cli("scan", ".", "--var-file", ".", cwd=tmp_path))
    assert "is a directory" in line


def test_rules_show_suggests_a_close_rule():
    line = _one_error_line(run_cli("rules", "show", "IamAllowsPublicPrincpal"))
    assert "no rule 'IamAllowsPublicPrincpal' (did you mean 'IamAllowsPublicPrincipal'?)" in line


def test_a_scan_that_meets_no_lintable_file_says_so(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# nothing to lint\n")
    (tmp_path / "docs" / "settings.yaml").write_text("colour: blue\n")
    result = run_cli("scan", "docs", cwd=tmp_path)
    assert result.returncode == 0
    assert "policylint: warning: no file to lint in docs" in result.stderr
    linted = run_cli("scan", SECURE)
    assert "no file to lint" not in linted.stderr


def _on_a_terminal(*args: str, env: dict | None = None) -> str:
    """The standard output of ``policylint ARGS`` written to a pseudo-terminal."""
    import os
    import pty
    import subprocess

    from conftest import policylint_command

    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    process = subprocess.Popen(policylint_command() + list(args), cwd=REPO, stdout=follower,
                               stderr=subprocess.DEVNULL, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode()


ESC = "\033["


def test_colour_follows_the_terminal_no_color_force_color_and_the_option():
    assert ESC in _on_a_terminal("scan", INSECURE)  # auto: a terminal is coloured
    assert ESC not in _on_a_terminal("scan", INSECURE, env={"NO_COLOR": "1"})
    assert ESC in _on_a_terminal("scan", INSECURE, env={"NO_COLOR": ""})  # empty: not set
    assert ESC not in _on_a_terminal("scan", INSECURE, "--color=never")
    assert ESC not in _on_a_terminal("scan", INSECURE, "--no-color")
    assert ESC in _on_a_terminal("scan", INSECURE, "--color=always", env={"NO_COLOR": "1"})  # the option wins

    def piped(*args: str, env: dict | None = None) -> str:
        return run_cli("scan", INSECURE, *args, env=env).stdout

    assert ESC not in piped()  # auto: a pipe is not coloured
    assert ESC in piped("--color=always") and ESC in piped("--color")
    assert ESC in piped(env={"FORCE_COLOR": "1"}) and ESC in piped("--color=auto", env={"FORCE_COLOR": "1"})
    assert ESC not in piped("--color=never", env={"FORCE_COLOR": "1"})
    assert ESC not in piped("-f", "json", "--color=always")  # only the text report has colour
    assert run_cli("scan", "--color", INSECURE).returncode == 1  # --color alone does not take the path
    line = _one_error_line(run_cli("scan", INSECURE, "--color=sometimes"))
    assert line == "policylint: error: --color=sometimes: expected auto, always or never"
