"""The wheel: every package and every built-in rule file ships inside it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=600,
    )
    (built,) = out.glob("policylint-*.whl")
    return built


def _declared_packages() -> set[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared():
    on_disk = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "policylint").rglob("__init__.py")
    }
    assert on_disk <= _declared_packages(), sorted(on_disk - _declared_packages())


def test_wheel_contains_packages_and_rules(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rules_in_repo = {p.relative_to(REPO / "rules").as_posix() for p in (REPO / "rules").rglob("*.yaml")}
    rules_in_wheel = {n.split("policylint/builtin_rules/", 1)[1] for n in names if n.startswith("policylint/builtin_rules/")}
    assert rules_in_repo and rules_in_repo <= rules_in_wheel
    for package in _declared_packages() - {"policylint.builtin_rules"}:
        assert package.replace(".", "/") + "/__init__.py" in names, package
    benchmarks = {p.name for p in (REPO / "policylint" / "benchmarks").glob("*.yaml")}
    assert benchmarks and {f"policylint/benchmarks/{b}" for b in benchmarks} <= names
    assert "policylint/normalise/secret_properties.json" in names
    assert "policylint/normalise/sam/policy_templates.json" in names  # SAM policy templates (data)


def test_installed_package_finds_its_rules(wheel, tmp_path):
    # A wheel unpacked onto the path is a non-editable install: its rules must be found inside it
    # (importlib.resources' MultiplexedPath.joinpath('.') raised StopIteration on 3.12.1/3.13.0).
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "from policylint.evaluate.rules import builtin_rules_dir; print(builtin_rules_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert where == str(site / "policylint" / "builtin_rules")
    listed = subprocess.run([sys.executable, "-m", "policylint", "rules", "--format", "json"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    shipped = {p.name.split("-", 1)[0] for p in (REPO / "rules").glob("*/PL*.yaml")}
    assert shipped and {rule["id"] for rule in json.loads(listed)} == shipped


def test_the_licence_ships_in_the_wheel_and_the_sdist(wheel, tmp_path):
    import tarfile

    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    in_wheel = [n for n in zipfile.ZipFile(wheel).namelist() if ".dist-info/" in n and n.endswith("/LICENSE")]
    assert len(in_wheel) == 1 and zipfile.ZipFile(wheel).read(in_wheel[0]).decode() == licence
    subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(tmp_path)!r})"],
                   cwd=REPO, check=True, capture_output=True, timeout=600)
    (sdist,) = tmp_path.glob("policylint-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        assert f"{sdist.name[:-len('.tar.gz')]}/LICENSE" in names
