"""The quick preset's calibration, as pure functions of run records: the reference returns and the revisit table.

`reference_returns` is what `reference_scores.csv`'s `reference` column holds: per game, the mean final
return of the fresh single-game runs (`minatar-single`, one segment of one quick visit). `revisit_table`
is the table docs/benchmarks.md quotes: per seed of the baseline's `minatar-sequence` runs, the return of
each visit and the revisit gains. Both are rebuilt from the committed bundle by the tests.

    .venv/bin/python -m benchmarks.minatar.calibration docs/evidence/minatar-calibration-quick.json.gz
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import mean

from leaderboard.records import RunRecord

FRESH_BENCHMARK = "minatar-single"
SEQUENCE_BENCHMARK = "minatar-sequence"


def fresh_runs(records: Iterable[RunRecord], frames: int) -> dict[str, list[RunRecord]]:
    """The baseline's single-game quick runs of exactly `frames` frames in one segment, by game."""
    runs: dict[str, list[RunRecord]] = defaultdict(list)
    for record in records:
        config = record.benchmark_config
        if (record.benchmark, record.preset, record.method, record.status) == (FRESH_BENCHMARK, "quick", "baseline", "ok") \
                and config["frames"] == frames and config["segments"] == 1:
            runs[config["game"]].append(record)
    return dict(runs)


def reference_returns(records: Iterable[RunRecord], frames: int) -> dict[str, float]:
    """Per game, the mean over seeds of the fresh run's final return (the mean of its last 100 training episodes)."""
    return {game: mean(r.tasks[0].metrics["return"] for r in runs) for game, runs in sorted(fresh_runs(records, frames).items())}


def sequence_runs(records: Iterable[RunRecord]) -> list[RunRecord]:
    return sorted((r for r in records if (r.benchmark, r.preset, r.method, r.status) == (SEQUENCE_BENCHMARK, "quick", "baseline", "ok")),
                  key=lambda r: r.seed)


def revisit_table(records: Sequence[RunRecord]) -> str:
    """Markdown: per seed, each visit's final return (normalised return in brackets), then the mean revisit gain."""
    runs = sequence_runs(records)
    if not runs:
        return ""
    visits = [f"{t.name} {int(t.metrics['cycle']) + 1}" for t in runs[0].tasks]
    lines = ["| seed | " + " | ".join(visits) + " | mean revisit gain (normalised) |",
             "|---|" + "---|" * (len(visits) + 1)]
    for run in runs:
        cells = [f"{t.metrics['return']:.2f} ({t.metrics['norm_return']:+.2f})" for t in run.tasks]
        lines.append(f"| {run.seed} | " + " | ".join(cells) + f" | {run.summary['revisit_mean_norm_return_gain']:+.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.base import get
    from leaderboard.bundle import read_bundle

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m benchmarks.minatar.calibration BUNDLE.json.gz", file=sys.stderr)
        return 2
    records = read_bundle(args[0])
    frames = get(SEQUENCE_BENCHMARK).config("quick").frames_per_game
    print("game,reference")
    for game, value in reference_returns(records, frames).items():
        print(f"{game},{value:.4f}")
    print()
    print(revisit_table(records), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
