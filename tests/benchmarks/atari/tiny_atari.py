"""A tiny Atari run (two games, two cycles, a few dozen updates) for the agent, loop and learner tests."""

from __future__ import annotations

from benchmarks.atari.ale_settings import NUM_ACTIONS, ALESettings
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop import SequenceTrainer
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.atari.sequence import AtariSequenceVectorEnv, GameSchedule
from benchmarks.models import QNetwork
from benchmarks.sinks import RunSink
from methods.learner import prepare_learner
from methods.base import Method
from methods.learner import OptimizerSpec

TINY_DQN = DQNSettings(batch_size=8, learning_starts=16, train_every=4, target_update_every=10, epsilon_decay_steps=40)
TINY_LOOP = AtariLoopSettings(replay_capacity=200, eval_episodes=0, probe_size=16)


def tiny_trainer(method: Method, games=("breakout", "pong"), frames_per_game=320, cycles=2, seed=0,
                 loop: AtariLoopSettings = TINY_LOOP, max_episode_frames=160, segments_per_visit=1) -> SequenceTrainer:
    """80 agent steps per visit on 2 emulators → (80 − 16) / 4 = 16 gradient updates per visit."""
    env = AtariSequenceVectorEnv(GameSchedule(games, frames_per_game, cycles), num_envs=2,
                                 settings=ALESettings(max_episode_frames=max_episode_frames), seed=seed, num_threads=1)
    model = QNetwork(NUM_ACTIONS, 4, (4, 4, 4), 16)
    learner = prepare_learner(model, method, OptimizerSpec(name="adam", lr=1e-3), "atari", "cpu")
    return SequenceTrainer(learner, env, TINY_DQN, loop, seed, RunSink(), segments_per_visit=segments_per_visit)
