"""``--jobs``: a scan on several processes reports exactly what a sequential one does."""
from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest

from conftest import FIXTURES, REPO, run_cli
from policylint.parallel import MIN_PARALLEL_WORK, map_tasks


def _tree(tmp_path):
    """The rule fixtures and examples, three times over: enough work for the process pool."""
    for i in range(3):
        shutil.copytree(FIXTURES, tmp_path / f"copy{i}" / "fixtures")
        shutil.copytree(REPO / "examples", tmp_path / f"copy{i}" / "examples")
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_jobs_output_is_byte_identical(tmp_path, fmt):
    tree = _tree(tmp_path)
    one = run_cli("scan", ".", "-f", fmt, "--jobs", "1", "--no-config", cwd=tree)
    two = run_cli("scan", ".", "-f", fmt, "--jobs", "2", "--no-config", cwd=tree)
    assert one.returncode == 1, one.stderr  # the fixtures hold failing examples
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert one.stdout.count("PL1001") >= 3


def test_jobs_must_be_positive(tmp_path):
    result = run_cli("scan", ".", "--jobs", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def _where(task, rules, options):
    return task.n, os.getpid(), rules, options


def _tasks(count):
    return [SimpleNamespace(n=i, kind="document", candidates=[SimpleNamespace(path=f"missing-{i}")])
            for i in range(count)]


def test_large_runs_use_worker_processes_and_keep_task_order():
    tasks = _tasks(MIN_PARALLEL_WORK * 3)
    results = list(map_tasks(_where, tasks, "rules", "options", jobs=2))
    assert [r[0] for r in results] == list(range(len(tasks)))
    assert {r[1] for r in results} - {os.getpid()}, "no task ran in a worker"
    assert all(r[2:] == ("rules", "options") for r in results)


def test_small_runs_stay_in_process():
    results = list(map_tasks(_where, _tasks(3), "rules", "options", jobs=2))
    assert {r[1] for r in results} == {os.getpid()}
    results = list(map_tasks(_where, _tasks(MIN_PARALLEL_WORK * 3), "rules", "options", jobs=1))
    assert {r[1] for r in results} == {os.getpid()}
