"""Optimizer-replacing methods take their own step size, not the benchmark's Adam lr (issue 16; docs/methods.md)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from benchmarks.models import MLP
from methods import base
from methods.learner import Learner, OptimizerSpec, prepare_learner

ADAM = OptimizerSpec(name="adam", lr=1e-3)


def default_lr(method: str, spec: OptimizerSpec = ADAM, overrides: dict | None = None) -> float:
    param = torch.nn.Parameter(torch.zeros(3, 2))
    return base.create(method, overrides).optimizer(None, [param], spec).param_groups[0]["lr"]


def test_tam_default_lr_on_an_adam_benchmark_is_its_own_swept_value_not_the_benchmarks():
    assert math.isclose(default_lr("tam"), 3e-2)


def test_adatam_default_lr_is_adams_times_one_minus_beta1():
    assert math.isclose(default_lr("adatam"), 1e-4)
    assert math.isclose(default_lr("adatam", overrides={"adatam": {"betas": "0.8,0.999"}}), 2e-4)


def test_an_explicit_lr_still_wins_over_the_default():
    assert default_lr("tam", overrides={"tam": {"lr": "0.005"}}) == 0.005
    assert default_lr("adatam", overrides={"adatam": {"lr": "0.002"}}) == 0.002
    assert default_lr("kron", overrides={"kron": {"lr": "0.004"}}) == 0.004


def test_tam_on_an_sgd_benchmark_matches_the_benchmarks_steady_step_at_full_alignment():
    """η_TAM/(1−β) = η/(1−μ): unchanged against SGD momentum 0.9, a tenth of plain SGD's lr."""
    assert default_lr("tam", OptimizerSpec(name="sgd", lr=0.05, momentum=0.9)) == 0.05
    assert math.isclose(default_lr("tam", OptimizerSpec(name="sgd", lr=0.01, momentum=0.0)), 1e-3)


SGD = OptimizerSpec(name="sgd", lr=0.05, momentum=0.9)


def test_adatam_on_an_sgd_benchmark_scales_adams_customary_lr_not_the_sgd_one():
    assert math.isclose(default_lr("adatam", SGD), 1e-4)


def test_kron_on_an_sgd_benchmark_takes_a_third_of_adams_customary_lr_not_of_the_sgd_one():
    assert math.isclose(default_lr("kron", SGD), 1e-3 / 3)


def tiny_memorisation(method: str, overrides: dict | None = None, seed: int = 0) -> tuple[Learner, torch.Tensor, torch.Tensor, torch.Generator]:
    """64 random 32-d inputs with random labels of 10 classes, an MLP 32-64-64-10 on the Adam-1e-3 benchmark path."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(64, 32, generator=generator)
    labels = torch.randint(0, 10, (64,), generator=generator)
    torch.manual_seed(seed)
    learner = prepare_learner(MLP(32, (64, 64), 10), base.create(method, overrides), ADAM, "supervised", "cpu")
    return learner, inputs, labels, generator


def train(learner: Learner, inputs: torch.Tensor, labels: torch.Tensor, generator: torch.Generator, steps: int) -> None:
    for _ in range(steps):
        batch = torch.randint(0, len(inputs), (16,), generator=generator)
        learner.update(F.cross_entropy(learner.model(inputs[batch]), labels[batch]))


def training_accuracy(method: str, overrides: dict | None = None, steps: int = 400) -> float:
    learner, inputs, labels, generator = tiny_memorisation(method, overrides)
    train(learner, inputs, labels, generator, steps)
    with torch.no_grad():
        return float((learner.model(inputs).argmax(1) == labels).float().mean())


def test_tam_at_its_default_memorises_a_tiny_task_that_tam_at_the_adam_lr_underfits():
    assert training_accuracy("tam") >= 0.95
    assert training_accuracy("tam", {"tam": {"lr": "1e-3"}}) <= 0.5


def mean_absolute_step(method: str, overrides: dict | None = None, steps: int = 50) -> float:
    """Mean over the first `steps` updates of the mean |Δθ| over every trained parameter."""
    learner, inputs, labels, generator = tiny_memorisation(method, overrides)
    total = 0.0
    for _ in range(steps):
        before = torch.cat([p.detach().flatten() for p in learner.model.parameters()])
        train(learner, inputs, labels, generator, 1)
        after = torch.cat([p.detach().flatten() for p in learner.model.parameters()])
        total += float((after - before).abs().mean())
    return total / steps


def test_adatam_at_its_default_steps_about_as_far_as_adam_at_the_benchmarks_lr():
    """Early steps run large by d/√(1−β₂ᵗ) (no bias correction, as in the reference), ≈ 2.8× over 50 steps here."""
    ratio = mean_absolute_step("adatam") / mean_absolute_step("baseline")
    assert 0.5 < ratio < 4
