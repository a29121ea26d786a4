"""The lean supervised loop (benchmarks/supervised.py): online accuracy before each update, divergence caught,
every method hook at its moment, and the protocol's own steps (head zeroing, class masks, diagnostics on schedule)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from benchmarks.diagnostics import DiagnosticsSettings
from benchmarks.models import MLP
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask, ClassPairStream
from benchmarks.supervised import LoopSettings, _batch_order, train_classification_stream
from methods import base
from methods.base import Method
from methods.learner import OptimizerSpec, TaskInfo, prepare_learner
from tests.methods.tiny import TinyStream, build, repeated_tasks, run_stream


class HeadSpy(Method):
    name = "head_spy"

    def __init__(self):
        super().__init__()
        self.head_sums = []

    def on_task_start(self, learner, task):
        output = learner.model.output
        self.head_sums.append(float(output.weight.detach().abs().sum() + output.bias.detach().abs().sum()))


def run(model, method, stream, settings, seed=0):
    learner = prepare_learner(model, method, OptimizerSpec(name="adam", lr=1e-2), "supervised", "cpu")
    return learner, train_classification_stream(learner, stream, settings, seed, RunSink(), total_steps=0)


def test_binary_protocol_zeroes_the_head_before_every_task():
    torch.manual_seed(0)
    images, labels = torch.rand(40, 5), torch.arange(40) % 4
    spy = HeadSpy()
    run(MLP(5, (6,), 2), spy, ClassPairStream(images, labels, 4, 3, 5, seed=0), LoopSettings(batch_size=4))
    assert spy.head_sums == [0.0, 0.0, 0.0]


def test_class_mask_keeps_predictions_among_active_classes():
    torch.manual_seed(0)
    model = MLP(3, (4,), 3)
    with torch.no_grad():
        model.output.bias.copy_(torch.tensor([0.0, 0.0, 100.0]))
    mask = torch.tensor([True, True, False])
    inputs, targets = torch.rand(32, 3), torch.randint(2, (32,))
    task = ClassificationTask(TaskInfo(0, "t", 4), inputs, targets, active_classes=mask)
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    _, result = run(model, Method(), [task], settings)
    assert result.tasks[0].metrics["online_accuracy"] > 0.2
    assert result.tasks[0].metrics["mean_loss"] < 50


def test_diagnostics_are_taken_every_log_every_steps_and_at_each_task_end():
    images, labels = torch.rand(32, 5), torch.arange(32) % 2
    tasks = [ClassificationTask(TaskInfo(i, "t", 5), images, labels) for i in range(2)]
    _, result = run(MLP(5, (4,), 2), Method(), tasks, LoopSettings(batch_size=4, log_every=2, probe_size=16))
    assert [p.step for p in result.diagnostics] == [2, 4, 5, 6, 8, 10]
    assert all(p.values["grad_norm"] is not None for p in result.diagnostics)


def test_online_accuracy_scores_predictions_made_before_each_update():
    images = torch.rand(16, 5)
    labels = torch.zeros(16, dtype=torch.long)
    model = MLP(5, (4,), 2)
    with torch.no_grad():
        model.output.weight.zero_()
        model.output.bias.copy_(torch.tensor([-10.0, 10.0]))
    task = ClassificationTask(TaskInfo(0, "t", 1), images, labels)
    _, result = run(model, Method(), [task], LoopSettings(batch_size=16, diagnostics=DiagnosticsSettings(enabled=False)))
    assert result.tasks[0].metrics["online_accuracy"] == 0.0


def test_online_accuracy_counts_predictions_made_before_each_update():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    reference = MLP(8, (16,), 3)
    reference.load_state_dict(model.state_dict())
    spec = OptimizerSpec(name="sgd", lr=0.5)
    learner = prepare_learner(model, base.create("baseline"), spec, "supervised", "cpu")
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    stream = repeated_tasks(1, steps=16)
    result = train_classification_stream(learner, stream, settings, seed=3, sink=RunSink(), total_steps=16)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.5)
    order = _batch_order(64, 16 * 8, torch.Generator().manual_seed(3))
    hits = 0
    for step in range(16):
        index = order[step * 8 : (step + 1) * 8]
        logits = reference(stream[0].inputs[index])
        hits += int((logits.argmax(1) == stream[0].targets[index]).sum())
        optimizer.zero_grad()
        F.cross_entropy(logits, stream[0].targets[index]).backward()
        optimizer.step()
    assert result.tasks[0].metrics["online_accuracy"] == hits / (16 * 8)


def test_a_non_finite_loss_ends_the_run_as_diverged_at_its_step():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    learner = prepare_learner(model, base.create("baseline"), OptimizerSpec(name="sgd", lr=0.1), "supervised", "cpu")
    stream = repeated_tasks(2, steps=10)
    poisoned = stream[1].inputs.clone()
    poisoned[:] = float("nan")
    stream[1] = ClassificationTask(stream[1].info, poisoned, stream[1].targets)
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    result = train_classification_stream(learner, stream, settings, seed=0, sink=RunSink(), total_steps=20)
    assert result.diverged_at_step == 11
    assert math.isfinite(result.tasks[0].metrics["online_accuracy"])


class Recording(Method):
    """Logs each hook call with what it can see, to check the loop's order (avalanche#669-style skips)."""

    name = "recording"

    def __init__(self):
        super().__init__()
        self.calls: list[str] = []

    def applies_to(self, network, family):
        self.calls.append("applies_to")
        return None

    def prepare(self, learner):
        self.calls.append("prepare")

    def optimizer(self, learner, params, spec):
        self.calls.append("optimizer")
        return None

    def start(self, learner):
        assert learner.optimizer is not None and learner.initial_state
        self.calls.append("start")

    def on_task_start(self, learner, task):
        self.calls.append(f"task_start:{task.index}")

    def penalty(self, learner):
        assert learner.last_inputs is not None
        self.calls.append("penalty")
        return None

    def before_step(self, learner):
        assert all(p.grad is not None for p in learner.model.parameters())
        self._step_seen = learner.step
        self._weights = learner.model.output.weight.detach().clone()
        self.calls.append("before_step")

    def after_step(self, learner):
        assert learner.step == self._step_seen + 1
        assert not torch.equal(self._weights, learner.model.output.weight)
        self.calls.append("after_step")

    def on_task_end(self, learner, task):
        self.calls.append(f"task_end:{task.index}")


def test_supervised_loop_calls_every_hook_at_the_right_moments_in_order():
    method = Recording()
    model = MLP(12, (8,), 4)
    run_stream(build(model, method), TinyStream(model, num_tasks=2, steps=2))
    per_step = ["penalty", "before_step", "after_step"]
    assert method.calls == (
        ["applies_to", "prepare", "optimizer", "start"]
        + ["task_start:0"] + per_step * 2 + ["task_end:0"]
        + ["task_start:1"] + per_step * 2 + ["task_end:1"]
    )
