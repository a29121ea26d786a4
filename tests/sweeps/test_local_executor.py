"""The local process executor: jobs run in worker processes, records come back to the driver."""

from __future__ import annotations

import pytest
import torch

from benchmarks.base import RunContext
from benchmarks.executors import InProcessExecutor, LocalProcessExecutor, make_executor
from benchmarks.runner import run_job
from clbench.sweep import run_sweep
from leaderboard.reproduce import measured
from leaderboard.store import ResultsStore
from tests.helpers import run_cli
from tests.sweeps.helpers import smoke_jobs


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory):
    """baseline and reset_full × seeds 0, 1 on two worker processes, into a fresh store."""
    jobs = smoke_jobs(["baseline", "reset_full"], [0, 1])
    store = ResultsStore(tmp_path_factory.mktemp("local") / "store.db")
    outcome = run_sweep(jobs, store, LocalProcessExecutor(workers=2), RunContext())
    return jobs, store, outcome


def test_local_executor_with_two_workers_stores_one_ok_record_per_job(local_sweep):
    jobs, store, outcome = local_sweep
    assert sorted(r.run_id for r in outcome.records) == sorted(j.run_id for j in jobs)
    assert {r.status for r in store.records()} == {"ok"} and len(store) == 4


def test_worker_processes_give_the_same_metrics_as_the_driver_for_the_same_seed(local_sweep):
    jobs, store, _ = local_sweep
    for job in (jobs[0], jobs[-1]):
        assert measured(store.get(job.run_id)) == measured(run_job(job))


def test_in_process_executor_matches_the_workers_even_when_the_driver_has_more_threads(local_sweep):
    jobs, store, _ = local_sweep
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        (record,) = InProcessExecutor().run(jobs[:1], RunContext())
    finally:
        torch.set_num_threads(before)
    assert record.environment.threads == 1
    assert record.environment.cpu_capability == torch.backends.cpu.get_cpu_capability()
    assert measured(record) == measured(store.get(jobs[0].run_id))


def test_different_seeds_give_different_metrics():
    first, second = (measured(run_job(job)) for job in smoke_jobs(["baseline"], [0, 1]))
    assert first["tasks"] != second["tasks"]


def test_jobs_one_runs_in_process_and_jobs_two_in_worker_processes():
    assert isinstance(make_executor("local", 1), InProcessExecutor)
    assert isinstance(make_executor("local", 2), LocalProcessExecutor)


def test_zero_jobs_is_refused_naming_the_flag():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs must be at least 1, got 0" in result.stderr


def test_unknown_executor_lists_the_valid_ones():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--executor", "dask")
    assert result.exit_code == 2 and "local, ray" in result.stderr
