"""PSGD-Kron: a Kronecker-factored preconditioned optimizer (Li 2018), wrapping the `kron-torch` package."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from methods._step_sizes import adam_lr
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from core.errors import MethodError
from methods.learner import Learner, OptimizerSpec


@dataclass(frozen=True)
class KronConfig:
    """lr: step size (none: the Adam lr / 3, the package's advice for Adam users; the Adam lr is the benchmark's,
    or Adam's customary 1e-3 on an SGD benchmark, `adam_lr`); b1: momentum;
    weight_decay: decoupled, on matrices only; precond_lr: the preconditioner's own step size;
    memory_save_mode: which factors are diagonal ('smart_one_diag': a dimension much larger than the
    others, such as a 784-pixel input, gets a diagonal factor instead of a 784x784 triangle); compile: use the package's torch.compile kernels
    (about 30 s to compile on a CPU; off runs them eagerly with the same numbers)."""

    lr: float | None = None
    b1: float = 0.9
    weight_decay: float = 0.0
    precond_lr: float = 0.1
    memory_save_mode: Literal["none", "smart_one_diag", "one_diag", "all_diag"] = "smart_one_diag"
    compile: bool = False

    def __post_init__(self) -> None:
        require(self.lr is None or self.lr > 0, "kron", "lr", "a positive number or none", self.lr)
        require(0 <= self.b1 < 1, "kron", "b1", "a number in [0, 1)", self.b1)
        require(self.weight_decay >= 0, "kron", "weight_decay", "a number >= 0", self.weight_decay)
        require(self.precond_lr > 0, "kron", "precond_lr", "a positive number", self.precond_lr)


def quiet_kron_class(compile: bool) -> type[torch.optim.Optimizer]:
    """`kron_torch.Kron` whose `step` prints nothing and, unless `compile`, runs its kernels eagerly."""
    from kron_torch import Kron

    class QuietKron(Kron):
        def step(self, closure=None):  # type: ignore[override]
            stance = contextlib.nullcontext() if compile else torch.compiler.set_stance("force_eager")
            with stance, contextlib.redirect_stdout(io.StringIO()):
                return super().step(closure)

    return QuietKron


@register("kron")
class KronOptimizer(Method):
    """Replace the benchmark's optimizer by PSGD-Kron: momentum preconditioned by per-dimension Kronecker factors.

    Li 2018, Preconditioner on Matrix Lie Group for SGD (ICLR 2019), §4 (Kronecker-product preconditioners);
    the `kron-torch` package (Walters, Pooladzandi, Li) implements it.
    """

    citation = "Li 2018, Preconditioner on Matrix Lie Group for SGD, ICLR 2019 (§4, Kronecker-product preconditioners); package kron-torch"
    paper_url = "https://arxiv.org/abs/1809.10232"
    Config = KronConfig
    search_space = nothing_to_tune("its step size follows the benchmark's (Adam lr / 3), which is tuned as bench.lr")
    roles = frozenset({"optimizer"})
    version = 2

    def __init__(self, config: object | None = None):
        super().__init__(config)
        if importlib.util.find_spec("kron_torch") is None:
            raise MethodError(f"{self.name} needs the package kron-torch; install it with: pip install 'clbench[optimizers]'")

    def optimizer(self, learner: Learner, params: list[nn.Parameter], spec: OptimizerSpec) -> torch.optim.Optimizer:
        config = self.config
        lr = config.lr if config.lr is not None else adam_lr(spec) / 3
        return quiet_kron_class(config.compile)(
            params,
            lr=lr,
            b1=config.b1,
            weight_decay=config.weight_decay,
            precond_lr=config.precond_lr,
            memory_save_mode=None if config.memory_save_mode == "none" else config.memory_save_mode,
        )
