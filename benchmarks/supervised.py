"""The lean supervised loop: online accuracy on every batch before its update, hooks, diagnostics.

It reads task tensors directly and keeps per-step work on the device (no `.item()` per step); metrics
are read once per task, diagnostics on their own schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from benchmarks.base import BenchmarkResult
from benchmarks.diagnostics import DiagnosticsSettings, DiagnosticsTracker
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask
from leaderboard.records import DiagnosticPoint, TaskMetrics
from methods.learner import Learner

EVAL_CHUNK = 4096


@dataclass(frozen=True)
class LoopSettings:
    batch_size: int
    log_every: int = 0
    probe_size: int = 1024
    diagnostics: DiagnosticsSettings = DiagnosticsSettings()


def accuracy(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    """Accuracy of `model` on all of `inputs`, in eval mode, without gradients."""
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.long, device=targets.device)
    with torch.no_grad():
        for start in range(0, len(inputs), EVAL_CHUNK):
            logits = model(inputs[start : start + EVAL_CHUNK])
            if mask is not None:
                logits = logits.masked_fill(~mask, float("-inf"))
            correct += (logits.argmax(1) == targets[start : start + EVAL_CHUNK]).sum()
    model.train(was_training)
    return correct.item() / max(1, len(inputs))


def train_classification_stream(
    learner: Learner,
    stream: Iterable[ClassificationTask],
    settings: LoopSettings,
    seed: int,
    sink: RunSink,
    total_steps: int,
) -> BenchmarkResult:
    """Train on each task in turn; return per-task metrics, diagnostics, and where it diverged if it did."""
    method = learner.method
    model = learner.model
    learner.total_steps = total_steps
    tracker = DiagnosticsTracker(settings.diagnostics) if settings.diagnostics.enabled else None
    log_every = settings.log_every
    order_generator = torch.Generator().manual_seed(seed)
    device = learner.device
    batch_size = settings.batch_size
    tasks: list[TaskMetrics] = []
    diagnostics: list[DiagnosticPoint] = []
    learner.batch_loss = lambda m: F.cross_entropy(m(learner.last_inputs), learner.last_targets)
    model.train()

    for task in stream:
        info = task.info
        learner.task = info
        if task.reset_output:
            zero_output_layer(learner)
        method.on_task_start(learner, info)
        inputs, targets, mask = task.inputs, task.targets, task.active_classes
        inactive = None if mask is None else ~mask
        probe_inputs = probe_targets = inputs
        if tracker is not None:
            rows = _probe_rows(len(inputs), settings.probe_size, seed, info.index).to(device)
            probe_inputs, probe_targets = inputs[rows], targets[rows]
        order = _batch_order(len(inputs), info.steps * batch_size, order_generator).to(device)
        step_losses: list[torch.Tensor] = []
        step_predictions: list[torch.Tensor] = []
        first_step = learner.step
        last_position = info.steps - 1
        for position in range(info.steps):
            rows = slice(position * batch_size, (position + 1) * batch_size)
            index = order[rows]
            x = inputs[index]
            y = targets[index]
            learner.last_inputs, learner.last_targets = x, y
            logits = model(x)
            if inactive is not None:
                logits = logits.masked_fill(inactive, float("-inf"))
            loss = F.cross_entropy(logits, y)
            step_predictions.append(logits.detach().argmax(1))
            step_losses.append(loss.detach())
            due = tracker is not None and (position == last_position or (log_every and (learner.step + 1) % log_every == 0))
            learner.update(loss, observer=tracker if due else None)
            if due:
                if position != last_position:
                    diagnostics.append(_measure(tracker, learner, probe_inputs, probe_targets, mask, sink, task_end=False))

        losses = torch.stack(step_losses)
        predictions = torch.cat(step_predictions)
        nonfinite = (~torch.isfinite(losses)).nonzero()
        if len(nonfinite):
            diverged_at = first_step + int(nonfinite[0]) + 1
            tasks.append(TaskMetrics(task=info.index, name=info.name, steps=info.steps, metrics={"online_accuracy": None}))
            return BenchmarkResult(tasks=tasks, steps=learner.step, diagnostics=diagnostics, diverged_at_step=diverged_at)

        metrics = {
            "online_accuracy": (predictions == targets[order]).float().mean().item(),
            "end_train_accuracy": accuracy(model, inputs, targets, mask),
            "mean_loss": float(losses.mean()),
        }
        if task.eval_inputs is not None:
            metrics["test_accuracy"] = accuracy(model, task.eval_inputs, task.eval_targets, mask)
        record = TaskMetrics(task=info.index, name=info.name, steps=info.steps, metrics=metrics)
        tasks.append(record)
        if tracker:
            diagnostics.append(_measure(tracker, learner, probe_inputs, probe_targets, mask, sink))
        method.on_task_end(learner, info)
        sink.task_finished(record, learner.step)
        sink.progress(learner.step, total_steps)
    return BenchmarkResult(tasks=tasks, steps=learner.step, diagnostics=diagnostics)


def zero_output_layer(learner: Learner) -> None:
    """Zero the output layer's weights and bias and forget their optimizer state (a protocol step).

    Dohare et al. 2024, Continual ImageNet: the head is zeroed before every binary task.
    """
    output = learner.module(learner.network.output.name)
    params = list(output.parameters(recurse=False))
    with torch.no_grad():
        for param in params:
            param.zero_()
    learner.reset_optimizer_state(params)


def _measure(
    tracker: DiagnosticsTracker,
    learner: Learner,
    probe_inputs: torch.Tensor,
    probe_targets: torch.Tensor,
    mask: torch.Tensor | None,
    sink: RunSink,
    task_end: bool = True,
) -> DiagnosticPoint:
    def probe_loss(model: torch.nn.Module) -> torch.Tensor:
        logits = model(probe_inputs)
        if mask is not None:
            logits = logits.masked_fill(~mask, float("-inf"))
        return F.cross_entropy(logits, probe_targets)

    measured = tracker.measure(learner, probe_inputs, probe_loss=probe_loss, probe_targets=probe_targets, task_end=task_end)
    values = {k: (None if v is None or not math.isfinite(v) else v) for k, v in measured.items()}
    point = DiagnosticPoint(step=learner.step, task=learner.task.index if learner.task else 0, values=values)
    sink.diagnostics(point)
    return point


def _probe_rows(size: int, probe_size: int, seed: int, task_index: int) -> torch.Tensor:
    """A fixed random subset of a task's examples (the same for every measurement within the task)."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + task_index + 17)
    return torch.randperm(size, generator=generator)[:probe_size]


def _batch_order(size: int, needed: int, generator: torch.Generator) -> torch.Tensor:
    """Example indices for a task: whole shuffled epochs, concatenated, cut to `needed` entries."""
    epochs = math.ceil(needed / size)
    return torch.cat([torch.randperm(size, generator=generator) for _ in range(epochs)])[:needed]
