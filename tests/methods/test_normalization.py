"""layernorm, weight_decay, ln_wd and nap: their defining effects on tiny networks."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmarks.models import MLP, ConvNet, SmallResNet
from methods import base
from core.errors import MethodError
from methods.network import NormSlot
from tests.methods.tiny import build, train_step


def norm_modules(model):
    return [m for m in model.modules() if isinstance(m, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm2d))]


def test_layernorm_fills_exactly_the_hidden_norm_slots_and_keeps_the_output_shape():
    model = MLP(12, (16, 8), 4)
    before = model(torch.rand(5, 12)).shape
    learner = build(model, "layernorm")
    assert [type(learner.module(i.norm)) for i in learner.network.hidden] == [nn.LayerNorm, nn.LayerNorm]
    assert [learner.module(i.norm).normalized_shape for i in learner.network.hidden] == [(16,), (8,)]
    assert not any(isinstance(m, NormSlot) for m in model.modules())
    assert len(norm_modules(model)) == 2
    assert model(torch.rand(5, 12)).shape == before


def test_layernorm_normalises_conv_layers_over_channels_and_space():
    model = ConvNet((1, 12, 12), 4, channels=(4, 4), kernel=3, hidden=(8,))
    learner = build(model, "layernorm")
    conv_norm = learner.module("convs.0.norm")
    assert isinstance(conv_norm, nn.GroupNorm) and conv_norm.num_groups == 1 and conv_norm.num_channels == 4
    assert isinstance(learner.module("fcs.0.norm"), nn.LayerNorm)


def test_layernorm_replaces_batchnorm_in_a_resnet():
    model = SmallResNet((3, 8, 8), 4, widths=(4, 8), norm="batch")
    build(model, "layernorm")
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert all(isinstance(m, nn.GroupNorm) for m in norm_modules(model))


def test_weight_decay_shrinks_parameters_by_one_minus_lr_lambda_on_a_zero_gradient_step():
    model = MLP(6, (5,), 3)
    learner = build(model, base.create("weight_decay", {"weight_decay": {"weight_decay": "0.1"}}), lr=0.01)
    before = [p.detach().clone() for p in model.parameters()]
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    learner.method.before_step(learner)
    learner.optimizer.step()
    for old, new in zip(before, model.parameters()):
        torch.testing.assert_close(new.detach(), old * (1 - 0.01 * 0.1), rtol=0, atol=1e-7)


def test_weight_decay_matches_adamw_on_a_real_step():
    torch.manual_seed(0)
    model = MLP(6, (5,), 3)
    twin = MLP(6, (5,), 3)
    twin.load_state_dict(model.state_dict())
    learner = build(model, "weight_decay", lr=0.01)
    reference = torch.optim.AdamW(twin.parameters(), lr=0.01, weight_decay=1e-2)
    x, y = torch.rand(8, 6), torch.randint(0, 3, (8,))
    for _ in range(3):
        train_step(learner, x, y)
        reference.zero_grad()
        nn.functional.cross_entropy(twin(x), y).backward()
        reference.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(a, b)


def test_ln_wd_inserts_layernorms_and_decays_every_parameter():
    model = MLP(6, (5, 5), 3)
    learner = build(model, "ln_wd", lr=0.1)
    assert len(norm_modules(model)) == 2
    before = [p.detach().clone() for p in model.parameters()]
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    learner.method.before_step(learner)
    learner.optimizer.step()
    for old, new in zip(before, model.parameters()):
        torch.testing.assert_close(new.detach(), old * (1 - 0.1 * 1e-2), rtol=0, atol=1e-7)


def trained_nap(steps: int = 25, **overrides):
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    learner = build(model, base.create("nap", {"nap": overrides}), lr=0.05)
    return model, learner


def test_nap_keeps_every_projected_layer_at_its_initial_norm_after_every_step():
    model, learner = trained_nap()
    method = learner.method
    targets = {name: learner.initial_state[f"{name}.weight"].norm() for name in method.projected}
    assert method.projected == ["hidden.0.linear", "hidden.1.linear"]
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for _ in range(25):
        train_step(learner, x, y)
        for name, target in targets.items():
            norm = learner.module(name).weight.norm()
            assert abs(norm - target) / target < 1e-5


def test_nap_does_not_project_the_output_layer():
    model, learner = trained_nap()
    start = model.output.weight.norm().item()
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for _ in range(25):
        train_step(learner, x, y)
    assert "output" not in learner.method.projected
    assert abs(model.output.weight.norm().item() - start) > 1e-3


def test_nap_removes_the_biases_made_redundant_by_normalisation():
    model, _ = trained_nap()
    assert model.hidden[0]["linear"].bias is None and model.hidden[1]["linear"].bias is None
    assert model.output.bias is not None
    assert isinstance(model.hidden[0]["norm"], nn.LayerNorm)


def test_nap_keeps_the_effective_learning_rate_of_normalised_layers_constant():
    """ELR_Adam ∝ η/‖W‖ (spec §2.1): constant under NaP; the same net with LayerNorm alone drifts."""

    def elr_series(spec: str) -> torch.Tensor:
        torch.manual_seed(0)
        model = MLP(12, (16, 16), 4)
        learner = build(model, spec, lr=0.05)
        x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
        series = []
        for _ in range(30):
            train_step(learner, x, y)
            series.append(torch.stack([0.05 / model.hidden[i]["linear"].weight.norm() for i in range(2)]))
        return torch.stack(series)

    nap = elr_series("nap")
    assert ((nap - nap[0]).abs() / nap[0]).max() < 1e-5
    plain = elr_series("layernorm")
    assert ((plain - plain[0]).abs() / plain[0]).max() > 1e-2


def test_nap_projects_the_scale_and_offset_of_norms_read_only_by_normalised_layers():
    model, learner = trained_nap()
    assert learner.method.affine == ["hidden.0.norm"]
    norm = model.hidden[0]["norm"]
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for _ in range(10):
        train_step(learner, x, y)
    assert abs(torch.cat([norm.weight, norm.bias]).norm().item() - 16**0.5) < 1e-4


def test_nap_every_projects_only_on_multiples_of_the_period():
    model, learner = trained_nap(every="5")
    target = learner.initial_state["hidden.0.linear.weight"].norm()
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    gaps = []
    for _ in range(5):
        train_step(learner, x, y)
        gaps.append(abs(model.hidden[0]["linear"].weight.norm() - target) / target)
    assert all(g > 1e-5 for g in gaps[:4]) and gaps[4] < 1e-5


def test_two_normalisation_methods_are_refused_naming_both():
    with pytest.raises(MethodError, match=r"'nap' and 'layernorm'.*normalization"):
        base.create("nap+layernorm")


def test_weight_decay_and_ln_wd_are_refused_together():
    with pytest.raises(MethodError, match=r"'ln_wd' and 'weight_decay'"):
        base.create("ln_wd+weight_decay")
