"""Atari (ALE v5) benchmarks for continual RL: a cycled game sequence (NaP §5, Fig. 6 left) and one long game.

Both run a DQN agent (Double-DQN targets, Adam, target network, replay) on `ale_py.AtariVectorEnv`
and score visits by the human-normalised score of their last training episodes (docs/atari.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.atari.ale_settings import ALESettings
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols.agent_fields import require_agent_fields
from core.config import require, settings_of
from leaderboard.records import HeadlineRule

PAPER_GAMES = (
    "pong", "breakout", "space_invaders", "seaquest", "qbert",
    "boxing", "enduro", "beam_rider", "asterix", "road_runner",
)
"""Ten games on which DQN-family agents make clear progress within 20M frames (docs/atari.md says why)."""

QUICK_GAMES = ("boxing", "breakout", "road_runner")
SMOKE_GAMES = ("breakout", "boxing")


@dataclass(frozen=True)
class AtariAgentConfig(AtariLoopSettings, DQNSettings, ALESettings):
    """Every setting of an Atari run, recorded and overridable: the fields (and defaults) of `ALESettings`,
    `DQNSettings` and `AtariLoopSettings`, then the parallelism, the Q-network and Adam (defaults: paper scale)."""

    num_envs: int = 8
    env_threads: int = 0
    channels: tuple[int, ...] = (32, 64, 64)
    hidden: int = 512
    lr: float = 6.25e-5
    adam_eps: float = 1.5e-4

    def __post_init__(self) -> None:
        require_agent_fields(self)
        require(self.env_threads >= 0, "bench", "env_threads", "0 (automatic) or a positive integer", self.env_threads, BenchmarkError)
        require(len(self.channels) == 3 and all(c > 0 for c in self.channels), "bench", "channels",
                "three positive conv widths, e.g. 32,64,64", self.channels, BenchmarkError)
        self.ale_settings()
        self.dqn_settings()
        self.loop_settings()

    def ale_settings(self) -> ALESettings:
        return settings_of(self, ALESettings)

    def dqn_settings(self) -> DQNSettings:
        return settings_of(self, DQNSettings)

    def loop_settings(self) -> AtariLoopSettings:
        return settings_of(self, AtariLoopSettings)


@dataclass(frozen=True)
class AtariSequenceConfig(AtariAgentConfig):
    """`games` in order, `frames_per_game` emulator frames each, the list cycled `cycles` times."""

    games: tuple[str, ...] = PAPER_GAMES
    frames_per_game: int = 20_000_000
    cycles: int = 2

    def __post_init__(self) -> None:
        require(len(self.games) > 0, "bench", "games", "at least one ALE game id, e.g. breakout,pong", self.games, BenchmarkError)
        require(self.frames_per_game > 0, "bench", "frames_per_game", "a positive number of frames", self.frames_per_game, BenchmarkError)
        require(self.cycles > 0, "bench", "cycles", "a positive integer", self.cycles, BenchmarkError)
        super().__post_init__()


@dataclass(frozen=True)
class AtariSingleConfig(AtariAgentConfig):
    """One `game` for `frames` emulator frames, reported in `segments` equal stretches."""

    game: str = "breakout"
    frames: int = 200_000_000
    segments: int = 200

    def __post_init__(self) -> None:
        require(self.frames > 0, "bench", "frames", "a positive number of frames", self.frames, BenchmarkError)
        require(self.segments > 0, "bench", "segments", "a positive integer", self.segments, BenchmarkError)
        super().__post_init__()


_SMOKE = dict(
    num_envs=2, env_threads=1, max_episode_frames=400, channels=(8, 16, 16), hidden=64, lr=1e-4, batch_size=16,
    replay_capacity=1_000, learning_starts=100, target_update_every=25, epsilon_decay_steps=200, eval_episodes=1, probe_size=64,
)
_QUICK = dict(
    num_envs=4, env_threads=1, channels=(16, 32, 32), hidden=256, lr=1e-4, replay_capacity=50_000, learning_starts=5_000,
    target_update_every=1_000, epsilon_decay_steps=25_000, eval_episodes=4,
)


def _run(config: AtariAgentConfig, method: Any, seed: int, context: RunContext, games: tuple[str, ...], frames_per_game: int,
         cycles: int, segments: int, family: str) -> BenchmarkResult:
    from benchmarks.atari.ale_settings import NUM_ACTIONS
    from benchmarks.atari.loop import play_sequence
    from benchmarks.atari.sequence import AtariSequenceVectorEnv, GameSchedule
    from benchmarks.models import QNetwork

    ale = config.ale_settings()
    env = AtariSequenceVectorEnv(GameSchedule(games, frames_per_game, cycles), config.num_envs, ale, seed, num_threads=config.env_threads)
    model = QNetwork(NUM_ACTIONS, ale.frame_stack, tuple(config.channels), config.hidden)
    return play_sequence(env, model, method, config, seed, context, family, segments)


def _rom_source(games: tuple[str, ...]) -> str:
    from importlib import metadata

    from benchmarks.atari.ale_settings import check_games

    check_games(games)
    return f"ale-py {metadata.version('ale-py')} ROMs: {', '.join(games)}"


@register
class AtariSequence(Benchmark):
    name = "atari-sequence"
    version = "2"
    description = "Atari games played in sequence and cycled; DQN; mean human-normalised score of the last cycle (NaP Fig. 6)"
    family = "atari"
    Config = AtariSequenceConfig
    presets = {
        "smoke": AtariSequenceConfig(games=SMOKE_GAMES, frames_per_game=1_600, cycles=2, **_SMOKE),
        "quick": AtariSequenceConfig(games=QUICK_GAMES, frames_per_game=120_000, cycles=2, **_QUICK),
        "paper": AtariSequenceConfig(),
    }
    headline = HeadlineRule(metric="final_cycle_hns", select="final_fraction", fraction=1.0)

    def data_source(self, config: AtariSequenceConfig, context: RunContext) -> str:
        return _rom_source(tuple(config.games))

    def run(self, method: Any, seed: int, config: AtariSequenceConfig, context: RunContext) -> BenchmarkResult:
        return _run(config, method, seed, context, tuple(config.games), config.frames_per_game, config.cycles, 1, self.family)


@register
class AtariSingle(Benchmark):
    name = "atari-single"
    version = "2"
    description = "One Atari game over a long run (the nonstationarity of RL itself); DQN; final human-normalised score"
    family = "atari"
    Config = AtariSingleConfig
    presets = {
        "smoke": AtariSingleConfig(game="breakout", frames=3_200, segments=2, **_SMOKE),
        "quick": AtariSingleConfig(game="breakout", frames=600_000, segments=10, **_QUICK),
        "paper": AtariSingleConfig(),
    }
    headline = HeadlineRule(metric="hns", select="final_fraction", fraction=0.1)

    def data_source(self, config: AtariSingleConfig, context: RunContext) -> str:
        return _rom_source((config.game,))

    def run(self, method: Any, seed: int, config: AtariSingleConfig, context: RunContext) -> BenchmarkResult:
        return _run(config, method, seed, context, (config.game,), config.frames, 1, config.segments, self.family)
