"""Planned jobs for the runner, executor and sweep tests: tiny jobs on the permuted-mnist smoke preset."""

from __future__ import annotations

from benchmarks.planning import plan_jobs
from benchmarks.runner import Job


def smoke_jobs(methods: list[str], seeds: list[int]) -> list[Job]:
    """One permuted-mnist/smoke job per (method, seed), planned as `clbench run` plans them."""
    return plan_jobs(["permuted-mnist"], methods, seeds, "smoke")
