"""What a benchmark's learning rate means to a method that replaces its optimizer with an Adam-like one."""

from __future__ import annotations

from methods.learner import OptimizerSpec

ADAM_LR = 1e-3
"""Adam's customary lr (Kingma & Ba 2015, Algorithm 1), the reference on a benchmark that trains with SGD."""


def adam_lr(spec: OptimizerSpec) -> float:
    """The Adam lr an Adam-like method scales its own from: the benchmark's lr if it trains with Adam, else
    `ADAM_LR` (an SGD lr sets a step proportional to the gradient, Adam's a step of about lr per weight)."""
    return spec.lr if spec.name == "adam" else ADAM_LR
