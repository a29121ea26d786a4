"""MinAtar as a platform of the continual-RL loop: normalised returns (metric key `norm_return`) and whole-state replay."""

from __future__ import annotations

from benchmarks.atari.arcade import Arcade
from benchmarks.atari.replay import ReplayBuffer, WholeObservationReplay
from benchmarks.minatar.games import MinAtarSettings
from benchmarks.minatar.scores import normalised_return
from benchmarks.minatar.sequence import evaluate_minatar


def minatar_replay(capacity: int, num_envs: int, settings: MinAtarSettings) -> ReplayBuffer:
    return WholeObservationReplay(capacity, num_envs, settings.observation_shape)


MINATAR_ARCADE = Arcade(score_key="norm_return", normalised_score=normalised_return, evaluate=evaluate_minatar,
                        replay=minatar_replay)
