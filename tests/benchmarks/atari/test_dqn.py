"""The DQN agent: Double-DQN targets, clipped rewards for learning, and a target network that follows resets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmarks.atari.dqn import DQNAgent
from benchmarks.atari.dqn_settings import DQNSettings, clip_reward
from benchmarks.atari.replay import Batch
from benchmarks.models import QNetwork
from methods.learner import prepare_learner
from methods.base import create
from methods.learner import OptimizerSpec
from tests.benchmarks.atari.tiny_atari import tiny_trainer


def small_agent(seed: int = 0) -> DQNAgent:
    torch.manual_seed(seed)
    learner = prepare_learner(QNetwork(18, 4, (4, 4, 4), 16), create("baseline"), OptimizerSpec(lr=1e-3), "atari", "cpu")
    return DQNAgent(learner, DQNSettings(gamma=0.5, batch_size=3, learning_starts=3), np.random.default_rng(seed))


def test_clip_reward_maps_game_points_to_their_sign():
    np.testing.assert_array_equal(clip_reward(np.array([-7, 0, 3, 200])), np.array([-1.0, 0.0, 1.0, 1.0], dtype=np.float32))


def test_double_dqn_target_takes_the_target_network_value_of_the_online_argmax():
    agent = small_agent()
    with torch.no_grad():
        for p in agent.target.parameters():
            p.add_(torch.randn_like(p))
    rng = np.random.default_rng(0)
    observations = rng.integers(0, 255, (3, 4, 84, 84), dtype=np.uint8)
    next_observations = rng.integers(0, 255, (3, 4, 84, 84), dtype=np.uint8)
    batch = Batch(observations, np.array([0, 5, 17]), np.array([1.0, -1.0, 0.0], dtype=np.float32),
                  next_observations, np.array([False, True, False]))
    agent._load(batch)
    with torch.no_grad():
        next_tensor = torch.from_numpy(next_observations)
        chosen = agent.learner.model(next_tensor).argmax(1)
        values = agent.target(next_tensor)[torch.arange(3), chosen]
    expected = torch.tensor([1.0 + 0.5 * values[0], -1.0, 0.0 + 0.5 * values[2]])
    torch.testing.assert_close(agent._batch["targets"], expected)


def test_target_network_is_resynced_when_a_method_replaces_parameters():
    agent = small_agent()
    model = agent.learner.model
    for module in model.modules():
        if hasattr(module, "reset_parameters") and module is not model:
            module.reset_parameters()
    agent.learner.rebuild_optimizer()
    for online, target in zip(model.parameters(), agent.target.parameters(), strict=True):
        torch.testing.assert_close(online, target)


@pytest.mark.atari
def test_replay_learns_from_clipped_rewards_while_visit_scores_stay_unclipped():
    trainer = tiny_trainer(create("baseline"), games=("space_invaders",), frames_per_game=1_600, cycles=1,
                           max_episode_frames=400)
    trainer.run()
    stored = trainer.replay.rewards[: trainer.replay.size]
    assert set(np.unique(stored)) <= {-1.0, 0.0, 1.0} and stored.max() == 1.0
    returns = trainer.env.episodes.returns
    assert max(returns) > 1
    assert trainer.tasks[0].metrics["return"] == pytest.approx(sum(returns) / len(returns))


@pytest.mark.atari
def test_same_seed_gives_the_same_visits_and_weights():
    def run(seed: int):
        torch.manual_seed(seed)
        trainer = tiny_trainer(create("baseline"), games=("breakout",), frames_per_game=320, cycles=1, seed=seed)
        result = trainer.run()
        return [t.metrics for t in result.tasks], [p.detach().clone() for p in trainer.learner.model.parameters()]

    (metrics_a, weights_a), (metrics_b, weights_b) = run(4), run(4)
    assert metrics_a == metrics_b
    for a, b in zip(weights_a, weights_b, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
