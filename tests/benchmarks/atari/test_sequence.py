"""The game sequence: switches at the scheduled frame, one 18-action space, unclipped episode returns."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.atari.ale_settings import NUM_ACTIONS, ALESettings, make_vector_env
from benchmarks.atari.sequence import AtariSequenceVectorEnv, GameSchedule
from benchmarks.errors import BenchmarkError

pytestmark = pytest.mark.atari


def random_actions(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, NUM_ACTIONS, n).astype(np.int64)


def test_sequence_switches_game_exactly_when_the_emulators_have_played_the_frame_budget():
    env = AtariSequenceVectorEnv(GameSchedule(("breakout", "pong"), frames_per_game=160, cycles=1), num_envs=2,
                                 settings=ALESettings(), seed=0, num_threads=1)
    rng = np.random.default_rng(0)
    env.reset()
    assert env.visit.game == "breakout"
    for step in range(1, 21):
        _, _, terminated, truncated, info = env.step(random_actions(rng, 2))
        assert env.visit_over == (step == 20)
    assert int(info["frame_number"].sum()) == 160
    assert np.all(terminated | truncated)
    env.reset()
    assert (env.visit.game, env.visit.index) == ("pong", 1)
    env.close()


def test_stepping_past_the_visit_without_reset_is_an_error():
    env = AtariSequenceVectorEnv(GameSchedule(("breakout",), frames_per_game=8, cycles=2), num_envs=1,
                                 settings=ALESettings(), seed=0, num_threads=1)
    env.reset()
    env.step(np.zeros(1, dtype=np.int64))
    env.step(np.zeros(1, dtype=np.int64))
    with pytest.raises(BenchmarkError, match="reset"):
        env.step(np.zeros(1, dtype=np.int64))
    env.close()


def test_schedule_cycles_the_games_in_order():
    visits = GameSchedule(("breakout", "pong", "boxing"), frames_per_game=16, cycles=2).visits
    assert [(v.index, v.game, v.cycle) for v in visits] == [
        (0, "breakout", 0), (1, "pong", 0), (2, "boxing", 0), (3, "breakout", 1), (4, "pong", 1), (5, "boxing", 1),
    ]


@pytest.mark.parametrize("game", ["pong", "breakout", "boxing", "space_invaders"])
def test_every_game_exposes_the_full_18_action_set(game):
    env = make_vector_env(game, 1, ALESettings(), num_threads=1)
    assert env.single_action_space.n == NUM_ACTIONS == 18
    env.close()


def test_frames_per_game_must_be_whole_vector_steps():
    with pytest.raises(BenchmarkError, match=r"frames_per_game=100 .*multiple of num_envs × frameskip = 32"):
        AtariSequenceVectorEnv(GameSchedule(("pong",), frames_per_game=100), num_envs=8, settings=ALESettings(), seed=0)


def test_unknown_game_names_the_field_and_the_closest_rom():
    with pytest.raises(BenchmarkError, match=r"bench.games: unknown ALE game 'breakut'; did you mean 'breakout'"):
        GameSchedule(("breakut",), frames_per_game=16)


def test_logged_episode_returns_are_the_unclipped_sum_of_game_points():
    settings = ALESettings(max_episode_frames=400)
    env = AtariSequenceVectorEnv(GameSchedule(("space_invaders",), frames_per_game=1_600), num_envs=2,
                                 settings=settings, seed=3, num_threads=1)
    rng = np.random.default_rng(3)
    env.reset()
    running, expected = np.zeros(2), []
    while not env.visit_over:
        _, reward, terminated, truncated, _ = env.step(random_actions(rng, 2))
        running += reward
        for e in np.flatnonzero(terminated | truncated):
            expected.append(running[e])
            running[e] = 0
    env.close()
    assert env.episodes.returns == expected
    assert max(env.episodes.returns) > 1, "space invaders pays 5-30 points per invader, so some return exceeds 1"
    assert all(length <= 400 for length in env.episodes.lengths)
