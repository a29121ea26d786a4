"""LayerNorm + decoupled weight decay (Lyle et al. 2024, *Disentangling*, §4 and abstract)."""

from __future__ import annotations

from dataclasses import dataclass

from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.layernorm import LayerNorm, LayerNormConfig
from methods.learner import Learner
from methods.network import NetworkDescription
from methods.weight_decay import WeightDecayConfig, decay_parameters


@dataclass(frozen=True)
class LayerNormWeightDecayConfig:
    """eps/affine: the inserted LayerNorms; weight_decay: decoupled λ (spec §2.2 default 1e-2)."""

    eps: float = 1e-5
    affine: bool = True
    weight_decay: float = 1e-2

    def __post_init__(self) -> None:
        require(self.eps > 0, "ln_wd", "eps", "a positive number", self.eps)
        require(self.weight_decay >= 0, "ln_wd", "weight_decay", "a number >= 0", self.weight_decay)


@register("ln_wd")
class LayerNormWeightDecay(Method):
    """LayerNorm before every hidden nonlinearity plus decoupled weight decay on all parameters.

    Lyle et al. 2024: "a combination of layer normalization and weight decay is highly effective at
    maintaining plasticity" (abstract); the norm fights pre-activation shift, the decay norm growth (§4).
    """

    citation = "Lyle, Zheng, Khetarpal, van Hasselt, Pascanu, Martens, Dabney 2024, Disentangling the Causes of Plasticity Loss in Neural Networks, CoLLAs (§4)"
    paper_url = "https://arxiv.org/abs/2402.18762"
    Config = LayerNormWeightDecayConfig
    search_space = SearchSpace(
        {"weight_decay": FloatRange(1e-4, 1.0, log=True)},
        source="ours, as weight_decay (Lyle et al. 2024's grid not recovered): lr·λ from 1e-7 to 1e-3 per step at Adam 1e-3",
    )
    roles = frozenset({"normalization", "weight_decay"})

    def __init__(self, config: LayerNormWeightDecayConfig | None = None):
        super().__init__(config)
        self._norm = LayerNorm(LayerNormConfig(eps=self.config.eps, affine=self.config.affine))
        self._decay = WeightDecayConfig(weight_decay=self.config.weight_decay)

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        return super().applies_to(network, family) or self._norm.applies_to(network, family)

    def prepare(self, learner: Learner) -> None:
        self._norm.prepare(learner)

    def before_step(self, learner: Learner) -> None:
        decay_parameters(learner.optimizer, self._decay.weight_decay)
