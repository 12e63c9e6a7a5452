"""Unreadable files and folders, files that vanish mid-scan, symbolic link loops and links out of
the tree: each is reported (text, JSON, SARIF) and the run goes on."""
from __future__ import annotations

import json
import os

import pytest

from hostile_support import BUCKET_TEMPLATE, findings, scan, scan_report

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _tree(tmp_path):
    """``tree/`` with one linted template, ``outside/`` beside it."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (tree / "ok.yaml").write_text(BUCKET_TEMPLATE)
    (outside / "secret.yaml").write_text(BUCKET_TEMPLATE)
    return tree, outside


def _linted(report: dict) -> list[str]:
    return sorted({f["file"] for f in findings(report, "PL2002")})


def test_permission_denied_is_reported_and_the_scan_goes_on(tmp_path):
    tree, _ = _tree(tmp_path)
    (tree / "locked.yaml").write_text(BUCKET_TEMPLATE)
    (tree / "locked-dir").mkdir()
    (tree / "locked-dir" / "inner.yaml").write_text(BUCKET_TEMPLATE)
    # Root ignores file modes, so the denial is injected into the real CLI process instead.
    faults = {"deny": [str(tree / "locked.yaml"), str(tree / "locked-dir")]}
    report = scan_report(".", "--select", "PL2002,PL0001", cwd=tree, faults=faults)
    (error,) = findings(report, "PL0001")
    assert error["file"] == "locked.yaml" and "Permission denied" in error["message"]
    assert report["skipped"] == [{"path": "locked-dir", "reason": "cannot list folder: Permission denied"}]
    assert _linted(report) == ["ok.yaml"]


@pytest.mark.skipif(AS_ROOT, reason="running as root: file modes do not stop root (the injected test covers it)")
def test_permission_denied_by_file_modes(tmp_path):
    tree, _ = _tree(tmp_path)
    locked = tree / "locked.yaml"
    locked.write_text(BUCKET_TEMPLATE)
    locked_dir = tree / "locked-dir"
    locked_dir.mkdir()
    locked.chmod(0)
    locked_dir.chmod(0)
    try:
        report = scan_report(".", "--select", "PL2002,PL0001", cwd=tree)
    finally:
        locked.chmod(0o644)
        locked_dir.chmod(0o755)
    assert [e["file"] for e in findings(report, "PL0001")] == ["locked.yaml"]
    assert [s["path"] for s in report["skipped"]] == ["locked-dir"]
    assert _linted(report) == ["ok.yaml"]


def test_a_file_that_vanishes_mid_scan_is_reported_and_the_scan_goes_on(tmp_path):
    tree, _ = _tree(tmp_path)
    (tree / "gone.yaml").write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--select", "PL2002,PL0001", cwd=tree, faults={"vanish": [str(tree / "gone.yaml")]})
    (error,) = findings(report, "PL0001")
    assert error["file"] == "gone.yaml" and "disappeared" in error["message"]
    assert _linted(report) == ["ok.yaml"]


def test_a_terraform_file_that_vanishes_mid_scan_leaves_the_rest_of_its_module_linted(tmp_path):
    tree, _ = _tree(tmp_path)
    module = tree / "module"
    module.mkdir()
    (module / "gone.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = "Gone_Name"\n}\n')
    (module / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "Bad_Name"\n}\n')
    report = scan_report(".", "--select", "PL2002,PL0001", cwd=tree, faults={"vanish": [str(module / "gone.tf")]})
    assert _linted(report) == ["module/main.tf", "ok.yaml"]


@pytest.mark.parametrize("follow", [False, True])
def test_symlink_loops_and_links_out_of_the_tree(tmp_path, follow):
    tree, outside = _tree(tmp_path)
    (tree / "sub").mkdir()
    (tree / "sub" / "up").symlink_to("..")  # a loop through a folder
    (tree / "self.yaml").symlink_to("self.yaml")  # a link to itself
    (tree / "ping").symlink_to("pong")
    (tree / "pong").symlink_to("ping")
    (tree / "out.yaml").symlink_to(outside / "secret.yaml")
    (tree / "outdir").symlink_to(outside)
    (tree / "dangling.json").symlink_to("missing.json")
    (tree / "inside.yaml").symlink_to("ok.yaml")
    args = [".", "--select", "PL2002,PL0001,PL0002"] + (["--follow-symlinks"] if follow else [])
    report = scan_report(*args, cwd=tree)
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    for path in ("self.yaml", "ping", "pong"):
        assert reasons[path].startswith("symbolic link loop"), (path, reasons)
    assert reasons["outdir"] == "symbolic link pointing outside the scanned tree: not followed"
    # A file linked from outside is not read either, and a located PL0002 says so.
    assert "out.yaml" not in reasons
    assert [(f["file"], f["line"]) for f in findings(report, "PL0002")] == [("out.yaml", 1)]
    assert reasons["dangling.json"].startswith("broken symbolic link")
    if follow:
        assert reasons["sub/up"].startswith("symbolic link loop")
        assert "inside.yaml" not in reasons
        assert _linted(report) == ["inside.yaml", "ok.yaml"]
    else:
        assert reasons["sub/up"] == reasons["inside.yaml"] == "symbolic link: not followed (use --follow-symlinks)"
        assert _linted(report) == ["ok.yaml"]
    assert not any("secret" in f["file"] for f in report["findings"])


def test_skipped_paths_appear_in_every_report_format(tmp_path):
    tree, outside = _tree(tmp_path)
    (tree / "out").symlink_to(outside)
    reason = "symbolic link pointing outside the scanned tree: not followed"

    text = scan(".", "--no-color", cwd=tree)
    assert f"note: out: {reason}" in text.stdout

    report = scan_report(".", cwd=tree)
    assert report["skipped"] == [{"path": "out", "reason": reason}]

    sarif = json.loads(scan(".", "-f", "sarif", cwd=tree).stdout)
    (invocation,) = sarif["runs"][0]["invocations"]
    (note,) = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "warning"]
    assert note["message"]["text"] == f"out was not linted: {reason}."
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "out", "uriBaseId": "%SRCROOT%"}


def test_a_missing_path_named_on_the_command_line_is_an_error(tmp_path):
    tree, _ = _tree(tmp_path)
    result = scan("ok.yaml", "nothing-here.yaml", "--select", "PL2002", cwd=tree)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "policylint: error: no such file or directory: nothing-here.yaml\n"
