"""The checks an RL agent config's own fields share on Atari and MinAtar: parallelism, hidden width and Adam."""

from __future__ import annotations

from typing import Any

from benchmarks.errors import BenchmarkError
from core.config import require


def require_agent_fields(config: Any) -> None:
    """`num_envs`, `hidden`, `lr` and `adam_eps` must be positive; a bad one names its field (`bench.lr`)."""
    require(config.num_envs > 0, "bench", "num_envs", "a positive integer", config.num_envs, BenchmarkError)
    require(config.hidden > 0, "bench", "hidden", "a positive integer", config.hidden, BenchmarkError)
    require(config.lr > 0, "bench", "lr", "a positive number", config.lr, BenchmarkError)
    require(config.adam_eps > 0, "bench", "adam_eps", "a positive number", config.adam_eps, BenchmarkError)
