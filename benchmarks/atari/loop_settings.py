"""How the Atari loop keeps replay and reports each visit: plain data, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.errors import BenchmarkError
from core.config import require


@dataclass(frozen=True)
class AtariLoopSettings:
    """Replay, scoring and reporting settings of the loop, apart from the agent's own hyperparameters."""

    replay_capacity: int = 1_000_000
    clear_replay_on_switch: bool = True
    score_window: int = 100
    eval_episodes: int = 10
    curve_bins: int = 10
    probe_size: int = 256
    diagnostics: bool = True

    def __post_init__(self) -> None:
        scope = "bench"
        require(self.replay_capacity > 0, scope, "replay_capacity", "a positive number of transitions", self.replay_capacity, BenchmarkError)
        require(self.score_window > 0, scope, "score_window", "a positive number of episodes", self.score_window, BenchmarkError)
        require(self.eval_episodes >= 0, scope, "eval_episodes", "0 (no evaluation) or a positive integer", self.eval_episodes, BenchmarkError)
        require(self.curve_bins > 0, scope, "curve_bins", "a positive integer", self.curve_bins, BenchmarkError)
        require(self.probe_size > 0, scope, "probe_size", "a positive integer", self.probe_size, BenchmarkError)
