"""Timing a DQN agent's updates, shared by the Atari and MinAtar perf scripts."""

from __future__ import annotations

import time
from typing import Any

import torch

WARMUP_UPDATES = 10
"""Untimed updates first, so allocation and the first kernels' set-up stay out of the rate."""


def sync(device: str) -> None:
    """Wait for queued GPU work, so a timer reads finished work (a no-op on the CPU)."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed_updates_per_second(agent: Any, replay: Any, updates: int, device: str) -> float:
    """`agent.update(replay)` calls per second over `updates` calls, after `WARMUP_UPDATES` untimed ones."""
    for _ in range(WARMUP_UPDATES):
        agent.update(replay)
    sync(device)
    start = time.perf_counter()
    for _ in range(updates):
        agent.update(replay)
    sync(device)
    return updates / (time.perf_counter() - start)
