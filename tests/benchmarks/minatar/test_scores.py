"""MinAtar's normalised return: 0 at the committed random return, 1 at the reference, and the committed random
column is what `measure_random_return` measures today."""

from __future__ import annotations

import pytest

from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import GAMES
from benchmarks.minatar.scores import measure_random_return, normalised_return, reference_table


def test_the_table_covers_every_game_with_a_reference_above_random():
    table = reference_table()
    assert set(table) == set(GAMES)
    assert all(row.reference > row.random for row in table.values())


@pytest.mark.parametrize("game", GAMES)
def test_random_scores_zero_and_the_reference_scores_one(game):
    row = reference_table()[game]
    assert normalised_return(game, row.random) == 0
    assert normalised_return(game, row.reference) == pytest.approx(1)
    assert normalised_return(game, None) is None


def test_an_unknown_game_is_named():
    with pytest.raises(BenchmarkError, match="pong"):
        normalised_return("pong", 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("game", GAMES)
def test_the_committed_random_return_is_measured_again(game):
    assert measure_random_return(game) == pytest.approx(reference_table()[game].random, abs=5e-5)
