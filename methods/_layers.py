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
