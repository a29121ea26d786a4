"""Faults inside a sweep: a run that raises, a worker that dies, a run that diverges; the sweep goes on."""

from __future__ import annotations

import pytest

from benchmarks.base import RunContext
from benchmarks.executors import LocalProcessExecutor, SweepMonitor
from benchmarks.runner import run_job
from clbench.sweep import pending_jobs, run_sweep
from leaderboard.store import ResultsStore
from tests.helpers import run_cli
from tests.sweeps.helpers import smoke_jobs


class LostAttempts(SweepMonitor):
    def __init__(self):
        super().__init__()
        self.lost: list[tuple[str, int, bool]] = []

    def attempt_lost(self, job, attempt, reason, retrying):
        self.lost.append((job.method, attempt, retrying))


@pytest.fixture(scope="module")
def faulty_sweep(faulty_methods, tmp_path_factory):
    """One local sweep, 2 workers: baseline, a crashing worker, a raising run and a poisoned run."""
    jobs = smoke_jobs(["baseline", "crash_worker", "raise_in_run", "poison_weights"], [0])
    monitor = LostAttempts()
    store = ResultsStore(tmp_path_factory.mktemp("faulty") / "store.db")
    run_sweep(jobs, store, LocalProcessExecutor(workers=2, retries=1), RunContext(), monitor=monitor)
    return {r.method: r for r in store.records()}, monitor


@pytest.mark.slow
def test_a_worker_that_dies_is_retried_once_then_recorded_failed_with_its_exit(faulty_sweep):
    records, monitor = faulty_sweep
    assert monitor.lost == [("crash_worker", 1, True), ("crash_worker", 2, False)]
    crashed = records["crash_worker"]
    assert crashed.status == "failed"
    assert crashed.error == "worker process died (exit code 3) on each of 2 attempts"


def test_a_run_that_raises_is_recorded_failed_with_the_exception(faulty_sweep):
    records, _ = faulty_sweep
    assert records["raise_in_run"].status == "failed"
    assert "RuntimeError: deliberate failure inside the run" in records["raise_in_run"].error


def test_poisoned_weights_make_the_run_diverged_at_the_first_nan_step(faulty_sweep, faulty_methods):
    records, _ = faulty_sweep
    poisoned = records["poison_weights"]
    assert poisoned.status == "diverged"
    assert poisoned.diverged_at_step == faulty_methods.POISON_AFTER_STEP + 1
    assert poisoned.score is None


def test_the_sweep_goes_on_past_its_faults(faulty_sweep):
    records, _ = faulty_sweep
    assert set(records) == {"baseline", "crash_worker", "raise_in_run", "poison_weights"}
    assert records["baseline"].status == "ok"


def test_a_huge_learning_rate_is_recorded_diverged_through_the_cli(store_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "bench.lr=1e30",
                     "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    (record,) = ResultsStore(store_path).records()
    assert record.status == "diverged" and record.diverged_at_step is not None
    assert "1 diverged" in result.output


def test_failed_runs_are_run_again_by_the_next_sweep(faulty_methods, store_path):
    jobs = smoke_jobs(["raise_in_run"], [0])
    store = ResultsStore(store_path)
    store.put(run_job(jobs[0]))
    assert pending_jobs(jobs, store, force=False) == jobs
