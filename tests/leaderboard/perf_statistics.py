"""Timing and Monte Carlo error of the leaderboard statistics (run by hand; not part of the test suite).

    .venv/bin/python -m tests.leaderboard.perf_statistics
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from leaderboard.aggregate import build_leaderboard
from leaderboard.statistics import BootstrapSettings, StatisticsCache, iqm_estimate
from tests.leaderboard.record_factory import make_record

METHODS = ["baseline", "reset_full", "nap", "ln_wd", "redo", "cbp", "l2_init", "shrink_perturb"]


def synthetic_records(benchmarks: int = 5, seeds: int = 5):
    rng = np.random.default_rng(0)
    records = []
    for b in range(benchmarks):
        for m, method in enumerate(METHODS):
            for seed in range(seeds):
                score = float(np.clip(0.3 + 0.05 * m + 0.05 * rng.standard_normal(), 0.11, 0.99))
                records.append(make_record(method, seed, [0.9, score], benchmark=f"bench-{b}"))
    return records


def main() -> None:
    records = synthetic_records()
    print(f"{len(records)} records: {len(METHODS)} methods x 5 benchmarks x 5 seeds")
    for reps in (2000,):
        with tempfile.TemporaryDirectory() as folder:
            cache = StatisticsCache(Path(folder) / "stats.json")
            start = time.perf_counter()
            build_leaderboard(records, BootstrapSettings(reps=reps), cache)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            build_leaderboard(records, BootstrapSettings(reps=reps), StatisticsCache(Path(folder) / "stats.json"))
            warm = time.perf_counter() - start
        print(f"reps={reps}: cold {cold:.1f} s, warm cache {warm:.2f} s")
    scores = [np.array([0.31, 0.35, 0.42, 0.28, 0.39])]
    start = time.perf_counter()
    bounds = np.array([[e.low, e.high] for e in (iqm_estimate(scores, BootstrapSettings(reps=2000, seed=s)) for s in range(10))])
    print(f"one IQM CI at reps=2000: {(time.perf_counter() - start) / 10:.2f} s; "
          f"sd of its [low, high] over 10 bootstrap seeds: {bounds.std(axis=0).round(4).tolist()} (scores span 0.28-0.42)")
    start = time.perf_counter()
    iqm_estimate(scores, BootstrapSettings(reps=50000))
    print(f"one IQM CI at reps=50000: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
