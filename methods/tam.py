"""Torque-Aware Momentum (Malviya, Mehta, Ye, Lillicrap, Cheung, Chandar 2024, arXiv 2412.18790, §3; spec §2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from methods.base import Method, register
from core.search_space import Choice, SearchSpace
from core.config import require
from methods.learner import Learner, OptimizerSpec

Granularity = Literal["tensor", "element"]


def alignment(momentum: torch.Tensor, grad: torch.Tensor, granularity: Granularity) -> torch.Tensor:
    """s_t: cos∠(m_{t−1}, g_t) per tensor (a scalar), or, for "element", the product of column-normalised
    tensors elementwise (the reading of pytorch-optimizer's TAM; not a cosine)."""
    if granularity == "tensor":
        denominator = momentum.norm() * grad.norm()
        return (momentum * grad).sum() / denominator.clamp_min(1e-12)
    return F.normalize(momentum, p=2.0, dim=0) * F.normalize(grad, p=2.0, dim=0)


def damped_gradient(state: dict, grad: torch.Tensor, momentum_key: str, decay: float, eps: float, granularity: Granularity) -> torch.Tensor:
    """(ε + d_t)·g_t with d_t = (1 + ŝ_t)/2 and ŝ_t = γŝ_{t−1} + (1−γ)s_t; updates ŝ in `state`."""
    s = alignment(state[momentum_key], grad, granularity)
    state["smoothed_alignment"].mul_(decay).add_(s, alpha=1 - decay)
    return grad * ((1 + state["smoothed_alignment"]) / 2 + eps)


class TorqueAwareMomentumOptimizer(torch.optim.Optimizer):
    """m_t = βm_{t−1} + (ε + d_t)g_t; θ ← θ − ηm_t, with m_0 = g_1 (no (1−β) factor; spec §2.5 TAM 1–5)."""

    def __init__(self, params, lr: float, momentum: float = 0.9, decay: float = 0.9, eps: float = 1e-8, granularity: Granularity = "tensor"):
        super().__init__(params, dict(lr=lr, momentum=momentum, decay=decay, eps=eps, granularity=granularity))

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                state = self.state[param]
                if not state:
                    state["momentum_buffer"] = grad.clone()
                    shape = () if group["granularity"] == "tensor" else grad.shape
                    state["smoothed_alignment"] = torch.zeros(shape, dtype=grad.dtype, device=grad.device)
                damped = damped_gradient(state, grad, "momentum_buffer", group["decay"], group["eps"], group["granularity"])
                state["momentum_buffer"].mul_(group["momentum"]).add_(damped)
                param.add_(state["momentum_buffer"], alpha=-group["lr"])
        return loss


LR_PER_ADAM_LR = 30.0
"""TAM's lr over an Adam benchmark's lr, which sets no SGD step to match: chosen by a short sweep on
random-label-mnist and permuted-mnist at Adam 1e-3 (docs/methods.md, TAM / AdaTAM)."""


def default_lr(spec: OptimizerSpec, momentum: float) -> float:
    """TAM's lr when none is given. SGD benchmark (lr η, momentum μ): η(1−β)/(1−μ), so that TAM's steady
    step at full alignment, lr·g/(1−β), is the benchmark's ηg/(1−μ). Adam benchmark: `LR_PER_ADAM_LR`·η."""
    if spec.name == "sgd":
        return spec.lr * ((1 - momentum) / (1 - spec.momentum))
    return LR_PER_ADAM_LR * spec.lr


@dataclass(frozen=True)
class TAMConfig:
    """lr: step size (None: TAM's own default, `default_lr`); momentum β (0.9); decay γ of the alignment
    average (0.9); eps (1e-8); granularity: "tensor" (one cosine per parameter tensor, the paper's "angle")
    or "element"."""

    lr: float | None = None
    momentum: float = 0.9
    decay: float = 0.9
    eps: float = 1e-8
    granularity: Granularity = "tensor"

    def __post_init__(self) -> None:
        require(self.lr is None or self.lr > 0, "tam", "lr", "a positive number or none", self.lr)
        require(0 <= self.momentum < 1, "tam", "momentum", "a number in [0, 1)", self.momentum)
        require(0 <= self.decay < 1, "tam", "decay", "a number in [0, 1)", self.decay)
        require(self.eps >= 0, "tam", "eps", "a number >= 0", self.eps)
        require(self.granularity in ("tensor", "element"), "tam", "granularity", "'tensor' or 'element'", self.granularity)


@register("tam")
class TAM(Method):
    """SGD with momentum whose new gradient is damped by its alignment with the momentum:
    d = (1 + ŝ)/2, ŝ a running cosine (Malviya et al. 2024, §3), to handle distribution shifts.
    """

    summary = "Torque-Aware Momentum: SGD momentum with gradients damped by their alignment to it (Malviya et al. 2024)."
    citation = "Malviya, Mehta, Ye, Lillicrap, Cheung, Chandar 2024, Torque-Aware Momentum, arXiv 2412.18790 (§3)"
    paper_url = "https://arxiv.org/abs/2412.18790"
    Config = TAMConfig
    search_space = SearchSpace(
        {"decay": Choice((0.5, 0.9, 0.99))},
        source="ours: decay γ 0.5, 0.9 (the paper's) or 0.99; step size through bench.lr",
    )
    roles = frozenset({"optimizer"})
    version = 2

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer:
        c = self.config
        lr = c.lr if c.lr is not None else default_lr(spec, c.momentum)
        return TorqueAwareMomentumOptimizer(params, lr, c.momentum, c.decay, c.eps, c.granularity)
