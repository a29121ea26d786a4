"""The sequence env plays bit for bit like bare MinAtar games stepped one at a time under its documented rules:
the same observations, rewards, flags and logged episodes, each returned array the caller's to keep."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.minatar.games import CHANNELS, GAME_CHANNELS, MinAtarSettings, make_game
from benchmarks.minatar.sequence import MinAtarSchedule, MinAtarSequenceVectorEnv


class BareGames:
    """One visit of plain MinAtar environments: pad each state, cap episodes, truncate everything at the visit's end."""

    def __init__(self, game: str, num_envs: int, settings: MinAtarSettings, base_seed: int, visit_frames: int):
        self.games = [make_game(game, settings, base_seed + i) for i in range(num_envs)]
        self.channels = GAME_CHANNELS[game]
        self.cap = settings.max_episode_frames
        self.visit_frames = visit_frames
        self.frame = 0
        self.returns = [0.0] * num_envs
        self.lengths = [0] * num_envs
        self.log: tuple[list, list, list] = ([], [], [])

    def observe(self) -> np.ndarray:
        obs = np.zeros((len(self.games), 10, 10, CHANNELS), dtype=bool)
        for index, game in enumerate(self.games):
            obs[index, :, :, : self.channels] = game.state()
        return obs

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        self.frame += len(self.games)
        switching = self.frame >= self.visit_frames
        rewards, terminated, truncated = [], [], []
        for index, (game, action) in enumerate(zip(self.games, actions.tolist())):
            reward, terminal = game.act(action)
            self.returns[index] += reward
            self.lengths[index] += 1
            at_cap = self.lengths[index] >= self.cap
            rewards.append(reward)
            terminated.append(terminal)
            truncated.append(not terminal and (switching or at_cap))
            if terminal or at_cap:
                for column, value in zip(self.log, (self.returns[index], self.lengths[index], self.frame)):
                    column.append(value)
            if terminal or at_cap or switching:
                self.returns[index], self.lengths[index] = 0.0, 0
                if not switching:
                    game.reset()
        return self.observe(), np.array(rewards, dtype=np.float32), np.array(terminated), np.array(truncated)


def assert_same_array(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("cap", [25, 10_000])
def test_every_output_is_bit_identical_to_bare_minatar_games_under_the_documented_rules(cap):
    settings = MinAtarSettings(max_episode_frames=cap)
    env = MinAtarSequenceVectorEnv(MinAtarSchedule(("breakout", "space_invaders", "asterix"), 4_000, 1), 4, settings, seed=0)
    rng = np.random.default_rng(0)
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for _ in range(3):
        obs = env.reset()
        bare = BareGames(env.visit.game, 4, settings, env._visit_seed(), env.visit.frames)
        assert_same_array(obs, bare.observe())
        while not env.visit_over:
            actions = rng.integers(0, env.num_actions, 4)
            got, expected = env.step(actions), bare.step(actions)
            assert got[4] == {}
            for got_array, expected_array in zip(got[:4], expected, strict=True):
                assert_same_array(got_array, expected_array)
                kept.append((got_array, expected_array))
        assert (env.episodes.returns, env.episodes.lengths, env.episodes.end_frames) == bare.log
        assert [type(value) for value in env.episodes.returns] == [type(value) for value in bare.log[0]]
        assert len(bare.log[0]) > 10
    for got_array, expected_array in kept:
        assert_same_array(got_array, expected_array)
