"""Deep Fourier features: [sin z, cos z] per unit as the hidden activation (Lewandowski et al. 2024, §4)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from methods._two_feature_activations import UNIT_SCORING_METHODS, TwoFeatureActivation, residual_reason, swap_activations
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


class SinCos(TwoFeatureActivation):
    """φ(z) = [sin z, cos z] per unit. |φ'(z)|² = cos² z + sin² z = 1: the gradient never vanishes."""

    def first(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(z)

    def second(self, z: torch.Tensor) -> torch.Tensor:
        return torch.cos(z)


@dataclass(frozen=True)
class FourierFeaturesConfig:
    """units: fraction of each hidden layer's units kept; 0.5 keeps each layer's feature count (2 per unit)."""

    units: float = 0.5

    def __post_init__(self) -> None:
        require(0 < self.units <= 1, "fourier_features", "units", "a fraction in (0, 1]", self.units)


@register("fourier_features")
class DeepFourierFeatures(Method):
    """Replace every hidden nonlinearity by the concatenated sinusoid [sin z, cos z].

    Lewandowski, Schuurmans, Machado 2024, Plastic Learning with Deep Fourier Features (§4): each unit
    is approximately linear and never saturates, which keeps a network trainable across tasks.
    """

    citation = "Lewandowski, Schuurmans, Machado 2024, Plastic Learning with Deep Fourier Features, arXiv 2410.20634 (§4)"
    paper_url = "https://arxiv.org/abs/2410.20634"
    Config = FourierFeaturesConfig
    search_space = nothing_to_tune("the share of Fourier units is an architecture setting, not tuned")
    roles = frozenset({"activation"})
    incompatible_with = UNIT_SCORING_METHODS

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        return super().applies_to(network, family) or residual_reason(network, self.name)

    def prepare(self, learner: Learner) -> None:
        learner.state[self.name] = {"resized": swap_activations(learner, SinCos, self.config.units)}
