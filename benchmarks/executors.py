"""Executors run jobs and hand back records as each finishes; only the driver writes the store."""

from __future__ import annotations

from collections.abc import Iterator

from benchmarks.base import RunContext
from benchmarks.runner import Job, run_job
from leaderboard.records import RunRecord


class InProcessExecutor:
    """Runs jobs one after another in this process (the default for a single run)."""

    name = "inprocess"

    def run(self, jobs: list[Job], context: RunContext) -> Iterator[RunRecord]:
        for job in jobs:
            yield run_job(job, context)
