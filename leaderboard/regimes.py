"""Default against tuned, side by side: each method's default row beside its tuned row on one benchmark.

The two regimes keep their own boards and rankings (they are never pooled); this table only sets a method's two
rows next to each other, on the headline score they share, with P(tuned > default) over the evaluation seeds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leaderboard.aggregate import BenchmarkBoard, MethodRow, build_leaderboard
from leaderboard.bundle import merge_bundles
from leaderboard.claims import EVIDENCE_DIR
from leaderboard.errors import LeaderboardError
from leaderboard.records import RunRecord
from leaderboard.statistics import IMPROVEMENT, SCORE_IQM, BootstrapSettings, Estimate, StatisticsCache, comparison_estimates
from leaderboard.tables import METHOD, Column, TableData, describe_params

VERSUS_DEFAULT = "P(tuned > default) [95% CI]"


@dataclass(frozen=True)
class RegimeComparison:
    """One method version on one benchmark: its default row, its tuned row, and P(tuned > default)."""

    method: str
    version: str
    default: MethodRow | None
    tuned: MethodRow
    improvement: Estimate | None


def current_defaults(records: list[RunRecord], tuned: list[RunRecord]) -> list[RunRecord]:
    """The default-regime evaluation runs of exactly the (method, version) pairs that `tuned` evaluated, one per run id."""
    wanted = {(r.method, r.method_version) for r in tuned if r.regime != "default" and r.seed_role == "evaluation"}
    unique = {r.run_id: r for r in records if r.regime == "default" and (r.method, r.method_version) in wanted}
    return list(unique.values())


def _default_row(rows: list[MethodRow], method: str, version: str) -> MethodRow | None:
    matches = [row for row in rows if (row.method, row.method_version) == (method, version)]
    if len(matches) > 1:
        raise LeaderboardError(f"{method} v{version} has {len(matches)} default configs on one board "
                               f"({', '.join(row.label for row in matches)}); compare one default config with its tuned one")
    return matches[0] if matches else None


def compare_regimes(default: BenchmarkBoard, tuned: BenchmarkBoard, settings: BootstrapSettings,
                    cache: StatisticsCache | None = None) -> list[RegimeComparison]:
    """A comparison per tuned row, in the tuned board's rank order; P(tuned > default) resamples each side's seeds."""
    comparisons = []
    for row in tuned.rows:
        match = _default_row(default.rows, row.method, row.method_version)
        improvement = None
        if match is not None and row.scores and match.scores:
            ours, theirs = ({"score": [np.array(list(r.scores.values()))]} for r in (row, match))
            improvement = comparison_estimates(ours, theirs, settings, cache, statistics=[IMPROVEMENT])[IMPROVEMENT.name]
        comparisons.append(RegimeComparison(row.method, row.method_version, match, row, improvement))
    return comparisons


COLUMNS = [
    METHOD,
    Column("default_rank", "default rank", "integer"),
    Column("default_score", f"default {SCORE_IQM.label}", "estimate"),
    Column("tuned_rank", "tuned rank", "integer"),
    Column("tuned_score", f"tuned {SCORE_IQM.label}", "estimate"),
    Column("rank_change", "places gained", "integer"),
    Column("improvement", VERSUS_DEFAULT, "estimate", digits=2),
    Column("chosen", "chosen hyperparameters"),
]


def regime_table(default: BenchmarkBoard, tuned: BenchmarkBoard, settings: BootstrapSettings,
                 cache: StatisticsCache | None = None) -> TableData:
    """The default-against-tuned table of one benchmark (docs/methods.md quotes it for issue 17's evidence)."""
    rows = []
    for c in compare_regimes(default, tuned, settings, cache):
        before = c.default.rank if c.default else None
        rows.append({
            "method": f"{c.method} v{c.version}",
            "default_rank": before,
            "default_score": c.default.estimates.get(SCORE_IQM.name) if c.default else None,
            "tuned_rank": c.tuned.rank,
            "tuned_score": c.tuned.estimates.get(SCORE_IQM.name),
            "rank_change": None if before is None or c.tuned.rank is None else before - c.tuned.rank,
            "improvement": c.improvement,
            "chosen": describe_params(c.tuned.tuned) if c.tuned.tuned is not None else None,
        })
    title = f"{tuned.benchmark} v{tuned.version} ({tuned.preset}): default against {tuned.regime}"
    return TableData(f"regimes-{tuned.slug}", title, COLUMNS, rows)


def regime_tables(defaults: list[RunRecord], tuned: list[RunRecord], settings: BootstrapSettings) -> list[TableData]:
    """One table per tuned board in `tuned`, against the default board of the same benchmark, version and preset."""
    board = build_leaderboard(current_defaults(defaults, tuned) + tuned, settings)
    tables = []
    for tuned_board in (b for b in board.boards if b.regime != "default"):
        same = [b for b in board.boards if b.regime == "default"
                and (b.benchmark, b.version, b.preset) == (tuned_board.benchmark, tuned_board.version, tuned_board.preset)]
        if len(same) != 1:
            raise LeaderboardError(f"{tuned_board.title} needs exactly one default board to compare with, found {len(same)}")
        tables.append(regime_table(same[0], tuned_board, settings))
    return tables


def tuning_cost(tuned: list[RunRecord]) -> str:
    """The measured cost of tuned studies, in core-hours: the sum of their runs' wall times (one torch thread per run)."""
    trials = [r for r in tuned if r.seed_role == "tuning"]
    evaluations = [r for r in tuned if r.seed_role == "evaluation" and r.regime != "default"]
    parts = [(len(runs), sum(r.wall_time_s for r in runs) / 3600) for runs in (trials, evaluations)]
    (n_trials, trial_hours), (n_evaluations, evaluation_hours) = parts
    return (f"Measured cost: {n_trials} trial runs, {trial_hours:.1f} core-h; {n_evaluations} evaluation runs, "
            f"{evaluation_hours:.1f} core-h; {trial_hours + evaluation_hours:.1f} core-h in all (the sum of the runs' wall "
            "times, one torch thread each).\n")


@dataclass(frozen=True)
class RegimeEvidence:
    """A default-against-tuned table the docs quote: the Markdown file beside the bundles it is built from."""

    quoted: str
    defaults: tuple[str, ...]
    tuned: str

    @property
    def paths(self) -> list[Path]:
        return [EVIDENCE_DIR / name for name in (*self.defaults, self.tuned)]

    def build(self, settings: BootstrapSettings | None = None) -> str:
        defaults = merge_bundles([EVIDENCE_DIR / name for name in self.defaults])
        tuned = merge_bundles([EVIDENCE_DIR / self.tuned])
        tables = "".join(t.to_markdown() for t in regime_tables(defaults, tuned, settings or BootstrapSettings()))
        return f"{tables}\n{tuning_cost(tuned)}"


RANDOM_LABEL_DEFAULTS = ("random-label-mnist-quick-ray.json.gz", "ev16-random-label-mnist-quick.json.gz")
"""The default runs of every method at its registered version on random-label-mnist quick."""
QUOTED = (
    RegimeEvidence(
        "default-vs-tuned-random-label-mnist-quick.md",
        RANDOM_LABEL_DEFAULTS,
        "tune-random-label-mnist-quick-h03.json.gz",
    ),
    RegimeEvidence(
        "default-vs-tuned-h1-random-label-mnist-quick.md",
        RANDOM_LABEL_DEFAULTS,
        "tune-random-label-mnist-quick-h1.json.gz",
    ),
    RegimeEvidence(
        "default-vs-tuned-permuted-mnist-quick.md",
        ("ev16-permuted-mnist-quick.json.gz", "permuted-mnist-quick-defaults.json.gz"),
        "tune-permuted-mnist-quick-h03.json.gz",
    ),
)
"""Issue 17's evidence: `tests/leaderboard/test_tables.py` rebuilds each; `python -m leaderboard.regimes` rewrites them."""


def main() -> int:
    """Rewrite every quoted default-against-tuned table whose bundles are committed."""
    for evidence in QUOTED:
        if all(path.exists() for path in evidence.paths):
            (EVIDENCE_DIR / evidence.quoted).write_text(evidence.build(), encoding="utf-8")
            print(f"wrote {evidence.quoted}")
        else:
            print(f"skipped {evidence.quoted}: bundle(s) {[p.name for p in evidence.paths if not p.exists()]} not committed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
