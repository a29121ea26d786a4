"""ReDo: recycle τ-dormant units (Sokar, Agarwal, Castro, Evci 2023, *The Dormant Neuron Phenomenon in Deep RL*, §4)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import torch

from methods._layers import (
    UnitGroup,
    capture_module_io,
    missing_plain_hidden_units,
    reinitialise_incoming,
    unit_groups,
    unit_scores,
    zero_outgoing,
)
from methods.base import Method, register
from core.search_space import Choice, SearchSpace
from core.config import require
from methods.learner import Learner, StepSchedule, TaskInfo
from methods.network import NetworkDescription


@dataclass(frozen=True)
class ReDoConfig:
    """tau: a unit is dormant when its score s ≤ τ (0.1 for value-based agents, §4; pitfalls.md item 4);
    every/unit: recycle every N tasks (at task end) or N steps; score_batch: inputs scored (256 in the code).
    The default, one task, is the supervised period of spec §6 (Kumar et al. 2023 tuned 1–5 tasks).
    A step recycle due on a task's last step waits for the next task's start (after the task is measured)."""

    tau: float = 0.1
    every: int = 1
    unit: Literal["task", "step"] = "task"
    score_batch: int = 256

    def __post_init__(self) -> None:
        require(self.tau >= 0, "redo", "tau", "a number >= 0", self.tau)
        require(self.every >= 1, "redo", "every", "a positive integer", self.every)
        require(self.unit in ("task", "step"), "redo", "unit", "'task' or 'step'", self.unit)
        require(self.score_batch >= 1, "redo", "score_batch", "a positive integer", self.score_batch)


@register("redo")
class ReDo(Method):
    """Every period, find τ-dormant hidden units; re-draw their incoming weights, zero their bias and
    outgoing weights, and zero the optimizer moments of exactly those rows and columns (Sokar et al. 2023, §4).

    Units that also feed a residual connection are left alone: zeroing their outgoing weights would not
    remove them from the function.
    """

    summary = "ReDo: re-draw τ-dormant units, zero their outgoing weights and optimizer moments (Sokar et al. 2023)."
    citation = "Sokar, Agarwal, Castro, Evci 2023, The Dormant Neuron Phenomenon in Deep Reinforcement Learning, ICML (§4, Eq. 1)"
    paper_url = "https://arxiv.org/abs/2302.12902"
    Config = ReDoConfig
    search_space = SearchSpace(
        {"tau": Choice((0.0, 0.01, 0.1)), "every": Choice((1, 2, 5))},
        source="Kumar et al. 2023 §5: τ ∈ {0, 0.01, 0.1} × recycle every 1, 2 or 5 tasks",
    )
    version = 2

    def __init__(self, config: ReDoConfig | None = None):
        super().__init__(config)
        self.schedule = StepSchedule(self.config.every)
        self._recent: deque[torch.Tensor] = deque()
        self._seen = 0
        self.recycled: dict[str, int] = {}

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        return super().applies_to(network, family) or missing_plain_hidden_units(self.name, network)

    def after_step(self, learner: Learner) -> None:
        self._remember(learner.last_inputs)
        if self.config.unit == "step" and self.schedule.due_after_step(learner):
            self.recycle(learner)

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if self.config.unit == "step" and self.schedule.due_at_task_start():
            self.recycle(learner)

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        if self.config.unit == "task" and (task.index + 1) % self.config.every == 0:
            self.recycle(learner)

    def _remember(self, inputs: torch.Tensor | None) -> None:
        if inputs is None:
            return
        self._recent.append(inputs)
        self._seen += len(inputs)
        while self._recent and self._seen - len(self._recent[0]) >= self.config.score_batch:
            self._seen -= len(self._recent.popleft())

    def score_inputs(self, learner: Learner) -> torch.Tensor | None:
        if self._recent:
            return torch.cat(list(self._recent))[-self.config.score_batch :]
        return learner.last_inputs

    def dormant_units(self, learner: Learner, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        """Indices of τ-dormant units per activation path (τ = 0 means exactly dead: s == 0)."""
        groups = unit_groups(learner.network, include_residual=False)
        _, activations = capture_module_io(learner.model, [g.activation for g in groups], inputs)
        found = {}
        for group in groups:
            scores = unit_scores(activations[group.activation])
            mask = scores <= self.config.tau if self.config.tau > 0 else scores == 0
            found[group.activation] = mask.nonzero().flatten()
        return found

    def recycle(self, learner: Learner) -> dict[str, int]:
        """Recycle the dormant units now; returns how many per activation path."""
        inputs = self.score_inputs(learner)
        if inputs is None:
            return {}
        dormant = self.dormant_units(learner, inputs)
        groups: dict[str, UnitGroup] = {g.activation: g for g in unit_groups(learner.network, include_residual=False)}
        for path, units in dormant.items():
            reinitialise_incoming(learner, groups[path], units)
        for path, units in dormant.items():
            zero_outgoing(learner, groups[path], units)
        self.recycled = {path: len(units) for path, units in dormant.items()}
        return self.recycled
