"""`clbench/MinAtarSequence-v0`: the MinAtar game sequence as a single-agent gymnasium environment.

Observations are (10, 10, 10) bool states in MinAtar's layout, each game's channels first and the rest False, and the six
actions are shared by every game. When a game's frame budget is spent the current episode is truncated
(`info["game_switch"]` is true) and the next `reset()` starts the next game of the schedule. A seeded
`reset(seed=s)` starts the sequence afresh (gymnasium's contract); an unseeded `reset()` carries on.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from benchmarks.atari.gym_env import GameSequenceEnv
from benchmarks.minatar.games import NUM_ACTIONS, MinAtarSettings, make_game
from benchmarks.minatar.sequence import MinAtarSchedule, observe

ENV_ID = "clbench/MinAtarSequence-v0"


class MinAtarSequenceEnv(GameSequenceEnv):
    """One MinAtar environment that plays `games` in order for `frames_per_game` frames each, `cycles` times."""

    def __init__(
        self,
        games: tuple[str, ...] | list[str] = ("breakout", "space_invaders"),
        frames_per_game: int = 5_000_000,
        cycles: int = 2,
        sticky_action_probability: float = MinAtarSettings.sticky_action_probability,
        max_episode_frames: int = MinAtarSettings.max_episode_frames,
    ):
        self.settings = MinAtarSettings(sticky_action_probability=sticky_action_probability, max_episode_frames=max_episode_frames)
        super().__init__(MinAtarSchedule(tuple(games), frames_per_game, cycles))
        self.observation_space = spaces.Box(0, 1, self.settings.observation_shape, dtype=bool)
        self.action_space = spaces.Discrete(NUM_ACTIONS)
        self.episode_frames = 0
        self._game = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        visit = self.visit_index
        self._move_through_schedule(seed)
        if self._game is None or seed is not None or visit != self.visit_index:
            self._game = make_game(self.game, self.settings, int(self.np_random.integers(0, 2**31 - 1)))
        else:
            self._game.reset()
        self.episode_frames = 0
        self._episode_over = False
        return self._observation(), self._info()

    def _observation(self) -> np.ndarray:
        return observe([self._game], self.game)[0]

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._check_playing()
        reward, terminated = self._game.act(int(action))
        self.frame_in_visit += 1
        self.episode_frames += 1
        info = self._info()
        switch = self.frame_in_visit >= self.schedule.frames_per_game
        info["game_switch"] = switch
        truncated = not terminated and (switch or self.episode_frames >= self.settings.max_episode_frames)
        self._episode_over = bool(terminated) or truncated
        return self._observation(), float(reward), bool(terminated), truncated, info

    def close(self) -> None:
        self._game = None
        self._episode_over = True


def register_environment() -> None:
    """Make `gymnasium.make("clbench/MinAtarSequence-v0", ...)` available (idempotent)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="benchmarks.minatar.gym_env:MinAtarSequenceEnv")
