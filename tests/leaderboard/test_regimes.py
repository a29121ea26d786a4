"""Two regimes side by side: a method's default and tuned rows, or its rows tuned on a short horizon and on the whole
stream, each ranked on its own board, with P(after > before)."""

from __future__ import annotations

import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.records import TUNING_SEED_START
from leaderboard.regimes import current_defaults, horizon_tables, regime_tables, tuning_cost
from leaderboard.statistics import BootstrapSettings
from tests.leaderboard.record_factory import make_record, three_methods, tuned

SETTINGS = BootstrapSettings(reps=200)
LRS = {"baseline": 0.003, "reset_full": 0.0005, "nap": 0.002}


def tuned_runs(baseline_finals=(0.85, 0.9, 0.95)) -> list:
    """Tuning lifts the baseline from 0.3–0.5 to `baseline_finals`; reset_full and nap score as at their defaults."""
    records = [tuned(make_record("baseline", s, [0.8, 0.6, x]), LRS["baseline"]) for s, x in enumerate(baseline_finals)]
    return records + [tuned(r, LRS[r.method]) for r in three_methods() if r.method != "baseline"]


def rows_by_method(table) -> dict[str, dict]:
    return {row["method"]: row for row in table.rows}


def test_a_method_that_tuning_lifts_gains_places_and_is_surely_better_than_its_defaults():
    (table,) = regime_tables(three_methods(), tuned_runs(), SETTINGS)
    baseline = rows_by_method(table)["baseline v1"]
    assert (baseline["before_rank"], baseline["after_rank"], baseline["rank_change"]) == (3, 1, 2)
    assert baseline["improvement"].point == pytest.approx(1.0) and baseline["improvement"].low == pytest.approx(1.0)
    assert baseline["before_score"].point == pytest.approx(0.4) and baseline["after_score"].point == pytest.approx(0.9)
    assert baseline["after_chosen"] == "bench.lr=0.003" and baseline["before_chosen"] is None


def test_a_method_that_tuning_leaves_alone_is_even_with_its_defaults():
    (table,) = regime_tables(three_methods(), tuned_runs(), SETTINGS)
    reset_full = rows_by_method(table)["reset_full v1"]
    assert reset_full["improvement"].point == pytest.approx(0.5)
    assert "P(tuned > default)" in table.to_markdown() and "default against tuned (budget 8, horizon 1)" in table.title


def test_only_default_runs_of_the_tuned_method_versions_are_compared():
    older = [make_record("nap", s, [0.8, 0.7, 0.2], method_version="0") for s in range(3)]
    other = [make_record("redo", s, [0.8, 0.7, 0.2]) for s in range(3)]
    kept = current_defaults(three_methods() + older + other + three_methods(), tuned_runs())
    assert {(r.method, r.method_version) for r in kept} == {("baseline", "1"), ("reset_full", "1"), ("nap", "1")}
    assert len(kept) == len(three_methods())


def test_a_tuned_method_without_default_runs_has_an_empty_default_side():
    defaults = [r for r in three_methods() if r.method != "nap"]
    (table,) = regime_tables(defaults, tuned_runs(), SETTINGS)
    nap = rows_by_method(table)["nap v1"]
    assert nap["before_rank"] is None and nap["improvement"] is None and nap["rank_change"] is None
    assert "| nap v1 | — |" in table.to_markdown()


def test_two_default_configs_of_one_method_version_are_refused_by_name():
    other_config = [make_record("nap", s, [0.8, 0.7, 0.5], method_config={"nap": {"every": "3"}}) for s in range(3)]
    with pytest.raises(LeaderboardError, match="nap v1 has 2 default configs"):
        regime_tables(three_methods() + other_config, tuned_runs(), SETTINGS)


def test_tuned_runs_with_no_default_board_of_their_benchmark_are_refused():
    with pytest.raises(LeaderboardError, match="needs exactly one default board"):
        regime_tables([], tuned_runs(), SETTINGS)


def short_and_whole(short_finals=(0.85, 0.9, 0.95)) -> list:
    """Two studies of the three methods: on the first 30% of the stream the baseline chose lr 0.003 and scores
    `short_finals`; on the whole stream it chose lr 0.0001 and scores 0.3–0.5, as at its defaults."""
    short = [tuned(r, 0.003 if r.method == "baseline" else LRS[r.method], study="short", horizon=0.3) for r in tuned_runs(short_finals)]
    whole = [tuned(r, 0.0001 if r.method == "baseline" else LRS[r.method], study="whole") for r in three_methods()]
    return short + whole


def test_a_horizon_table_sets_each_method_tuned_on_the_short_horizon_beside_it_tuned_on_the_whole_stream():
    (table,) = horizon_tables(short_and_whole(), SETTINGS)
    baseline = rows_by_method(table)["baseline v1"]
    assert (baseline["before_rank"], baseline["after_rank"], baseline["rank_change"]) == (1, 3, -2)
    assert baseline["improvement"].point == pytest.approx(0.0)
    assert (baseline["before_chosen"], baseline["after_chosen"]) == ("bench.lr=0.003", "bench.lr=0.0001")
    markdown = table.to_markdown()
    assert "tuned (budget 8, horizon 0.3) against tuned (budget 8, horizon 1)" in table.title
    assert "P(horizon 1 > horizon 0.3)" in markdown and "horizon 0.3 chosen hyperparameters" in markdown


def test_a_horizon_table_needs_two_tuned_boards_of_different_horizons():
    only_short = [r for r in short_and_whole() if r.tuning.horizon == 0.3]
    with pytest.raises(LeaderboardError, match="has 1 tuned boards"):
        horizon_tables(only_short, SETTINGS)


def test_the_tuning_cost_sums_trial_and_evaluation_wall_times_apart():
    trial = tuned(make_record("nap", 0, [0.5, 0.6], wall_time_s=1800.0), 0.01, trial=2, seed=TUNING_SEED_START)
    evaluations = [tuned(make_record("nap", s, [0.5, 0.6], wall_time_s=3600.0), 0.01) for s in range(3)]
    line = tuning_cost([trial, *evaluations, make_record("baseline", 0, [0.5], wall_time_s=9999.0)])
    assert "1 trial runs, 0.5 core-h; 3 evaluation runs, 3.0 core-h; 3.5 core-h in all" in line
