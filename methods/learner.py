"""The training state that every loop (supervised, regression, Atari) hands to method hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import torch
from torch import nn

from core.config import require
from core.errors import MethodError
from methods.network import DescribedModel, NetworkDescription

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


@dataclass
class StepSchedule:
    """Fires every `every` optimizer steps; a firing due on a task's last step waits for the next task's start,
    so that no reset lands between a task's last update and the loop's end-of-task measurement."""

    every: int
    deferred: bool = False

    def due_after_step(self, learner: Learner) -> bool:
        """Call from `after_step`: whether to act now (a firing on a task's last step is held back)."""
        if learner.step % self.every:
            return False
        if learner.at_task_end:
            self.deferred = True
            return False
        return True

    def due_at_task_start(self) -> bool:
        """Call from `on_task_start`: whether a firing was held back at the end of the previous task."""
        due, self.deferred = self.deferred, False
        return due


class UpdateObserver(Protocol):
    """Watches one update (the diagnostics tracker): raw gradients before any hook, weights after every hook."""

    def before_update(self, learner: Learner) -> None: ...

    def after_update(self, learner: Learner) -> None: ...


class Learner:
    """What a method sees of a run: model, layer description, optimizer, clock and current batch.

    `update(loss)` is the one place the per-step hook protocol runs; every loop calls it. Methods that
    replace or re-create parameters must call `rebuild_optimizer()` (or reset the state of the parameters
    they touched): loops always read `learner.optimizer`, never a stale copy.
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
        self._task: TaskInfo | None = None
        self.task_start_step = 0
        self.initial_state: dict[str, torch.Tensor] = {}
        self.last_inputs: torch.Tensor | None = None
        self.last_targets: torch.Tensor | None = None
        self.batch_loss: Callable[[nn.Module], torch.Tensor] | None = None
        self.state: dict[str, Any] = {}
        self.total_steps: int | None = None  # the run's optimizer steps, set by loops that know them in advance
        self._on_parameters_replaced: list[Callable[[], None]] = []
        self._has_penalty = method.overrides("penalty")
        self._has_before_step = method.overrides("before_step")
        self._has_after_step = method.overrides("after_step")

    # -- the update step: penalty → backward → before_step → optimizer step → after_step ----------------
    def update(self, loss: torch.Tensor, observer: UpdateObserver | None = None) -> None:
        """One optimizer step on `loss` (the task loss of `last_inputs`), with the method's hooks in order.

        `observer`, when given, sees the raw gradients (after backward, before `before_step`) and the
        weights after `after_step`. Hooks a method does not override are skipped (the fast path).
        """
        loss = self.with_penalty(loss)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if observer is not None:
            observer.before_update(self)
        self.before_optimizer_step()
        self.optimizer.step()
        self.after_optimizer_step()
        if observer is not None:
            observer.after_update(self)

    def with_penalty(self, loss: torch.Tensor) -> torch.Tensor:
        """`loss` plus the method's penalty, if it has one (the first phase of `update`)."""
        if self._has_penalty:
            extra = self.method.penalty(self)
            if extra is not None:
                return loss + extra
        return loss

    def before_optimizer_step(self) -> None:
        """Gradients are populated: the method's `before_step` (a phase of `update`)."""
        if self._has_before_step:
            self.method.before_step(self)

    def after_optimizer_step(self) -> None:
        """The optimizer has stepped: count the step, then the method's `after_step` (a phase of `update`)."""
        self.step += 1
        if self._has_after_step:
            self.method.after_step(self)

    # -- where the run is within the current task ---------------------------------------------------------
    @property
    def task(self) -> TaskInfo | None:
        """The current task; loops set it at each task start, which records the step the task starts at."""
        return self._task

    @task.setter
    def task(self, info: TaskInfo | None) -> None:
        self._task = info
        self.task_start_step = self.step

    @property
    def steps_left_in_task(self) -> int | None:
        """Updates still to come in the current task (0 after its last); None when the loop gives no size."""
        if self._task is None or self._task.steps <= 0:
            return None
        return self._task.steps - (self.step - self.task_start_step)

    @property
    def at_task_end(self) -> bool:
        """Whether the update just counted was the task's last: the loop measures the task next."""
        left = self.steps_left_in_task
        return left is not None and left <= 0

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


def prepare_learner(
    model: DescribedModel,
    method: Method,
    optimizer_spec: OptimizerSpec,
    family: str,
    device: str | torch.device,
    learner_type: Callable[..., Learner] | None = None,
) -> Learner:
    """Check the method applies, let it change the model, move it to the device, record θ₀, build the optimizer.

    `learner_type` builds the Learner (a subclass with its own default optimizer, as the Avalanche bridge has).
    """
    network = model.describe()
    reason = method.applies_to(network, family)
    if reason:
        raise MethodError(f"method '{method.spec}' cannot run here: {reason}")
    learner = (learner_type or Learner)(model, network, optimizer_spec, method, family=family)
    method.prepare(learner)
    learner.model.to(device)
    learner.snapshot_initial_state()
    learner.build_optimizer()
    method.start(learner)
    return learner
