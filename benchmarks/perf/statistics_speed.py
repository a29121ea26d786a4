"""Leaderboard statistics with a cold cache: the vectorised bootstrap against rliable's per-resample loop.

For the committed evidence bundle (81 records) and a synthetic 1,000-record set, times
`build_leaderboard` (every interval of every board, cold statistics cache) with each bootstrap engine
(`BootstrapSettings.engine`: "rliable" is how builds ran before, "numpy" how they run now), checks
that the two give the same estimates, bit for bit, times a warm-cache rebuild, and times the whole
`clbench leaderboard build` command end to end (a fresh process and a fresh site folder, so a cold
cache). Then the Monte Carlo error of an IQM interval at 2,000 resamples, and one interval's cost at
2,000 and 50,000. Usage:

    python benchmarks/perf/statistics_speed.py [--repeats 3] [--before-repeats 1] [--json]

With --json the last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from leaderboard.aggregate import Leaderboard, build_leaderboard
from leaderboard.bundle import export_bundle, read_bundle
from leaderboard.records import HeadlineRule, RunRecord, TaskMetrics, make_run_id
from leaderboard.statistics import BootstrapSettings, StatisticsCache, iqm_estimate

ROOT = Path(__file__).resolve().parents[2]

EVIDENCE = ROOT / "docs" / "evidence" / "random-label-mnist-quick-ray.json.gz"
RULE = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=0.1)


def synthetic_records(methods: int = 40, benchmarks: int = 5, seeds: int = 5, diverged_every: int = 37) -> list[RunRecord]:
    """methods × benchmarks × seeds records (1,000 by default), `baseline` and `reset_full` among the methods.

    Every `diverged_every`-th record diverged, so some rows have fewer scored seeds than others and the
    bootstrap meets strata of different sizes, as it does after a failed seed.
    """
    rng = np.random.default_rng(0)
    names = ["baseline", "reset_full", *(f"method_{i:02d}" for i in range(methods - 2))]
    records = []
    for b in range(benchmarks):
        for m, method in enumerate(names):
            for seed in range(seeds):
                score = float(np.clip(0.3 + 0.4 * (m == 1) + 0.01 * m + 0.05 * rng.standard_normal(), 0.11, 0.99))
                diverged = len(records) % diverged_every == diverged_every - 1
                config = {"tasks": 2}
                records.append(RunRecord(
                    run_id=make_run_id(f"bench-{b}", "1", "quick", config, method, {method: {}}, seed, method_version="1"),
                    benchmark=f"bench-{b}", benchmark_version="1", preset="quick", benchmark_config=config,
                    method=method, method_version="1", method_config={method: {}}, seed=seed,
                    status="diverged" if diverged else "ok", diverged_at_step=15 if diverged else None,
                    headline=RULE, score=None if diverged else score, steps=20, wall_time_s=1.0,
                    tasks=[TaskMetrics(task=i, steps=10, metrics={"online_accuracy": a}) for i, a in enumerate([0.9, score])],
                ))
    return records


def estimates(leaderboard: Leaderboard) -> dict[str, list]:
    """Every estimate and profile band of `leaderboard`, by board, row and name."""
    found: dict[str, list] = {}
    for board in [*leaderboard.boards, *leaderboard.overall]:
        title = getattr(board, "slug", None) or f"overall-{board.preset}-{board.regime}"
        for row in board.rows:
            for name, estimate in row.estimates.items():
                found[f"{title}/{row.label}/{name}"] = estimate.as_list()
        for label, profile in board.profile.items():
            if profile is not None:
                found[f"{title}/{label}/profile"] = [profile.fraction, profile.low, profile.high]
    return found


def time_statistics(records: list[RunRecord], engine: str, repeats: int) -> tuple[dict, dict[str, list]]:
    """Median wall and CPU seconds of a cold-cache `build_leaderboard`, a warm rebuild, and the estimates."""
    settings = BootstrapSettings(engine=engine)
    walls, cpus, warms = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            cache = StatisticsCache(Path(folder) / "stats.json")
            wall, cpu = time.perf_counter(), time.process_time()
            leaderboard = build_leaderboard(records, settings, cache)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            cache.save()
            wall = time.perf_counter()
            build_leaderboard(records, settings, StatisticsCache(Path(folder) / "stats.json"))
            warms.append(time.perf_counter() - wall)
    figures = {"cold_s": statistics.median(walls), "cold_cpu_s": statistics.median(cpus), "warm_s": statistics.median(warms)}
    return figures, estimates(leaderboard)


def time_command(bundle: Path, repeats: int) -> dict:
    """Median wall and CPU seconds of `clbench leaderboard build --from bundle --out fresh/`, a cold cache each time."""
    walls, cpus = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            command = ["leaderboard", "build", "--from", str(bundle), "--out", str(Path(folder) / "site")]
            subprocess.run([sys.executable, "-m", "clbench.cli", *command], cwd=ROOT, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"command_s": statistics.median(walls), "command_cpu_s": statistics.median(cpus)}


def measure_input(name: str, records: list[RunRecord], bundle: Path, repeats: int, before_repeats: int) -> dict:
    after, ours = time_statistics(records, "numpy", repeats)
    before, reference = time_statistics(records, "rliable", before_repeats)
    return {
        "input": f"{name} ({len(records)} records)",
        "intervals": len(ours),
        "before_cold_s": round(before["cold_s"], 2),
        "after_cold_s": round(after["cold_s"], 3),
        "after_cold_cpu_s": round(after["cold_cpu_s"], 3),
        "before_over_after": round(before["cold_s"] / after["cold_s"], 1),
        "after_warm_s": round(after["warm_s"], 3),
        "identical_to_rliable": ours == reference,
        **{k: round(v, 2) for k, v in time_command(bundle, repeats).items()},
    }


def monte_carlo_error() -> dict:
    """How far a 5-seed IQM interval's endpoints move with the bootstrap seed, and what one interval costs."""
    scores = [np.array([0.31, 0.35, 0.42, 0.28, 0.39])]
    bounds = np.array([[e.low, e.high] for e in (iqm_estimate(scores, BootstrapSettings(seed=s)) for s in range(10))])
    timings = {}
    for reps in (2000, 50000):
        start = time.perf_counter()
        iqm_estimate(scores, BootstrapSettings(reps=reps))
        timings[f"one_iqm_interval_s_at_{reps}_reps"] = round(time.perf_counter() - start, 4)
    return {
        "scores": "5 seeds spanning 0.28-0.42",
        "sd_of_ci_low_high_over_10_bootstrap_seeds_at_2000_reps": bounds.std(axis=0).round(4).tolist(),
        **timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each vectorised (after) measurement")
    parser.add_argument("--before-repeats", type=int, default=1,
                        help="repeats of rliable's (before) build: minutes at 1,000 records")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        synthetic = synthetic_records()
        synthetic_bundle = export_bundle(synthetic, Path(folder) / "synthetic.json.gz")
        rows = [
            measure_input("evidence bundle", read_bundle(EVIDENCE), EVIDENCE, args.repeats, args.before_repeats),
            measure_input("synthetic: 40 methods x 5 benchmarks x 5 seeds, 1 in 37 diverged", synthetic, synthetic_bundle,
                          args.repeats, args.before_repeats),
        ]
    result = {
        "rows": rows,
        "ratios": {f"before / after, cold statistics, {row['input']}": row["before_over_after"] for row in rows},
        "settings": "2,000 resamples, seed 0, 95% percentile intervals; times are medians, before (rliable) "
                    f"of {args.before_repeats} run(s), after of {args.repeats}",
        "command": "clbench leaderboard build --from BUNDLE --out FRESH_FOLDER (process start, imports, statistics, site)",
        "cpu_count": os.cpu_count(),
        "monte_carlo": monte_carlo_error(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for row in rows:
            print(row)
        print(result["monte_carlo"])


if __name__ == "__main__":
    main()
