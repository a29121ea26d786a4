"""A sequence of Atari games, each played for a fixed number of frames, the whole list cycled K times.

`GameSchedule` says which game is played when; `AtariSequenceVectorEnv` runs it on `AtariVectorEnv`
(C++ threads), switching games at exactly the scheduled frame and keeping each episode's unclipped
return. Frames are emulator frames summed over the parallel environments (one agent step = frameskip
frames), the DQN Zoo convention under which "20M frames" is 5M agent steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from benchmarks.atari.ale_settings import NUM_ACTIONS, ALESettings, check_games, make_vector_env
from benchmarks.errors import BenchmarkError
from core.config import require


@dataclass(frozen=True)
class Visit:
    """One stretch of play on one game: the `index`-th task of the run, in cycle `cycle`."""

    index: int
    game: str
    cycle: int
    frames: int


@dataclass(frozen=True)
class GameSchedule:
    """`games` in order, each for `frames_per_game` frames, the list repeated `cycles` times."""

    games: tuple[str, ...]
    frames_per_game: int
    cycles: int = 1

    def __post_init__(self) -> None:
        self.check_games()
        require(self.frames_per_game > 0, "bench", "frames_per_game", "a positive number of frames", self.frames_per_game, BenchmarkError)
        require(self.cycles > 0, "bench", "cycles", "a positive integer", self.cycles, BenchmarkError)

    def check_games(self) -> None:
        """Raise a BenchmarkError naming a game the platform does not have (here: ROMs shipped with ale-py)."""
        check_games(self.games)

    @property
    def visits(self) -> list[Visit]:
        return [
            Visit(cycle * len(self.games) + position, game, cycle, self.frames_per_game)
            for cycle in range(self.cycles)
            for position, game in enumerate(self.games)
        ]

    @property
    def total_frames(self) -> int:
        return self.frames_per_game * len(self.games) * self.cycles

    def check_divisible(self, num_envs: int, frameskip: int) -> None:
        """Each vector step consumes num_envs × frameskip frames, so a visit must be a whole number of them."""
        per_step = num_envs * frameskip
        require(
            self.frames_per_game % per_step == 0,
            "bench", "frames_per_game", f"a multiple of num_envs × frameskip = {per_step}", self.frames_per_game, BenchmarkError,
        )


@dataclass
class EpisodeLog:
    """Episodes finished during one visit: unclipped return, length in frames, frame of the visit at its end."""

    returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    end_frames: list[int] = field(default_factory=list)


class ScheduledVisits:
    """Which visit of a schedule is playing, how many of its frames are spent, and the episodes it finished.

    The bookkeeping every sequence env shares (Atari's here, MinAtar's in `benchmarks/minatar/sequence.py`):
    `open_next_visit()` moves to the next visit, refusing while frames are left or once the sequence is over.
    """

    def __init__(self, schedule: GameSchedule, num_envs: int, frameskip: int, seed: int):
        require(num_envs > 0, "bench", "num_envs", "a positive integer", num_envs, BenchmarkError)
        schedule.check_divisible(num_envs, frameskip)
        self.schedule = schedule
        self.num_envs = num_envs
        self.seed = seed
        self.frames_per_step = num_envs * frameskip
        self.visits = schedule.visits
        self.visit_index = -1
        self.frame_in_visit = 0
        self.episodes = EpisodeLog()

    @property
    def visit(self) -> Visit:
        if self.visit_index < 0:
            raise BenchmarkError("the sequence has not started: call reset() first")
        return self.visits[self.visit_index]

    @property
    def visit_over(self) -> bool:
        return self.visit_index >= 0 and self.frame_in_visit >= self.visit.frames

    @property
    def finished(self) -> bool:
        return self.visit_index == len(self.visits) - 1 and self.visit_over

    def open_next_visit(self) -> None:
        if self.visit_index >= 0 and not self.visit_over:
            raise BenchmarkError(f"visit {self.visit_index} ({self.visit.game}) still has frames to play; step until visit_over")
        if self.finished:
            raise BenchmarkError(f"the sequence of {len(self.visits)} visits is over")
        self.visit_index += 1
        self.frame_in_visit = 0
        self.episodes = EpisodeLog()

    def _visit_seed(self) -> int:
        return (self.seed * 1_000_003 + self.visit_index * 10_007) % (2**31 - self.num_envs)


class AtariSequenceVectorEnv(ScheduledVisits):
    """Vectorised play through a `GameSchedule`. `reset()` opens the next visit; `step()` plays it.

    Episodes auto-reset in the same step (`info["final_obs"]` holds the last frame stack of a finished
    episode). On the step that reaches the visit's frame budget every unfinished episode is truncated
    and `visit_over` turns true; the next `reset()` switches to the next game.
    """

    def __init__(self, schedule: GameSchedule, num_envs: int, settings: ALESettings, seed: int, num_threads: int = 0):
        super().__init__(schedule, num_envs, settings.frameskip, seed)
        self.settings = settings
        self.num_threads = num_threads
        self.num_actions = NUM_ACTIONS
        self._env = None
        self._returns = np.zeros(num_envs, dtype=np.float64)
        self._lengths = np.zeros(num_envs, dtype=np.int64)

    def reset(self) -> np.ndarray:
        """Start the next visit (a new game, fresh episodes); returns observations (N, 4, 84, 84) uint8."""
        self.open_next_visit()
        self.close()
        self._returns[:] = 0
        self._lengths[:] = 0
        self._env = make_vector_env(self.visit.game, self.num_envs, self.settings, num_threads=self.num_threads)
        obs, _ = self._env.reset(seed=self._visit_seed())
        return obs

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Step every environment; rewards are the game's own (unclipped) points."""
        if self._env is None or self.visit_over:
            raise BenchmarkError("call reset() to start the next visit before stepping")
        obs, reward, terminated, truncated, info = self._env.step(actions)
        self.frame_in_visit += self.frames_per_step
        self._returns += reward
        self._lengths += self.settings.frameskip
        if self.frame_in_visit >= self.visit.frames:
            truncated = truncated | ~terminated
        done = terminated | truncated
        if done.any():
            self._log_episodes(done, terminated, truncated)
        return obs, reward, terminated, truncated, info

    def _log_episodes(self, done: np.ndarray, terminated: np.ndarray, truncated: np.ndarray) -> None:
        switching = self.frame_in_visit >= self.visit.frames
        for env in np.flatnonzero(done):
            cut_by_switch = switching and not terminated[env] and self._lengths[env] < self.settings.max_episode_frames
            if not cut_by_switch:
                self.episodes.returns.append(float(self._returns[env]))
                self.episodes.lengths.append(int(self._lengths[env]))
                self.episodes.end_frames.append(self.frame_in_visit)
            self._returns[env] = 0
            self._lengths[env] = 0

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
