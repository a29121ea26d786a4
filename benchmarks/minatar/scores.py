"""Random and reference returns per MinAtar game, and the normalised return built on them.

normalised return = (return − random) / (reference − random), so 0 is a uniform-random policy and 1 is
the reference. Both columns of `reference_scores.csv` are measured here and committed:
- `random`: the mean return of uniformly random actions under `MinAtarSettings()` over `RANDOM_EPISODES`
  episodes per game (`measure_random_return`; `python -m benchmarks.minatar.scores` prints it again);
- `reference`: the mean final return of a fresh DQN on one quick-preset visit of the game, from the
  committed calibration bundle (docs/benchmarks.md, "minatar-sequence": how it was run).
A normalised return below 1 on a later visit means the agent learned less than a fresh network given
the same frames: the loss of plasticity the benchmark looks for.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import GAMES, NUM_ACTIONS, MinAtarSettings, check_games, make_game

TABLE_PATH = Path(__file__).with_name("reference_scores.csv")
RANDOM_EPISODES = 200
RANDOM_SEED = 0


@dataclass(frozen=True)
class ReferenceReturns:
    game: str
    random: float
    reference: float


@cache
def reference_table() -> dict[str, ReferenceReturns]:
    with TABLE_PATH.open(newline="") as handle:
        return {row["game"]: ReferenceReturns(row["game"], float(row["random"]), float(row["reference"]))
                for row in csv.DictReader(handle)}


def normalised_return(game: str, score: float | None) -> float | None:
    """(score − random) / (reference − random) for `game`; None stays None."""
    if score is None or not math.isfinite(score):
        return None
    check_games((game,), "game")
    row = reference_table()[game]
    return (score - row.random) / (row.reference - row.random)


def measure_random_return(game: str, episodes: int = RANDOM_EPISODES, seed: int = RANDOM_SEED,
                          settings: MinAtarSettings = MinAtarSettings()) -> float:
    """Mean return of `episodes` episodes of uniformly random actions, each ended by the game or the episode cap."""
    if episodes <= 0:
        raise BenchmarkError(f"episodes={episodes}: expected a positive number of episodes")
    env = make_game(game, settings, seed)
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(episodes):
        env.reset()
        for _ in range(settings.max_episode_frames):
            reward, terminal = env.act(int(rng.integers(NUM_ACTIONS)))
            total += reward
            if terminal:
                break
    return total / episodes


def main() -> None:
    print("game,random")
    for game in GAMES:
        print(f"{game},{measure_random_return(game):.4f}")


if __name__ == "__main__":
    main()
