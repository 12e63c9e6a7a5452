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


def test_tasks_reaching_the_same_module_folders_are_grouped(tmp_path):
    from policylint.affinity import task_groups
    from policylint.discover import discover
    from policylint.parallel import plan_batches
    from policylint.scan import plan_tasks

    files = {
        "modules/bucket/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        "modules/wrapper/main.tf": 'module "inner" {\n  source = "../bucket"\n}\n',
        "examples/one/main.tf": 'module "b" {\n  source = "../../modules/wrapper"\n}\n',
        "examples/two/main.tf": 'module "b" {\n  source = "../../modules/bucket"\n}\n',
        "alone/main.tf": 'module "r" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n}\n',
        "policy.json": '{"Statement": []}\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    candidates, _ = discover([str(tmp_path)], str(tmp_path))
    tasks = plan_tasks(candidates, set())
    folder = {i: os.path.relpath(os.path.dirname(t.candidates[0].path), tmp_path) for i, t in enumerate(tasks)}
    groups = sorted(sorted(folder[i] for i in g) for g in task_groups(tasks))
    assert groups == [["."], ["alone"], ["examples/one", "examples/two", "modules/bucket", "modules/wrapper"]]
    for workers in (1, 2, 8):
        batches = plan_batches(tasks, workers)
        assert sorted(i for b in batches for i in b) == list(range(len(tasks)))
