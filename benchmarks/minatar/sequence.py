"""MinAtar games in sequence: the schedule, the vectorised sequence env and evaluation play.

`MinAtarSequenceVectorEnv` has `AtariSequenceVectorEnv`'s interface (visits, `reset()` opens the next
one, `step()` plays it, finished episodes in `episodes`), so `SequenceTrainer` plays it unchanged.
A frame is one environment step, summed over the parallel environments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from benchmarks.atari.sequence import GameSchedule, ScheduledVisits
from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import CHANNELS, GAME_CHANNELS, GRID, NUM_ACTIONS, MinAtarSettings, check_games, make_game

if TYPE_CHECKING:
    from benchmarks.atari.dqn import DQNAgent


class MinAtarSchedule(GameSchedule):
    """`games` (MinAtar names) in order, each for `frames_per_game` frames, the list repeated `cycles` times."""

    def check_games(self) -> None:
        check_games(self.games)


_CELLS = {game: np.dtype(f"V{channels}") for game, channels in GAME_CHANNELS.items()}
"""Per game, the channels of one cell (a state's innermost axis) as a single opaque item."""


class StateBatcher:
    """Copies the states of `count` environments of `game` into one (count, 10, 10, CHANNELS) bool batch, zero-padded.

    Each cell's channels move as one item, so the copy is one strided loop over the cells, not one per cell.
    """

    def __init__(self, count: int, game: str):
        self._cell = _CELLS[game]
        self._batch = np.zeros((count, GRID, GRID, CHANNELS), dtype=bool)
        self._cells = np.ndarray((count * GRID * GRID,), self._cell, self._batch, 0, (CHANNELS,))

    def fill(self, envs: list) -> np.ndarray:
        """The batch, holding the states of `envs` now; the same array every call."""
        self._cells[...] = np.frombuffer(b"".join([env.state() for env in envs]), self._cell)
        return self._batch

    def __call__(self, envs: list) -> np.ndarray:
        """The states of `envs` as a fresh batch."""
        return self.fill(envs).copy()


def observe(envs: list, game: str) -> np.ndarray:
    """The states of `envs` as one fresh (N, 10, 10, CHANNELS) bool batch (MinAtar's layout), the game's channels first, the rest False."""
    return StateBatcher(len(envs), game).fill(envs)


class MinAtarSequenceVectorEnv(ScheduledVisits):
    """`num_envs` MinAtar environments playing through a `MinAtarSchedule`; episodes reset in the step that ends them.

    Bookkeeping is plain Python: with a few environments, numpy calls per step would cost more than the games.
    An episode ends when the game terminates it, when it reaches `max_episode_frames` (truncated), or
    when the visit's frame budget is spent (truncated, and not logged unless it was already at the cap).
    Episode lengths count from the step each episode started, and a step that can truncate nothing takes a shorter path.
    """

    def __init__(self, schedule: MinAtarSchedule, num_envs: int, settings: MinAtarSettings, seed: int):
        super().__init__(schedule, num_envs, settings.frameskip, seed)
        self.settings = settings
        self.num_actions = NUM_ACTIONS
        self._envs: list = []
        self._observe: StateBatcher | None = None
        self._visit_frames = 0
        self._returns = [0.0] * num_envs
        self._starts = [0] * num_envs
        self._step_in_visit = 0
        self._cap_step = settings.max_episode_frames

    def reset(self) -> np.ndarray:
        """Start the next visit (a new game, fresh episodes); returns observations (N, 10, 10, CHANNELS) bool."""
        self.open_next_visit()
        game = self.visit.game
        self._visit_frames = self.visit.frames
        self._observe = StateBatcher(self.num_envs, game)
        self._returns = [0.0] * self.num_envs
        self._starts = [0] * self.num_envs
        self._step_in_visit = 0
        self._cap_step = self.settings.max_episode_frames
        base = self._visit_seed()
        self._envs = [make_game(game, self.settings, base + i) for i in range(self.num_envs)]
        return self._observe(self._envs)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Step every environment with its action; rewards are the game's own points."""
        if not self._envs or self.frame_in_visit >= self._visit_frames:
            raise BenchmarkError("call reset() to start the next visit before stepping")
        self.frame_in_visit += self.frames_per_step
        self._step_in_visit += 1
        if self.frame_in_visit >= self._visit_frames or self._step_in_visit >= self._cap_step:
            return self._step_with_truncations(actions)
        return self._step_without_truncations(actions)

    def _step_without_truncations(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """A step that can reach neither the visit's end nor any episode's cap: only the games end episodes."""
        returns = self._returns
        rewards = np.zeros(self.num_envs, dtype=np.float32)
        terminated = np.zeros(self.num_envs, dtype=bool)
        for index, (env, action) in enumerate(zip(self._envs, actions.tolist(), strict=True)):
            reward, terminal = env.act(action)
            returns[index] += reward
            if reward:
                rewards[index] = reward
            if terminal:
                terminated[index] = True
                self._end_episode(index, logged=True, restart=True)
        return self._observe(self._envs), rewards, terminated, np.zeros(self.num_envs, dtype=bool), {}

    def _step_with_truncations(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """A step that reaches the visit's end or may reach the cap of the oldest episode."""
        switching = self.frame_in_visit >= self._visit_frames
        cap = self.settings.max_episode_frames
        rewards, terminated, truncated = [], [], []
        for index, (env, action) in enumerate(zip(self._envs, actions.tolist(), strict=True)):
            reward, terminal = env.act(action)
            self._returns[index] += reward
            at_cap = self._step_in_visit - self._starts[index] >= cap
            rewards.append(reward)
            terminated.append(terminal)
            truncated.append(not terminal and (switching or at_cap))
            if terminal or at_cap or switching:
                self._end_episode(index, logged=terminal or at_cap, restart=not switching)
        self._cap_step = min(self._starts) + cap
        return (self._observe(self._envs), np.array(rewards, dtype=np.float32), np.array(terminated),
                np.array(truncated), {})

    def _end_episode(self, index: int, logged: bool, restart: bool) -> None:
        if logged:
            self.episodes.returns.append(self._returns[index])
            self.episodes.lengths.append(self._step_in_visit - self._starts[index])
            self.episodes.end_frames.append(self.frame_in_visit)
        self._returns[index] = 0.0
        self._starts[index] = self._step_in_visit
        if restart:
            self._envs[index].reset()

    def close(self) -> None:
        self._envs = []


def evaluate_minatar(agent: DQNAgent, game: str, settings: MinAtarSettings, episodes: int, epsilon: float,
                     seed: int) -> list[float]:
    """Returns of `episodes` evaluation episodes (one per environment, played to their end or the cap) at ε=`epsilon`."""
    envs = [make_game(game, settings, seed + i) for i in range(episodes)]
    returns = np.zeros(episodes)
    running = np.ones(episodes, dtype=bool)
    length = 0
    while running.any() and length < settings.max_episode_frames:
        actions = agent.act(observe(envs, game), epsilon)
        for index in np.flatnonzero(running):
            reward, terminal = envs[index].act(int(actions[index]))
            returns[index] += reward
            running[index] = not terminal
        length += 1
    return [float(r) for r in returns]
