"""The sweep's one progress bar: runs done by status, runs in flight, retries, and fractional progress."""

from __future__ import annotations

from types import SimpleNamespace

from clbench.progress import SweepProgress, make_progress


def job(run_id: str):
    return SimpleNamespace(run_id=run_id, label=run_id)


def test_progress_counts_done_running_and_failed_and_credits_partial_runs():
    bars = make_progress(enabled=False)
    sweep = SweepProgress(bars, total_runs=3)
    first, second = sweep.sink_for(job("a")), sweep.sink_for(job("b"))
    first.run_started("a", {})
    second.run_started("b", {})
    second.progress(25, 100)
    first.run_finished(SimpleNamespace(run_id="a", status="failed"))
    assert sweep.description() == "runs 1/3 done (1 failed), 1 running"
    assert bars.tasks[0].completed == 1.25


def test_a_lost_attempt_that_will_be_retried_leaves_the_running_count_and_is_counted():
    bars = make_progress(enabled=False)
    sweep = SweepProgress(bars, total_runs=1)
    sweep.sink_for(job("a")).run_started("a", {})
    sweep.attempt_lost(job("a"), 1, "worker process died (exit code 3)", retrying=True)
    assert sweep.description() == "runs 0/1 done (none yet), 0 running, 1 retried"
