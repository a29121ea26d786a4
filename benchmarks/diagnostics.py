"""Plasticity diagnostics on a fixed probe batch (methods-and-benchmarks.md §4).

Pure functions over tensors, plus a `DiagnosticsTracker` that remembers what some of them need from
the previous measurement (the weights for angular updates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from methods._layers import capture_activations, unit_scores
from methods.learner import Learner


@dataclass(frozen=True)
class DiagnosticsSettings:
    enabled: bool = True
    dormant_thresholds: tuple[float, ...] = (0.0, 0.025, 0.1)


def dormant_fraction(activations: list[torch.Tensor], tau: float) -> float:
    """Fraction of hidden units with score ≤ τ across layers (τ=0 counts exactly dead units)."""
    dormant = total = 0
    for activation in activations:
        scores = unit_scores(activation)
        dormant += int((scores <= tau).sum()) if tau > 0 else int((scores == 0).sum())
        total += scores.numel()
    return dormant / total if total else 0.0


class DiagnosticsTracker:
    """Computes the diagnostics of one run and keeps the previous weights for angular updates."""

    def __init__(self, settings: DiagnosticsSettings):
        self.settings = settings

    def measure(self, learner: Learner, probe_inputs: torch.Tensor) -> dict[str, float | None]:
        network = learner.network
        hidden = [info for info in network.hidden if info.activation]
        activations = capture_activations(learner.model, [info.activation for info in hidden], probe_inputs)
        values: dict[str, float | None] = {}
        acts = [activations[info.activation] for info in hidden]
        for tau in self.settings.dormant_thresholds:
            values[f"dormant_fraction@{tau:g}"] = dormant_fraction(acts, tau)
        total = sum(float(p.detach().pow(2).sum()) for p in learner.model.parameters())
        values["weight_norm"] = math.sqrt(total)
        return values
