"""DQN hyperparameters and reward clipping: plain data, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.errors import BenchmarkError
from core.config import require


@dataclass(frozen=True)
class DQNSettings:
    """Agent hyperparameters (defaults: the paper preset); step counts are agent steps (one action of one environment)."""

    gamma: float = 0.99
    batch_size: int = 32
    learning_starts: int = 20_000
    train_every: int = 4
    target_update_every: int = 2_000
    epsilon_start: float = 1.0
    epsilon_end: float = 0.01
    epsilon_decay_steps: int = 250_000
    eval_epsilon: float = 0.001
    huber_delta: float = 1.0

    def __post_init__(self) -> None:
        scope = "bench"
        require(0 <= self.gamma < 1, scope, "gamma", "a number in [0, 1)", self.gamma, BenchmarkError)
        require(self.batch_size > 0, scope, "batch_size", "a positive integer", self.batch_size, BenchmarkError)
        require(self.learning_starts >= self.batch_size, scope, "learning_starts",
                f"at least batch_size ({self.batch_size})", self.learning_starts, BenchmarkError)
        require(self.train_every > 0, scope, "train_every", "a positive number of agent steps", self.train_every, BenchmarkError)
        require(self.target_update_every > 0, scope, "target_update_every", "a positive number of updates",
                self.target_update_every, BenchmarkError)
        for name in ("epsilon_start", "epsilon_end", "eval_epsilon"):
            require(0 <= getattr(self, name) <= 1, scope, name, "a probability in [0, 1]", getattr(self, name), BenchmarkError)
        require(self.epsilon_decay_steps > 0, scope, "epsilon_decay_steps", "a positive number of agent steps",
                self.epsilon_decay_steps, BenchmarkError)
        require(self.huber_delta > 0, scope, "huber_delta", "a positive number", self.huber_delta, BenchmarkError)

    def epsilon(self, agent_steps: int) -> float:
        """Linear decay from epsilon_start to epsilon_end over epsilon_decay_steps agent steps."""
        fraction = min(1.0, agent_steps / self.epsilon_decay_steps)
        return self.epsilon_start + fraction * (self.epsilon_end - self.epsilon_start)

    def updates_due(self, agent_steps: int) -> int:
        """Gradient updates owed after `agent_steps` steps of a visit: one per train_every after learning_starts."""
        return max(0, (agent_steps - self.learning_starts) // self.train_every) if agent_steps >= self.learning_starts else 0


def clip_reward(rewards: np.ndarray) -> np.ndarray:
    """Sign of the reward, in {−1, 0, 1} (Mnih et al. 2015); used for learning only, never for scores."""
    return np.sign(rewards).astype(np.float32)
