"""`clbench/MinAtarSequence-v0` works through `gymnasium.make` and passes gymnasium's checker."""

from __future__ import annotations

import gymnasium
import numpy as np
from gymnasium.utils.env_checker import check_env

import benchmarks.minatar  # noqa: F401  (registers the environment)
from benchmarks.minatar import ENV_ID


def test_the_environment_passes_gymnasiums_checker():
    env = gymnasium.make(ENV_ID, games=("breakout", "asterix"), frames_per_game=200, cycles=1)
    check_env(env.unwrapped, skip_render_check=True)


def test_gymnasium_make_plays_the_sequence_and_switches_game_on_reset():
    env = gymnasium.make(ENV_ID, games=("freeway", "seaquest"), frames_per_game=10, cycles=1)
    assert env.action_space.n == 6 and env.observation_space.shape == (10, 10, 10)
    obs, info = env.reset(seed=0)
    assert obs.dtype == bool and info["game"] == "freeway"
    for step in range(1, 11):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert isinstance(reward, float) and not terminated
        assert truncated == (step == 10) and info["game_switch"] == (step == 10)
    obs, info = env.reset()
    assert (info["game"], info["visit"]) == ("seaquest", 1) and obs.shape == (10, 10, 10)
    env.close()


def test_same_seed_gives_the_same_observations():
    def frames(seed: int) -> np.ndarray:
        env = gymnasium.make(ENV_ID, games=("asterix",), frames_per_game=400, cycles=1)
        env.reset(seed=seed)
        env.action_space.seed(seed)
        return np.stack([env.step(env.action_space.sample())[0] for _ in range(40)])

    assert np.array_equal(frames(5), frames(5))
    assert not np.array_equal(frames(5), frames(6))
