"""Run scan tasks on several processes.

Rules are compiled once per worker, never per task: a forked worker inherits them from the parent;
a spawned one (platforms without ``fork``) rebuilds them once from the scan options. Results come
back in task order, so a parallel scan reports exactly what a sequential one does. Small runs stay
in-process: starting workers costs more than linting a few files.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator, Sequence

# Below this much work (documents count 1, Terraform files TERRAFORM_WEIGHT), one process is faster.
MIN_PARALLEL_WORK = 48
TERRAFORM_WEIGHT = 4

# What a worker needs: (run, tasks or None, rules, options); set before the pool starts (fork) or by
# the initializer (spawn).
_STATE: tuple[Any, ...] | None = None
_PARENT: int | None = None  # the scanning process, as its forked workers know it


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def work_of(tasks: Sequence[Any]) -> int:
    """A rough cost of ``tasks`` in units of one small document."""
    return sum(TERRAFORM_WEIGHT * len(t.candidates) if t.kind == "terraform" else 1 for t in tasks)


def map_tasks(run: Callable[[Any, Any, Any], Any], tasks: Sequence[Any], rules: Any, options: Any,
              jobs: int, reload: Callable[[Any], Any] | None = None,
              done: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """``run(task, rules, options)`` for every task, in task order, on up to ``jobs`` processes.

    ``reload(options)`` rebuilds ``rules`` in a spawned worker; without it (rules the caller built
    itself) only forked workers can be used, and the tasks run in-process elsewhere. ``done(task)``
    is called in this process as each task (or each worker's batch) finishes."""
    workers = min(jobs, len(tasks))
    context = None if workers < 2 or work_of(tasks) < MIN_PARALLEL_WORK else _context(reload is not None)
    if context is None:
        return (_reported(run(task, rules, options), task, done) for task in tasks)
    return iter(_run_pool(run, tasks, rules, options, workers, context, reload, done))


def _reported(result: Any, task: Any, done: Callable[[Any], None] | None) -> Any:
    if done is not None:
        done(task)
    return result


def _context(can_spawn: bool) -> Any:
    import multiprocessing  # not imported by small runs, which never start a pool

    # fork only on Linux: macOS offers it, but system libraries may crash in a forked child.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn") if can_spawn else None


def _run_pool(run: Callable[[Any, Any, Any], Any], tasks: Sequence[Any], rules: Any, options: Any,
              workers: int, context: Any, reload: Callable[[Any], Any] | None,
              done: Callable[[Any], None] | None = None) -> list[Any]:
    global _STATE
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _PARENT
    forked = context.get_start_method() == "fork"
    _PARENT = os.getpid() if forked else None
    batches = plan_batches(tasks, workers)
    results: list[Any] = [None] * len(tasks)
    try:
        if forked:
            _STATE = (run, tasks, rules, options)
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_child)
            items: list[Any] = batches
        else:
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                       initargs=(run, reload, options))
            items = [[tasks[i] for i in batch] for batch in batches]
        with pool:
            try:
                for batch, batch_results in zip(batches, pool.map(_work, items)):
                    for i, result in zip(batch, batch_results):
                        results[i] = result
                        if done is not None:
                            done(tasks[i])
            except BaseException as exc:
                if not isinstance(exc, (OSError, BrokenProcessPool)):
                    _stop(pool)  # interrupted (SIGINT, SIGTERM): no worker outlives the scan
                raise
    except (OSError, BrokenProcessPool):
        pass  # no pool on this system, or a worker died: finish in-process below
    finally:
        _STATE = None
    return [result if result is not None else _reported(run(task, rules, options), task, done)
            for task, result in zip(tasks, results)]


def plan_batches(tasks: Sequence[Any], workers: int) -> list[list[int]]:
    """Task indices in batches, one batch per call to a worker, largest first.

    Tasks that parse the same Terraform module folders (:func:`affinity.task_groups`) share a batch
    unless together they exceed one worker's share of the run; small tasks are batched to save
    round trips; the largest batches go first, so that no worker is left with a big one at the end."""
    from .affinity import task_groups

    costs = [_size(t) * (TERRAFORM_WEIGHT if t.kind == "terraform" else 1) + 1 for t in tasks]
    share = sum(costs) / workers
    units: list[tuple[int, list[int]]] = []
    for group in task_groups(tasks):
        piece: list[int] = []
        cost = 0
        for i in group:
            if piece and cost + costs[i] > share:
                units.append((cost, piece))
                piece, cost = [], 0
            piece.append(i)
            cost += costs[i]
        units.append((cost, piece))
    units.sort(key=lambda unit: -unit[0])
    small = share / 32
    batches: list[list[int]] = []
    batch: list[int] = []
    cost = 0
    for unit_cost, unit in units:
        batch.extend(unit)
        cost += unit_cost
        if cost >= small:
            batches.append(batch)
            batch, cost = [], 0
    if batch:
        batches.append(batch)
    return batches


def _size(task: Any) -> int:
    total = 0
    for candidate in task.candidates:
        try:
            total += os.path.getsize(candidate.path)
        except OSError:
            pass
    return total


def _stop(pool: Any) -> None:
    """Kill the pool's workers now, rather than wait for the batches they are working on."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.kill()
            process.join(5)
        except (OSError, ValueError, AssertionError):
            pass


def _child() -> None:
    """In a worker: SIGINT is the parent's to handle (it stops the pool), SIGTERM kills, and on
    Linux the worker is killed when its parent dies, however it dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if _PARENT is not None and os.getppid() != _PARENT:  # the parent died before the line above
        os._exit(1)


def _init(run: Callable[[Any, Any, Any], Any], reload: Callable[[Any], Any], options: Any) -> None:
    global _STATE
    _child()
    _STATE = (run, None, reload(options), options)


def _work(batch: list[Any]) -> list[Any]:
    assert _STATE is not None
    run, tasks, rules, options = _STATE
    return [run(tasks[item] if tasks is not None else item, rules, options) for item in batch]
