"""Wall time of one sweep through `clbench run`: local with 1 job, local with 2 jobs, and Ray with 2 CPUs.

Each setup runs the same grid into a fresh store, end to end (process start, worker or Ray start,
all runs), `--repeats` times, interleaved so that load drifts hit every setup alike; it reports the
median of each and the ratios between them.

    python benchmarks/perf/sweep_timing.py [--json] [--repeats 3] [--seeds 4] [--preset quick] [--set bench.num_tasks=15]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SETUPS = {
    "local-1": ("local, 1 job (in the driver's process)", ["--executor", "local", "--jobs", "1"]),
    "local-2": ("local, 2 jobs (2 worker processes)", ["--executor", "local", "--jobs", "2"]),
    "ray-2": ("Ray, local instance with 2 CPUs", ["--executor", "ray", "--jobs", "2"]),
}


def sweep_arguments(args: argparse.Namespace) -> list[str]:
    settings = [part for assignment in args.set for part in ("--set", assignment)]
    return ["run", "-b", args.benchmark, "-m", args.methods, "--seeds", str(args.seeds), "--preset", args.preset, *settings, "--no-progress"]


def time_sweep(arguments: list[str], store: Path) -> float:
    """Seconds for one `clbench run` from launch to exit; raises if the sweep did not finish every run ok."""
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", CLBENCH_STORE=str(store))
    command = [sys.executable, "-m", "clbench.cli", *arguments, "--store", str(store)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or " failed" in done.stdout:
        raise RuntimeError(f"{shlex.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def measure(args: argparse.Namespace) -> dict:
    base = sweep_arguments(args)
    setups = [name for name in SETUPS if not (args.skip_ray and name.startswith("ray"))]
    times: dict[str, list[float]] = {name: [] for name in setups}
    with tempfile.TemporaryDirectory(prefix="clbench-sweep-timing-") as folder:
        for repeat in range(args.repeats):
            for name in setups:
                store = Path(folder) / f"{name}-{repeat}.db"
                times[name].append(time_sweep(base + SETUPS[name][1], store))
    runs = len(args.methods.split(",")) * args.seeds
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = [
        {
            "setup": SETUPS[name][0],
            "command": "clbench " + shlex.join(base + SETUPS[name][1]),
            "median_s": round(medians[name], 2),
            "runs_per_minute": round(60 * runs / medians[name], 1),
            "all_s": [round(t, 2) for t in times[name]],
        }
        for name in setups
    ]
    ratios = {"speedup of 2 jobs over 1 (local)": round(medians["local-1"] / medians["local-2"], 2)}
    if "ray-2" in medians:
        ratios["Ray time / local time, both 2 jobs"] = round(medians["ray-2"] / medians["local-2"], 2)
        ratios["speedup of Ray (2 CPUs) over local 1 job"] = round(medians["local-1"] / medians["ray-2"], 2)
    return {
        "title": "Sweep wall time: local 1 job, local 2 jobs, Ray",
        "sweep": f"{args.benchmark}/{args.preset} ({', '.join(args.set) or 'as the preset'}) × {args.methods} × {args.seeds} seeds = {runs} runs",
        "repeats": args.repeats,
        "cpu_count": os.cpu_count(),
        "rows": rows,
        "ratios": ratios,
    }


def sweep_parser(doc: str, repeats: int, benchmark: str, seeds: int) -> argparse.ArgumentParser:
    """The options every sweep timer shares: the grid (benchmark, methods, seeds, preset, --set), repeats and --json."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object (for benchmarks/perf/report.py)")
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--benchmark", default=benchmark)
    parser.add_argument("--methods", default="baseline,reset_full")
    parser.add_argument("--seeds", type=int, default=seeds)
    parser.add_argument("--preset", default="quick")
    parser.add_argument(
        "--set",
        action="append",
        default=None,
        help="benchmark settings for the sweep (default bench.num_tasks=15: about 4 s a run, long enough that "
        "start-up does not hide the work, short enough for several repeats)",
    )
    return parser


def sweep_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parsed options, with the default --set and the checks every sweep timer shares."""
    args = parser.parse_args()
    args.set = args.set if args.set is not None else ["bench.num_tasks=15"]
    if args.repeats < 1 or args.seeds < 1:
        parser.error("--repeats and --seeds must be at least 1")
    return args


def main() -> None:
    parser = sweep_parser(__doc__, repeats=3, benchmark="permuted-mnist", seeds=4)
    parser.add_argument("--skip-ray", action="store_true", help="time only the local setups")
    args = sweep_args(parser)
    report(measure(args), args.json,
           lambda row: f"{row['setup']:<42} median {row['median_s']:7.2f} s  {row['runs_per_minute']:6.1f} runs/min   {row['command']}")


def report(result: dict, as_json: bool, line: Callable[[dict], str]) -> None:
    """One JSON object (for benchmarks/perf/report.py), or the sweep, a `line` per row and the ratios."""
    if as_json:
        print(json.dumps(result))
        return
    print(result["sweep"])
    for row in result["rows"]:
        print(line(row))
    for name, value in result.get("ratios", {}).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
