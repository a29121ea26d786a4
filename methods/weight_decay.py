"""Decoupled weight decay, AdamW style (Loshchilov & Hutter 2019), as used against plasticity loss by Lyle et al. 2024."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner


@dataclass(frozen=True)
class WeightDecayConfig:
    """weight_decay: λ in θ ← (1 − ηλ)θ before each optimizer step (PyTorch AdamW convention; spec §2.2 default 1e-2)."""

    weight_decay: float = 1e-2

    def __post_init__(self) -> None:
        require(self.weight_decay >= 0, "weight_decay", "weight_decay", "a number >= 0", self.weight_decay)


def decay_parameters(optimizer: torch.optim.Optimizer, weight_decay: float) -> None:
    """θ ← (1 − lr·λ)θ for every parameter the optimizer trains, with each group's current lr."""
    with torch.no_grad():
        for group in optimizer.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                torch._foreach_mul_(params, 1.0 - group["lr"] * weight_decay)


@register("weight_decay")
class WeightDecay(Method):
    """Decoupled weight decay on every trained parameter: θ ← (1 − ηλ)θ, then the optimizer's own step.

    With Adam this is exactly AdamW (the decay is applied before the update, which does not read θ).
    Lyle et al. 2024 (§4) pair it with LayerNorm to keep plasticity; spec §2.2.
    """

    citation = "Loshchilov & Hutter 2019, Decoupled Weight Decay Regularization, ICLR (§2); Lyle et al. 2024 (§4)"
    paper_url = "https://arxiv.org/abs/1711.05101"
    Config = WeightDecayConfig
    search_space = SearchSpace(
        {"weight_decay": FloatRange(1e-4, 1.0, log=True)},
        source="ours: decoupled decay shrinks by lr·λ per step, so at Adam 1e-3 this spans 1e-7 to 1e-3 per step, the per-step shrinks of Kumar et al. 2023 §5 (1 − p ∈ {1e-5, …, 1e-2}) and below",
    )
    roles = frozenset({"weight_decay"})

    def before_step(self, learner: Learner) -> None:
        decay_parameters(learner.optimizer, self.config.weight_decay)
