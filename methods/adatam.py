"""AdaTAM: Torque-Aware Momentum with Adam's second moment (Malviya et al. 2024, arXiv 2412.18790, §3; spec §2.5 item 6)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from methods._step_sizes import adam_lr
from methods.base import Method, register
from core.search_space import Choice, SearchSpace
from core.config import require
from methods.learner import Learner, OptimizerSpec
from methods.tam import Granularity, damped_gradient


class AdaTAMOptimizer(torch.optim.Optimizer):
    """m_t = β₁m + (ε + d_t)g; v_t = β₂v + (1−β₂)g²; θ ← θ − η m_t/(√v_t + ε); m_0 = v_0 = 0, no bias correction."""

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), decay: float = 0.9, eps: float = 1e-8, granularity: Granularity = "tensor"):
        super().__init__(params, dict(lr=lr, betas=betas, decay=decay, eps=eps, granularity=granularity))

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                state = self.state[param]
                if not state:
                    state["exp_avg"] = torch.zeros_like(grad)
                    state["exp_avg_sq"] = torch.zeros_like(grad)
                    shape = () if group["granularity"] == "tensor" else grad.shape
                    state["smoothed_alignment"] = torch.zeros(shape, dtype=grad.dtype, device=grad.device)
                damped = damped_gradient(state, grad, "exp_avg", group["decay"], group["eps"], group["granularity"])
                state["exp_avg"].mul_(beta1).add_(damped)
                state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                param.addcdiv_(state["exp_avg"], state["exp_avg_sq"].sqrt().add_(group["eps"]), value=-group["lr"])
        return loss


def default_lr(spec: OptimizerSpec, beta1: float) -> float:
    """(1−β₁)·η_Adam: without Adam's (1−β₁), m tends to d·g/(1−β₁), so this makes AdaTAM's steady step at full
    alignment Adam's; η_Adam is the benchmark's lr, or Adam's customary one on an SGD benchmark (`adam_lr`)."""
    return (1 - beta1) * adam_lr(spec)


@dataclass(frozen=True)
class AdaTAMConfig:
    """lr (None: AdaTAM's own default, `default_lr`); betas (β₁, β₂) = (0.9, 0.999); decay γ (0.9); eps (1e-8);
    granularity as for tam."""

    lr: float | None = None
    betas: tuple[float, ...] = (0.9, 0.999)
    decay: float = 0.9
    eps: float = 1e-8
    granularity: Granularity = "tensor"

    def __post_init__(self) -> None:
        require(self.lr is None or self.lr > 0, "adatam", "lr", "a positive number or none", self.lr)
        require(len(self.betas) == 2 and all(0 <= b < 1 for b in self.betas), "adatam", "betas", "two numbers in [0, 1), e.g. 0.9,0.999", self.betas)
        require(0 <= self.decay < 1, "adatam", "decay", "a number in [0, 1)", self.decay)
        require(self.eps >= 0, "adatam", "eps", "a number >= 0", self.eps)
        require(self.granularity in ("tensor", "element"), "adatam", "granularity", "'tensor' or 'element'", self.granularity)


@register("adatam")
class AdaTAM(Method):
    """Adam-style TAM: the torque-damped momentum divided by the root of Adam's second moment (Malviya et al. 2024, §3)."""

    citation = "Malviya, Mehta, Ye, Lillicrap, Cheung, Chandar 2024, Torque-Aware Momentum, arXiv 2412.18790 (§3, AdaTAM)"
    paper_url = "https://arxiv.org/abs/2412.18790"
    Config = AdaTAMConfig
    search_space = SearchSpace(
        {"decay": Choice((0.5, 0.9, 0.99))},
        source="ours: decay γ 0.5, 0.9 (the paper's) or 0.99; step size through bench.lr",
    )
    roles = frozenset({"optimizer"})
    version = 2

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer:
        c = self.config
        lr = c.lr if c.lr is not None else default_lr(spec, c.betas[0])
        return AdaTAMOptimizer(params, lr, tuple(c.betas), c.decay, c.eps, c.granularity)
