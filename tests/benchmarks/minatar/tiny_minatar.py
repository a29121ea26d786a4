"""A tiny MinAtar run (two games, two cycles, a few dozen updates) for the sequence, loop and method tests."""

from __future__ import annotations

from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop import SequenceTrainer
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.minatar.arcade import MINATAR_ARCADE
from benchmarks.minatar.games import CHANNELS, NUM_ACTIONS, MinAtarSettings
from benchmarks.minatar.sequence import MinAtarSchedule, MinAtarSequenceVectorEnv
from benchmarks.models import MinAtarQNetwork
from benchmarks.sinks import RunSink
from methods.base import Method
from methods.learner import OptimizerSpec, prepare_learner

TINY_DQN = DQNSettings(batch_size=8, learning_starts=16, train_every=4, target_update_every=10, epsilon_decay_steps=40)
TINY_LOOP = AtariLoopSettings(replay_capacity=200, eval_episodes=2, probe_size=16)


def tiny_trainer(method: Method, games=("breakout", "seaquest"), frames_per_game=160, cycles=2, seed=0) -> SequenceTrainer:
    """160 frames (agent steps) per visit on 2 environments → (160 − 16) / 4 = 36 gradient updates per visit."""
    env = MinAtarSequenceVectorEnv(MinAtarSchedule(games, frames_per_game, cycles), num_envs=2,
                                   settings=MinAtarSettings(max_episode_frames=60), seed=seed)
    model = MinAtarQNetwork(NUM_ACTIONS, CHANNELS, channels=4, hidden=16)
    learner = prepare_learner(model, method, OptimizerSpec(name="adam", lr=1e-3), "atari", "cpu")
    return SequenceTrainer(learner, env, TINY_DQN, TINY_LOOP, seed, RunSink(), arcade=MINATAR_ARCADE)
