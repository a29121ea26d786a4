"""Atari throughput: the sequence environment against raw `AtariVectorEnv`, and DQN gradient updates per second.

(a) steps/s of `AtariSequenceVectorEnv` as a ratio of a bare `AtariVectorEnv` built with the same v5
settings and emulator seeds, both driven by the same pre-drawn random actions, so both emulate the same
frames (steady state: creation and reset are not timed); repeats alternate the two, each keeps its best. (b) `DQNAgent.update` calls per second
(replay sample, Double-DQN target, Adam step) for the Q-networks and Adam settings of the paper and quick presets.
`--json` ends the output with one JSON object on its own line.

    .venv/bin/python -m benchmarks.perf.atari_env [--game breakout] [--num-envs 4] [--steps 2000] [--device cpu] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
import torch

from benchmarks.atari.ale_settings import FRAME_SIZE, NUM_ACTIONS, ALESettings, make_vector_env
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.sequence import AtariSequenceVectorEnv, GameSchedule
from benchmarks.perf.dqn_timing import timed_updates_per_second


def raw_steps_per_second(game: str, num_envs: int, actions: np.ndarray, threads: int, seed: int) -> float:
    env = make_vector_env(game, num_envs, ALESettings(), num_threads=threads)
    env.reset(seed=seed)
    start = time.perf_counter()
    for row in actions:
        env.step(row)
    elapsed = time.perf_counter() - start
    env.close()
    return len(actions) * num_envs / elapsed


def sequence_env(game: str, num_envs: int, steps: int, threads: int) -> AtariSequenceVectorEnv:
    frames = (steps + 1) * num_envs * ALESettings().frameskip
    return AtariSequenceVectorEnv(GameSchedule((game,), frames, 1), num_envs, ALESettings(), seed=0, num_threads=threads)


def sequence_steps_per_second(game: str, num_envs: int, actions: np.ndarray, threads: int) -> float:
    env = sequence_env(game, num_envs, len(actions), threads)
    env.reset()
    start = time.perf_counter()
    for row in actions:
        env.step(row)
    elapsed = time.perf_counter() - start
    env.close()
    return len(actions) * num_envs / elapsed


def updates_per_second(preset: str, batch_size: int, updates: int, device: str) -> float:
    from benchmarks.atari.dqn import DQNAgent
    from benchmarks.atari.replay import ReplayBuffer
    from benchmarks.base import get
    from benchmarks.models import QNetwork
    from methods.base import create
    from methods.learner import OptimizerSpec, prepare_learner

    config = get("atari-sequence").config(preset)
    stack = config.frame_stack
    rng = np.random.default_rng(0)
    replay = ReplayBuffer(20_000, 4, (FRAME_SIZE, FRAME_SIZE), stack)
    for t in range(5_000):
        observations = rng.integers(0, 255, (4, stack, FRAME_SIZE, FRAME_SIZE), dtype=np.uint8)
        replay.add(observations, rng.integers(0, NUM_ACTIONS, 4), rng.choice([-1.0, 0.0, 1.0], 4).astype(np.float32),
                   rng.random(4) < 0.01, np.zeros(4, dtype=bool), np.full(4, t == 0))
    model = QNetwork(NUM_ACTIONS, stack, tuple(config.channels), config.hidden)
    learner = prepare_learner(model, create("baseline"), OptimizerSpec(lr=config.lr, eps=config.adam_eps), "atari", device)
    agent = DQNAgent(learner, dataclasses.replace(config.dqn_settings(), batch_size=batch_size), rng)
    return timed_updates_per_second(agent, replay, updates, device)


def network_label(preset: str) -> str:
    from benchmarks.base import get

    config = get("atari-sequence").config(preset)
    return f"{preset} ({','.join(map(str, config.channels))})/{config.hidden}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="breakout")
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--env-threads", type=int, default=0, help="ALE threads (0: one per environment)")
    parser.add_argument("--steps", type=int, default=2000, help="vector steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=DQNSettings.batch_size)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    actions = np.random.default_rng(0).integers(0, NUM_ACTIONS, (args.steps, args.num_envs)).astype(np.int64)
    probe = sequence_env(args.game, args.num_envs, args.steps, args.env_threads)
    probe.visit_index = 0
    same_seed = probe._visit_seed()
    raw, sequence = [], []
    for _ in range(args.repeats):
        raw.append(raw_steps_per_second(args.game, args.num_envs, actions, args.env_threads, same_seed))
        sequence.append(sequence_steps_per_second(args.game, args.num_envs, actions, args.env_threads))
    ratio = max(sequence) / max(raw)
    print(f"raw AtariVectorEnv ({args.game}, {args.num_envs} envs): {max(raw):,.0f} agent steps/s")
    print(f"AtariSequenceVectorEnv: {max(sequence):,.0f} agent steps/s  (ratio {ratio:.3f}; required >= 0.9)")

    rates = {}
    for preset in ("paper", "quick"):
        label = network_label(preset)
        rates[label] = updates_per_second(preset, args.batch_size, args.updates, args.device)
        print(f"DQN updates/s, {label} Q-network, batch {args.batch_size}, {args.device}: {rates[label]:,.1f}")
    if args.json:
        print(json.dumps({
            "game": args.game, "num_envs": args.num_envs, "device": args.device, "torch_threads": args.threads,
            "raw_steps_per_s": max(raw), "sequence_steps_per_s": max(sequence), "ratio": ratio,
            "updates_per_s": rates, "batch_size": args.batch_size,
        }))


if __name__ == "__main__":
    main()
