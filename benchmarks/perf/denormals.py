"""Speed of flushing subnormal floats to zero, on runs that lose plasticity, and what it changes.

Runs the first tasks of random-label-mnist (quick network and protocol) for each method through the real
runner, once with subnormals kept and once flushed (benchmarks/numerics.py), alternating, one torch
thread. Reports seconds per step of each mode (median over repeats), their ratio, and the largest
difference between the two modes' per-task metrics. Usage:

    python benchmarks/perf/denormals.py [--methods baseline,soft_reset] [--tasks 8] [--repeats 3] [--json]

With --json the last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

import torch


def run_once(method: str, tasks: int, mode: str):
    """One fresh run of `method` with subnormals handled by `mode`; returns its record."""
    from benchmarks.numerics import DENORMALS_VARIABLE
    from benchmarks.planning import plan_jobs
    from benchmarks.runner import run_job

    os.environ[DENORMALS_VARIABLE] = mode
    (job,) = plan_jobs(["random-label-mnist"], [method], [0], "quick", overrides={"bench": {"num_tasks": str(tasks)}})
    record = run_job(job)
    if record.status != "ok":
        raise SystemExit(f"{method} ({mode}) did not finish ok: {record.error}")
    return record


def largest_metric_difference(keep, flush) -> float:
    return max(
        abs(a.metrics[name] - b.metrics[name])
        for a, b in zip(keep.tasks, flush.tasks)
        for name in a.metrics
        if a.metrics[name] is not None and b.metrics.get(name) is not None
    )


def measure(method: str, tasks: int, repeats: int) -> dict:
    seconds: dict[str, list[float]] = {"keep": [], "flush": []}
    differences = []
    for _ in range(repeats):
        records = {mode: run_once(method, tasks, mode) for mode in ("keep", "flush")}
        for mode, record in records.items():
            seconds[mode].append(record.wall_time_s / record.steps)
        differences.append(largest_metric_difference(records["keep"], records["flush"]))
    keep, flush = statistics.median(seconds["keep"]), statistics.median(seconds["flush"])
    return {
        "keep_ms_per_step": round(keep * 1000, 3),
        "flush_ms_per_step": round(flush * 1000, 3),
        "keep_over_flush": round(keep / flush, 2),
        "largest_task_metric_difference": max(differences),
        "scores_identical": max(differences) == 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="baseline,soft_reset")
    parser.add_argument("--tasks", type=int, default=8, help="random-label-mnist tasks per run (500 steps each)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    methods = {name: measure(name, args.tasks, args.repeats) for name in args.methods.split(",")}
    result = {
        "benchmark": f"random-label-mnist quick, first {args.tasks} tasks, seed 0",
        "threads": 1,
        "repeats": args.repeats,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "methods": methods,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name, figures in methods.items():
            print(f"{name}: {figures}")


if __name__ == "__main__":
    main()
