"""soft_reset (Galashov et al. 2024, §3–4): γ dips at a switch and comes back, stays at 1 when nothing changes,
never drifts a layer to zero, and at γ = 0 with μ₀ = θ₀ is a hard reset to the initial weights."""

from __future__ import annotations

import functools

import pytest
import torch

from benchmarks.models import MLP
from methods import base
from tests.methods.tiny import build, train_step

SWITCH = 300


def stream_run(overrides: dict | None = None, tasks: int = 2, steps: int = SWITCH) -> tuple[torch.Tensor, torch.Tensor]:
    """γ per step (steps, layers) and each weight matrix's norm over its initial norm per step, on `tasks`
    tasks of `steps` minibatches: 64 fixed inputs whose 4-class labels are re-drawn at every task."""
    torch.manual_seed(0)
    model = MLP(12, (32, 32), 4)
    learner = build(model, base.create("soft_reset", {"soft_reset": overrides or {}}), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(64, 12, generator=generator)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    initial = torch.stack([w.detach().norm() for w in weights])
    gammas, norms = [], []
    for _ in range(tasks):
        labels = torch.randint(0, 4, (64,), generator=generator)
        for _ in range(steps):
            index = torch.randint(0, 64, (16,), generator=generator)
            train_step(learner, inputs[index], labels[index])
            gammas.append(learner.method.gammas.clone())
            norms.append(torch.stack([w.detach().norm() for w in weights]) / initial)
    return torch.stack(gammas), torch.stack(norms)


@functools.lru_cache(maxsize=None)
def switch_run() -> torch.Tensor:
    return stream_run()[0]


def test_soft_reset_gamma_falls_at_a_label_switch():
    gammas = switch_run()
    assert gammas[SWITCH : SWITCH + 20].min() < gammas[SWITCH - 100 : SWITCH].min() - 0.05


def test_soft_reset_gamma_returns_toward_one_after_the_new_task_is_learnt():
    after = switch_run()[SWITCH:]
    lowest = after.min(dim=0).values
    assert (after[-1] - lowest > (1 - lowest) / 2).all(), "every layer recovers at least half of its dip"
    assert (after[-1] > 0.95).all()


def test_soft_reset_keeps_gamma_at_one_on_a_stationary_stream():
    gammas = switch_run()[100:SWITCH]
    assert (gammas.mean(dim=0) > 0.995).all()
    assert ((gammas == 1).float().mean(dim=0) > 0.5).all(), "γ = 1 exactly (no drift, no shrink) on most steps"


def test_soft_reset_keeps_every_layer_above_half_its_initial_norm_over_five_tasks():
    _, norms = stream_run(tasks=5, steps=SWITCH)
    assert norms.min() > 0.5


def test_soft_reset_moves_gamma_by_at_most_the_cap_per_step():
    gammas = stream_run({"gamma_lr": "1e6", "max_gamma_change": "0.02"}, tasks=2, steps=40)[0]
    steps = (gammas[1:] - gammas[:-1]).abs()
    assert steps.max() == pytest.approx(0.02, abs=1e-6)


def test_soft_reset_with_gamma_zero_and_mu0_initial_restores_the_initial_weights():
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    learner = build(model, base.create("soft_reset", {"soft_reset": {"mu0": "initial"}}), lr=1e-1)
    inputs, labels = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for _ in range(5):
        train_step(learner, inputs, labels)
    assert any(not torch.equal(p, learner.initial_state[n]) for n, p in model.named_parameters())
    learner.method.gamma = torch.zeros_like(learner.method.gamma)
    learner.method.apply_drift()
    for name, param in model.named_parameters():
        assert torch.equal(param, learner.initial_state[name]), name


def test_soft_reset_with_gamma_zero_and_mu0_zero_zeroes_the_weights():
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    learner = build(model, base.create("soft_reset", {"soft_reset": {"mu0": "zero"}}), lr=1e-1)
    learner.method.gamma = torch.zeros_like(learner.method.gamma)
    learner.method.apply_drift()
    assert all(torch.equal(p, torch.zeros_like(p)) for p in model.parameters())


def test_soft_reset_noise_scale_is_the_initialisers_std_per_tensor():
    torch.manual_seed(0)
    learner = build(MLP(300, (200,), 10), "soft_reset")
    pytorch_default = (1 / (3 * 300)) ** 0.5
    assert learner.method.prior_stds["hidden.0.linear.weight"] == pytest.approx(pytorch_default, rel=0.02)
    assert learner.method.prior_stds["hidden.0.linear.bias"] == pytest.approx(pytorch_default, rel=0.05)
    kaiming = build(MLP(300, (200,), 10, init="kaiming"), "soft_reset")
    assert kaiming.method.prior_stds["hidden.0.linear.weight"] == pytest.approx((2 / 300) ** 0.5, rel=0.02)
    assert kaiming.method.prior_stds["hidden.0.linear.bias"] == 0.0
