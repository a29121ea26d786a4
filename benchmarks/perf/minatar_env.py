"""MinAtar throughput: the sequence environment against raw MinAtar stepping, and DQN updates per second.

(a) frames/s of `MinAtarSequenceVectorEnv` as a ratio of bare `minatar.Environment`s with the same
settings and seeds, each stepped with `act` and read with `state()` (what any agent needs) and reset at
the end of an episode, both driven by the same pre-drawn random actions; repeats alternate the two and
each keeps its best. (b) `DQNAgent.update` calls per second (replay sample, Double-DQN target, Adam step)
on the MinAtar network of the quick preset, and the frames/s of a whole quick-preset visit (play + updates).
`--json` ends the output with one JSON object on its own line.

    .venv/bin/python -m benchmarks.perf.minatar_env [--game breakout] [--num-envs 4] [--steps 5000] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
import torch

from benchmarks.minatar.games import NUM_ACTIONS, MinAtarSettings, make_game
from benchmarks.minatar.sequence import MinAtarSchedule, MinAtarSequenceVectorEnv
from benchmarks.perf.dqn_timing import timed_updates_per_second


def raw_frames_per_second(game: str, actions: np.ndarray, seeds: list[int]) -> float:
    settings = MinAtarSettings()
    envs = [make_game(game, settings, seed) for seed in seeds]
    start = time.perf_counter()
    for row in actions:
        for env, action in zip(envs, row.tolist(), strict=True):
            _, terminal = env.act(action)
            env.state()
            if terminal:
                env.reset()
    return actions.size / (time.perf_counter() - start)


def sequence_env(game: str, num_envs: int, steps: int) -> MinAtarSequenceVectorEnv:
    return MinAtarSequenceVectorEnv(MinAtarSchedule((game,), (steps + 1) * num_envs, 1), num_envs, MinAtarSettings(), seed=0)


def sequence_frames_per_second(game: str, actions: np.ndarray) -> float:
    env = sequence_env(game, actions.shape[1], len(actions))
    env.reset()
    start = time.perf_counter()
    for row in actions:
        env.step(row)
    return actions.size / (time.perf_counter() - start)


def _quick_parts(batch_size: int, device: str):
    from benchmarks.atari.dqn import DQNAgent
    from benchmarks.base import get
    from benchmarks.minatar.arcade import minatar_replay
    from benchmarks.minatar.games import CHANNELS
    from benchmarks.models import MinAtarQNetwork
    from methods.base import create
    from methods.learner import OptimizerSpec, prepare_learner

    config = get("minatar-sequence").config("quick")
    model = MinAtarQNetwork(NUM_ACTIONS, CHANNELS, config.channels, config.hidden)
    learner = prepare_learner(model, create("baseline"), OptimizerSpec(lr=config.lr, eps=config.adam_eps), "atari", device)
    rng = np.random.default_rng(0)
    agent = DQNAgent(learner, dataclasses.replace(config.dqn_settings(), batch_size=batch_size), rng)
    return config, agent, minatar_replay(20_000, 4, config.minatar_settings()), rng


def updates_per_second(batch_size: int, updates: int, device: str) -> float:
    _, agent, replay, rng = _quick_parts(batch_size, device)
    shape = MinAtarSettings().observation_shape
    for t in range(5_000):
        replay.add(rng.random((4, *shape)) < 0.1, rng.integers(0, NUM_ACTIONS, 4),
                   rng.choice([0.0, 1.0], 4).astype(np.float32), rng.random(4) < 0.01, np.zeros(4, dtype=bool), np.full(4, t == 0))
    return timed_updates_per_second(agent, replay, updates, device)


def quick_visit_frames_per_second(game: str, frames: int, device: str) -> float:
    """Frames/s of a quick-preset single-game run of `frames` frames (learning included, no evaluation)."""
    from benchmarks.base import RunContext, get
    from methods.base import create

    benchmark = get("minatar-single")
    learning_starts = frames // 4
    config = benchmark.config("quick", {"game": game, "frames": str(frames), "segments": "1", "eval_episodes": "0",
                                        "learning_starts": str(learning_starts), "diagnostics": "false"})
    context = RunContext(device=device)
    start = time.perf_counter()
    benchmark.run(create("baseline"), 0, config, context)
    return frames / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="breakout")
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=5000, help="vector steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--visit-frames", type=int, default=20_000, help="frames of the timed quick-preset visit")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    actions = np.random.default_rng(0).integers(0, NUM_ACTIONS, (args.steps, args.num_envs)).astype(np.int64)
    probe = sequence_env(args.game, args.num_envs, args.steps)
    probe.reset()
    seeds = [probe._visit_seed() + i for i in range(args.num_envs)]
    raw, sequence = [], []
    for _ in range(args.repeats):
        raw.append(raw_frames_per_second(args.game, actions, seeds))
        sequence.append(sequence_frames_per_second(args.game, actions))
    ratio = max(sequence) / max(raw)
    print(f"raw MinAtar ({args.game}, {args.num_envs} envs, act + state): {max(raw):,.0f} frames/s")
    print(f"MinAtarSequenceVectorEnv: {max(sequence):,.0f} frames/s  (ratio {ratio:.3f}; required >= 0.9)")
    updates = updates_per_second(args.batch_size, args.updates, args.device)
    print(f"DQN updates/s, MinAtar network (quick preset), batch {args.batch_size}, {args.device}: {updates:,.1f}")
    visit = quick_visit_frames_per_second(args.game, args.visit_frames, args.device)
    print(f"quick-preset play and learning ({args.game}, {args.visit_frames:,} frames): {visit:,.0f} frames/s")
    if args.json:
        print(json.dumps({
            "game": args.game, "num_envs": args.num_envs, "device": args.device, "torch_threads": args.threads,
            "raw_frames_per_s": max(raw), "sequence_frames_per_s": max(sequence), "ratio": ratio,
            "updates_per_s": updates, "batch_size": args.batch_size, "quick_visit_frames_per_s": visit,
        }))


if __name__ == "__main__":
    main()
