"""Parseval regularisation: keep each hidden weight matrix close to a scaled orthogonal one (Chung et al. 2024, §3)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner


def parseval_penalty(weight: torch.Tensor, scale: float) -> torch.Tensor:
    """‖W Wᵀ − s I‖²_F for W of shape (units, fan-in...) flattened to (units, fan-in): rows orthogonal, norm² s."""
    matrix = weight.flatten(1)
    gram = matrix @ matrix.T
    return (gram - scale * torch.eye(len(gram), device=gram.device, dtype=gram.dtype)).pow(2).sum()


@dataclass(frozen=True)
class ParsevalConfig:
    """strength: λ per layer; scale: s, the squared norm each unit's weight row is pulled to;
    include_output: also regularise the output layer (the paper leaves it free)."""

    strength: float = 1e-3
    scale: float = 1.0
    include_output: bool = False

    def __post_init__(self) -> None:
        require(self.strength >= 0, "parseval", "strength", "a number >= 0", self.strength)
        require(self.scale > 0, "parseval", "scale", "a positive number", self.scale)


@register("parseval")
class Parseval(Method):
    """Add λ Σ_l ‖W_l W_lᵀ − s I‖²_F over hidden weight layers (conv kernels flattened per output channel).

    Chung, Cherif, Meger, Precup 2024, Parseval Regularization for Continual Reinforcement Learning,
    NeurIPS (§3): orthogonal rows keep gradients well conditioned across task changes.
    """

    citation = "Chung, Cherif, Meger, Precup 2024, Parseval Regularization for Continual Reinforcement Learning, NeurIPS (§3)"
    paper_url = "https://arxiv.org/abs/2412.07224"
    Config = ParsevalConfig
    search_space = SearchSpace(
        {"strength": FloatRange(1e-5, 1e-2, log=True)},
        source="ours: 1e-5 to 1e-2 around Chung et al. 2024's 1e-3",
    )

    def start(self, learner: Learner) -> None:
        self._collect(learner)
        learner.on_parameters_replaced(lambda: self._collect(learner))

    def _collect(self, learner: Learner) -> None:
        layers = learner.network.layers if self.config.include_output else learner.network.hidden
        self._weights = [learner.module(info.name).weight for info in layers]

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        if not self._weights or self.config.strength == 0:
            return None
        total = torch.stack([parseval_penalty(w, self.config.scale) for w in self._weights]).sum()
        return self.config.strength * total
