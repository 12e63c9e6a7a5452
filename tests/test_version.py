"""Pinning: the version is set once (pyproject.toml), reported from the package's metadata, and the
docs pin the tag it names (or a commit)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO, run_cli

DOCS = REPO / "docs"


def project_version() -> str:
    text = (REPO / "pyproject.toml").read_text()
    match = re.search(r'(?m)^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text)
    assert match, "pyproject.toml sets [project] version"
    return match.group(1)


def test_version_is_read_from_the_package_metadata_and_set_only_in_pyproject():
    version = project_version()
    assert run_cli("--version").stdout.strip() == f"policylint, version {version}"
    metadata = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; print(m.version('policylint'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert metadata == version
    sarif = json.loads(run_cli("scan", "examples/policies", "-f", "sarif").stdout)
    assert sarif["runs"][0]["tool"]["driver"]["semanticVersion"] == version
    hard_coded = [str(p.relative_to(REPO)) for p in (REPO / "policylint").rglob("*.py")
                  if re.search(rf"""["']{re.escape(version)}["']""", p.read_text())]
    assert hard_coded == []  # no second copy of the version in the code


def test_changelog_and_docs_pin_the_release_tag_or_a_commit():
    tag = f"v{project_version()}"
    assert f"## [{project_version()}]" in (REPO / "CHANGELOG.md").read_text()
    pre_commit = (DOCS / "pre-commit.md").read_text()
    revs = re.findall(r"(?m)^\s+rev: (\S+)", pre_commit)
    assert revs and all(rev == tag or re.fullmatch(r"[0-9a-f]{40}", rev) for rev in revs), revs
    assert any(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in revs)  # pinning by commit is shown
    assert "pre-commit autoupdate" in pre_commit and "first release tag" in pre_commit
    uses = re.findall(r"uses: policylint/policylint@(\S+)", (DOCS / "github-actions.md").read_text())
    assert uses and set(uses) == {tag}
