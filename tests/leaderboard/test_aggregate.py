"""Leaderboard aggregation against values computed by hand on small hand-built records."""

from __future__ import annotations

import pytest

from leaderboard.aggregate import build_leaderboard, plasticity_normalised
from leaderboard.records import HeadlineRule
from leaderboard.statistics import BootstrapSettings
from tests.leaderboard.record_factory import make_record, three_methods

FAST = BootstrapSettings(reps=200)


def row(board, method):
    return next(r for r in board.rows if r.method == method)


def test_normalised_score_maps_chance_to_zero_and_reset_full_to_one():
    assert plasticity_normalised(0.1, 0.1, 0.8) == 0
    assert plasticity_normalised(0.8, 0.1, 0.8) == pytest.approx(1)


def test_each_seed_is_normalised_by_chance_and_the_reset_full_mean():
    board = build_leaderboard(three_methods(), FAST).boards[0]
    assert board.reference == pytest.approx(0.8)
    assert row(board, "baseline").normalised == pytest.approx({0: 0.2 / 0.7, 1: 0.3 / 0.7, 2: 0.4 / 0.7})
    assert row(board, "reset_full").estimates["normalised_iqm"].point == pytest.approx(1.0)


def test_optimality_gap_of_reset_full_counts_its_seeds_below_the_reference():
    board = build_leaderboard(three_methods(), FAST).boards[0]
    # normalised 8/7, 1, 6/7: clipped at 1 → gap = 1 − (1 + 1 + 6/7)/3
    assert row(board, "reset_full").estimates["optimality_gap"].point == pytest.approx(1 - (2 + 6 / 7) / 3)


def test_score_iqm_of_three_seeds_is_their_mean():
    board = build_leaderboard(three_methods(), FAST).boards[0]
    estimate = row(board, "baseline").estimates["score_iqm"]
    assert estimate.point == pytest.approx(0.4)
    assert 0.3 <= estimate.low <= 0.4 <= estimate.high <= 0.5


def test_probability_of_improvement_over_baseline_is_one_when_every_run_beats_every_baseline_run():
    board = build_leaderboard(three_methods(), FAST).boards[0]
    assert row(board, "nap").estimates["improvement"].as_list() == pytest.approx([1.0, 1.0, 1.0])
    assert "improvement" not in row(board, "baseline").estimates


def test_diverged_seed_is_flagged_and_left_out_of_the_statistics():
    nap = row(build_leaderboard(three_methods(), FAST).boards[0], "nap")
    assert nap.diverged == [2] and sorted(nap.scores) == [0, 1]
    assert "diverged seeds 2" in nap.flags
    assert nap.estimates["score_iqm"].point == pytest.approx(0.65)


def test_failed_and_missing_seeds_are_flagged():
    records = three_methods() + [make_record("nap", 3, status="failed", accuracies=[0.8, 0.7, 0.5])]
    board = build_leaderboard(records, FAST).boards[0]
    assert "failed seeds 3" in row(board, "nap").flags
    assert "missing seeds 3" in row(board, "baseline").flags


def with_environment(record, **fields):
    return record.model_copy(update={"environment": record.environment.model_copy(update=fields)})


def test_a_row_made_alike_has_no_provenance_flag():
    records = [with_environment(r, git_commit="a" * 40, cpu_capability="AVX512") for r in three_methods()]
    board = build_leaderboard(records, FAST).boards[0]
    assert all(r.provenance == [] for r in board.rows)


def test_a_row_pooling_seeds_from_two_commits_and_two_cpu_kernels_says_so():
    records = [with_environment(r, git_commit="a" * 40, cpu_capability="AVX512") for r in three_methods()]
    records = [
        with_environment(r, git_commit="b" * 40 + "-dirty", cpu_capability="AVX2") if r.method == "baseline" and r.seed == 2 else r
        for r in records
    ]
    board = build_leaderboard(records, FAST).boards[0]
    flags = row(board, "baseline").flags
    assert "seeds from 2 code versions" in flags
    assert "uncommitted code in seeds 2" in flags
    assert "mixed CPU kernels (AVX2, AVX512)" in flags
    assert row(board, "nap").provenance == []


def test_a_row_pooling_seeds_from_two_processors_and_mkl_modes_says_so():
    records = [with_environment(r, cpu_model="AMD EPYC 9654", cpu_capability="AVX512") for r in three_methods()]
    records = [
        with_environment(r, cpu_model="Intel Xeon Platinum 8480+", mkl_cbwr="AVX2") if r.method == "nap" and r.seed == 0 else r
        for r in records
    ]
    board = build_leaderboard(records, FAST).boards[0]
    assert "mixed CPUs (AMD EPYC 9654, Intel Xeon Platinum 8480+)" in row(board, "nap").flags
    assert "mixed MKL modes (AVX2, unrecorded)" in row(board, "nap").flags
    assert row(board, "baseline").provenance == []


def test_a_row_mixing_flushed_and_unrecorded_subnormal_handling_says_so():
    records = [with_environment(r, denormals="flush") if r.seed == 1 else r for r in three_methods()]
    assert "mixed subnormal handling (flush, unrecorded)" in row(build_leaderboard(records, FAST).boards[0], "nap").flags


def test_a_row_run_on_cpu_and_gpu_says_so():
    records = [with_environment(r, device="cuda:0 (H100)") if r.seed == 0 else r for r in three_methods()]
    flags = row(build_leaderboard(records, FAST).boards[0], "reset_full").flags
    assert "mixed devices (cpu, cuda:0 (H100))" in flags


