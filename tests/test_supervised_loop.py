"""The lean loop: online accuracy is measured before each update, diverging runs are caught, reset_full re-draws."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from benchmarks.models import MLP
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask
from benchmarks.supervised import LoopSettings, _batch_order, train_classification_stream
from methods.learner import prepare_learner
from benchmarks.diagnostics import DiagnosticsSettings
from methods import base
from methods.learner import OptimizerSpec, TaskInfo


def tiny_stream(num_tasks: int, steps: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(64, 8, generator=generator)
    targets = torch.randint(0, 3, (64,), generator=generator)
    return [ClassificationTask(TaskInfo(i, f"t{i}", steps), inputs, targets) for i in range(num_tasks)]


def test_online_accuracy_counts_predictions_made_before_each_update():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    reference = MLP(8, (16,), 3)
    reference.load_state_dict(model.state_dict())
    spec = OptimizerSpec(name="sgd", lr=0.5)
    learner = prepare_learner(model, base.create("baseline"), spec, "supervised", "cpu")
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    stream = tiny_stream(1, steps=16)
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
    stream = tiny_stream(2, steps=10)
    poisoned = stream[1].inputs.clone()
    poisoned[:] = float("nan")
    stream[1] = ClassificationTask(stream[1].info, poisoned, stream[1].targets)
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    result = train_classification_stream(learner, stream, settings, seed=0, sink=RunSink(), total_steps=20)
    assert result.diverged_at_step == 11
    assert math.isfinite(result.tasks[0].metrics["online_accuracy"])


def test_reset_full_redraws_every_parameter_and_the_optimizer_state_at_a_task_start():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    learner = prepare_learner(model, base.create("reset_full"), OptimizerSpec(), "supervised", "cpu")
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    train_classification_stream(learner, tiny_stream(1, steps=5), settings, seed=0, sink=RunSink(), total_steps=5)
    trained = {n: p.detach().clone() for n, p in learner.model.named_parameters()}
    old_optimizer = learner.optimizer
    assert len(old_optimizer.state) > 0

    learner.method.on_task_start(learner, TaskInfo(1, "t1", 5))

    for name, param in learner.model.named_parameters():
        assert not torch.equal(param, trained[name]), name
        assert not torch.equal(param, learner.initial_state[name]), f"{name} went back to θ₀ instead of a new draw"
    assert learner.optimizer is not old_optimizer and len(learner.optimizer.state) == 0
    weight = learner.model.get_submodule("hidden.0.linear").weight
    bound = 1 / math.sqrt(8)
    assert weight.abs().max() <= bound + 1e-6, "re-drawn from PyTorch's default Linear initialiser"


def test_after_reset_full_a_training_step_moves_the_new_parameters():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    learner = prepare_learner(model, base.create("reset_full"), OptimizerSpec(), "supervised", "cpu")
    learner.method.on_task_start(learner, TaskInfo(1, "t1", 5))
    before = {n: p.detach().clone() for n, p in learner.model.named_parameters()}
    task = tiny_stream(1, steps=1)[0]
    learner.optimizer.zero_grad()
    F.cross_entropy(learner.model(task.inputs), task.targets).backward()
    learner.optimizer.step()
    assert all(not torch.equal(p, before[n]) for n, p in learner.model.named_parameters())
