"""The lean loop applies the protocol's own steps: head zeroing, class masks, diagnostics on schedule."""

from __future__ import annotations

import torch

from benchmarks.diagnostics import DiagnosticsSettings
from benchmarks.models import MLP
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask, ClassPairStream
from benchmarks.supervised import LoopSettings, train_classification_stream
from methods.learner import prepare_learner
from methods.base import Method
from methods.learner import OptimizerSpec, TaskInfo


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
