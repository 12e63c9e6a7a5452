"""The wheel: every package and every built-in rule file ships inside it."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

from conftest import REPO


def _declared_packages() -> set[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared():
    on_disk = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "policylint").rglob("__init__.py")
    }
    assert on_disk <= _declared_packages(), sorted(on_disk - _declared_packages())


def test_wheel_contains_packages_and_rules(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = tmp_path.glob("policylint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rules_in_repo = {p.relative_to(REPO / "rules").as_posix() for p in (REPO / "rules").rglob("*.yaml")}
    rules_in_wheel = {n.split("policylint/builtin_rules/", 1)[1] for n in names if n.startswith("policylint/builtin_rules/")}
    assert rules_in_repo and rules_in_repo <= rules_in_wheel
    for package in _declared_packages() - {"policylint.builtin_rules"}:
        assert package.replace(".", "/") + "/__init__.py" in names, package
    benchmarks = {p.name for p in (REPO / "policylint" / "benchmarks").glob("*.yaml")}
    assert benchmarks and {f"policylint/benchmarks/{b}" for b in benchmarks} <= names
