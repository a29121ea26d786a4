"""The MinAtar sequence env: games switch exactly at their frame budget, observations share one padded layout,
episodes are logged with the game's own points, and a seed replays the same run."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import CHANNELS, GAME_CHANNELS, MinAtarSettings
from benchmarks.minatar.sequence import MinAtarSchedule, MinAtarSequenceVectorEnv


def play(env: MinAtarSequenceVectorEnv, seed: int = 0):
    rng = np.random.default_rng(seed)
    steps, rewards = 0, 0.0
    while not env.visit_over:
        _, reward, _, _, _ = env.step(rng.integers(0, env.num_actions, env.num_envs))
        steps += 1
        rewards += float(reward.sum())
    return steps, rewards


def test_an_unknown_game_lists_the_minatar_games():
    with pytest.raises(BenchmarkError, match=r"bench\.games.*pong.*breakout"):
        MinAtarSchedule(("pong",), 100, 1)


def test_frames_per_game_must_fill_whole_vector_steps():
    with pytest.raises(BenchmarkError, match=r"bench\.frames_per_game.*multiple of .* 4"):
        MinAtarSequenceVectorEnv(MinAtarSchedule(("breakout",), 10, 1), 4, MinAtarSettings(), seed=0)


@pytest.mark.parametrize("game", sorted(GAME_CHANNELS))
def test_every_game_fills_its_own_channels_and_leaves_the_rest_empty(game):
    env = MinAtarSequenceVectorEnv(MinAtarSchedule((game,), 40, 1), 2, MinAtarSettings(), seed=0)
    obs = env.reset()
    assert obs.shape == (2, 10, 10, CHANNELS) and obs.dtype == bool
    assert not obs[..., GAME_CHANNELS[game]:].any()
    assert obs[..., : GAME_CHANNELS[game]].any()


def test_the_game_switches_after_exactly_its_frames_and_the_sequence_then_ends():
    env = MinAtarSequenceVectorEnv(MinAtarSchedule(("breakout", "asterix"), 120, 2), 4, MinAtarSettings(), seed=0)
    games = []
    for _ in range(4):
        env.reset()
        games.append(env.visit.game)
        steps, _ = play(env)
        assert steps == 30 and env.frame_in_visit == 120
    assert games == ["breakout", "asterix", "breakout", "asterix"] and env.finished
    with pytest.raises(BenchmarkError, match="over"):
        env.reset()


def test_logged_episodes_hold_every_point_scored_and_the_switch_truncates_the_rest():
    env = MinAtarSequenceVectorEnv(MinAtarSchedule(("breakout",), 2_000, 1), 2, MinAtarSettings(), seed=3)
    env.reset()
    _, points = play(env)
    log = env.episodes
    assert len(log.returns) > 10
    assert sum(log.returns) <= points
    assert all(length >= 1 for length in log.lengths) and log.end_frames == sorted(log.end_frames)


def test_an_episode_at_the_cap_is_truncated_and_logged():
    env = MinAtarSequenceVectorEnv(MinAtarSchedule(("freeway",), 100, 1), 1, MinAtarSettings(max_episode_frames=30), seed=0)
    env.reset()
    truncations = 0
    while not env.visit_over:
        _, _, terminated, truncated, _ = env.step(np.array([0]))
        truncations += int(truncated[0])
        assert not terminated[0]
    assert env.episodes.lengths == [30, 30, 30] and truncations == 4


def test_the_same_seed_replays_the_same_run_and_another_seed_does_not():
    def run(seed: int) -> list[float]:
        env = MinAtarSequenceVectorEnv(MinAtarSchedule(("space_invaders",), 1_000, 1), 2, MinAtarSettings(), seed=seed)
        env.reset()
        play(env)
        return env.episodes.returns

    assert run(1) == run(1)
    assert run(1) != run(2)
