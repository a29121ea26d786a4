"""TRAC: the parameter-free scale tuner of Muppidi, Zhang, Yang 2024 (Algorithm 1), wrapping the base optimizer."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import torch
from torch import nn

from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from core.errors import MethodError
from methods.learner import Learner, OptimizerSpec


@dataclass(frozen=True)
class TRACConfig:
    """betas: discount factors of the one-dimensional tuners (one scale s_j each);
    s_prev: the initial scale s_init; eps: the denominators' floor. Defaults are the paper's and package's."""

    betas: tuple[float, ...] = (0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999)
    s_prev: float = 1e-8
    eps: float = 1e-8

    def __post_init__(self) -> None:
        require(len(self.betas) > 0 and all(0 < b < 1 for b in self.betas), "trac", "betas", "discount factors in (0, 1), e.g. 0.9,0.99,0.999", self.betas)
        require(self.s_prev > 0, "trac", "s_prev", "a positive number", self.s_prev)
        require(self.eps > 0, "trac", "eps", "a positive number", self.eps)


def base_optimizer(spec: OptimizerSpec) -> tuple[type[torch.optim.Optimizer], dict[str, object]]:
    """The benchmark's optimizer class and its keyword arguments (what `spec.build` would construct)."""
    if spec.name == "adam":
        return torch.optim.Adam, {"lr": spec.lr, "betas": spec.betas, "eps": spec.eps, "weight_decay": spec.weight_decay}
    return torch.optim.SGD, {"lr": spec.lr, "momentum": spec.momentum, "weight_decay": spec.weight_decay}


@register("trac")
class TRAC(Method):
    """θ_t = θ_ref + S_t Δ_t: the base optimizer's summed updates Δ, rescaled by S_t = Σ_j s_j from erfi tuners.

    Muppidi, Zhang, Yang 2024, Fast TRAC (NeurIPS), §3 and Algorithm 1. Wraps the authors' package
    `trac-optimizer` (`start_trac`) around the benchmark's own optimizer; θ_ref is θ before the first step.
    """

    citation = "Muppidi, Zhang, Yang 2024, Fast TRAC: A Parameter-Free Optimizer for Lifelong Reinforcement Learning, NeurIPS (§3, Algorithm 1)"
    paper_url = "https://arxiv.org/abs/2405.16642"
    Config = TRACConfig
    search_space = nothing_to_tune("a parameter-free optimizer wrapper: its betas are the paper's fixed set")
    roles = frozenset({"optimizer"})

    def __init__(self, config: object | None = None):
        super().__init__(config)
        if importlib.util.find_spec("trac_optimizer") is None:
            raise MethodError(f"{self.name} needs the package trac-optimizer; install it with: pip install 'clbench[optimizers]'")

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer:
        from trac_optimizer import start_trac

        base, kwargs = base_optimizer(spec)
        wrapped = start_trac(os.devnull, base, betas=self.config.betas, s_prev=self.config.s_prev, eps=self.config.eps)
        return wrapped(params, **kwargs)


def trac_state(optimizer: torch.optim.Optimizer) -> dict[str, object]:
    """The tuner state the package keeps: s (per β), variance v, σ, and θ_ref per parameter ('ref')."""
    return optimizer.state["_trac"]
