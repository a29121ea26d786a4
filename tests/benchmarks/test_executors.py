"""Executors (benchmarks/executors.py): in-process, worker processes and Ray run jobs and hand records back;
a run that raises, a worker that dies or a run that diverges is recorded, and the other runs go on."""

from __future__ import annotations

import inspect
import os

import pytest
import torch

from benchmarks.base import RunContext
from benchmarks.executors import (
    Executor,
    InProcessExecutor,
    LocalProcessExecutor,
    RayExecutor,
    SweepMonitor,
    make_executor,
    ray_window,
    start_local_ray,
)
from benchmarks.errors import BenchmarkError
from benchmarks.runner import run_job
from clbench.sweep import run_sweep
from leaderboard.reproduce import measured
from leaderboard.store import ResultsStore
from tests.job_factory import smoke_jobs


@pytest.mark.parametrize("executor", [InProcessExecutor(), LocalProcessExecutor(workers=2), RayExecutor()], ids=lambda e: type(e).__name__)
def test_every_executor_satisfies_the_executor_protocol(executor):
    assert isinstance(executor, Executor)
    assert inspect.signature(type(executor).run).parameters.keys() == inspect.signature(Executor.run).parameters.keys()


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory):
    """baseline and reset_full × seeds 0, 1 on two worker processes, into a fresh store."""
    jobs = smoke_jobs(["baseline", "reset_full"], [0, 1])
    store = ResultsStore(tmp_path_factory.mktemp("local") / "store.db")
    outcome = run_sweep(jobs, store, LocalProcessExecutor(workers=2), RunContext())
    return jobs, store, outcome


@pytest.mark.slow
def test_local_executor_with_two_workers_stores_one_ok_record_per_job(local_sweep):
    jobs, store, outcome = local_sweep
    assert sorted(r.run_id for r in outcome.records) == sorted(j.run_id for j in jobs)
    assert {r.status for r in store.records()} == {"ok"} and len(store) == 4


@pytest.mark.slow
def test_worker_processes_give_the_same_metrics_as_the_driver_for_the_same_seed(local_sweep):
    jobs, store, _ = local_sweep
    for job in (jobs[0], jobs[-1]):
        assert measured(store.get(job.run_id)) == measured(run_job(job))


@pytest.mark.slow
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


def test_jobs_one_runs_in_process_and_jobs_two_in_worker_processes():
    assert isinstance(make_executor("local", 1), InProcessExecutor)
    assert isinstance(make_executor("local", 2), LocalProcessExecutor)


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


@pytest.mark.slow
def test_a_run_that_raises_is_recorded_failed_with_the_exception(faulty_sweep):
    records, _ = faulty_sweep
    assert records["raise_in_run"].status == "failed"
    assert "RuntimeError: deliberate failure inside the run" in records["raise_in_run"].error


@pytest.mark.slow
def test_poisoned_weights_make_the_run_diverged_at_the_first_nan_step(faulty_sweep, faulty_methods):
    records, _ = faulty_sweep
    poisoned = records["poison_weights"]
    assert poisoned.status == "diverged"
    assert poisoned.diverged_at_step == faulty_methods.POISON_AFTER_STEP + 1
    assert poisoned.score is None


@pytest.mark.slow
def test_the_sweep_goes_on_past_its_faults(faulty_sweep):
    records, _ = faulty_sweep
    assert set(records) == {"baseline", "crash_worker", "raise_in_run", "poison_weights"}
    assert records["baseline"].status == "ok"


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """One local Ray instance with 2 CPUs and one (declared, not real) GPU for the module; the executor reuses a running instance."""
    ray = pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_AUTH_MODE", "disabled")
        patch.setenv("RAY_worker_niceness", "")
        patch.delenv("RAY_worker_niceness")  # restored to unset afterwards, whatever start_local_ray sets
        start_local_ray(ray, 2, temp_dir=str(tmp_path_factory.mktemp("ray")), num_gpus=1)
        yield ray
        ray.shutdown()


@pytest.mark.ray
@pytest.mark.slow
def test_ray_executor_stores_one_ok_record_per_job_of_a_tiny_sweep(local_ray, store_path):
    jobs = smoke_jobs(["baseline", "reset_full"], [0, 1])
    store = ResultsStore(store_path)
    outcome = run_sweep(jobs, store, RayExecutor(), RunContext())
    assert sorted(r.run_id for r in outcome.records) == sorted(j.run_id for j in jobs)
    assert len(store) == 4 and {r.status for r in store.records()} == {"ok"}


@pytest.mark.ray
def test_ray_workers_of_a_local_instance_run_at_the_drivers_priority_not_nice_15(local_ray):
    def niceness() -> int:
        return os.nice(0)

    assert local_ray.get(local_ray.remote(niceness).remote()) == os.nice(0)


@pytest.mark.ray
def test_ray_tasks_give_the_same_metrics_as_the_driver_for_the_same_seed(local_ray):
    jobs = smoke_jobs(["baseline", "reset_full"], [5])
    in_process = {job.run_id: measured(run_job(job)) for job in jobs}
    on_ray = {r.run_id: measured(r) for r in RayExecutor().run(jobs, RunContext())}
    assert on_ray == in_process


@pytest.mark.ray
def test_a_ray_task_whose_worker_dies_is_retried_then_recorded_failed(local_ray, faulty_methods):
    jobs = smoke_jobs(["crash_worker", "baseline"], [0])
    records = {r.method: r for r in RayExecutor(retries=1).run(jobs, RunContext())}
    assert records["baseline"].status == "ok"
    assert records["crash_worker"].status == "failed"
    assert records["crash_worker"].error.startswith("Ray task lost on each of 2 attempts")


@pytest.mark.ray
def test_ray_runs_that_each_take_half_a_gpu_share_one(local_ray):
    jobs = smoke_jobs(["baseline", "reset_full"], [0])
    records = list(RayExecutor(gpus_per_run=0.5).run(jobs, RunContext()))
    assert {r.status for r in records} == {"ok"} and len(records) == 2


def test_the_ray_window_packs_runs_per_gpu_and_never_exceeds_the_cpus():
    assert ray_window({"CPU": 16, "GPU": 1}, 0.25) == 4
    assert ray_window({"CPU": 16, "GPU": 1}, 1.0) == 1
    assert ray_window({"CPU": 2, "GPU": 1}, 0.25) == 2
    assert ray_window({"CPU": 16}) == 16


@pytest.mark.parametrize("call, message", [
    (lambda: ray_window({"CPU": 4}, 0.5), "--gpus-per-run 0.5 needs GPUs, and the Ray cluster has 0"),
    (lambda: RayExecutor(gpus_per_run=2), "--gpus-per-run must be between 0 and 1"),
    (lambda: make_executor("local", 2, gpus_per_run=0.5), "--gpus-per-run is for --executor ray"),
])
def test_a_gpu_share_that_cannot_be_granted_is_refused_by_name(call, message):
    with pytest.raises(BenchmarkError, match=message):
        call()
