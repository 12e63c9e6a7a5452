"""Exclude patterns mean what they mean in a ``.gitignore``, case by case, through the CLI; and
Terraform files are recognised by Terraform's own (case-sensitive) suffixes."""
from __future__ import annotations

import pytest

from hostile_support import BUCKET_TEMPLATE, scan_report

FILES = ["top.yaml", "legacy/a.yaml", "legacy/old/b.yaml", "test/c.yaml", "src/test/d.yaml", "src/tests/e.yaml",
         "cache/f.yaml", "src/cache/g.yaml", "src/cache.yaml", "build/h.yaml", "src/build/i.yaml"]

CASES = [
    ("legacy/*.yaml", ["legacy/a.yaml"]),  # anchored; * stops at a slash
    ("legacy/**", ["legacy/a.yaml", "legacy/old/b.yaml"]),
    ("legacy", ["legacy/a.yaml", "legacy/old/b.yaml"]),  # a folder excludes what is inside
    ("./legacy", ["legacy/a.yaml", "legacy/old/b.yaml"]),  # a leading ./ is dropped
    ("**/test/**", ["src/test/d.yaml", "test/c.yaml"]),  # ** matches zero folders too
    ("test", ["src/test/d.yaml", "test/c.yaml"]),  # floating: a name at any depth, never tests/
    ("/test", ["test/c.yaml"]),  # a leading slash anchors
    ("cache/", ["cache/f.yaml", "src/cache/g.yaml"]),  # folders only: src/cache.yaml stays
    ("*.yaml", FILES),
    ("b?ild/h.yaml", ["build/h.yaml"]),
    ("[bs]*/**/i.yaml", ["src/build/i.yaml"]),
    ("src/**/*.yaml", ["src/build/i.yaml", "src/cache.yaml", "src/cache/g.yaml", "src/test/d.yaml", "src/tests/e.yaml"]),
]


@pytest.mark.parametrize("pattern, gone", CASES, ids=[c[0] for c in CASES])
def test_exclude_follows_gitignore_semantics(tmp_path, pattern, gone):
    for name in FILES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BUCKET_TEMPLATE)
    report = scan_report(".", "--no-config", "--select", "PL2002", "--exclude", pattern, cwd=tmp_path)
    linted = {f["file"] for f in report["findings"]}
    assert sorted(set(FILES) - linted) == sorted(gone)


def test_terraform_suffixes_are_matched_as_terraform_matches_them(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "a" {\n  bucket = "Bad_Name"\n}\n')
    (tmp_path / "MAIN.TF").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "Other_Bad"\n}\n')
    report = scan_report(".", "--no-config", "--select", "PL2002", cwd=tmp_path)
    assert report["files_scanned"] == 1
    assert [(f["file"], f["line"]) for f in report["findings"]] == [("main.tf", 2)]
