"""`clbench/AtariSequence-v0`: the game sequence as a single-agent gymnasium environment.

Any gymnasium agent can play the benchmark's sequence: episodes run under the ALE v5 protocol and
rewards are unclipped. When a game's frame budget is spent the current episode is truncated
(`info["game_switch"]` is true) and the next `reset()` starts the next game of the schedule.
A seeded `reset(seed=s)` starts the sequence afresh, so the same seed replays the same run
(gymnasium's contract); an unseeded `reset()` carries on through it.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from benchmarks.atari.ale_settings import NUM_ACTIONS, ALESettings, make_vector_env
from benchmarks.atari.sequence import GameSchedule
from benchmarks.errors import BenchmarkError

ENV_ID = "clbench/AtariSequence-v0"


class GameSequenceEnv(gymnasium.Env):
    """Where a single-agent sequence env is in its schedule: the visit, its frames, and the step to the next one.

    Shared by `clbench/AtariSequence-v0` and `clbench/MinAtarSequence-v0`: a seeded reset starts the sequence
    afresh, an unseeded one after the visit's frames are spent moves to the next visit.
    """

    metadata = {"render_modes": []}

    def __init__(self, schedule: GameSchedule):
        self.schedule = schedule
        self.visits = schedule.visits
        self.visit_index = 0
        self.frame_in_visit = 0
        self._episode_over = True

    @property
    def game(self) -> str:
        return self.visits[self.visit_index].game

    def _move_through_schedule(self, seed: int | None) -> None:
        if seed is not None:
            self.visit_index = 0
            self.frame_in_visit = 0
        elif self.frame_in_visit >= self.schedule.frames_per_game:
            if self.visit_index + 1 >= len(self.visits):
                raise BenchmarkError(f"the sequence of {len(self.visits)} visits is over; reset(seed=...) starts it again")
            self.visit_index += 1
            self.frame_in_visit = 0

    def _check_playing(self) -> None:
        if self._episode_over:
            raise BenchmarkError("the episode is over: call reset() before step()")

    def _info(self) -> dict:
        visit = self.visits[self.visit_index]
        return {"game": visit.game, "visit": visit.index, "cycle": visit.cycle, "frame_in_visit": self.frame_in_visit}


class AtariSequenceEnv(GameSequenceEnv):
    """One emulator that plays `games` in order for `frames_per_game` frames each, `cycles` times."""

    def __init__(
        self,
        games: tuple[str, ...] | list[str] = ("breakout", "pong"),
        frames_per_game: int = 20_000_000,
        cycles: int = 2,
        sticky_action_probability: float = ALESettings.sticky_action_probability,
        max_episode_frames: int = ALESettings.max_episode_frames,
    ):
        self.settings = ALESettings(sticky_action_probability=sticky_action_probability, max_episode_frames=max_episode_frames)
        super().__init__(GameSchedule(tuple(games), frames_per_game, cycles))
        self.schedule.check_divisible(1, self.settings.frameskip)
        self.observation_space = spaces.Box(0, 255, self.settings.observation_shape, dtype=np.uint8)
        self.action_space = spaces.Discrete(NUM_ACTIONS)
        self._env = None
        self._env_game: str | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._move_through_schedule(seed)
        if self._env_game != self.game:
            self.close()
            self._env = make_vector_env(self.game, 1, self.settings, autoreset="NextStep", num_threads=1)
            self._env_game = self.game
        emulator_seed = int(self.np_random.integers(0, 2**31 - 1))
        obs, _ = self._env.reset(seed=emulator_seed)
        self._episode_over = False
        return obs[0], self._info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._check_playing()
        obs, reward, terminated, truncated, _ = self._env.step(np.array([action], dtype=np.int64))
        self.frame_in_visit += self.settings.frameskip
        info = self._info()
        switch = self.frame_in_visit >= self.schedule.frames_per_game
        info["game_switch"] = switch
        done_terminated, done_truncated = bool(terminated[0]), bool(truncated[0]) or (switch and not terminated[0])
        self._episode_over = done_terminated or done_truncated
        return obs[0], float(reward[0]), done_terminated, done_truncated, info

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
            self._env_game = None
        self._episode_over = True


def register_environment() -> None:
    """Make `gymnasium.make("clbench/AtariSequence-v0", ...)` available (idempotent)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="benchmarks.atari.gym_env:AtariSequenceEnv")
