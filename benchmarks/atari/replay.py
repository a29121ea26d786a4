"""A uniform replay buffer for vectorised Atari play that stores each frame once.

Rows hold one agent step of every parallel environment: the newest frame of the observation the
action was taken from, the action, the clipped reward, whether the episode terminated or was truncated
there, and whether the observation opened an episode. A frame stack is rebuilt from the frames of the
previous rows of the same environment, zeroing frames from before the episode's start, exactly as
`AtariVectorEnv` stacks them after a reset. A transition's next observation is the stack of the row
after it; truncated transitions (episode cap, game switch) have no stored successor and are never sampled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.errors import BenchmarkError


@dataclass
class Batch:
    """Sampled transitions as arrays: observations (B, S, H, W) uint8, actions (B,), rewards (B,)."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_observations: np.ndarray
    terminated: np.ndarray


class ReplayBuffer:
    """Room for `capacity` transitions in total, split evenly between `num_envs` environments."""

    def __init__(self, capacity: int, num_envs: int, frame_shape: tuple[int, int], stack: int):
        if capacity < num_envs * (stack + 1):
            raise BenchmarkError(f"bench.replay_capacity={capacity} is too small: expected at least {num_envs * (stack + 1)}")
        self.rows = capacity // num_envs
        self.num_envs = num_envs
        self.stack = stack
        self.frames = np.zeros((self.rows, num_envs, *frame_shape), dtype=np.uint8)
        self.actions = np.zeros((self.rows, num_envs), dtype=np.int64)
        self.rewards = np.zeros((self.rows, num_envs), dtype=np.float32)
        self.terminated = np.zeros((self.rows, num_envs), dtype=bool)
        self.truncated = np.zeros((self.rows, num_envs), dtype=bool)
        self.first = np.zeros((self.rows, num_envs), dtype=bool)
        self.valid = np.zeros((self.rows, num_envs), dtype=bool)
        self.head = 0
        self.size = 0

    def __len__(self) -> int:
        return self.size * self.num_envs

    def clear(self) -> None:
        self.head = 0
        self.size = 0
        self.valid[:] = False

    def add(self, observations: np.ndarray, actions: np.ndarray, rewards: np.ndarray, terminated: np.ndarray,
            truncated: np.ndarray, first: np.ndarray) -> None:
        """One step of every environment: observations (N, S, H, W) are those the actions were taken from."""
        row = self.head
        self.frames[row] = self._newest_frame(observations)
        self.actions[row] = actions
        self.rewards[row] = rewards
        self.terminated[row] = terminated
        self.truncated[row] = truncated
        self.first[row] = first
        self.valid[row] = terminated
        if self.size > 0:
            previous = (row - 1) % self.rows
            self.valid[previous] = self.terminated[previous] | ~self.truncated[previous]
        self.head = (row + 1) % self.rows
        self.size = min(self.size + 1, self.rows)

    def _newest_frame(self, observations: np.ndarray) -> np.ndarray:
        return observations[:, -1]

    def _sampleable(self, rows: np.ndarray, envs: np.ndarray) -> np.ndarray:
        ok = self.valid[rows, envs]
        if self.size == self.rows:
            ok &= (rows - self.head) % self.rows >= self.stack - 1
        return ok

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """`batch_size` transitions drawn uniformly (with replacement) from those with a known successor."""
        if not self.valid[: self.size].any():
            raise BenchmarkError("the replay buffer has no complete transition to sample yet")
        rows = np.empty(batch_size, dtype=np.int64)
        envs = np.empty(batch_size, dtype=np.int64)
        missing = np.arange(batch_size)
        for _ in range(1000):
            rows[missing] = rng.integers(0, self.size, len(missing))
            envs[missing] = rng.integers(0, self.num_envs, len(missing))
            missing = missing[~self._sampleable(rows[missing], envs[missing])]
            if len(missing) == 0:
                break
        else:
            raise BenchmarkError("could not draw a valid replay transition in 1000 tries")
        return Batch(
            observations=self.stacks(rows, envs),
            actions=self.actions[rows, envs],
            rewards=self.rewards[rows, envs],
            next_observations=self.stacks((rows + 1) % self.rows, envs),
            terminated=self.terminated[rows, envs],
        )

    def stacks(self, rows: np.ndarray, envs: np.ndarray) -> np.ndarray:
        """Frame stacks (B, S, H, W) of the observations stored at `rows` of `envs`."""
        offsets = np.arange(-(self.stack - 1), 1)
        index = (rows[:, None] + offsets) % self.rows
        column = envs[:, None]
        frames = self.frames[index, column]
        firsts = self.first[index, column]
        later_first = np.flip(np.cumsum(np.flip(firsts[:, 1:], 1), 1), 1) > 0
        keep = np.concatenate([~later_first, np.ones((len(rows), 1), dtype=bool)], axis=1)
        return frames * keep[:, :, None, None].astype(np.uint8)


class WholeObservationReplay(ReplayBuffer):
    """Replay for observations that are not frame stacks (MinAtar's (10, 10, C) states): a row stores the whole observation."""

    def __init__(self, capacity: int, num_envs: int, observation_shape: tuple[int, ...]):
        super().__init__(capacity, num_envs, observation_shape, stack=1)

    def _newest_frame(self, observations: np.ndarray) -> np.ndarray:
        return observations

    def stacks(self, rows: np.ndarray, envs: np.ndarray) -> np.ndarray:
        return self.frames[rows, envs]
