"""`Learner.update` is the one place the per-step hook protocol runs, and every loop steps through it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from benchmarks.models import MLP
from benchmarks.regression import SlowlyChangingRegressionStream, train_regression_stream
from benchmarks.sinks import RunSink
from core.errors import MethodError
from methods import base
from methods.base import Method
from methods.learner import Learner, OptimizerSpec, prepare_learner
from tests.methods.tiny import TinyStream, build, run_stream


class StepRecorder(Method):
    """Logs the per-step hooks with what each can see; its penalty is a constant so the loss changes."""

    name = "step_recorder"

    def __init__(self, log: list[str]):
        super().__init__()
        self.log = log

    def penalty(self, learner):
        self.log.append("penalty")
        return torch.zeros((), requires_grad=True) + 0.5

    def before_step(self, learner):
        assert all(p.grad is not None for p in learner.model.parameters())
        self.log.append(f"before_step@{learner.step}")

    def after_step(self, learner):
        self.log.append(f"after_step@{learner.step}")


class ObserverRecorder:
    def __init__(self, log: list[str]):
        self.log = log

    def before_update(self, learner):
        assert all(p.grad is not None for p in learner.model.parameters())
        self.log.append("observer.before")

    def after_update(self, learner):
        self.log.append("observer.after")


def test_update_runs_penalty_backward_before_step_optimizer_after_step_in_that_order():
    log: list[str] = []
    learner = build(MLP(12, (8,), 4), StepRecorder(log))
    weights = learner.model.output.weight.detach().clone()
    inputs, targets = torch.rand(4, 12), torch.tensor([0, 1, 2, 3])

    learner.update(F.cross_entropy(learner.model(inputs), targets), observer=ObserverRecorder(log))

    assert log == ["penalty", "observer.before", "before_step@0", "after_step@1", "observer.after"]
    assert learner.step == 1
    assert not torch.equal(weights, learner.model.output.weight)


def test_update_without_an_observer_calls_only_the_method_hooks():
    log: list[str] = []
    learner = build(MLP(12, (8,), 4), StepRecorder(log))
    for _ in range(2):
        learner.update(F.cross_entropy(learner.model(torch.rand(4, 12)), torch.tensor([0, 1, 2, 3])))
    assert log == ["penalty", "before_step@0", "after_step@1", "penalty", "before_step@1", "after_step@2"]


@pytest.fixture
def counted_updates(monkeypatch) -> list[int]:
    """Every call of `Learner.update`, whatever loop makes it, appends the step it starts from."""
    calls: list[int] = []
    original = Learner.update

    def counting(self, loss, observer=None):
        calls.append(self.step)
        return original(self, loss, observer)

    monkeypatch.setattr(Learner, "update", counting)
    return calls


def test_the_supervised_loop_takes_every_step_through_update(counted_updates):
    learner = build(MLP(12, (8,), 4), "baseline")
    stream = TinyStream(learner.model, num_tasks=2, steps=3)
    result = run_stream(learner, stream)
    assert counted_updates == list(range(6)) and result.steps == 6


def test_the_regression_loop_takes_every_step_through_update(counted_updates):
    stream = SlowlyChangingRegressionStream(num_tasks=2, flip_after=8, seed=0, num_inputs=6, num_slow_bits=3, num_features=5)
    learner = prepare_learner(MLP(6, (5,), 1), base.create("baseline"), OptimizerSpec(lr=1e-2), "regression", "cpu")
    result = train_regression_stream(learner, stream, batch_size=4, tracker=None, probe_size=4, sink=RunSink())
    assert counted_updates == list(range(4)) and result.steps == 4


@pytest.mark.atari
def test_the_dqn_agent_takes_every_update_through_learner_update(counted_updates):
    from tests.benchmarks.atari.tiny_atari import tiny_trainer

    trainer = tiny_trainer(base.create("baseline"), frames_per_game=160, cycles=1)
    trainer.run()
    assert counted_updates and counted_updates == list(range(trainer.learner.step))


class BuildsAdam(Method):
    name = "builds_adam"

    def optimizer(self, learner, params, spec):
        return torch.optim.Adam(params, lr=1e-3)


class BuildsSGD(Method):
    name = "builds_sgd"

    def optimizer(self, learner, params, spec):
        return torch.optim.SGD(params, lr=1e-1)


def test_composing_two_optimizer_builders_without_the_role_is_refused_naming_both():
    composed = base.ComposedMethod([BuildsAdam(), BuildsSGD()])
    with pytest.raises(MethodError, match="'builds_adam' and 'builds_sgd' each build an optimizer"):
        prepare_learner(MLP(12, (8,), 4), composed, OptimizerSpec(), "supervised", "cpu")


def test_one_optimizer_builder_in_a_composition_is_used():
    learner = prepare_learner(MLP(12, (8,), 4), base.ComposedMethod([BuildsSGD(), base.create("l2_init")]),
                              OptimizerSpec(), "supervised", "cpu")
    assert isinstance(learner.optimizer, torch.optim.SGD)
