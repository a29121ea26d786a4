"""Continual Backprop (Dohare et al. 2024, *Loss of plasticity in deep continual learning*, Nature, Methods; spec §2.5)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from methods._layers import (
    UnitGroup,
    mean_magnitude_per_unit,
    mean_per_unit,
    missing_plain_hidden_units,
    reinitialise_incoming,
    unit_groups,
    zero_outgoing,
)
from methods.base import Method, register
from core.search_space import FloatRange, SearchSpace
from core.config import require
from methods.learner import Learner
from methods.network import NetworkDescription


@dataclass(frozen=True)
class CBPConfig:
    """replacement_rate: ρ, units replaced per mature unit per step (spec §6 grid: 1e-4);
    maturity: m, steps a unit is protected after (re)initialisation (100); decay: η of the running
    utility and mean activation (0.99 in all of Dohare's experiments); utility: "contribution" is
    |h|·mean|w_out| (Nature Eq. 1), "adaptable_contribution" is |h − ĥ|·mean|w_out| / mean|w_in| (the code)."""

    replacement_rate: float = 1e-4
    maturity: int = 100
    decay: float = 0.99
    utility: Literal["contribution", "adaptable_contribution"] = "contribution"

    def __post_init__(self) -> None:
        require(0 <= self.replacement_rate <= 1, "cbp", "replacement_rate", "a number in [0, 1]", self.replacement_rate)
        require(self.maturity >= 0, "cbp", "maturity", "an integer >= 0", self.maturity)
        require(0 <= self.decay < 1, "cbp", "decay", "a number in [0, 1)", self.decay)
        require(
            self.utility in ("contribution", "adaptable_contribution"), "cbp", "utility",
            "'contribution' or 'adaptable_contribution'", self.utility,
        )


@dataclass
class UnitStatistics:
    """Per-unit running state of one hidden layer: age, utility, mean activation, and the replacement accumulator."""

    age: torch.Tensor
    utility: torch.Tensor
    mean_activation: torch.Tensor
    accumulated: float = 0.0


@register("cbp")
class ContinualBackprop(Method):
    """Every step, replace the ρ-fraction of mature hidden units with the lowest utility: fresh incoming
    weights, zero outgoing weights (their mean contribution moved into the next layer's bias so the
    function is kept), zeroed optimizer state (Dohare et al. 2024, Methods, "continual backpropagation").

    Residual units are left alone (their skip path cannot be cut by zeroing outgoing weights).
    """

    summary = "Continual Backprop: replace the lowest-utility mature hidden units at rate ρ, keeping the function (Dohare et al. 2024)."
    citation = "Dohare, Hernandez-Garcia, Lan, Rahman, Mahmood, Sutton 2024, Loss of plasticity in deep continual learning, Nature 632 (Methods, Eq. 1)"
    paper_url = "https://doi.org/10.1038/s41586-024-07711-7"
    Config = CBPConfig
    search_space = SearchSpace(
        {"replacement_rate": FloatRange(1e-6, 1e-2, log=True)},
        source="Kumar et al. 2023 §5 grid {1e-6, …, 1e-1}; Dohare et al. 2024 code 1e-6 to 1e-2 (slowly_changing_regression/cfg), maturity 100 and decay 0.99 fixed as in both",
    )

    def __init__(self, config: CBPConfig | None = None):
        super().__init__(config)
        self.groups: list[UnitGroup] = []
        self.stats: dict[str, UnitStatistics] = {}
        self._captured: dict[str, torch.Tensor] = {}
        self._handles: list = []
        self.replaced: dict[str, list[int]] = {}

    def applies_to(self, network: NetworkDescription, family: str) -> str | None:
        return super().applies_to(network, family) or missing_plain_hidden_units(self.name, network)

    def start(self, learner: Learner) -> None:
        self.groups = unit_groups(learner.network, include_residual=False)
        device = learner.device
        for group in self.groups:
            zeros = torch.zeros(group.width, device=device)
            self.stats[group.activation] = UnitStatistics(torch.zeros(group.width, dtype=torch.long, device=device), zeros, zeros.clone())
            module = learner.module(group.activation)
            self._handles.append(module.register_forward_hook(self._capture_hook(group.activation)))

    def _capture_hook(self, path: str):
        def capture(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            if torch.is_grad_enabled():
                self._captured[path] = output.detach()
        return capture

    def after_step(self, learner: Learner) -> None:
        self.replaced = {}
        chosen: list[tuple[UnitGroup, torch.Tensor]] = []
        for group in self.groups:
            activation = self._captured.get(group.activation)
            if activation is None:
                continue
            stats = self.stats[group.activation]
            self._update_statistics(learner, group, stats, activation)
            units = self._select(stats)
            if len(units):
                chosen.append((group, units))
                self.replaced[group.activation] = units.tolist()
        self._captured.clear()
        if chosen:
            self.replace_all(learner, chosen)

    def _outgoing_magnitude(self, learner: Learner, group: UnitGroup) -> torch.Tensor:
        total = 0
        for consumer in group.consumers:
            weight = learner.module(consumer).weight.detach().abs()
            if weight.dim() == 2 and group.consumer_repeat > 1:
                per_unit = weight.reshape(weight.shape[0], group.width, group.consumer_repeat).mean(dim=(0, 2))
            else:
                per_unit = weight.transpose(0, 1).reshape(group.width, -1).mean(dim=1)
            total = total + per_unit
        return total / max(1, len(group.consumers))

    def _incoming_magnitude(self, learner: Learner, group: UnitGroup) -> torch.Tensor:
        return sum(learner.module(i.name).weight.detach().abs().flatten(1).mean(dim=1) for i in group.layers) / len(group.layers)

    def _update_statistics(self, learner: Learner, group: UnitGroup, stats: UnitStatistics, activation: torch.Tensor) -> None:
        decay = self.config.decay
        stats.age += 1
        stats.mean_activation.mul_(decay).add_(mean_per_unit(activation), alpha=1 - decay)
        outgoing = self._outgoing_magnitude(learner, group)
        if self.config.utility == "contribution":
            instant = mean_magnitude_per_unit(activation) * outgoing
        else:
            centred = activation - self.bias_corrected_mean(stats).reshape((1, -1) + (1,) * (activation.dim() - 2))
            instant = mean_magnitude_per_unit(centred) * outgoing / self._incoming_magnitude(learner, group).clamp_min(1e-12)
        stats.utility.mul_(decay).add_(instant, alpha=1 - decay)

    def bias_corrected_mean(self, stats: UnitStatistics) -> torch.Tensor:
        """ĥ / (1 − η^age): the running mean activation without its start-up bias toward zero."""
        return stats.mean_activation / (1 - self.config.decay ** stats.age.clamp_min(1).double()).float()

    def bias_corrected_utility(self, stats: UnitStatistics) -> torch.Tensor:
        return stats.utility / (1 - self.config.decay ** stats.age.clamp_min(1).double()).float()

    def _select(self, stats: UnitStatistics) -> torch.Tensor:
        eligible = (stats.age > self.config.maturity).nonzero().flatten()
        if len(eligible) == 0:
            return eligible
        stats.accumulated += self.config.replacement_rate * len(eligible)
        count = min(math.floor(stats.accumulated), len(eligible))
        if count == 0:
            return eligible[:0]
        stats.accumulated -= count
        utility = self.bias_corrected_utility(stats)[eligible]
        return eligible[torch.argsort(utility, stable=True)[:count]]

    def replace(self, learner: Learner, group: UnitGroup, units: torch.Tensor) -> None:
        """Replace `units` of one layer now (see `replace_all`)."""
        self.replace_all(learner, [(group, units)])

    @torch.no_grad()
    def replace_all(self, learner: Learner, chosen: list[tuple[UnitGroup, torch.Tensor]]) -> None:
        """Move each unit's mean contribution into its consumers' biases, re-draw every chosen unit's
        incoming weights, then zero all their outgoing weights (in that order, across layers)."""
        for group, units in chosen:
            self._transfer_mean_contribution(learner, group, units)
            reinitialise_incoming(learner, group, units)
            stats = self.stats[group.activation]
            stats.age[units] = 0
            stats.utility[units] = 0.0
            stats.mean_activation[units] = 0.0
        for group, units in chosen:
            zero_outgoing(learner, group, units)

    def _transfer_mean_contribution(self, learner: Learner, group: UnitGroup, units: torch.Tensor) -> None:
        stats = self.stats[group.activation]
        mean = self.bias_corrected_mean(stats)[units]
        for consumer in group.consumers:
            module = learner.module(consumer)
            if getattr(module, "bias", None) is None:
                continue
            weight = module.weight
            if weight.dim() == 2 and group.consumer_repeat > 1:
                block = weight.reshape(weight.shape[0], group.width, group.consumer_repeat)[:, units, :].sum(dim=2)
            elif weight.dim() == 2:
                block = weight[:, units]
            else:
                block = weight[:, units].sum(dim=(2, 3))
            module.bias.add_(block @ mean)
