"""The sweep driver: choose the runs not yet complete, execute them, write each record as soon as it arrives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.base import RunContext
from benchmarks.executors import Executor, SweepMonitor
from benchmarks.runner import Job
from leaderboard.records import RunRecord
from leaderboard.store import ResultsStore


@dataclass
class SweepOutcome:
    records: list[RunRecord] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r.status == status)


def pending_jobs(jobs: list[Job], store: ResultsStore, force: bool) -> list[Job]:
    """The one place that decides what runs: jobs not yet complete in the store (all with `force`), without duplicates."""
    completed = set() if force else store.completed_ids()
    seen: set[str] = set()
    pending = []
    for job in jobs:
        if job.run_id in completed or job.run_id in seen:
            continue
        seen.add(job.run_id)
        pending.append(job)
    return pending


def run_sweep(
    jobs: list[Job],
    store: ResultsStore,
    executor: Executor,
    context: RunContext,
    on_record: Callable[[RunRecord], None] | None = None,
    monitor: SweepMonitor | None = None,
) -> SweepOutcome:
    """Run every job given (choose them with `pending_jobs`) through `executor`, storing each record the moment it arrives.

    The store is written here alone, one transaction per record, so a driver killed at any moment
    loses at most the runs still in flight; the next identical sweep runs only those.
    """
    outcome = SweepOutcome()
    for record in executor.run(jobs, context, monitor):
        store.put(record)
        outcome.records.append(record)
        if on_record:
            on_record(record)
    return outcome