def test_retention_is_final_tenth_over_tasks_two_to_eleven_averaged_over_seeds():
    records = [make_record("baseline", 0, [0.9, 0.8, 0.4]), make_record("baseline", 1, [0.9, 0.6, 0.6])]
    board = build_leaderboard(records, FAST).boards[0]
    # seed 0: 0.4 / mean(0.8, 0.4) = 2/3; seed 1: 0.6 / mean(0.6, 0.6) = 1
    assert row(board, "baseline").retention == pytest.approx((2 / 3 + 1) / 2)


def test_cost_is_median_wall_time_relative_to_baseline():
    records = [make_record("baseline", s, [0.5, 0.5], wall_time_s=w) for s, w in enumerate([10.0, 20.0, 90.0])]
    records += [make_record("nap", s, [0.5, 0.6], wall_time_s=w) for s, w in enumerate([30.0, 40.0, 50.0])]
    board = build_leaderboard(records, FAST).boards[0]
    assert row(board, "nap").cost == pytest.approx(40.0 / 20.0)


def test_rows_never_mix_presets_or_versions():
    records = [make_record("baseline", 0, [0.5, 0.4]), make_record("baseline", 1, [0.5, 0.6], preset="quick")]
    records.append(make_record("baseline", 2, [0.5, 0.7], version="2"))
    leaderboard = build_leaderboard(records, FAST)
    assert sorted((b.version, b.preset, len(b.rows[0].scores)) for b in leaderboard.boards) == [
        ("1", "quick", 1), ("1", "smoke", 1), ("2", "smoke", 1)]
    assert [o.preset for o in leaderboard.overall] == ["quick", "smoke"]


def test_two_configs_of_one_method_are_two_rows_labelled_with_their_hash():
    records = [make_record("nap", 0, [0.5, 0.4], method_config={"nap": {"every": 1}})]
    records.append(make_record("nap", 0, [0.5, 0.6], method_config={"nap": {"every": 10}}))
    board = build_leaderboard(records, FAST).boards[0]
    assert len(board.rows) == 2 and all(r.label.startswith("nap@") for r in board.rows)


def test_two_versions_of_one_method_with_the_same_seed_and_config_are_two_rows_labelled_by_version():
    records = [make_record("nap", 0, [0.5, 0.4], method_version="1"), make_record("nap", 0, [0.5, 0.6], method_version="2")]
    board = build_leaderboard(records, FAST).boards[0]
    assert sorted((r.label, r.scores[0]) for r in board.rows) == [("nap v1", 0.4), ("nap v2", 0.6)]


def test_a_version_run_with_two_configs_shows_its_version_and_each_config_hash():
    records = [make_record("nap", 0, [0.5, 0.4])]
    records += [make_record("nap", 0, [0.5, x], method_version="2", method_config={"nap": {"every": n}}) for n, x in [(1, 0.6), (10, 0.7)]]
    labels = sorted(r.label for r in build_leaderboard(records, FAST).boards[0].rows)
    assert labels[0] == "nap v1" and labels[1].startswith("nap v2@") and labels[2].startswith("nap v2@") and labels[1] != labels[2]


def test_benchmark_without_chance_has_no_normalised_score_and_is_left_out_of_the_overall_ranking():
    rule = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=None)
    board = build_leaderboard(three_methods(rule=rule), FAST).boards[0]
    assert board.reference is None and "no chance level" in board.normaliser_note
    assert sorted(row(board, "nap").estimates) == ["improvement", "score_iqm"]
    overall = build_leaderboard(three_methods(rule=rule), FAST).overall[0]
    assert overall.rows == [] and "no chance level" in overall.excluded[0]


def test_overall_ranking_pools_normalised_scores_across_benchmarks():
    records = three_methods() + three_methods(benchmark="other")
    overall = build_leaderboard(records, FAST).overall[0]
    assert [r.label for r in overall.rows] == ["reset_full", "nap", "baseline"]
    baseline = next(r for r in overall.rows if r.label == "baseline")
    # six normalised scores (2/7, 3/7, 4/7 on each benchmark); the 25% trim drops one from each end
    assert baseline.estimates["normalised_iqm"].point == pytest.approx((2 / 7 + 3 / 7 + 3 / 7 + 4 / 7) / 4)
    assert baseline.benchmarks == ["other", "toy"] and baseline.scored_runs == 6
    nap = next(r for r in overall.rows if r.label == "nap")
    assert nap.estimates["improvement"].point == pytest.approx(1.0)
    assert "2 failed, diverged or missing runs" in nap.flags[0]


def test_a_method_missing_from_a_benchmark_is_flagged_in_the_overall_ranking():
    records = three_methods() + [r for r in three_methods(benchmark="other") if r.method != "nap"]
    nap = next(r for r in build_leaderboard(records, FAST).overall[0].rows if r.label == "nap")
    assert nap.missing_benchmarks == ["other"] and "not run on other" in nap.flags


def test_a_benchmark_run_under_two_settings_gets_a_board_each_titled_with_its_overrides():
    def with_game(record, game: str):
        return record.model_copy(update={"benchmark_config": {**record.benchmark_config, "game": game},
                                         "benchmark_overrides": {"game": game}})

    records = [with_game(make_record("baseline", seed, score=0.5), game) for game in ("asterix", "breakout") for seed in (0, 1)]
    titles = sorted(board.title for board in build_leaderboard(records, BootstrapSettings(reps=200)).boards)
    assert len(titles) == 2
    assert titles[0].endswith("(game=asterix)") and titles[1].endswith("(game=breakout)")
    assert all(" protocol " in title for title in titles)
