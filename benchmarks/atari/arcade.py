"""What the continual-RL loop needs to know of a game platform: its observations, its score and its evaluation.

The loop (`benchmarks/atari/loop.py`) plays any platform whose sequence env follows
`AtariSequenceVectorEnv`'s interface; an `Arcade` supplies the rest. `ALE_ARCADE` is the Atari one
(human-normalised scores, metric key `hns`); `benchmarks/minatar/arcade.py` defines MinAtar's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.atari.ale_settings import FRAME_SIZE, ALESettings, make_vector_env
from benchmarks.atari.replay import ReplayBuffer
from benchmarks.atari.scores import human_normalised_score

if TYPE_CHECKING:
    from benchmarks.atari.dqn import DQNAgent


@dataclass(frozen=True)
class Arcade:
    """A platform's scoring and evaluation: `score_key` names the normalised score in every metric that carries it."""

    score_key: str
    normalised_score: Callable[[str, float | None], float | None]
    evaluate: Callable[[DQNAgent, str, Any, int, float, int], list[float]]
    replay: Callable[[int, int, Any], ReplayBuffer]


def evaluate_ale(agent: DQNAgent, game: str, settings: ALESettings, episodes: int, epsilon: float, seed: int) -> list[float]:
    """Unclipped returns of `episodes` evaluation episodes (one per emulator, played to its end) at ε=`epsilon`."""
    env = make_vector_env(game, episodes, settings, autoreset="NextStep")
    try:
        obs, _ = env.reset(seed=seed)
        returns = np.zeros(episodes)
        running = np.ones(episodes, dtype=bool)
        while running.any():
            obs, reward, terminated, truncated, _ = env.step(agent.act(obs, epsilon))
            returns += reward * running
            running &= ~(terminated | truncated)
    finally:
        env.close()
    return [float(r) for r in returns]


def ale_replay(capacity: int, num_envs: int, settings: ALESettings) -> ReplayBuffer:
    return ReplayBuffer(capacity, num_envs, (FRAME_SIZE, FRAME_SIZE), settings.frame_stack)


ALE_ARCADE = Arcade(score_key="hns", normalised_score=human_normalised_score, evaluate=evaluate_ale, replay=ale_replay)
