"""Soft Reset: learned drift toward the initialisation with a learning-rate boost
(Galashov, Titsias, György, Lyle, Pascanu, Teh, Sahani 2024, *Non-Stationary Learning of Neural Networks
with Automatic Soft Parameter Reset*, NeurIPS, §3–4; the update equations are spec §2.4 b's reconstruction)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.func import functional_call

from methods._layers import fresh_copy
from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner

INIT_SAMPLES = 4096
"""Initialiser draws pooled per tensor when estimating σ₀ (more fresh copies for small tensors such as biases)."""


@dataclass(frozen=True)
class SoftResetConfig:
    """mu0: the drift's target μ₀: "initial" = θ₀, the network's own initial weights (the paper's Fig. 23
    ablation), "zero" = the initialiser's mean (the paper's main setting); σ₀ is always the initialiser's std.
    initial_gamma: γ₀ (1 = no drift); gamma_lr: SGD step on γ, applied to the layer's gradient averaged per
    parameter; max_gamma_change: cap on |Δγ| per γ step; gamma_steps: γ steps per update; posterior_ratio:
    s = σ₀²/σ_t², in the noise σ₀√(γ²/s + 1 − γ²) and the boost γ² + (1−γ²)s; min_gamma: γ's floor;
    recompute_gradient: step with ∇L(θ̃) rather than ∇L(θ). gamma_lr, max_gamma_change and s are ❓ (not
    recovered from the paper; docs/methods.md)."""

    mu0: Literal["initial", "zero"] = "initial"
    initial_gamma: float = 1.0
    gamma_lr: float = 10.0
    max_gamma_change: float = 0.05
    gamma_steps: int = 1
    posterior_ratio: float = 10.0
    min_gamma: float = 0.0
    recompute_gradient: bool = True

    def __post_init__(self) -> None:
        require(self.mu0 in ("initial", "zero"), "soft_reset", "mu0", "'initial' (θ₀) or 'zero' (the initialiser's mean)", self.mu0)
        require(0 <= self.min_gamma < 1, "soft_reset", "min_gamma", "a number in [0, 1)", self.min_gamma)
        require(self.min_gamma <= self.initial_gamma <= 1, "soft_reset", "initial_gamma", f"a number in [{self.min_gamma}, 1]", self.initial_gamma)
        require(self.gamma_lr > 0, "soft_reset", "gamma_lr", "a positive number", self.gamma_lr)
        require(0 < self.max_gamma_change <= 1, "soft_reset", "max_gamma_change", "a number in (0, 1]", self.max_gamma_change)
        require(self.gamma_steps >= 1, "soft_reset", "gamma_steps", "a positive integer", self.gamma_steps)
        require(self.posterior_ratio >= 1, "soft_reset", "posterior_ratio", "a number >= 1", self.posterior_ratio)


@dataclass
class _Drifted:
    """One parameter of a described layer: `layer` indexes γ; mu0 is None when μ₀ = 0; std is σ₀."""

    layer: int
    name: str
    param: nn.Parameter
    mu0: torch.Tensor | None
    std: float


@register("soft_reset")
class SoftReset(Method):
    """Per layer, fit γ online to the incoming batch's likelihood under the drifted prior
    θ(γ, ε) = γθ + (1−γ)μ₀ + σ₀√(γ²/s + 1 − γ²)ε; then step from θ̃ = γθ + (1−γ)μ₀ with lr α(γ² + (1−γ²)s).

    Galashov et al. 2024 (§3–4), non-Bayesian "Soft Reset": the step adds no noise; γ = 1 is exactly the base optimizer.
    """

    summary = "Soft Reset: per-layer drift γ toward init fitted online, with a learning-rate boost (Galashov et al. 2024)."
    citation = "Galashov, Titsias, György, Lyle, Pascanu, Teh, Sahani 2024, Non-Stationary Learning of Neural Networks with Automatic Soft Parameter Reset, NeurIPS (§3–4)"
    paper_url = "https://arxiv.org/abs/2411.04034"
    Config = SoftResetConfig
    search_space = SearchSpace(
        {"gamma_lr": FloatRange(1.0, 100.0, log=True), "posterior_ratio": FloatRange(2.0, 100.0, log=True)},
        source='ours: the paper gives no grid; a decade either side of our γ step (10) and posterior ratio (10)',
    )
    version = 2

    def __init__(self, config: SoftResetConfig | None = None):
        super().__init__(config)
        self.layer_names: list[str] = []
        self._params: list[_Drifted] = []
        self._sizes: torch.Tensor = torch.empty(0)
        self.gamma: torch.Tensor = torch.empty(0)
        self._anchor: list[torch.Tensor] = []
        self._boost: torch.Tensor = torch.empty(0)

    def start(self, learner: Learner) -> None:
        self._bind(learner)
        learner.on_parameters_replaced(lambda: self._bind(learner))

    def _bind(self, learner: Learner) -> None:
        self.layer_names = [info.name for info in learner.network.layers]
        self._params = []
        sizes = [0] * len(self.layer_names)
        for index, name in enumerate(self.layer_names):
            module = learner.module(name)
            stds = initialiser_stds(learner, module)
            for attribute in ("weight", "bias"):
                param = getattr(module, attribute, None)
                if isinstance(param, nn.Parameter) and param.requires_grad:
                    full = f"{name}.{attribute}"
                    mu0 = learner.initial_state.get(full, param.detach()).clone() if self.config.mu0 == "initial" else None
                    self._params.append(_Drifted(index, full, param, mu0, stds[attribute]))
                    sizes[index] += param.numel()
        self._sizes = torch.tensor(sizes, dtype=torch.float32, device=learner.device).clamp_min(1)
        if len(self.gamma) != len(self.layer_names):
            self.gamma = torch.full((len(self.layer_names),), self.config.initial_gamma, device=learner.device)

    @property
    def gammas(self) -> torch.Tensor:
        """γ per described weight layer, in forward order."""
        return self.gamma

    @property
    def prior_stds(self) -> dict[str, float]:
        """σ₀ per drifted parameter (the initialiser's std), keyed by parameter name."""
        return {p.name: p.std for p in self._params}

    def fit_gamma(self, learner: Learner) -> None:
        """γ steps maximising the batch likelihood under the drifted prior (reparameterised, antithetic ±ε);
        the layer's gradient is averaged per parameter and each step is capped at `max_gamma_change`."""
        if learner.batch_loss is None or learner.last_inputs is None:
            return
        model, config = learner.model, self.config
        for _ in range(config.gamma_steps):
            gamma = self.gamma.detach().requires_grad_(True)
            noise = [torch.randn_like(p.param) if p.std > 0 else None for p in self._params]
            loss = sum(learner.batch_loss(_Substituted(model, self._drifted(gamma, noise, sign))) for sign in (1.0, -1.0)) / 2
            (grad,) = torch.autograd.grad(loss, gamma)
            step = (config.gamma_lr * grad / self._sizes).clamp(-config.max_gamma_change, config.max_gamma_change)
            self.gamma = (gamma.detach() - step).clamp(config.min_gamma, 1.0)

    def _drifted(self, gamma: torch.Tensor, noise: list[torch.Tensor | None], sign: float) -> dict[str, torch.Tensor]:
        """θ(γ, ±ε) = γθ + (1−γ)μ₀ ± σ₀√(γ²/s + 1 − γ²)ε per parameter; √· ≥ 1/√s, so it is smooth at γ = 1."""
        inverse_s = 1.0 / self.config.posterior_ratio
        drifted = {}
        for p, eps in zip(self._params, noise):
            g = gamma[p.layer]
            theta = p.param.detach()
            value = g * theta if p.mu0 is None else p.mu0 + g * (theta - p.mu0)
            if eps is not None:
                value = value + sign * p.std * torch.sqrt(g * g * inverse_s + 1 - g * g) * eps
            drifted[p.name] = value
        return drifted

    def before_step(self, learner: Learner) -> None:
        self.fit_gamma(learner)
        self._anchor = []
        if bool((self.gamma >= 1).all()):
            return
        gamma, s = self.gamma, self.config.posterior_ratio
        self._boost = gamma * gamma + (1 - gamma * gamma) * s
        self.apply_drift()
        if self.config.recompute_gradient and learner.batch_loss is not None and learner.last_inputs is not None:
            learner.optimizer.zero_grad(set_to_none=True)
            learner.with_penalty(learner.batch_loss(learner.model)).backward()
        self._anchor = [p.param.detach().clone() for p in self._params]

    @torch.no_grad()
    def apply_drift(self) -> None:
        """Move the step's starting point to the drifted mean θ̃ = γθ + (1−γ)μ₀, layer by layer (no noise)."""
        for p in self._params:
            if p.mu0 is None:
                p.param.mul_(self.gamma[p.layer])
            else:
                p.param.lerp_(p.mu0, 1 - self.gamma[p.layer])

    def after_step(self, learner: Learner) -> None:
        if not self._anchor:
            return
        with torch.no_grad():
            for p, anchor in zip(self._params, self._anchor):
                p.param.sub_(anchor).mul_(self._boost[p.layer]).add_(anchor)
        self._anchor = []


def initialiser_stds(learner: Learner, module: nn.Module) -> dict[str, float]:
    """σ₀ of `module`'s weight and bias: the std of the model's initialiser, pooled over fresh draws until each
    tensor has `INIT_SAMPLES` values (at most 64 draws). The run's random stream is left as it was."""
    own = {a: p for a in ("weight", "bias") if isinstance(p := getattr(module, a, None), nn.Parameter)}
    if not own:
        return {}
    draws = max(1, min(64, math.ceil(INIT_SAMPLES / min(p.numel() for p in own.values()))))
    moments = {a: [0, 0.0, 0.0] for a in own}
    device = learner.device
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        for _ in range(draws):
            copy = fresh_copy(learner.model, module)
            for attribute, (count, total, squares) in moments.items():
                if count < INIT_SAMPLES:
                    values = getattr(copy, attribute).detach().double()
                    moments[attribute] = [count + values.numel(), total + float(values.sum()), squares + float((values * values).sum())]
    stds = {}
    for attribute, (count, total, squares) in moments.items():
        mean = total / count
        stds[attribute] = math.sqrt(max(squares / count - mean * mean, 0.0))
    return stds


class _Substituted:
    """Calls `model` with some parameters replaced by the tensors in `values` (differentiable in them)."""

    def __init__(self, model: nn.Module, values: dict[str, torch.Tensor]):
        self.model = model
        self.values = values

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(self.model, self.values, (inputs,), strict=False)
