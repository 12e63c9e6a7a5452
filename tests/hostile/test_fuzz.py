"""The fuzz target itself (``fuzz.py``; CI runs it at full size from ``.ci/run``): mutants are the
same for a seed, a small run is clean, and a crash, an internal error or a hang is counted."""
from __future__ import annotations

import fuzz
from hostile_support import faulty_env


def _files():
    return fuzz.inputs(fuzz.REPO / "fixtures")


def test_mutants_depend_only_on_the_seed():
    files = _files()
    first = [(c.origin, c.data) for c in fuzz.cases(files, 30, seed=7)]
    assert first == [(c.origin, c.data) for c in fuzz.cases(files, 30, seed=7)]
    assert first != [(c.origin, c.data) for c in fuzz.cases(files, 30, seed=8)]


def test_a_small_run_of_the_repositorys_own_fixtures_is_clean():
    outcome = fuzz.run(fuzz.cases(_files(), 40, seed=12), jobs=1)
    assert outcome.counts["cases"] == 40
    assert not outcome.failures, outcome.failures


def test_a_crash_is_counted_as_a_failure(monkeypatch):
    for name, value in faulty_env(fail_render=True).items():
        monkeypatch.setenv(name, value)
    outcome = fuzz.run(fuzz.cases(_files(), 3, seed=12), jobs=1)
    assert outcome.counts["exit_2"] == 3 and len(outcome.failures) == 3
    assert "rendering failed" in outcome.failures[0]["problems"][0]


def test_a_case_over_its_cpu_time_is_counted():
    outcome = fuzz.run(fuzz.cases(_files(), 2, seed=12), jobs=1, max_seconds=-1)
    assert outcome.counts["over_time"] == 2
