"""The human/random reference table and the metrics built on it, with hand-computed numbers."""

from __future__ import annotations

import pytest

from benchmarks.atari.metrics import binned_curve, final_return, learning_curve_area
from benchmarks.atari.scores import human_normalised_score, reference_table
from benchmarks.errors import BenchmarkError


def test_human_normalised_score_maps_random_to_zero_and_human_to_one():
    assert human_normalised_score("breakout", 1.7) == pytest.approx(0.0)
    assert human_normalised_score("breakout", 30.5) == pytest.approx(1.0)
    assert human_normalised_score("breakout", 16.1) == pytest.approx(0.5)


def test_human_normalised_score_of_pong_uses_its_negative_random_score():
    assert human_normalised_score("pong", 0.0) == pytest.approx(20.7 / 35.3)


def test_reference_table_covers_the_57_games_and_every_one_ships_with_ale_py():
    from ale_py import roms

    table = reference_table()
    assert len(table) == 57
    assert set(table) <= set(roms.get_all_rom_ids())


def test_unknown_game_in_the_table_is_an_error_suggesting_the_closest():
    with pytest.raises(BenchmarkError, match="did you mean 'breakout'"):
        human_normalised_score("breakut", 3.0)


def test_final_return_is_the_mean_of_the_last_window_episodes():
    assert final_return([0.0, 10.0, 20.0, 30.0], window=2) == pytest.approx(25.0)
    assert final_return([], window=100) is None


def test_learning_curve_area_weights_each_episode_by_its_frames():
    area = learning_curve_area("breakout", returns=[1.7, 30.5], lengths=[100, 300])
    assert area == pytest.approx((0.0 * 100 + 1.0 * 300) / 400)


def test_binned_curve_averages_the_episodes_ending_in_each_window():
    curve = binned_curve(returns=[1.0, 3.0, 10.0], end_frames=[10, 50, 200], start=0, stop=200, bins=4)
    assert curve == [2.0, None, None, 10.0]
