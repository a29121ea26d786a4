"""Plasticity diagnostics on a fixed probe batch (methods-and-benchmarks.md §4).

Pure functions over tensors, plus a `DiagnosticsTracker` that remembers what some of them need from
the previous measurement (the weights for angular updates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from methods.learner import Learner


@dataclass(frozen=True)
class DiagnosticsSettings:
    enabled: bool = True
    dormant_thresholds: tuple[float, ...] = (0.0, 0.025, 0.1)


def capture_activations(model: nn.Module, module_paths: list[str], inputs: torch.Tensor) -> dict[str, torch.Tensor]:
    """Outputs of the named modules on `inputs` (no gradients, model in eval mode for the pass)."""
    captured: dict[str, torch.Tensor] = {}
    handles = []
    for path in module_paths:
        module = model.get_submodule(path)
        handles.append(module.register_forward_hook(lambda _m, _i, out, path=path: captured.__setitem__(path, out.detach())))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return captured


def unit_scores(activation: torch.Tensor) -> torch.Tensor:
    """Sokar et al. 2023 Eq. 1: per-unit mean |h| over the batch (and space), over the layer's mean."""
    magnitude = activation.abs()
    per_unit = magnitude.mean(dim=(0, 2, 3)) if magnitude.dim() == 4 else magnitude.mean(dim=0)
    return per_unit / (per_unit.mean() + 1e-9)


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
