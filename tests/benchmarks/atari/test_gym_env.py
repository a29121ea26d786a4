"""`clbench/AtariSequence-v0` works through `gymnasium.make` for agents outside clbench and passes gymnasium's checker."""

from __future__ import annotations

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import benchmarks.atari  # noqa: F401  (registers the environment)
from benchmarks.atari import ENV_ID

pytestmark = pytest.mark.atari


def test_gymnasium_make_plays_the_sequence_and_switches_game_on_reset():
    env = gymnasium.make(ENV_ID, games=("breakout", "pong"), frames_per_game=40, cycles=1)
    assert env.action_space.n == 18 and env.observation_space.shape == (4, 84, 84)
    obs, info = env.reset(seed=0)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8 and info["game"] == "breakout"
    for step in range(1, 11):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert isinstance(reward, float)
        assert truncated == (step == 10) and info["game_switch"] == (step == 10)
    _, info = env.reset()
    assert (info["game"], info["visit"]) == ("pong", 1)
    env.close()


def test_same_seed_gives_the_same_first_observations():
    def first_frames(seed: int) -> np.ndarray:
        env = gymnasium.make(ENV_ID, games=("pong",), frames_per_game=400, cycles=1)
        env.reset(seed=seed)
        env.action_space.seed(seed)
        frames = [env.step(env.action_space.sample())[0] for _ in range(30)]
        env.close()
        return np.stack(frames)

    np.testing.assert_array_equal(first_frames(5), first_frames(5))


def test_gymnasium_env_checker_passes_without_a_warning():
    # 8 frames = 2 agent steps: the fewest for which one step does not end the visit, which the checker requires.
    env = gymnasium.make(ENV_ID, games=("pong",), frames_per_game=8, cycles=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


def test_seeded_reset_starts_the_sequence_afresh():
    env = gymnasium.make(ENV_ID, games=("breakout", "pong"), frames_per_game=8, cycles=1)
    first_obs, _ = env.reset(seed=3)
    env.step(0)
    env.step(0)
    _, info = env.reset()
    assert (info["game"], info["visit"]) == ("pong", 1)
    env.step(0)
    env.step(0)
    obs, info = env.reset(seed=3)
    assert (info["game"], info["visit"], info["frame_in_visit"]) == ("breakout", 0, 0)
    np.testing.assert_array_equal(obs, first_obs)
    env.close()


def test_unseeded_reset_carries_on_through_the_sequence():
    env = gymnasium.make(ENV_ID, games=("breakout", "pong"), frames_per_game=8, cycles=1)
    env.reset(seed=3)
    env.step(0)
    _, info = env.reset()
    assert (info["game"], info["visit"], info["frame_in_visit"]) == ("breakout", 0, 4)
    *_, info = env.step(0)
    assert info["game_switch"]
    _, info = env.reset()
    assert (info["game"], info["visit"], info["frame_in_visit"]) == ("pong", 1, 0)
    env.close()
