"""MinAtar's games and emulator settings (Young & Tian 2019), and the one place that builds a MinAtar environment.

Every game has the same six actions (no-op, left, up, right, down, fire), so the full set is already the
union action space. Games differ in their number of state channels (4 to 10): observations are zero-padded
to `CHANNELS` so that one Q-network reads every game of a sequence. Sticky actions (0.1) and difficulty
ramping are MinAtar's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks.errors import BenchmarkError
from core.config import require
from core.errors import unknown_name_message

if TYPE_CHECKING:
    from minatar import Environment

GAME_CHANNELS = {"asterix": 4, "breakout": 4, "freeway": 7, "seaquest": 10, "space_invaders": 6}
"""The five MinAtar games and the channels of their 10×10 states (MinAtar 1.0.15)."""

GAMES = tuple(GAME_CHANNELS)
NUM_ACTIONS = 6
CHANNELS = max(GAME_CHANNELS.values())
GRID = 10


@dataclass(frozen=True)
class MinAtarSettings:
    """Environment settings shared by training and evaluation; the defaults are MinAtar's, plus an episode cap.

    One frame is one environment step (MinAtar has no frameskip) and observations are single states
    (their trail channels carry motion), so `frameskip` and `frame_stack` are 1 and not settings.
    """

    sticky_action_probability: float = 0.1
    difficulty_ramping: bool = True
    max_episode_frames: int = 10_000

    frameskip = 1
    frame_stack = 1

    def __post_init__(self) -> None:
        require(0 <= self.sticky_action_probability < 1, "bench", "sticky_action_probability", "a number in [0, 1)",
                self.sticky_action_probability, BenchmarkError)
        require(self.max_episode_frames >= 1, "bench", "max_episode_frames", "a positive number of frames",
                self.max_episode_frames, BenchmarkError)

    @property
    def observation_shape(self) -> tuple[int, int, int]:
        return (GRID, GRID, CHANNELS)


def check_games(games: tuple[str, ...], field: str = "games") -> None:
    """Raise a BenchmarkError naming the first game MinAtar does not have (with the closest name)."""
    require(len(games) > 0, "bench", field, "at least one MinAtar game, e.g. breakout,asterix", games, BenchmarkError)
    for game in games:
        if game not in GAME_CHANNELS:
            raise BenchmarkError(f"bench.{field}: " + unknown_name_message("MinAtar game", game, GAMES))


def make_game(game: str, settings: MinAtarSettings, seed: int) -> Environment:
    """One seeded MinAtar environment of `game`, reset and ready to act."""
    from minatar import Environment

    check_games((game,), "game")
    env = Environment(game, sticky_action_prob=settings.sticky_action_probability,
                      difficulty_ramping=settings.difficulty_ramping)
    env.seed(seed)
    env.reset()
    return env
