"""LayerNorm before every hidden nonlinearity (Lyle et al. 2024, *Disentangling the Causes of Plasticity Loss*, §4)."""

from __future__ import annotations

from dataclasses import dataclass

from methods._layers import insert_layer_norms
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


@dataclass(frozen=True)
class LayerNormConfig:
    """eps: the norm's variance floor; affine: learn a per-unit scale γ (init 1) and offset β (init 0)."""

    eps: float = 1e-5
    affine: bool = True

    def __post_init__(self) -> None:
        require(self.eps > 0, "layernorm", "eps", "a positive number", self.eps)


def hidden_layers_without_norm_slot(network: NetworkDescription) -> list[str]:
    return [info.name for info in network.hidden if info.norm is None]


@register("layernorm")
class LayerNorm(Method):
    """LayerNorm before every hidden nonlinearity: keeps pre-activations centred (Lyle et al. 2024, §4).

    Linear layers get `LayerNorm(width)`; conv layers `GroupNorm(1, C)`, which normalises over (C, H, W).
    A BatchNorm already in a slot is replaced, so the architecture is the same on every family.
    """

    citation = "Lyle, Zheng, Khetarpal, van Hasselt, Pascanu, Martens, Dabney 2024, Disentangling the Causes of Plasticity Loss in Neural Networks, CoLLAs (§4)"
    paper_url = "https://arxiv.org/abs/2402.18762"
    Config = LayerNormConfig
    search_space = nothing_to_tune("eps and affine are architecture settings, not tuned")
    roles = frozenset({"normalization"})

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        reason = super().applies_to(network, family)
        if reason:
            return reason
        if not any(info.norm for info in network.hidden):
            return f"{self.name} needs hidden layers with a norm slot; this {network.family} has none"
        return None

    def prepare(self, learner: Learner) -> None:
        insert_layer_norms(learner, self.config.eps, self.config.affine)
