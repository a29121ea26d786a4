"""Two regimes side by side: each method's default row beside its tuned row on one benchmark, or its row tuned
on a short horizon beside its row tuned on the whole stream.

The regimes keep their own boards and rankings (they are never pooled); these tables only set a method's two
rows next to each other, on the headline score they share, with P(after > before) over the evaluation seeds.
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

@dataclass(frozen=True)
class RegimeComparison:
    """One method version on two boards: its row on the `before` board (default, or a shorter horizon), its row on
    the `after` board, and P(after > before)."""

    method: str
    version: str
    before: MethodRow | None
    after: MethodRow
    improvement: Estimate | None


def current_defaults(records: list[RunRecord], tuned: list[RunRecord]) -> list[RunRecord]:
    """The default-regime evaluation runs of exactly the (method, version) pairs that `tuned` evaluated, one per run id."""
    wanted = {(r.method, r.method_version) for r in tuned if r.regime != "default" and r.seed_role == "evaluation"}
    unique = {r.run_id: r for r in records if r.regime == "default" and (r.method, r.method_version) in wanted}
    return list(unique.values())


def _before_row(board: BenchmarkBoard, method: str, version: str) -> MethodRow | None:
    matches = [row for row in board.rows if (row.method, row.method_version) == (method, version)]
    if len(matches) > 1:
        raise LeaderboardError(f"{method} v{version} has {len(matches)} {board.regime} configs on one board "
                               f"({', '.join(row.label for row in matches)}); compare one default config with its tuned one")
    return matches[0] if matches else None


def compare_regimes(before: BenchmarkBoard, after: BenchmarkBoard, settings: BootstrapSettings,
                    cache: StatisticsCache | None = None) -> list[RegimeComparison]:
    """A comparison per row of `after`, in its rank order; P(after > before) resamples each side's seeds."""
    comparisons = []
    for row in after.rows:
        match = _before_row(before, row.method, row.method_version)
        improvement = None
        if match is not None and row.scores and match.scores:
            ours, theirs = ({"score": [np.array(list(r.scores.values()))]} for r in (row, match))
            improvement = comparison_estimates(ours, theirs, settings, cache, statistics=[IMPROVEMENT])[IMPROVEMENT.name]
        comparisons.append(RegimeComparison(row.method, row.method_version, match, row, improvement))
    return comparisons


def comparison_columns(before: str, after: str, before_chosen: bool) -> list[Column]:
    """The columns setting `before`'s row beside `after`'s; `before_chosen` adds the before side's tuned values."""
    chosen = [Column("before_chosen", f"{before} chosen hyperparameters")] if before_chosen else []
    return [
        METHOD,
        Column("before_rank", f"{before} rank", "integer"),
        Column("before_score", f"{before} {SCORE_IQM.label}", "estimate"),
        *chosen,
        Column("after_rank", f"{after} rank", "integer"),
        Column("after_score", f"{after} {SCORE_IQM.label}", "estimate"),
        Column("rank_change", "places gained", "integer"),
        Column("improvement", f"P({after} > {before}) [95% CI]", "estimate", digits=2),
        Column("after_chosen", f"{after} chosen hyperparameters" if before_chosen else "chosen hyperparameters"),
    ]


def _chosen(row: MethodRow | None) -> str | None:
    return describe_params(row.tuned) if row is not None and row.tuned is not None else None


def comparison_table(before: BenchmarkBoard, after: BenchmarkBoard, settings: BootstrapSettings,
                     names: tuple[str, str] = ("default", "tuned"), cache: StatisticsCache | None = None) -> TableData:
    """Each method's row on `before` beside its row on `after` (each ranked on its own board), with P(after > before);
    `names` label the two sides."""
    before_name, after_name = names
    rows = []
    for c in compare_regimes(before, after, settings, cache):
        rank = c.before.rank if c.before else None
        rows.append({
            "method": f"{c.method} v{c.version}",
            "before_rank": rank,
            "before_score": c.before.estimates.get(SCORE_IQM.name) if c.before else None,
            "before_chosen": _chosen(c.before),
            "after_rank": c.after.rank,
            "after_score": c.after.estimates.get(SCORE_IQM.name),
            "rank_change": None if rank is None or c.after.rank is None else rank - c.after.rank,
            "improvement": c.improvement,
            "after_chosen": _chosen(c.after),
        })
    before_tuned = before.regime != "default"
    title = f"{after.benchmark} v{after.version} ({after.preset}): {before.regime} against {after.regime}"
    slug = f"horizons-{after.slug}" if before_tuned else f"regimes-{after.slug}"
    return TableData(slug, title, comparison_columns(before_name, after_name, before_tuned), rows)


