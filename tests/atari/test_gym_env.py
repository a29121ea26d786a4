"""`clbench/AtariSequence-v0` works through `gymnasium.make` for agents outside clbench."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

pytestmark = pytest.mark.atari


def test_gymnasium_make_plays_the_sequence_and_switches_game_on_reset():
    import benchmarks.atari  # noqa: F401  (registers the environment)

    env = gymnasium.make("clbench/AtariSequence-v0", games=("breakout", "pong"), frames_per_game=40, cycles=1)
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
    import benchmarks.atari  # noqa: F401

    def first_frames(seed: int) -> np.ndarray:
        env = gymnasium.make("clbench/AtariSequence-v0", games=("pong",), frames_per_game=400, cycles=1)
        env.reset(seed=seed)
        env.action_space.seed(seed)
        frames = [env.step(env.action_space.sample())[0] for _ in range(30)]
        env.close()
        return np.stack(frames)

    np.testing.assert_array_equal(first_frames(5), first_frames(5))
