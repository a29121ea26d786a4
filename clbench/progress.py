"""One progress bar for a whole sweep: runs done (ok, diverged, failed), running, and time left.

Runs in flight count by the fraction of their steps done, so the time left moves smoothly even when
a sweep holds few, long runs. Events arrive in the driver's process from any executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from benchmarks.executors import SweepMonitor
from benchmarks.runner import Job
from benchmarks.sinks import RunSink, SinkFanout
from leaderboard.records import RunRecord


class SweepProgress(SweepMonitor):
    """Counts runs by status and in flight; `extra_sinks(job)` adds per-run sinks (e.g. W&B)."""

    def __init__(
        self,
        bars: Progress,
        total_runs: int,
        extra_sinks: Callable[[Job], list[RunSink]] | None = None,
    ):
        super().__init__()
        self.bars = bars
        self.total = total_runs
        self.extra_sinks = extra_sinks
        self.counts = {"ok": 0, "diverged": 0, "failed": 0}
        self.running: dict[str, float] = {}
        self.retries = 0
        self.task = bars.add_task(self.description(), total=max(1, total_runs))

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def description(self) -> str:
        statuses = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n) or "none yet"
        retried = f", {self.retries} retried" if self.retries else ""
        return f"runs {self.done}/{self.total} done ({statuses}), {len(self.running)} running{retried}"

    def refresh(self) -> None:
        completed = self.done + sum(self.running.values())
        self.bars.update(self.task, completed=completed, description=self.description())

    def sink_for(self, job: Job) -> RunSink:
        own = _RunProgress(self, job.run_id)
        extra = self.extra_sinks(job) if self.extra_sinks else []
        return SinkFanout([own, *extra]) if extra else own

    def attempt_lost(self, job: Job, attempt: int, reason: str, retrying: bool) -> None:
        self.running.pop(job.run_id, None)
        if retrying:
            self.retries += 1
            self.bars.console.print(f"[yellow]retrying[/] {job.label}: {reason} (attempt {attempt})")
        self.refresh()

    def started(self, run_id: str) -> None:
        self.running[run_id] = 0.0
        self.refresh()

    def advanced(self, run_id: str, fraction: float) -> None:
        if run_id in self.running:
            self.running[run_id] = min(1.0, max(0.0, fraction))
            self.refresh()

    def finished(self, record: RunRecord) -> None:
        self.running.pop(record.run_id, None)
        self.counts[record.status] += 1
        self.refresh()


class _RunProgress(RunSink):
    def __init__(self, sweep: SweepProgress, run_id: str):
        self.sweep = sweep
        self.run_id = run_id

    def run_started(self, run_id: str, info: dict[str, Any]) -> None:
        self.sweep.started(self.run_id)

    def progress(self, step: int, total_steps: int) -> None:
        if total_steps:
            self.sweep.advanced(self.run_id, step / total_steps)

    def run_finished(self, record: RunRecord) -> None:
        self.sweep.finished(record)


def make_progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )
