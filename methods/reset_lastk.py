"""Re-initialise the last k layers every N tasks or N steps (Nikishin et al. 2022, *The Primacy Bias in Deep RL*, §4; spec §2.3 c)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch import nn

from methods._layers import reinitialise_modules
from methods.base import Method, register
from core.search_space import Choice, IntRange, SearchSpace
from core.config import require
from methods.learner import Learner, StepSchedule, TaskInfo
from methods.network import NetworkDescription


@dataclass(frozen=True)
class ResetLastKConfig:
    """k: weight layers counted back from the output (with their norms); every/unit: reset every N tasks
    (at the task's start, as Dohare et al. 2024 reset the head) or every N optimizer steps (Nikishin et
    al. 2022's RL recipe: SPR resets every 20k of 100k steps). A step reset due on a task's last step
    waits for the next task's start, so end-of-task measurements see the trained network."""

    k: int = 2
    every: int = 1
    unit: Literal["task", "step"] = "task"

    def __post_init__(self) -> None:
        require(self.k >= 1, "reset_lastk", "k", "a positive integer (layers counted from the output)", self.k)
        require(self.unit in ("task", "step"), "reset_lastk", "unit", "'task' or 'step'", self.unit)
        require(self.every >= 1, "reset_lastk", "every", f"a positive integer ({self.unit}s between resets)", self.every)
        require(self.unit == "task" or self.every >= 2, "reset_lastk", "every",
                "at least 2 with unit='step' (steps between resets, e.g. 20000 as in SPR); 1 would reset after every update",
                self.every)


@register("reset_lastk")
class ResetLastK(Method):
    """Every `every` tasks (or steps), re-draw the last `k` weight layers (with their norms) and forget their optimizer state.

    Nikishin et al. 2022 (ICML, §4): periodic resets of the last layers undo the primacy bias.
    """

    citation = "Nikishin, Schwarzer, D'Oro, Bacon, Courville 2022, The Primacy Bias in Deep Reinforcement Learning, ICML (§4)"
    paper_url = "https://arxiv.org/abs/2205.07802"
    Config = ResetLastKConfig
    search_space = SearchSpace(
        {"k": IntRange(1, 2), "every": Choice((1, 2, 5))},
        source="ours: the head alone or with the last hidden layer (every MLP here has two); every 1, 2 or 5 tasks",
    )
    version = 2

    def __init__(self, config: ResetLastKConfig | None = None):
        super().__init__(config)
        self.schedule = StepSchedule(self.config.every)

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        reason = super().applies_to(network, family)
        if reason:
            return reason
        if self.config.k > len(network.layers):
            return (
                f"reset_lastk.k={self.config.k} is more than the {len(network.layers)} weight layers of this "
                f"{network.family} ({', '.join(i.name for i in network.layers)})"
            )
        return None

    def layers_to_reset(self, learner: Learner) -> list[str]:
        return [info.name for info in learner.network.layers[-self.config.k :]]

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if self.config.unit == "task":
            if task.index > 0 and task.index % self.config.every == 0:
                self.reset(learner)
        elif self.schedule.due_at_task_start():
            self.reset(learner)

    def after_step(self, learner: Learner) -> None:
        if self.config.unit == "step" and self.schedule.due_after_step(learner):
            self.reset(learner)

    def reset(self, learner: Learner) -> None:
        """Re-draw the last k layers and their norms now, and forget their optimizer state."""
        modules: list[nn.Module] = []
        for info in learner.network.layers[-self.config.k :]:
            modules.append(learner.module(info.name))
            if info.norm is not None:
                modules.append(learner.module(info.norm))
        learner.reset_optimizer_state(reinitialise_modules(learner, modules))
