"""MinAtar (Young & Tian 2019) benchmarks for continual RL on a CPU: a cycled game sequence and one long game.

They run the Atari benchmarks' DQN agent and loop (Double-DQN targets, Adam, target network, replay,
every method hook) with MinAtar's network, and score visits by the normalised return of their last
training episodes (`benchmarks/minatar/scores.py`; docs/benchmarks.md, "minatar-sequence").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import GAMES, MinAtarSettings, check_games
from benchmarks.protocols.agent_fields import require_agent_fields
from core.config import require, settings_of
from leaderboard.records import HeadlineRule

QUICK_GAMES = ("breakout", "space_invaders")
SMOKE_GAMES = ("breakout", "asterix")


@dataclass(frozen=True)
class MinAtarAgentConfig(AtariLoopSettings, DQNSettings, MinAtarSettings):
    """Every setting of a MinAtar run: the fields of `MinAtarSettings`, `DQNSettings` and `AtariLoopSettings`,
    then the number of environments, the network's widths and Adam (defaults: MinAtar's DQN, Young & Tian 2019)."""

    replay_capacity: int = 100_000
    learning_starts: int = 5_000
    train_every: int = 1
    target_update_every: int = 1_000
    epsilon_end: float = 0.1
    epsilon_decay_steps: int = 100_000
    num_envs: int = 1
    channels: int = 16
    hidden: int = 128
    lr: float = 1e-4
    adam_eps: float = 1.5e-4

    def __post_init__(self) -> None:
        require_agent_fields(self)
        require(self.channels > 0, "bench", "channels", "a positive integer", self.channels, BenchmarkError)
        self.minatar_settings()
        self.dqn_settings()
        self.loop_settings()

    def minatar_settings(self) -> MinAtarSettings:
        return settings_of(self, MinAtarSettings)

    def dqn_settings(self) -> DQNSettings:
        return settings_of(self, DQNSettings)

    def loop_settings(self) -> AtariLoopSettings:
        return settings_of(self, AtariLoopSettings)


@dataclass(frozen=True)
class MinAtarSequenceConfig(MinAtarAgentConfig):
    """`games` in order, `frames_per_game` frames (environment steps) each, the list cycled `cycles` times."""

    games: tuple[str, ...] = GAMES
    frames_per_game: int = 5_000_000
    cycles: int = 2

    def __post_init__(self) -> None:
        check_games(tuple(self.games))
        require(self.frames_per_game > 0, "bench", "frames_per_game", "a positive number of frames", self.frames_per_game, BenchmarkError)
        require(self.cycles > 0, "bench", "cycles", "a positive integer", self.cycles, BenchmarkError)
        super().__post_init__()


@dataclass(frozen=True)
class MinAtarSingleConfig(MinAtarAgentConfig):
    """One `game` for `frames` frames, reported in `segments` equal stretches."""

    game: str = "breakout"
    frames: int = 5_000_000
    segments: int = 50

    def __post_init__(self) -> None:
        check_games((self.game,), "game")
        require(self.frames > 0, "bench", "frames", "a positive number of frames", self.frames, BenchmarkError)
        require(self.segments > 0, "bench", "segments", "a positive integer", self.segments, BenchmarkError)
        super().__post_init__()


_SMOKE = dict(
    num_envs=2, max_episode_frames=200, hidden=32, lr=1e-3, batch_size=16, replay_capacity=1_000, learning_starts=100,
    train_every=4, target_update_every=25, epsilon_decay_steps=200, eval_episodes=1, probe_size=64,
)
_QUICK = dict(
    num_envs=4, lr=1e-3, train_every=4, replay_capacity=50_000, learning_starts=5_000, target_update_every=1_000,
    epsilon_decay_steps=50_000, eval_episodes=8,
)


def _run(config: MinAtarAgentConfig, method: Any, seed: int, context: RunContext, games: tuple[str, ...], frames_per_game: int,
         cycles: int, segments: int, family: str) -> BenchmarkResult:
    from benchmarks.atari.loop import play_sequence
    from benchmarks.minatar.arcade import MINATAR_ARCADE
    from benchmarks.minatar.games import CHANNELS, NUM_ACTIONS
    from benchmarks.minatar.sequence import MinAtarSchedule, MinAtarSequenceVectorEnv
    from benchmarks.models import MinAtarQNetwork

    env = MinAtarSequenceVectorEnv(MinAtarSchedule(games, frames_per_game, cycles), config.num_envs, config.minatar_settings(), seed)
    model = MinAtarQNetwork(NUM_ACTIONS, CHANNELS, config.channels, config.hidden)
    return play_sequence(env, model, method, config, seed, context, family, segments, MINATAR_ARCADE)


def _source(games: tuple[str, ...]) -> str:
    from importlib import metadata

    check_games(games)
    return f"MinAtar {metadata.version('minatar')} (generated): {', '.join(games)}"


@register
class MinAtarSequence(Benchmark):
    name = "minatar-sequence"
    version = "1"
    description = "MinAtar games played in sequence and cycled; DQN; mean normalised return of the last cycle"
    family = "atari"
    Config = MinAtarSequenceConfig
    presets = {
        "smoke": MinAtarSequenceConfig(games=SMOKE_GAMES, frames_per_game=800, cycles=2, **_SMOKE),
        "quick": MinAtarSequenceConfig(games=QUICK_GAMES, frames_per_game=100_000, cycles=3, **_QUICK),
        "paper": MinAtarSequenceConfig(),
    }
    headline = HeadlineRule(metric="final_cycle_norm_return", select="final_fraction", fraction=1.0)

    def data_source(self, config: MinAtarSequenceConfig, context: RunContext) -> str:
        return _source(tuple(config.games))

    def run(self, method: Any, seed: int, config: MinAtarSequenceConfig, context: RunContext) -> BenchmarkResult:
        return _run(config, method, seed, context, tuple(config.games), config.frames_per_game, config.cycles, 1, self.family)


@register
class MinAtarSingle(Benchmark):
    name = "minatar-single"
    version = "1"
    description = "One MinAtar game over a long run (the nonstationarity of RL itself); DQN; final normalised return"
    family = "atari"
    Config = MinAtarSingleConfig
    presets = {
        "smoke": MinAtarSingleConfig(game="breakout", frames=1_600, segments=2, **_SMOKE),
        "quick": MinAtarSingleConfig(game="breakout", frames=600_000, segments=10, **_QUICK),
        "paper": MinAtarSingleConfig(),
    }
    headline = HeadlineRule(metric="norm_return", select="final_fraction", fraction=0.1)

    def data_source(self, config: MinAtarSingleConfig, context: RunContext) -> str:
        return _source((config.game,))

    def run(self, method: Any, seed: int, config: MinAtarSingleConfig, context: RunContext) -> BenchmarkResult:
        return _run(config, method, seed, context, (config.game,), config.frames, 1, config.segments, self.family)
