"""Rich progress bars fed by run events: one bar for the sweep, one for the run in progress."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from benchmarks.sinks import RunSink
from leaderboard.records import RunRecord


class ProgressSink(RunSink):
    """Shows the current run's steps under the sweep's run count."""

    def __init__(self, progress: Progress, total_runs: int):
        self.bars = progress
        self.sweep = progress.add_task("runs", total=total_runs)
        self.current: Any = None
        self.counts = {"ok": 0, "diverged": 0, "failed": 0}

    def run_started(self, run_id: str, info: dict[str, Any]) -> None:
        if self.current is not None:
            self.bars.remove_task(self.current)
        self.current = self.bars.add_task(f"  {info['job'].label}", total=None)

    def progress(self, step: int, total_steps: int) -> None:
        if self.current is not None:
            self.bars.update(self.current, completed=step, total=total_steps)

    def run_finished(self, record: RunRecord) -> None:
        self.counts[record.status] += 1
        summary = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        self.bars.update(self.sweep, advance=1, description=f"runs ({summary})")
        if self.current is not None:
            self.bars.remove_task(self.current)
            self.current = None


def make_progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )
