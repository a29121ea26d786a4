"""Runs per hour on one GPU through Ray: one run per GPU against several runs sharing it (`--gpus-per-run F`).

Each share runs the same grid end to end through `clbench run --executor ray --device cuda` into a fresh store,
`--repeats` times, interleaved; it reports the median runs/hour of each share and its ratio to one run per GPU.
Needs a CUDA GPU; on a machine without one it says so and exits 2.

    python benchmarks/perf/ray_gpu_packing.py [--json] [--shares 1,0.5,0.25] [--seeds 8] [--preset quick] [--set bench.num_tasks=15]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.executors import ray_window

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_timing import report, sweep_args, sweep_arguments, sweep_parser, time_sweep  # noqa: E402


def share_arguments(share: float, jobs: int) -> list[str]:
    return ["--executor", "ray", "--jobs", str(jobs), "--device", "cuda", "--gpus-per-run", f"{share:g}"]


def measure(args: argparse.Namespace) -> dict:
    base = sweep_arguments(args)
    jobs = args.jobs or os.cpu_count() or 1
    times: dict[float, list[float]] = {share: [] for share in args.shares}
    with tempfile.TemporaryDirectory(prefix="clbench-gpu-packing-") as folder:
        for repeat in range(args.repeats):
            for share in args.shares:
                times[share].append(time_sweep(base + share_arguments(share, jobs), Path(folder) / f"{share:g}-{repeat}.db"))
    runs = len(args.methods.split(",")) * args.seeds
    per_hour = {share: 3600 * runs / statistics.median(values) for share, values in times.items()}
    one = per_hour.get(1.0)
    rows = [
        {
            "gpus_per_run": share,
            "runs_at_once": ray_window({"CPU": jobs, "GPU": 1}, share),
            "command": "clbench " + shlex.join(base + share_arguments(share, jobs)),
            "median_s": round(statistics.median(times[share]), 2),
            "runs_per_hour": round(per_hour[share], 1),
            "ratio_to_one_run_per_gpu": round(per_hour[share] / one, 2) if one else None,
        }
        for share in args.shares
    ]
    return {
        "title": "Runs per hour on one GPU: runs packed by fractional GPU shares (Ray)",
        "sweep": f"{args.benchmark}/{args.preset} ({', '.join(args.set) or 'as the preset'}) × {args.methods} × {args.seeds} seeds = {runs} runs",
        "repeats": args.repeats,
        "rows": rows,
    }


def main() -> None:
    parser = sweep_parser(__doc__, repeats=2, benchmark="random-label-mnist", seeds=8)
    parser.add_argument("--jobs", type=int, default=None, help="CPUs of the local Ray instance (default: every core)")
    parser.add_argument("--shares", default="1,0.5,0.25", help="fractions of a GPU per run to compare; include 1 for the ratio")
    args = sweep_args(parser)
    try:
        args.shares = [float(part) for part in args.shares.split(",")]
    except ValueError:
        parser.error(f"--shares must be numbers separated by commas, got {args.shares!r}")
    if any(not 0 < share <= 1 for share in args.shares):
        parser.error("--shares must each be in (0, 1]")
    import torch

    if not torch.cuda.is_available():
        print("ray_gpu_packing needs a CUDA GPU: torch.cuda.is_available() is False on this machine", file=sys.stderr)
        raise SystemExit(2)
    report(measure(args), args.json,
           lambda row: f"{row['gpus_per_run']:>5g} GPU/run ({row['runs_at_once']} at once): {row['runs_per_hour']:8.1f} runs/h, "
                       f"× {row['ratio_to_one_run_per_gpu']} of one run per GPU   {row['command']}")


if __name__ == "__main__":
    main()
