"""The Ray executor on a local 2-CPU Ray instance: a tiny sweep, determinism, and a lost worker."""

from __future__ import annotations

import os

import pytest

from benchmarks.base import RunContext
from benchmarks.executors import RayExecutor, start_local_ray
from benchmarks.runner import run_job
from clbench.sweep import run_sweep
from leaderboard.reproduce import measured
from leaderboard.store import ResultsStore
from tests.sweeps.helpers import smoke_jobs

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """One local Ray instance with 2 CPUs for the module; the executor reuses a running instance."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_AUTH_MODE", "disabled")
        patch.setenv("RAY_worker_niceness", "")
        patch.delenv("RAY_worker_niceness")  # restored to unset afterwards, whatever start_local_ray sets
        start_local_ray(ray, 2, temp_dir=str(tmp_path_factory.mktemp("ray")))
        yield ray
        ray.shutdown()


@pytest.mark.slow
def test_ray_executor_stores_one_ok_record_per_job_of_a_tiny_sweep(local_ray, store_path):
    jobs = smoke_jobs(["baseline", "reset_full"], [0, 1])
    store = ResultsStore(store_path)
    outcome = run_sweep(jobs, store, RayExecutor(), RunContext())
    assert sorted(r.run_id for r in outcome.records) == sorted(j.run_id for j in jobs)
    assert len(store) == 4 and {r.status for r in store.records()} == {"ok"}


def test_ray_workers_of_a_local_instance_run_at_the_drivers_priority_not_nice_15(local_ray):
    def niceness() -> int:
        return os.nice(0)

    assert local_ray.get(local_ray.remote(niceness).remote()) == os.nice(0)


def test_ray_tasks_give_the_same_metrics_as_the_driver_for_the_same_seed(local_ray):
    jobs = smoke_jobs(["baseline", "reset_full"], [5])
    in_process = {job.run_id: measured(run_job(job)) for job in jobs}
    on_ray = {r.run_id: measured(r) for r in RayExecutor().run(jobs, RunContext())}
    assert on_ray == in_process


def test_a_ray_task_whose_worker_dies_is_retried_then_recorded_failed(local_ray, faulty_methods):
    jobs = smoke_jobs(["crash_worker", "baseline"], [0])
    records = {r.method: r for r in RayExecutor(retries=1).run(jobs, RunContext())}
    assert records["baseline"].status == "ok"
    assert records["crash_worker"].status == "failed"
    assert records["crash_worker"].error.startswith("Ray task lost on each of 2 attempts")
