"""Atari (ALE) game sequences for continual RL: the sequence environments, replay, the DQN agent, scores.

Importing this package registers the gymnasium environment `clbench/AtariSequence-v0`.
"""

from benchmarks.atari.gym_env import ENV_ID, register_environment

register_environment()

__all__ = ["ENV_ID", "register_environment"]
