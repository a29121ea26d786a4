"""The human/random reference table (benchmarks/atari/scores.py), with hand-computed numbers."""

from __future__ import annotations

import pytest

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
