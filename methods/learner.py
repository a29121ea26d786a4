"""The training state that every loop (supervised, regression, Atari) hands to method hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import nn

from methods.config import require
from methods.network import NetworkDescription

if TYPE_CHECKING:
    from methods.base import Method


@dataclass(frozen=True)
class OptimizerSpec:
    """The benchmark's default optimizer. Methods may wrap or replace it (see `Method.optimizer`)."""

    name: Literal["adam", "sgd"] = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        require(self.name in ("adam", "sgd"), "optimizer", "name", "'adam' or 'sgd'", self.name)
        require(self.lr > 0, "optimizer", "lr", "a positive number", self.lr)
        require(0 <= self.momentum < 1, "optimizer", "momentum", "a number in [0, 1)", self.momentum)

    def build(self, params: Iterable[nn.Parameter] | Iterable[dict[str, Any]]) -> torch.optim.Optimizer:
        if self.name == "adam":
            return torch.optim.Adam(params, lr=self.lr, betas=self.betas, eps=self.eps, weight_decay=self.weight_decay)
        return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)


@dataclass(frozen=True)
class TaskInfo:
    """A stationary segment of the stream: its index, a name (a game, a permutation) and its size."""

    index: int
    name: str
    steps: int
    cycle: int = 0


class Learner:
    """What a method sees of a run: model, layer description, optimizer, clock and current batch.

    Methods that replace or re-create parameters must call `rebuild_optimizer()` (or reset the state of
    the parameters they touched): loops always read `learner.optimizer`, never a stale copy.
    """

    def __init__(
        self,
        model: nn.Module,
        network: NetworkDescription,
        optimizer_spec: OptimizerSpec,
        method: Method,
        family: str = "supervised",
    ):
        self.model = model
        self.network = network
        self.optimizer_spec = optimizer_spec
        self.method = method
        self.family = family
        self.optimizer: torch.optim.Optimizer | None = None
        self.step = 0
        self.task: TaskInfo | None = None
        self.initial_state: dict[str, torch.Tensor] = {}
        self.last_inputs: torch.Tensor | None = None
        self.last_targets: torch.Tensor | None = None
        self.batch_loss: Callable[[nn.Module], torch.Tensor] | None = None
        self.state: dict[str, Any] = {}
        self.total_steps: int | None = None  # the run's optimizer steps, set by loops that know them in advance
        self._on_parameters_replaced: list[Callable[[], None]] = []

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def module(self, path: str) -> nn.Module:
        return self.model.get_submodule(path)

    def snapshot_initial_state(self) -> None:
        """Record θ₀: the parameters after `prepare`, before the first step."""
        self.initial_state = {name: p.detach().clone() for name, p in self.model.named_parameters()}

    def build_optimizer(self) -> torch.optim.Optimizer:
        """Ask the method for an optimizer; fall back to the benchmark's default."""
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = self.method.optimizer(self, params, self.optimizer_spec) or self.optimizer_spec.build(params)
        return self.optimizer

    def rebuild_optimizer(self, keep_state: bool = False) -> torch.optim.Optimizer:
        """A fresh optimizer over the model's current trainable parameters; listeners are told.

        keep_state: carry the old optimizer's state over for parameters that are still trained (used when
        parameters are added or frozen, e.g. plasticity injection), instead of starting every state afresh.
        """
        previous = self.optimizer
        optimizer = self.build_optimizer()
        if keep_state and previous is not None:
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param in previous.state:
                        optimizer.state[param] = previous.state[param]
        self.parameters_replaced()
        return optimizer

    def reset_optimizer_state(self, params: Iterable[torch.Tensor]) -> None:
        """Forget the optimizer state (moments, step counts) of `params`, as a fresh optimizer would have."""
        if self.optimizer is None:
            return
        for param in params:
            self.optimizer.state.pop(param, None)

    def on_parameters_replaced(self, callback: Callable[[], None]) -> None:
        """Register a callback (an RL target network, say) to run whenever a method swaps parameters."""
        self._on_parameters_replaced.append(callback)

    def parameters_replaced(self) -> None:
        for callback in self._on_parameters_replaced:
            callback()
