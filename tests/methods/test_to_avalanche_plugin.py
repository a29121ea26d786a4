"""Any method as an Avalanche SupervisedPlugin, inside Avalanche's own `Naive` strategy (one module: the import is slow)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmarks.models import MLP
from methods.to_avalanche_plugin import plugin
from core.errors import MethodError


def tiny_benchmark(tasks: int = 2):
    from avalanche.benchmarks import tensors_benchmark

    generator = torch.Generator().manual_seed(0)
    pairs = [(torch.rand(32, 12, generator=generator), torch.randint(0, 4, (32,), generator=generator)) for _ in range(tasks)]
    return tensors_benchmark(train_tensors=pairs, test_tensors=pairs, task_labels=[0] * tasks)


def naive(model: nn.Module, plugins: list, epochs: int = 1):
    from avalanche.training import Naive

    return Naive(
        model=model, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2), criterion=nn.CrossEntropyLoss(),
        train_mb_size=8, train_epochs=epochs, eval_mb_size=32, device="cpu", plugins=plugins, evaluator=None,
    )


def test_nap_plugin_inside_naive_keeps_projected_norms_and_sees_every_update():
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    nap = plugin("nap")
    strategy = naive(model, [nap])
    for experience in tiny_benchmark().train_stream:
        strategy.train(experience)
    learner = nap.learner
    assert learner.step == 2 * (32 // 8)
    assert nap.experiences == 2
    assert isinstance(model.hidden[0]["norm"], nn.LayerNorm) and model.hidden[0]["linear"].bias is None
    for name in learner.method.projected:
        target = learner.initial_state[f"{name}.weight"].norm()
        assert abs(learner.module(name).weight.norm() - target) / target < 1e-5
    assert strategy.optimizer is learner.optimizer
    assert not torch.equal(model.output.weight, learner.initial_state["output.weight"])


def test_plugin_penalty_reaches_avalanche_loss_and_reset_rebinds_the_optimizer():
    torch.manual_seed(0)
    model = MLP(12, (8,), 4)
    from avalanche.core import SupervisedPlugin

    extras: list[float] = []

    class LossProbe(SupervisedPlugin):
        def after_backward(self, strategy, **kwargs):
            extras.append(strategy.loss.item() - strategy._criterion(strategy.mb_output, strategy.mb_y).item())

    method_plugin = plugin("l2_init+reset_full", {"l2_init": {"strength": 1.0}})
    strategy = naive(model, [method_plugin, LossProbe()])
    stream = list(tiny_benchmark().train_stream)
    strategy.train(stream[0])
    first_optimizer = strategy.optimizer
    strategy.train(stream[1])
    assert strategy.optimizer is method_plugin.learner.optimizer and strategy.optimizer is not first_optimizer
    assert isinstance(strategy.optimizer, torch.optim.Adam)
    learner = method_plugin.learner
    expected = sum(((p - learner.initial_state[n]) ** 2).sum() for n, p in model.named_parameters()).item()
    assert extras[0] == 0.0 and max(extras) > 1e-4
    assert extras[-1] > 0 and expected > 0


def test_plugin_refuses_a_model_that_does_not_describe_its_layers():
    model = nn.Sequential(nn.Linear(12, 4))
    strategy = naive(model, [plugin("nap")])
    with pytest.raises(MethodError, match="describes its layers"):
        strategy.train(next(iter(tiny_benchmark().train_stream)))
