"""Plain coupled L2 regularisation toward zero: λ‖θ‖² added to the loss (Kumar et al. 2023's "L2" baseline)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner


@dataclass(frozen=True)
class L2Config:
    """strength: λ in λ‖θ‖²₂ (gradient 2λθ); weights_only: skip biases and norm parameters."""

    strength: float = 1e-2
    weights_only: bool = False

    def __post_init__(self) -> None:
        require(self.strength >= 0, "l2", "strength", "a number >= 0", self.strength)


@register("l2")
class L2(Method):
    """Add λ‖θ‖²₂ to the loss (coupled: it passes through the optimizer, unlike decoupled `weight_decay`).

    Kumar, Marklund, Van Roy 2023, Maintaining Plasticity via Regenerative Regularization (§3, the L2
    baseline that L2 Init is compared with).
    """

    citation = "Kumar, Marklund, Van Roy 2023, Maintaining Plasticity in Continual Learning via Regenerative Regularization, arXiv 2308.11958 (§3)"
    paper_url = "https://arxiv.org/abs/2308.11958"
    Config = L2Config
    search_space = SearchSpace(
        {"strength": FloatRange(1e-5, 1e-1, log=True)},
        source="Kumar et al. 2023 §5 grid {1e-5, …, 1e-2}; Dohare et al. 2024 code, permuted_mnist/cfg/l2.json {1e-5, 1e-4, 1e-3}",
    )

    def start(self, learner: Learner) -> None:
        self._collect(learner)
        learner.on_parameters_replaced(lambda: self._collect(learner))

    def _collect(self, learner: Learner) -> None:
        self._params = [
            p for name, p in learner.model.named_parameters()
            if p.requires_grad and (not self.config.weights_only or (name.endswith("weight") and p.dim() > 1))
        ]

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        if not self._params or self.config.strength == 0:
            return None
        return self.config.strength * torch.stack([p.pow(2).sum() for p in self._params]).sum()
