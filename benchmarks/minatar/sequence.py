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


def observe(envs: list, game: str) -> np.ndarray:
    """The states of `envs` as one (N, 10, 10, CHANNELS) bool batch (MinAtar's layout), the game's channels first, the rest False."""
    batch = np.zeros((len(envs), GRID, GRID, CHANNELS), dtype=bool)
    batch[..., : GAME_CHANNELS[game]] = [env.state() for env in envs]
    return batch


class MinAtarSequenceVectorEnv(ScheduledVisits):
    """`num_envs` MinAtar environments playing through a `MinAtarSchedule`; episodes reset in the step that ends them.

    Bookkeeping is plain Python: with a few environments, numpy calls per step would cost more than the games.
    An episode ends when the game terminates it, when it reaches `max_episode_frames` (truncated), or
    when the visit's frame budget is spent (truncated, and not logged unless it was already at the cap).
    """

    def __init__(self, schedule: MinAtarSchedule, num_envs: int, settings: MinAtarSettings, seed: int):
        super().__init__(schedule, num_envs, settings.frameskip, seed)
        self.settings = settings
        self.num_actions = NUM_ACTIONS
        self._envs: list = []
        self._returns = [0.0] * num_envs
        self._lengths = [0] * num_envs

    def reset(self) -> np.ndarray:
        """Start the next visit (a new game, fresh episodes); returns observations (N, 10, 10, CHANNELS) bool."""
        self.open_next_visit()
        self._returns = [0.0] * self.num_envs
        self._lengths = [0] * self.num_envs
        base = self._visit_seed()
        self._envs = [make_game(self.visit.game, self.settings, base + i) for i in range(self.num_envs)]
        return observe(self._envs, self.visit.game)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Step every environment with its action; rewards are the game's own points."""
        if not self._envs or self.visit_over:
            raise BenchmarkError("call reset() to start the next visit before stepping")
        self.frame_in_visit += self.frames_per_step
        switching = self.frame_in_visit >= self.visit.frames
        cap = self.settings.max_episode_frames
        rewards, terminated, truncated = [], [], []
        for index, (env, action) in enumerate(zip(self._envs, actions.tolist(), strict=True)):
            reward, terminal = env.act(action)
            self._returns[index] += reward
            self._lengths[index] += 1
            at_cap = self._lengths[index] >= cap
            rewards.append(reward)
            terminated.append(terminal)
            truncated.append(not terminal and (switching or at_cap))
            if terminal or at_cap or switching:
                self._end_episode(index, logged=terminal or at_cap, restart=not switching)
        return (observe(self._envs, self.visit.game), np.array(rewards, dtype=np.float32), np.array(terminated),
                np.array(truncated), {})

    def _end_episode(self, index: int, logged: bool, restart: bool) -> None:
        if logged:
            self.episodes.returns.append(self._returns[index])
            self.episodes.lengths.append(self._lengths[index])
            self.episodes.end_frames.append(self.frame_in_visit)
        self._returns[index] = 0.0
        self._lengths[index] = 0
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
