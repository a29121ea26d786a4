"""Soft Reset: learned drift toward the initialisation with a learning-rate boost
(Galashov, Titsias, György, Lyle, Pascanu, Teh, Sahani 2024, *Non-Stationary Learning of Neural Networks
with Automatic Soft Parameter Resets*, NeurIPS, §3–4; the update equations are spec §2.4 b's reconstruction)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call

from methods.base import Method, register
from core.config import require
from methods.learner import Learner


@dataclass(frozen=True)
class SoftResetConfig:
    """initial_gamma: γ₀ per layer (γ = 1 means no drift); gamma_lr: SGD step size on γ per update;
    gamma_steps: γ-fitting steps per update; posterior_ratio: s = σ₀²/σ_t² in the boost
    α_t = α(γ² + (1−γ²)s); min_gamma/max_gamma: γ's range; recompute_gradient: take the step with ∇L(θ̃)
    rather than ∇L(θ). All are ❓ (none recovered from the paper; docs/methods.md)."""

    initial_gamma: float = 0.9999
    gamma_lr: float = 1e-2
    gamma_steps: int = 1
    posterior_ratio: float = 10.0
    min_gamma: float = 0.0
    max_gamma: float = 0.9999
    recompute_gradient: bool = True

    def __post_init__(self) -> None:
        require(0 <= self.min_gamma < self.max_gamma < 1, "soft_reset", "min_gamma", f"0 <= min_gamma < max_gamma ({self.max_gamma}) < 1", self.min_gamma)
        require(self.min_gamma <= self.initial_gamma <= self.max_gamma, "soft_reset", "initial_gamma", f"a number in [{self.min_gamma}, {self.max_gamma}]", self.initial_gamma)
        require(self.gamma_lr > 0, "soft_reset", "gamma_lr", "a positive number", self.gamma_lr)
        require(self.gamma_steps >= 1, "soft_reset", "gamma_steps", "a positive integer", self.gamma_steps)
        require(self.posterior_ratio >= 1, "soft_reset", "posterior_ratio", "a number >= 1", self.posterior_ratio)


@register("soft_reset")
class SoftReset(Method):
    """Per layer, estimate γ online by maximising the incoming batch's likelihood under the drifted prior
    θ(γ, ε) = γθ + (1−γ)μ₀ + √(1−γ²)σ₀ε; then step from θ̃ = γθ + (1−γ)μ₀ with lr α(γ² + (1−γ²)s).

    Galashov et al. 2024 (§3–4), non-Bayesian "Soft Reset"; μ₀ = 0 and σ₀ is each tensor's initial std.
    """

    summary = "Soft Reset: per-layer drift γ toward init fitted online, with a learning-rate boost (Galashov et al. 2024)."
    citation = "Galashov, Titsias, György, Lyle, Pascanu, Teh, Sahani 2024, Non-Stationary Learning of Neural Networks with Automatic Soft Parameter Resets, NeurIPS (§3–4)"
    paper_url = "https://arxiv.org/abs/2411.04034"
    Config = SoftResetConfig

    def __init__(self, config: SoftResetConfig | None = None):
        super().__init__(config)
        self.layer_names: list[str] = []
        self._params: list[tuple[int, str, nn.Parameter, float]] = []
        self.gamma: torch.Tensor = torch.empty(0)
        self._anchor: list[torch.Tensor] = []
        self._boost: torch.Tensor = torch.empty(0)
        self.history: list[torch.Tensor] = []
        self.record_history = False

    def start(self, learner: Learner) -> None:
        self._bind(learner)
        self.gamma = torch.full((len(self.layer_names),), self.config.initial_gamma, device=learner.device)
        learner.on_parameters_replaced(lambda: self._bind(learner))

    def _bind(self, learner: Learner) -> None:
        self.layer_names = [info.name for info in learner.network.layers]
        self._params = []
        for index, name in enumerate(self.layer_names):
            module = learner.module(name)
            for attribute in ("weight", "bias"):
                param = getattr(module, attribute, None)
                if isinstance(param, nn.Parameter) and param.requires_grad:
                    initial = learner.initial_state.get(f"{name}.{attribute}", param.detach())
                    std = float(initial.std()) if initial.numel() > 1 else 0.0
                    self._params.append((index, f"{name}.{attribute}", param, std))

    @property
    def gammas(self) -> torch.Tensor:
        """γ per described weight layer, in forward order."""
        return self.gamma

    def fit_gamma(self, learner: Learner) -> None:
        """A few gradient steps on γ maximising the batch likelihood under the drifted prior (reparameterised)."""
        if learner.batch_loss is None or learner.last_inputs is None:
            return
        model = learner.model
        for _ in range(self.config.gamma_steps):
            gamma = self.gamma.detach().requires_grad_(True)
            noise = [torch.randn_like(param) for _, _, param, _ in self._params]
            loss = sum(learner.batch_loss(_Substituted(model, self._drifted(gamma, noise, sign))) for sign in (1.0, -1.0)) / 2
            (grad,) = torch.autograd.grad(loss, gamma)
            self.gamma = (gamma.detach() - self.config.gamma_lr * grad).clamp(self.config.min_gamma, self.config.max_gamma)

    def _drifted(self, gamma: torch.Tensor, noise: list[torch.Tensor], sign: float) -> dict[str, torch.Tensor]:
        """θ(γ, ±ε) = γθ + √(1−γ²)σ₀(±ε) per parameter (μ₀ = 0); the ± pair is antithetic, to cut variance."""
        drifted = {}
        for (index, name, param, std), eps in zip(self._params, noise):
            g = gamma[index]
            value = g * param.detach()
            if std > 0:
                value = value + sign * torch.sqrt((1 - g * g).clamp_min(1e-12)) * std * eps
            drifted[name] = value
        return drifted

    def before_step(self, learner: Learner) -> None:
        self.fit_gamma(learner)
        gamma = self.gammas
        if self.record_history:
            self.history.append(gamma.detach().clone())
        s = self.config.posterior_ratio
        self._boost = gamma * gamma + (1 - gamma * gamma) * s
        with torch.no_grad():
            for index, _, param, _ in self._params:
                param.mul_(gamma[index])
        if self.config.recompute_gradient and learner.batch_loss is not None and learner.last_inputs is not None:
            learner.optimizer.zero_grad(set_to_none=True)
            loss = learner.batch_loss(learner.model)
            method = learner.method
            if method.overrides("penalty"):
                extra = method.penalty(learner)
                if extra is not None:
                    loss = loss + extra
            loss.backward()
        self._anchor = [param.detach().clone() for _, _, param, _ in self._params]

    def after_step(self, learner: Learner) -> None:
        if not self._anchor:
            return
        with torch.no_grad():
            for (index, _, param, _), anchor in zip(self._params, self._anchor):
                param.sub_(anchor).mul_(self._boost[index]).add_(anchor)
        self._anchor = []


class _Substituted:
    """Calls `model` with some parameters replaced by the tensors in `values` (differentiable in them)."""

    def __init__(self, model: nn.Module, values: dict[str, torch.Tensor]):
        self.model = model
        self.values = values

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(self.model, self.values, (inputs,), strict=False)
