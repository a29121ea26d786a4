"""The sweep driver (clbench/sweep.py): pending jobs leave out complete runs, every given job runs, and a sweep
whose driver is killed with SIGKILL resumes: only the missing runs run, none twice, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from benchmarks import base
from benchmarks.executors import InProcessExecutor
from benchmarks.runner import run_job
from clbench.sweep import pending_jobs, run_sweep
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.job_factory import smoke_jobs


def test_pending_jobs_leaves_out_complete_and_repeated_jobs_and_force_keeps_the_complete(two_task_job, two_task_record, store_path):
    store = ResultsStore(store_path)
    store.put(two_task_record)
    fresh = smoke_jobs(["baseline"], [0])
    assert pending_jobs([two_task_job, *fresh, *fresh], store, force=False) == fresh
    assert pending_jobs([two_task_job, *fresh], store, force=True) == [two_task_job, *fresh]


def test_run_sweep_runs_every_job_it_is_given_leaving_the_choice_to_pending_jobs(two_task_job, two_task_record, store_path):
    store = ResultsStore(store_path)
    store.put(two_task_record)
    outcome = run_sweep([two_task_job], store, InProcessExecutor(), base.RunContext())
    assert [r.run_id for r in outcome.records] == [two_task_job.run_id]
    assert store.get(two_task_job.run_id).finished_at == outcome.records[0].finished_at


def test_failed_runs_are_run_again_by_the_next_sweep(faulty_methods, store_path):
    jobs = smoke_jobs(["raise_in_run"], [0])
    store = ResultsStore(store_path)
    store.put(run_job(jobs[0]))
    assert pending_jobs(jobs, store, force=False) == jobs


SWEEP = ("run", "-b", "permuted-mnist", "-m", "baseline,reset_full", "--seeds", "2", "--preset", "smoke",
         "--jobs", "2", "--no-progress")


def start_sweep(store_path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200")
    return subprocess.Popen(
        [sys.executable, "-m", "clbench.cli", *SWEEP, "--store", str(store_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )


def kill_after_finished_runs(driver: subprocess.Popen, runs: int) -> list[str]:
    """Read the driver's lines until `runs` runs have finished, then SIGKILL it mid-sweep."""
    lines = []
    while sum(line.startswith("[") for line in lines) < runs:
        line = driver.stdout.readline()
        assert line, f"the sweep ended before {runs} runs finished:\n{''.join(lines)}"
        lines.append(line)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    return lines


@pytest.mark.slow
def test_rerunning_a_killed_sweep_runs_only_the_missing_runs(store_path):
    lines = kill_after_finished_runs(start_sweep(store_path), runs=1)
    assert not any("[4/4]" in line for line in lines)
    before = {r.run_id: r.finished_at for r in ResultsStore(store_path).records()}
    assert 1 <= len(before) < 4

    resumed = run_cli(*SWEEP, "--store", str(store_path))
    assert resumed.exit_code == 0, resumed.output
    assert f"{len(before)} of 4 runs already complete" in resumed.output
    assert f"{4 - len(before)} runs ({4 - len(before)} ok)" in resumed.output

    after = ResultsStore(store_path).records()
    assert len(after) == 4 and len({r.run_id for r in after}) == 4
    assert {r.run_id: r.finished_at for r in after if r.run_id in before} == before
    assert {r.status for r in after} == {"ok"}
