"""MinAtar game sequences for continual RL on a CPU: games, the sequence environments, scores, the loop's platform.

Importing this package registers the gymnasium environment `clbench/MinAtarSequence-v0`.
"""

from benchmarks.minatar.gym_env import ENV_ID, register_environment

register_environment()

__all__ = ["ENV_ID", "register_environment"]
