"""Shrink & Perturb (Ash & Adams 2020, *On Warm-Starting Neural Network Training*, §4; continual form of Kumar et al. 2023, App. A.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from methods._layers import fresh_copy, redraw
from methods.base import Method, register
from core.search_space import Choice, FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner


@dataclass(frozen=True)
class ShrinkPerturbConfig:
    """shrink: λ in θ ← λθ + σε (Kumar et al. 2023 with Adam on permuted MNIST: 1 − 1e-3);
    noise_scale: σ (1e-2); every: steps between applications;
    noise: "init" draws ε afresh from the model's initialiser (Kumar et al. 2023, App. A.3),
    "gaussian" draws ε ~ N(0, 1) (Dohare et al. 2024's absolute noise)."""

    shrink: float = 1 - 1e-3
    noise_scale: float = 1e-2
    every: int = 1
    noise: Literal["init", "gaussian"] = "init"

    def __post_init__(self) -> None:
        require(0 < self.shrink <= 1, "shrink_perturb", "shrink", "a number in (0, 1]", self.shrink)
        require(self.noise_scale >= 0, "shrink_perturb", "noise_scale", "a number >= 0", self.noise_scale)
        require(self.every >= 1, "shrink_perturb", "every", "a positive integer (steps between applications)", self.every)
        require(self.noise in ("init", "gaussian"), "shrink_perturb", "noise", "'init' or 'gaussian'", self.noise)


@register("shrink_perturb")
class ShrinkPerturb(Method):
    """After every step, θ ← λθ + σε on every weight layer, with ε drawn fresh each time (never θ₀).

    Ash & Adams 2020 (§4) shrink toward zero and add noise; applied every step it acts as a noisy L2
    (their words). Norm scales and offsets are left alone: shrinking them toward zero is not the method.
    """

    citation = "Ash & Adams 2020, On Warm-Starting Neural Network Training, NeurIPS (§4); Kumar et al. 2023 (App. A.3)"
    paper_url = "https://arxiv.org/abs/1910.08475"
    Config = ShrinkPerturbConfig
    search_space = SearchSpace(
        {"shrink": Choice((1 - 1e-2, 1 - 1e-3, 1 - 1e-4, 1 - 1e-5)), "noise_scale": FloatRange(1e-5, 1e-2, log=True)},
        source="Kumar et al. 2023 §5: 1 − shrink and σ each over {1e-5, …, 1e-2}, applied every step",
    )

    def __init__(self, config: ShrinkPerturbConfig | None = None):
        super().__init__(config)
        self._modules: list[nn.Module] = []
        self._shadows: list[nn.Module] = []

    def start(self, learner: Learner) -> None:
        self._bind(learner)
        learner.on_parameters_replaced(lambda: self._bind(learner))

    def _bind(self, learner: Learner) -> None:
        self._modules = [learner.module(info.name) for info in learner.network.layers]
        if self.config.noise == "init":
            self._shadows = [fresh_copy(learner.model, module) for module in self._modules]

    def noise_like(self, learner: Learner) -> list[torch.Tensor]:
        """Fresh ε for every weight-layer parameter, in the order of `parameters()`."""
        if self.config.noise == "gaussian":
            return [torch.randn_like(p) for p in self.parameters()]
        draws = []
        with torch.no_grad():
            for shadow in self._shadows:
                redraw(learner.model, shadow)
                draws.extend(p for p in (getattr(shadow, "weight", None), getattr(shadow, "bias", None)) if p is not None)
        return [d.detach() for d in draws]

    def parameters(self) -> list[nn.Parameter]:
        found = []
        for module in self._modules:
            found.extend(p for p in (getattr(module, "weight", None), getattr(module, "bias", None)) if p is not None)
        return found

    def after_step(self, learner: Learner) -> None:
        if learner.step % self.config.every:
            return
        params = self.parameters()
        noise = self.noise_like(learner)
        with torch.no_grad():
            torch._foreach_mul_(params, self.config.shrink)
            torch._foreach_add_(params, noise, alpha=self.config.noise_scale)
