"""Plasticity injection (Nikishin, Oh, Ostrovski, Lyle, Pascanu, Dabney, Barreto 2023, *Deep RL with Plasticity Injection*, §3, Fig. 2)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import torch
from torch import nn

from methods._layers import fresh_copy, set_module
from methods.base import Method, register
from core.search_space import nothing_to_tune
from core.config import require
from core.errors import MethodError
from methods.learner import Learner, TaskInfo


class InjectedHead(nn.Module):
    """h_θ(x) + (h_θ′a(x) − h_θ′b(x)): the frozen old head plus a fresh trainable head minus its frozen twin.

    The difference is computed first so that it is exactly zero at injection, bit for bit.
    """

    def __init__(self, original: nn.Module, fresh: nn.Module):
        super().__init__()
        self.original = original
        self.trainable = fresh
        self.frozen_copy = copy.deepcopy(fresh)
        for param in list(self.original.parameters()) + list(self.frozen_copy.parameters()):
            param.requires_grad_(False)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.original(features) + (self.trainable(features) - self.frozen_copy(features))


@dataclass(frozen=True)
class InjectionConfig:
    """at_step: the optimizer step after which the head is injected, once; none = half of the run's steps
    (❓ the paper injects once, mid-training; total_steps/2 as in Plasticine; docs/methods.md).
    If that step is a task's last, the injection waits for the next task's start (after the task is measured)."""

    at_step: int | None = None

    def __post_init__(self) -> None:
        require(self.at_step is None or self.at_step >= 1, "injection", "at_step",
                "a positive integer (the step to inject after) or none (half of the run)", self.at_step)


@register("injection")
class PlasticityInjection(Method):
    """Once, freeze the output layer θ and add a fresh head θ′ minus a frozen copy of it: the output is
    unchanged at injection and the trainable parameter count too; the encoder keeps training.

    Nikishin et al. 2023 (NeurIPS, §3, Fig. 2). The optimizer is rebuilt over the new trainable
    parameters, keeping the encoder's optimizer state (pitfalls.md item 1).
    """

    summary = "Plasticity injection: freeze the head, add a fresh head minus its frozen twin; output unchanged (Nikishin et al. 2023)."
    citation = "Nikishin, Oh, Ostrovski, Lyle, Pascanu, Dabney, Barreto 2023, Deep Reinforcement Learning with Plasticity Injection, NeurIPS (§3, Fig. 2)"
    paper_url = "https://arxiv.org/abs/2305.15555"
    Config = InjectionConfig
    search_space = nothing_to_tune("one injection at half the run; its timing is the protocol's, not a tuned value")
    version = 2

    def __init__(self, config: InjectionConfig | None = None):
        super().__init__(config)
        self.injected = False

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if self.config.at_step is None and learner.total_steps is None:
            raise MethodError("injection.at_step is needed here: this loop does not say how many steps the run has "
                              "(set it with --set injection.at_step=N)")
        if self.due(learner):
            self.inject(learner)

    def injection_step(self, learner: Learner) -> int:
        """The step after which the head is injected: `at_step`, or half of the run's steps."""
        return self.config.at_step if self.config.at_step is not None else max(1, learner.total_steps // 2)

    def due(self, learner: Learner) -> bool:
        return not self.injected and learner.step >= self.injection_step(learner)

    def after_step(self, learner: Learner) -> None:
        if not learner.at_task_end and self.due(learner):
            self.inject(learner)

    def inject(self, learner: Learner) -> None:
        """Swap the output layer for an `InjectedHead`, update the description, rebuild the optimizer."""
        network = learner.network
        path = network.output.name
        original = learner.module(path)
        head = InjectedHead(original, fresh_copy(learner.model, original))
        set_module(learner.model, path, head)
        parts = tuple(f"{path}.{name}" for name in ("original", "trainable", "frozen_copy"))
        network.layers = [
            replace(info, name=f"{path}.trainable") if info.name == path
            else replace(info, consumers=tuple(c for consumer in info.consumers for c in (parts if consumer == path else (consumer,))))
            for info in network.layers
        ]
        self.injected = True
        learner.rebuild_optimizer(keep_state=True)
