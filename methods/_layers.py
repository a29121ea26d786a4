"""Helpers shared by several methods: re-drawing modules, and the parameters of a described layer."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from methods.learner import Learner
from methods.network import DescribedModel


def reinitialise_modules(learner: Learner, modules: Iterable[nn.Module]) -> list[nn.Parameter]:
    """Re-draw the parameters of `modules` (not their children) from the model's initialiser.

    Returns the parameters touched so that callers can reset their optimizer state.
    """
    touched: list[nn.Parameter] = []
    model = learner.model
    for module in modules:
        with torch.no_grad():
            if isinstance(model, DescribedModel):
                model.reinitialise(module)
            elif callable(getattr(module, "reset_parameters", None)):
                module.reset_parameters()
        touched.extend(module.parameters(recurse=False))
    return touched


def modules_with_parameters(model: nn.Module) -> list[nn.Module]:
    """Every module that owns parameters directly."""
    return [m for m in model.modules() if any(True for _ in m.parameters(recurse=False))]


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
