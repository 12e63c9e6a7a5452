"""Path patterns (exclude, suppress paths) mean what they mean in a ``.gitignore``, case by case, through the CLI; and
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


def _tree(root) -> None:
    for name in FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BUCKET_TEMPLATE)


@pytest.mark.parametrize("pattern, gone", CASES, ids=[c[0] for c in CASES])
def test_suppress_paths_follow_the_same_gitignore_semantics(tmp_path, pattern, gone):
    """One matcher for every path pattern: a configuration's ``suppress`` paths cover exactly what
    the same ``exclude`` pattern leaves out."""
    _tree(tmp_path)
    (tmp_path / ".policylint.yaml").write_text(
        f"suppress:\n  - rules: [PL2002]\n    paths: [{pattern!r}]\n    reason: case\n")
    report = scan_report(".", "--select", "PL2002", "--show-suppressed", cwd=tmp_path)
    suppressed = {f["file"] for f in report["findings"] if f.get("suppressed")}
    reported = {f["file"] for f in report["findings"]}
    assert reported == set(FILES)
    assert sorted(suppressed) == sorted(gone)


@pytest.mark.parametrize("pattern, gone", [
    ("*.yaml", ["legacy/a.yaml", "top.yaml"]),
    ("infra/legacy/*.yaml", ["legacy/a.yaml"]),  # anchored to the configuration's folder
    ("legacy/*.yaml", []),  # anchored: a legacy/ beside the configuration, not infra/legacy/
    ("legacy", ["legacy/a.yaml"]),  # floating: a name at any depth
    ("infra/*.yaml", ["top.yaml"]),
    ("infra", ["legacy/a.yaml", "top.yaml"]),
    ("i*/**/a.yaml", ["legacy/a.yaml"]),
    ("/other/**", []),
])
def test_a_configuration_above_the_scanned_folder_anchors_patterns_to_its_own_folder(tmp_path, pattern, gone):
    """Scanning ``infra/`` from inside it, with the configuration one folder up: reported paths are
    relative to ``infra/``, the patterns to the configuration's folder."""
    for name in ("infra/top.yaml", "infra/legacy/a.yaml", "other/b.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BUCKET_TEMPLATE)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".policylint.yaml").write_text(
        f"suppress:\n  - rules: [PL2002]\n    paths: [{pattern!r}]\n    reason: case\n")
    report = scan_report(".", "--select", "PL2002", "--show-suppressed", cwd=tmp_path / "infra")
    files = {f["file"] for f in report["findings"]}
    suppressed = {f["file"] for f in report["findings"] if f.get("suppressed")}
    assert files == {"top.yaml", "legacy/a.yaml"}
    assert sorted(suppressed) == sorted(gone)
