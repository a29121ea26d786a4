"""Shared pieces of the sweep tests: tiny jobs on the permuted-mnist smoke preset and record comparison."""

from __future__ import annotations

from benchmarks.runner import Job, plan_jobs
from leaderboard.records import RunRecord


def smoke_jobs(methods: list[str], seeds: list[int]) -> list[Job]:
    return plan_jobs(["permuted-mnist"], methods, seeds, "smoke")


def measured(record: RunRecord) -> dict:
    """Everything a run measured (not when, where or how long it took)."""
    return record.model_dump(include={"status", "score", "summary", "tasks", "diagnostics", "series", "steps"})
