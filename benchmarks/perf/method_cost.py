"""Per-step cost of each method relative to `baseline` on the quick permuted-mnist model.

The model is the quick preset's MLP 784-100-100-10 with Adam 1e-3 and batch 16, trained on synthetic
inputs through the real supervised loop (hooks, penalties, task boundaries included) for two tasks of
313 steps each (one quick-preset task). One torch thread; subnormal floats handled as runs handle them
($CLBENCH_DENORMALS, flushed by default: benchmarks/numerics.py). Each round times a fresh baseline run and a
fresh method run back to back; the reported ratio is the median of the per-round ratios. Usage:

    python benchmarks/perf/method_cost.py [--methods nap,redo] [--repeats 3] [--json]

With --json the last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch


def time_once(spec: str, steps_per_task: int, tasks: int, seed: int) -> float:
    """Seconds per step of one fresh run of `spec` through the supervised loop."""
    from benchmarks.diagnostics import DiagnosticsSettings
    from benchmarks.models import MLP
    from benchmarks.numerics import cpu_denormals, denormal_mode
    from benchmarks.sinks import RunSink
    from benchmarks.streams import ClassificationTask
    from benchmarks.supervised import LoopSettings, train_classification_stream
    from methods.learner import prepare_learner
    from methods import base
    from methods.learner import OptimizerSpec, TaskInfo

    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(5000, 784, generator=generator)
    labels = torch.randint(0, 10, (5000,), generator=generator)
    stream = [ClassificationTask(TaskInfo(i, f"task-{i}", steps_per_task), inputs, labels) for i in range(tasks)]
    settings = LoopSettings(batch_size=16, diagnostics=DiagnosticsSettings(enabled=False))
    torch.manual_seed(seed)
    learner = prepare_learner(MLP(784, (100, 100), 10), base.create(spec), OptimizerSpec(name="adam", lr=1e-3), "supervised", "cpu")
    with cpu_denormals(denormal_mode()):
        started = time.perf_counter()
        train_classification_stream(learner, stream, settings, seed, RunSink(), total_steps=tasks * steps_per_task)
        elapsed = time.perf_counter() - started
    return elapsed / (tasks * steps_per_task)


def relative_cost(spec: str, steps_per_task: int, tasks: int, repeats: int) -> tuple[float, float]:
    """(median ms/step, median ratio to baseline), baseline and method timed in alternation so that a
    change of machine load between rounds cancels in each round's ratio."""
    time_once("baseline", steps_per_task, tasks, 0)
    times, ratios = [], []
    for repeat in range(repeats):
        reference = time_once("baseline", steps_per_task, tasks, repeat)
        seconds = time_once(spec, steps_per_task, tasks, repeat)
        times.append(seconds)
        ratios.append(seconds / reference)
    return statistics.median(times) * 1000, statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="", help="Comma-separated method specs (default: every registered method).")
    parser.add_argument("--steps-per-task", type=int, default=313)
    parser.add_argument("--tasks", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="Print one JSON object as the last line.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from benchmarks.numerics import denormal_mode
    from methods import base

    specs = [s.strip() for s in args.methods.split(",") if s.strip()] or base.names()
    specs = ["baseline"] + [s for s in specs if s != "baseline"]
    results: dict[str, dict[str, float]] = {}
    for spec in specs:
        milliseconds, relative = relative_cost(spec, args.steps_per_task, args.tasks, args.repeats)
        results[spec] = {"ms_per_step": milliseconds, "relative": relative}
        print(f"{spec:24s} {milliseconds:8.3f} ms/step  {relative:6.2f}x baseline", flush=True)
    if args.json:
        print(json.dumps({
            "model": "MLP 784-100-100-10", "optimizer": "adam 1e-3", "batch_size": 16,
            "steps": args.tasks * args.steps_per_task, "repeats": args.repeats, "threads": 1,
            "torch": torch.__version__, "machine": platform.machine(),
            "denormals": denormal_mode(),
            "rows": [{"method": name, "ms_per_step": round(r["ms_per_step"], 3), "relative_to_baseline": round(r["relative"], 2)} for name, r in results.items()],
        }))


if __name__ == "__main__":
    main()
