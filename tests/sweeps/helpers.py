"""Shared pieces of the sweep tests: tiny jobs on the permuted-mnist smoke preset."""

from __future__ import annotations

from benchmarks.planning import plan_jobs
from benchmarks.runner import Job


def smoke_jobs(methods: list[str], seeds: list[int]) -> list[Job]:
    return plan_jobs(["permuted-mnist"], methods, seeds, "smoke")

