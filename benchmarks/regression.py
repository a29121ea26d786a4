"""Slowly-changing regression (Dohare et al. 2024): the exact data generator and its online training loop.

A fixed target network of linear threshold units (LTUs) maps 20 input bits to one number. 15 of the
bits are "slow": re-drawn every `flip_after` examples (the repo's default, `cfg/prob.json`), or with
one bit flipped (`flip_one_prob.json`); 5 are fresh random bits per example. Each period is one task.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.base import BenchmarkResult
from benchmarks.diagnostics import DiagnosticsTracker
from benchmarks.sinks import RunSink
from benchmarks.streams import task_generator
from leaderboard.records import DiagnosticPoint, TaskMetrics
from methods.learner import Learner, TaskInfo


@dataclass
class RegressionTask:
    """One period of the stream: inputs (T, num_inputs) and targets (T, 1)."""

    info: TaskInfo
    inputs: torch.Tensor
    targets: torch.Tensor


class LTUTarget:
    """Dohare et al.'s target net: num_inputs → num_features LTUs → 1, all weights and biases in {−1, +1}.

    Unit i fires (outputs 1) when its pre-activation exceeds τ_i = β(m + 1) − S_i, with m = num_inputs and
    S_i = (m − Σ_j w_ij + b_i)/2, as in the authors' `FixLTUNet`.
    """

    def __init__(self, num_inputs: int, num_features: int, beta: float, generator: torch.Generator):
        def signs(*shape: int) -> torch.Tensor:
            return torch.randint(0, 2, shape, generator=generator, dtype=torch.float32) * 2 - 1

        self.hidden_weight = signs(num_features, num_inputs)
        self.hidden_bias = signs(num_features)
        self.output_weight = signs(1, num_features)
        self.output_bias = signs(1)
        count = (num_inputs - self.hidden_weight.sum(dim=1) + self.hidden_bias) / 2
        self.threshold = beta * (num_inputs + 1) - count

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        """inputs (n, num_inputs) of 0/1 → targets (n, 1)."""
        pre = inputs @ self.hidden_weight.T + self.hidden_bias
        features = (pre > self.threshold).float()
        return features @ self.output_weight.T + self.output_bias


class SlowlyChangingRegressionStream:
    """Tasks of `flip_after` examples each; the slow bits change between tasks, lazily drawn per task."""

    def __init__(
        self,
        num_tasks: int,
        flip_after: int,
        seed: int,
        num_inputs: int = 20,
        num_slow_bits: int = 15,
        num_features: int = 100,
        beta: float = 0.7,
        flip_one: bool = False,
    ):
        self.num_tasks = num_tasks
        self.flip_after = flip_after
        self.seed = seed
        self.num_inputs = num_inputs
        self.num_slow_bits = num_slow_bits
        self.flip_one = flip_one
        self.input_shape = (num_inputs,)
        self.target = LTUTarget(num_inputs, num_features, beta, task_generator(seed, 0, salt=5))

    @property
    def total_steps(self) -> int:
        return self.num_tasks * self.flip_after

    def slow_bits(self, index: int, previous: torch.Tensor | None) -> torch.Tensor:
        generator = task_generator(self.seed, index, salt=6)
        if self.flip_one and previous is not None:
            bits = previous.clone()
            flip = int(torch.randint(self.num_slow_bits, (1,), generator=generator))
            bits[flip] = 1 - bits[flip]
            return bits
        return torch.randint(0, 2, (self.num_slow_bits,), generator=generator).float()

    def __iter__(self) -> Iterator[RegressionTask]:
        previous = None
        for index in range(self.num_tasks):
            slow = self.slow_bits(index, previous)
            previous = slow
            generator = task_generator(self.seed, index, salt=7)
            fast = torch.randint(0, 2, (self.flip_after, self.num_inputs - self.num_slow_bits), generator=generator).float()
            inputs = torch.cat([slow.expand(self.flip_after, -1), fast], dim=1)
            yield RegressionTask(
                info=TaskInfo(index=index, name=f"period-{index}", steps=self.flip_after),
                inputs=inputs,
                targets=self.target(inputs),
            )


class LinearReference:
    """Dohare et al.'s linear learner (`lop/nets/linear.py`): num_inputs → 1, Kaiming-uniform weights of gain 1,
    zero bias, plain SGD on the mean squared error of each batch. The level a network that keeps its plasticity beats.
    """

    def __init__(self, num_inputs: int, lr: float, batch_size: int, generator: torch.Generator):
        bound = math.sqrt(3 / num_inputs)
        self.weight = ((torch.rand(num_inputs, generator=generator, dtype=torch.float64) * 2 - 1) * bound).numpy()
        self.bias = 0.0
        self.lr = lr
        self.batch_size = batch_size

    def task_mse(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        """Online MSE over one period: each batch's squared error before the step on it, averaged over batches.

        inputs (T, num_inputs), targets (T, 1); the step is w ← w − lr·∇ mean_batch (w·x + b − y)².
        """
        x_all = inputs.double().cpu().numpy()
        y_all = targets.double().cpu().numpy()[:, 0]
        size, weight, bias = self.batch_size, self.weight, self.bias
        errors = []
        for start in range(0, len(x_all), size):
            x, y = x_all[start : start + size], y_all[start : start + size]
            error = x @ weight + bias - y
            errors.append(float(error @ error) / len(y))
            scale = 2 * self.lr / len(y)
            weight -= scale * (error @ x)
            bias -= scale * float(error.sum())
        self.bias = bias
        return float(np.mean(errors))


def linear_reference_summary(tasks: list[TaskMetrics], window: int) -> dict[str, float | None]:
    """`linear_mse` (the linear learner's MSE over the last `window` tasks) and `above_linear` (the run's MSE
    there minus it: above 0, the network does worse than a linear learner on the same examples)."""
    pairs = [(t.metrics.get("mse"), t.metrics.get("linear_mse")) for t in tasks[-window:]]
    if not pairs or any(m is None or r is None for m, r in pairs):
        return {"linear_mse": None, "above_linear": None}
    linear = sum(r for _, r in pairs) / len(pairs)
    return {"linear_mse": linear, "above_linear": sum(m for m, _ in pairs) / len(pairs) - linear}


def train_regression_stream(
    learner: Learner,
    stream: SlowlyChangingRegressionStream,
    batch_size: int,
    tracker: DiagnosticsTracker | None,
    probe_size: int,
    sink: RunSink,
    reference: LinearReference | None = None,
) -> BenchmarkResult:
    """Online regression: each example is predicted before the update on it; per-task metric `mse`, and
    `linear_mse` of `reference` learning the same examples alongside."""
    method = learner.method
    model = learner.model
    steps = math.ceil(stream.flip_after / batch_size)
    learner.total_steps = stream.num_tasks * steps
    device = learner.device
    learner.batch_loss = lambda m: F.mse_loss(m(learner.last_inputs), learner.last_targets)
    tasks: list[TaskMetrics] = []
    diagnostics: list[DiagnosticPoint] = []
    model.train()
    for task in stream:
        info = replace(task.info, steps=steps)
        learner.task = info
        method.on_task_start(learner, info)
        inputs, targets = task.inputs.to(device), task.targets.to(device)
        errors = torch.empty(steps, device=device)
        first_step = learner.step
        for position in range(steps):
            x = inputs[position * batch_size : (position + 1) * batch_size]
            y = targets[position * batch_size : (position + 1) * batch_size]
            learner.last_inputs, learner.last_targets = x, y
            loss = F.mse_loss(model(x), y)
            errors[position] = loss.detach()
            learner.update(loss, observer=tracker if position == steps - 1 else None)
        nonfinite = (~torch.isfinite(errors)).nonzero()
        if len(nonfinite):
            tasks.append(TaskMetrics(task=info.index, name=info.name, steps=steps, metrics={"mse": None}))
            return BenchmarkResult(tasks=tasks, steps=learner.step, diagnostics=diagnostics, diverged_at_step=first_step + int(nonfinite[0]) + 1)
        metrics = {"mse": float(errors.mean())}
        if reference is not None:
            metrics["linear_mse"] = reference.task_mse(inputs, targets)
        record = TaskMetrics(task=info.index, name=info.name, steps=steps, metrics=metrics)
        tasks.append(record)
        if tracker is not None:
            probe_inputs, probe_targets = inputs[:probe_size], targets[:probe_size]
            values = tracker.measure(learner, probe_inputs, probe_loss=lambda m: F.mse_loss(m(probe_inputs), probe_targets))
            point = DiagnosticPoint(
                step=learner.step, task=info.index, values={k: (v if v is None or math.isfinite(v) else None) for k, v in values.items()}
            )
            diagnostics.append(point)
            sink.diagnostics(point)
        method.on_task_end(learner, info)
        sink.task_finished(record, learner.step)
        sink.progress(learner.step, learner.total_steps)
    return BenchmarkResult(tasks=tasks, steps=learner.step, diagnostics=diagnostics)
