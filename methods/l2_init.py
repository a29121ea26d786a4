"""L2 Init, regenerative regularisation toward the initial parameters (Kumar, Marklund, Van Roy 2023, §3)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner


@dataclass(frozen=True)
class L2InitConfig:
    """strength: λ in L + λ‖θ − θ₀‖² (Kumar et al. 2023 App. A.2.5: 1e-2 is best across problems)."""

    strength: float = 1e-2

    def __post_init__(self) -> None:
        require(self.strength >= 0, "l2_init", "strength", "a number >= 0", self.strength)


@register("l2_init")
class L2Init(Method):
    """Adds λ‖θ − θ₀‖² over every weight and bias, θ₀ being this network's own initial parameters.

    Kumar et al. 2023 (§3): regressing toward the actual initial values, not a fresh sample, keeps plasticity.
    """

    citation = "Kumar, Marklund, Van Roy 2023, Maintaining Plasticity in Continual Learning via Regenerative Regularization (§3)"
    paper_url = "https://arxiv.org/abs/2308.11958"
    Config = L2InitConfig
    search_space = SearchSpace(
        {"strength": FloatRange(1e-5, 1e-1, log=True)},
        source="Kumar et al. 2023 §5 grid {1e-5, …, 1e-2} and App. A.2.5 sensitivity range 1e-5 to 1e-1",
    )

    def __init__(self, config: L2InitConfig | None = None):
        super().__init__(config)
        self._params: list[torch.nn.Parameter] = []
        self._anchors: list[torch.Tensor] = []

    def start(self, learner: Learner) -> None:
        self._bind(learner)
        learner.on_parameters_replaced(lambda: self._bind(learner))

    def _bind(self, learner: Learner) -> None:
        named = [(n, p) for n, p in learner.model.named_parameters() if p.requires_grad and n in learner.initial_state]
        self._params = [p for _, p in named]
        self._anchors = [learner.initial_state[n] for n, _ in named]

    def penalty(self, learner: Learner) -> torch.Tensor | None:
        if not self._params:
            return None
        differences = torch._foreach_sub(self._params, self._anchors)
        return self.config.strength * sum(d.pow(2).sum() for d in differences)
