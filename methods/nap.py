"""Normalize-and-Project (Lyle et al. 2024, *Normalization and effective learning rates in RL*, NeurIPS; spec §2.1)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from methods._layers import insert_layer_norms, is_normalization, remove_bias
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


@dataclass(frozen=True)
class NaPConfig:
    """every: project after every N optimizer steps (the paper found 1 and 1,000 nearly identical);
    project_output: also project the output layer (the `nap_all` ablation, as Plasticine does);
    project_affine: keep [γ; β] of a norm at its initial norm where every reader of it is scale-invariant;
    eps: the inserted LayerNorms' variance floor."""

    every: int = 1
    project_output: bool = False
    project_affine: bool = True
    eps: float = 1e-5

    def __post_init__(self) -> None:
        require(self.every >= 1, "nap", "every", "a positive integer (steps between projections)", self.every)
        require(self.eps > 0, "nap", "eps", "a positive number", self.eps)


@register("nap")
class NormalizeAndProject(Method):
    """LayerNorm before each nonlinearity, redundant biases removed, each normalised layer's weight
    projected back to its initial Frobenius norm after every step, so its effective learning rate is constant.

    Lyle et al. 2024 (arXiv 2407.01800, §3; spec §2.1 steps 1–7). The output layer is not projected.
    """

    summary = "Normalize-and-Project: LayerNorm, no redundant biases, weights projected to their initial norm (Lyle et al. 2024)."
    citation = "Lyle, Zheng, Khetarpal, Martens, van Hasselt, Pascanu, Dabney 2024, Normalization and effective learning rates in reinforcement learning, NeurIPS (§3)"
    paper_url = "https://arxiv.org/abs/2407.01800"
    Config = NaPConfig
    search_space = nothing_to_tune("projection every step is the method; its step size is the benchmark's")
    roles = frozenset({"normalization"})

    def __init__(self, config: NaPConfig | None = None):
        super().__init__(config)
        self.projected: list[str] = []
        self.affine: list[str] = []
        self._weights: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []
        self._affine_params: list[tuple[nn.Parameter, nn.Parameter]] = []
        self._affine_targets: list[torch.Tensor] = []

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        reason = super().applies_to(network, family)
        if reason:
            return reason
        if not any(info.norm for info in network.hidden):
            return f"{self.name} needs hidden layers with a norm slot; this {network.family} has none"
        return None

    def prepare(self, learner: Learner) -> None:
        insert_layer_norms(learner, self.config.eps)
        model, network = learner.model, learner.network
        normalised = [info for info in network.hidden if info.norm and is_normalization(model.get_submodule(info.norm))]
        for info in normalised:
            remove_bias(model.get_submodule(info.name))
        self.projected = [info.name for info in normalised]
        if self.config.project_output:
            self.projected.append(network.output.name)
        invariant = {info.name for info in normalised}
        self.affine = [
            info.norm
            for info in normalised
            if not info.residual and info.consumers and all(c in invariant for c in info.consumers)
            and isinstance(getattr(model.get_submodule(info.norm), "bias", None), nn.Parameter)
        ]

    def start(self, learner: Learner) -> None:
        model = learner.model
        self._weights = [model.get_submodule(name).weight for name in self.projected]
        self._targets = [w.detach().norm() for w in self._weights]
        norms = [model.get_submodule(path) for path in dict.fromkeys(self.affine)]
        self._affine_params = [(norm.weight, norm.bias) for norm in norms]
        self._affine_targets = [torch.cat([g.detach(), b.detach()]).norm() for g, b in self._affine_params]

    @property
    def target_norms(self) -> dict[str, float]:
        """ρ_l per projected layer: its Frobenius norm at initialisation."""
        return {name: float(t) for name, t in zip(self.projected, self._targets)}

    def after_step(self, learner: Learner) -> None:
        if learner.step % self.config.every:
            return
        with torch.no_grad():
            if self._weights:
                norms = torch._foreach_norm(self._weights)
                torch._foreach_mul_(self._weights, torch._foreach_div(self._targets, norms))
            for (gamma, beta), target in zip(self._affine_params, self._affine_targets):
                scale = target / torch.cat([gamma, beta]).norm().clamp_min(1e-12)
                gamma.mul_(scale)
                beta.mul_(scale)