def regime_table(default: BenchmarkBoard, tuned: BenchmarkBoard, settings: BootstrapSettings,
                 cache: StatisticsCache | None = None) -> TableData:
    """The default-against-tuned table of one benchmark (docs/methods.md quotes it for issue 17's evidence)."""
    return comparison_table(default, tuned, settings, ("default", "tuned"), cache)


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


def _horizon(board: BenchmarkBoard) -> float:
    tags = {r.tuning.horizon for runs in board.records.values() for r in runs if r.tuning is not None}
    if len(tags) != 1:
        raise LeaderboardError(f"{board.title} holds runs of {len(tags)} tuning horizons; a tuned board has one")
    return tags.pop()


def horizon_tables(tuned: list[RunRecord], settings: BootstrapSettings) -> list[TableData]:
    """Per benchmark, its tuned board at the shorter horizon beside the one at the longer: how the ranking moves
    when the study tunes on the first fraction f of the stream instead of all of it (Mesbahi et al., ICML 2025)."""
    board = build_leaderboard(tuned, settings)
    groups: dict[tuple[str, str, str], list[BenchmarkBoard]] = {}
    for b in board.boards:
        if b.regime != "default":
            groups.setdefault((b.benchmark, b.version, b.preset), []).append(b)
    tables = []
    for (benchmark, version, preset), boards in sorted(groups.items()):
        if len(boards) != 2:
            raise LeaderboardError(f"{benchmark} v{version} ({preset}) has {len(boards)} tuned boards "
                                   f"({', '.join(b.regime for b in boards)}); a horizon table compares two")
        short, whole = sorted(boards, key=_horizon)
        if _horizon(short) == _horizon(whole):
            raise LeaderboardError(f"{benchmark} v{version} ({preset}): both tuned boards have horizon {_horizon(short):g}")
        names = (f"horizon {_horizon(short):g}", f"horizon {_horizon(whole):g}")
        tables.append(comparison_table(short, whole, settings, names))
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


@dataclass(frozen=True)
class HorizonEvidence:
    """A table the docs quote of one benchmark's two tuned studies, a short horizon beside the whole stream."""

    quoted: str
    short: str
    whole: str

    @property
    def paths(self) -> list[Path]:
        return [EVIDENCE_DIR / name for name in (self.short, self.whole)]

    def build(self, settings: BootstrapSettings | None = None) -> str:
        studies = [merge_bundles([path]) for path in self.paths]
        tables = "".join(t.to_markdown() for t in horizon_tables([r for s in studies for r in s], settings or BootstrapSettings()))
        costs = "".join(f"{path.name}: {tuning_cost(study)}" for path, study in zip(self.paths, studies))
        return f"{tables}\n{costs}"


RANDOM_LABEL_DEFAULTS = ("random-label-mnist-quick-ray.json.gz", "ev16-random-label-mnist-quick.json.gz")
"""The default runs of every method at its registered version on random-label-mnist quick."""
PERMUTED_DEFAULTS = ("ev16-permuted-mnist-quick.json.gz", "permuted-mnist-quick-defaults.json.gz")
"""The same on permuted-mnist quick."""
QUOTED: tuple[RegimeEvidence | HorizonEvidence, ...] = (
    RegimeEvidence(
        "default-vs-tuned-random-label-mnist-quick.md",
        RANDOM_LABEL_DEFAULTS,
        "tune-random-label-mnist-quick-h03.json.gz",
    ),
    RegimeEvidence(
        "default-vs-tuned-permuted-mnist-quick.md",
        PERMUTED_DEFAULTS,
        "tune-permuted-mnist-quick-h03.json.gz",
    ),
    RegimeEvidence(
        "default-vs-tuned-h1-permuted-mnist-quick.md",
        PERMUTED_DEFAULTS,
        "tune-permuted-mnist-quick-h1.json.gz",
    ),
    HorizonEvidence(
        "horizons-permuted-mnist-quick.md",
        "tune-permuted-mnist-quick-h03.json.gz",
        "tune-permuted-mnist-quick-h1.json.gz",
    ),
)
"""Issue 17's evidence: `tests/leaderboard/test_tables.py` rebuilds each; `python -m leaderboard.regimes` rewrites them."""


def main() -> int:
    """Rewrite every quoted default-against-tuned and horizon table whose bundles are committed."""
    for evidence in QUOTED:
        if all(path.exists() for path in evidence.paths):
            (EVIDENCE_DIR / evidence.quoted).write_text(evidence.build(), encoding="utf-8")
            print(f"wrote {evidence.quoted}")
        else:
            print(f"skipped {evidence.quoted}: bundle(s) {[p.name for p in evidence.paths if not p.exists()]} not committed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
