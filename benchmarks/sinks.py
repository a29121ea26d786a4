"""Where a running benchmark reports as it goes: progress bars, live W&B logging, tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leaderboard.records import DiagnosticPoint, RunRecord, TaskMetrics


class RunSink:
    """Receives a run's events. Every method is optional; events arrive in the driver's process."""

    def run_started(self, run_id: str, info: dict[str, Any]) -> None: ...

    def progress(self, step: int, total_steps: int) -> None: ...

    def task_finished(self, task: TaskMetrics, step: int) -> None: ...

    def diagnostics(self, point: DiagnosticPoint) -> None: ...

    def run_finished(self, record: RunRecord) -> None: ...


class SinkFanout(RunSink):
    """Forwards every event to several sinks."""

    def __init__(self, sinks: Iterable[RunSink] = ()):
        self.sinks = list(sinks)

    def run_started(self, run_id: str, info: dict[str, Any]) -> None:
        for sink in self.sinks:
            sink.run_started(run_id, info)

    def progress(self, step: int, total_steps: int) -> None:
        for sink in self.sinks:
            sink.progress(step, total_steps)

    def task_finished(self, task: TaskMetrics, step: int) -> None:
        for sink in self.sinks:
            sink.task_finished(task, step)

    def diagnostics(self, point: DiagnosticPoint) -> None:
        for sink in self.sinks:
            sink.diagnostics(point)

    def run_finished(self, record: RunRecord) -> None:
        for sink in self.sinks:
            sink.run_finished(record)
