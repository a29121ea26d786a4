"""Concatenated ReLU (Shang et al. 2016) against plasticity loss, as in Abbas et al. 2023, §5."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods._two_feature_activations import UNIT_SCORING_METHODS, TwoFeatureActivation, residual_reason, swap_activations
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


class CReLU(TwoFeatureActivation):
    """CReLU(z) = [ReLU(z), ReLU(−z)] per unit: every unit passes gradient for any sign of z."""

    def first(self, z: torch.Tensor) -> torch.Tensor:
        return torch.relu(z)

    def second(self, z: torch.Tensor) -> torch.Tensor:
        return torch.relu(-z)


@dataclass(frozen=True)
class CReLUConfig:
    """units: fraction of each hidden layer's units kept. 0.5 keeps every layer's feature count (2 per unit)
    as in the baseline; 1.0 keeps the units and doubles the features the next layer reads."""

    units: float = 0.5

    def __post_init__(self) -> None:
        require(0 < self.units <= 1, "crelu", "units", "a fraction in (0, 1]", self.units)


@register("crelu")
class ConcatenatedReLU(Method):
    """Swap every hidden ReLU for CReLU, halving units so each layer emits as many features as before.

    Abbas, Zhao, Modayil, White, Machado 2023, Loss of Plasticity in Continual Deep RL (§5): CReLU keeps
    gradients flowing and mitigates plasticity loss. Parameter counts: see docs/methods.md (second wave).
    """

    citation = "Abbas, Zhao, Modayil, White, Machado 2023, Loss of Plasticity in Continual Deep Reinforcement Learning, CoLLAs (§5); CReLU: Shang et al. 2016"
    paper_url = "https://arxiv.org/abs/2303.07507"
    Config = CReLUConfig
    search_space = nothing_to_tune("the share of concatenated units is an architecture setting, not tuned")
    roles = frozenset({"activation"})
    incompatible_with = UNIT_SCORING_METHODS

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        return super().applies_to(network, family) or residual_reason(network, self.name)

    def prepare(self, learner: Learner) -> None:
        learner.state[self.name] = {"resized": swap_activations(learner, CReLU, self.config.units)}

