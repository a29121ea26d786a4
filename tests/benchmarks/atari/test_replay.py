"""The replay buffer rebuilds the exact frame stacks the environment produced and samples only sound transitions."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.atari.replay import ReplayBuffer, WholeObservationReplay
from benchmarks.errors import BenchmarkError

STACK = 4


def play(buffer: ReplayBuffer, steps: int, num_envs: int, episode_ends: dict[int, set[int]], truncations: dict[int, set[int]]):
    """Feed `steps` synthetic steps; returns {(step, env): (obs, next_obs)} built the way AtariVectorEnv stacks frames."""
    counter = iter(range(1, 10_000))
    frame = lambda: np.full((2, 2), next(counter) % 251 + 1, dtype=np.uint8)  # noqa: E731
    stacks = [np.zeros((STACK, 2, 2), dtype=np.uint8) for _ in range(num_envs)]
    for stack in stacks:
        stack[-1] = frame()
    first = np.ones(num_envs, dtype=bool)
    truth = {}
    for t in range(steps):
        obs = np.stack(stacks)
        terminated = np.array([t in episode_ends.get(e, set()) for e in range(num_envs)])
        truncated = np.array([t in truncations.get(e, set()) for e in range(num_envs)])
        actions = np.arange(num_envs) + t * num_envs
        buffer.add(obs, actions, np.zeros(num_envs, dtype=np.float32), terminated, truncated, first)
        for e in range(num_envs):
            if terminated[e] or truncated[e]:
                stacks[e] = np.zeros((STACK, 2, 2), dtype=np.uint8)
                stacks[e][-1] = frame()
            else:
                stacks[e] = np.concatenate([stacks[e][1:], frame()[None]])
        next_obs = np.stack(stacks)
        for e in range(num_envs):
            truth[int(actions[e])] = (obs[e], next_obs[e], bool(terminated[e]), bool(truncated[e]))
        first = terminated | truncated
    return truth


def test_sampled_stacks_equal_the_observed_stacks_across_episode_starts_and_wraparound():
    buffer = ReplayBuffer(capacity=24, num_envs=2, frame_shape=(2, 2), stack=STACK)
    truth = play(buffer, steps=31, num_envs=2, episode_ends={0: {3, 9, 20}, 1: {5, 6, 25}}, truncations={})
    batch = buffer.sample(500, np.random.default_rng(0))
    for obs, next_obs, action, terminated in zip(batch.observations, batch.next_observations, batch.actions, batch.terminated):
        true_obs, true_next, true_terminated, _ = truth[int(action)]
        np.testing.assert_array_equal(obs, true_obs)
        assert terminated == true_terminated
        if not terminated:
            np.testing.assert_array_equal(next_obs, true_next)


def test_truncated_transitions_are_never_sampled():
    buffer = ReplayBuffer(capacity=40, num_envs=2, frame_shape=(2, 2), stack=STACK)
    truth = play(buffer, steps=15, num_envs=2, episode_ends={}, truncations={0: {4, 10}, 1: {7}})
    sampled = set(buffer.sample(2_000, np.random.default_rng(1)).actions.tolist())
    truncated_ids = {a for a, (_, _, _, trunc) in truth.items() if trunc}
    assert truncated_ids and not sampled & truncated_ids


def test_the_newest_transition_waits_for_its_successor():
    buffer = ReplayBuffer(capacity=40, num_envs=1, frame_shape=(2, 2), stack=STACK)
    play(buffer, steps=6, num_envs=1, episode_ends={}, truncations={})
    sampled = set(buffer.sample(1_000, np.random.default_rng(2)).actions.tolist())
    assert sampled == {0, 1, 2, 3, 4}


def test_sampling_is_uniform_over_valid_transitions():
    buffer = ReplayBuffer(capacity=40, num_envs=2, frame_shape=(2, 2), stack=STACK)
    play(buffer, steps=6, num_envs=2, episode_ends={}, truncations={})
    counts = np.bincount(buffer.sample(20_000, np.random.default_rng(3)).actions, minlength=12)
    valid = counts[:10]
    assert counts[10:].sum() == 0
    expected = 20_000 / 10
    assert np.all(np.abs(valid - expected) < 5 * np.sqrt(expected))


def test_sampling_an_empty_buffer_is_an_error():
    buffer = ReplayBuffer(capacity=40, num_envs=2, frame_shape=(2, 2), stack=STACK)
    with pytest.raises(BenchmarkError, match="no complete transition"):
        buffer.sample(4, np.random.default_rng(0))


def test_whole_observation_replay_returns_the_stored_states_and_their_successors():
    buffer = WholeObservationReplay(capacity=40, num_envs=2, observation_shape=(3, 3, 2))
    rng = np.random.default_rng(0)
    states = rng.random((10, 2, 3, 3, 2)) < 0.5
    for t in range(10):
        buffer.add(states[t], np.full(2, t), np.zeros(2, dtype=np.float32), np.zeros(2, dtype=bool), np.zeros(2, dtype=bool), np.full(2, t == 0))
    batch = buffer.sample(16, rng)
    for obs, nxt, action in zip(batch.observations, batch.next_observations, batch.actions):
        env = [e for e in range(2) if np.array_equal(states[action, e], obs.astype(bool))]
        assert env and np.array_equal(states[action + 1, env[0]], nxt.astype(bool))
