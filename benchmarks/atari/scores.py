"""Random and human reference scores for Atari-57 and the human-normalised score built on them.

The table (`human_random_scores.csv`) holds the per-game random-agent and professional-human-tester
scores of Mnih et al. 2015 (Nature, Extended Data Table 2), with the eight games added later
(Berzerk, Defender, Phoenix, Pitfall, Skiing, Solaris, Surround, Yars' Revenge) from Wang et al. 2016
(Dueling DQN) and Badia et al. 2020 (Agent57, Table H.1); it is the table DQN Zoo's `atari_data.py`
uses. Those scores were taken with no-op starts, not sticky actions: see docs/atari.md.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from benchmarks.errors import BenchmarkError
from core.errors import unknown_name_message

TABLE_PATH = Path(__file__).with_name("human_random_scores.csv")


@dataclass(frozen=True)
class ReferenceScores:
    """The scores that map to 0 (random) and 1 (human) on one game's human-normalised scale."""

    game: str
    random: float
    human: float


@cache
def reference_table() -> dict[str, ReferenceScores]:
    """All games of the table, keyed by ALE ROM id (snake_case, e.g. `space_invaders`)."""
    with TABLE_PATH.open(newline="") as handle:
        return {
            row["game"]: ReferenceScores(row["game"], float(row["random"]), float(row["human"]))
            for row in csv.DictReader(handle)
        }


def reference_scores(game: str) -> ReferenceScores:
    table = reference_table()
    if game not in table:
        raise BenchmarkError(unknown_name_message("game with human/random reference scores", game, table))
    return table[game]


def human_normalised_score(game: str, score: float | None) -> float | None:
    """(score − random) / (human − random) for `game` (Mnih et al. 2015); None stays None."""
    if score is None or not math.isfinite(score):
        return None
    reference = reference_scores(game)
    return (score - reference.random) / (reference.human - reference.random)
