"""Statistics against hand-computed values, and the bootstrap's reproducibility and cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.statistics import (
    NORMALISED_IQM,
    OPTIMALITY_GAP,
    SCORE_IQM,
    BootstrapSettings,
    Statistic,
    StatisticsCache,
    aggregate_estimates,
    iqm,
    iqm_estimate,
    optimality_gap,
    performance_profile,
    probability_of_improvement,
    register,
)

FAST = BootstrapSettings(reps=200)


def test_iqm_of_one_to_eight_is_the_mean_of_the_middle_four():
    assert iqm([np.arange(1.0, 9.0)]) == pytest.approx((3 + 4 + 5 + 6) / 4)


def test_iqm_agrees_with_rliable_for_every_run_count_from_one_to_twelve():
    from rliable import metrics

    rng = np.random.default_rng(1)
    for count in range(1, 13):
        scores = rng.normal(size=count)
        assert iqm([scores]) == pytest.approx(metrics.aggregate_iqm(scores))


def test_iqm_pools_runs_of_all_benchmarks_before_trimming():
    assert iqm([np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0, 6.0, 7.0, 8.0])]) == pytest.approx(4.5)


def test_optimality_gap_counts_only_the_shortfall_below_one():
    assert optimality_gap([np.array([0.5, 1.5, 0.8])]) == pytest.approx(1 - (0.5 + 1.0 + 0.8) / 3)


def test_optimality_gap_agrees_with_rliable():
    from rliable import metrics

    scores = np.random.default_rng(2).normal(0.8, 0.3, size=12)
    assert optimality_gap([scores[:5], scores[5:]]) == metrics.aggregate_optimality_gap(scores, gamma=1.0)


def test_each_aggregate_of_a_batch_of_resamples_is_one_value_per_resample():
    batch = [np.array([[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 1.5, 2.5]])]
    assert iqm(batch).tolist() == [2.5, 1.0]
    assert optimality_gap(batch).tolist() == [0.0, 1 - (0.5 + 0.5 + 1.0 + 1.0) / 4]


def test_probability_of_improvement_counts_ties_as_half():
    # pairs x>y: 1 beats {0}; 2 ties {2,2}, beats {0}; 3 beats all three → (1 + 2 + 3) / 9
    assert probability_of_improvement([np.array([1.0, 2.0, 3.0])], [np.array([2.0, 2.0, 0.0])]) == pytest.approx(6 / 9)


def test_probability_of_improvement_averages_over_benchmarks():
    x = [np.array([1.0, 1.0]), np.array([0.0, 0.0])]
    y = [np.array([0.0, 0.0]), np.array([1.0, 1.0])]
    assert probability_of_improvement(x, y) == pytest.approx(0.5)


def test_probability_of_improvement_agrees_with_rliable():
    from rliable import metrics

    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 4, (5, 3)).astype(float), rng.integers(0, 4, (4, 3)).astype(float)
    ours = probability_of_improvement(list(x.T), list(y.T))
    assert ours == pytest.approx(metrics.probability_of_improvement(x, y))


def test_bootstrap_interval_contains_the_point_and_repeats_exactly():
    scores = [np.array([0.2, 0.4, 0.5, 0.9, 0.3])]
    first, second = iqm_estimate(scores, FAST), iqm_estimate(scores, FAST)
    assert first == second
    assert first.low <= first.point <= first.high
    assert first.low >= 0.2 and first.high <= 0.9


def test_one_run_gives_a_zero_width_interval():
    estimate = iqm_estimate([np.array([0.7])], FAST)
    assert (estimate.point, estimate.low, estimate.high) == pytest.approx((0.7, 0.7, 0.7))


def test_statistics_cache_answers_a_repeat_from_disk(tmp_path):
    scores = [np.array([0.1, 0.5, 0.6])]
    cache = StatisticsCache(tmp_path / "stats.json")
    computed = iqm_estimate(scores, FAST, cache)
    cache.save()
    reloaded = StatisticsCache(tmp_path / "stats.json")
    assert iqm_estimate(scores, FAST, reloaded) == computed
    assert (reloaded.hits, reloaded.misses) == (1, 0)


def test_cache_key_changes_with_scores_reps_and_the_statistics_version():
    scores = [np.array([0.1, 0.5])]
    key = StatisticsCache.key("iqm", 1, FAST, [scores])
    assert key != StatisticsCache.key("iqm", 1, FAST, [[np.array([0.1, 0.6])]])
    assert key != StatisticsCache.key("iqm", 1, BootstrapSettings(reps=300), [scores])
    assert key != StatisticsCache.key("iqm", 2, FAST, [scores])


RUNS = {"score": [np.array([0.2, 0.4, 0.5, 0.9, 0.3])], "normalised": [np.array([0.1, 0.3, 0.45, 1.2, 0.2])]}


def test_a_new_version_of_one_statistic_recomputes_it_and_reuses_the_others_cached_intervals(tmp_path):
    cache = StatisticsCache(tmp_path / "stats.json")
    aggregate_estimates(RUNS, FAST, cache)
    cache.save()
    reloaded = StatisticsCache(tmp_path / "stats.json")
    bumped = dataclasses.replace(OPTIMALITY_GAP, version=2)
    aggregate_estimates(RUNS, FAST, reloaded, statistics=[SCORE_IQM, NORMALISED_IQM, bumped])
    assert (reloaded.hits, reloaded.misses) == (2, 1)


def test_each_statistic_gets_the_same_interval_alone_as_in_one_bootstrap_with_the_others():
    together = aggregate_estimates(RUNS, FAST).estimates
    for statistic in (SCORE_IQM, NORMALISED_IQM, OPTIMALITY_GAP):
        assert aggregate_estimates(RUNS, FAST, statistics=[statistic]).estimates == {statistic.name: together[statistic.name]}


def test_runs_get_an_estimate_of_each_registered_statistic_whose_scale_they_have():
    assert set(aggregate_estimates({"score": RUNS["score"]}, FAST).estimates) == {"score_iqm"}
    assert set(aggregate_estimates(RUNS, FAST).estimates) == {"score_iqm", "normalised_iqm", "normalised_mean", "optimality_gap"}


def test_registering_a_second_statistic_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="'score_iqm' is already registered"):
        register(Statistic("score_iqm", 1, iqm, "score", "score IQM again"))


def test_run_score_profile_is_the_fraction_of_runs_above_each_threshold():
    profile = performance_profile([np.array([0.0, 0.5, 1.0, 1.5])], [-1.0, 0.25, 1.2, 2.0], FAST)
    assert profile.fraction == pytest.approx([1.0, 0.75, 0.25, 0.0])


def test_bootstrap_settings_refuse_too_few_reps():
    with pytest.raises(LeaderboardError, match="reps must be between 100"):
        BootstrapSettings(reps=10)


def test_a_statistic_kept_out_of_the_columns_is_still_estimated_for_the_figures():
    from leaderboard.statistics import NORMALISED_MEAN
    from leaderboard.tables import benchmark_columns, overall_columns

    assert not NORMALISED_MEAN.column
    assert NORMALISED_MEAN.name in aggregate_estimates(RUNS, FAST).estimates
    assert NORMALISED_MEAN.name not in {c.key for c in benchmark_columns() + overall_columns()}
