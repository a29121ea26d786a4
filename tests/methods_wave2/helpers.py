"""Small models and a learner builder shared by the wave-2 method tests."""

from __future__ import annotations

import torch

from benchmarks.models import MLP, ConvNet, QNetwork, SmallResNet
from methods import base
from methods.learner import Learner
from tests.methods.tiny import build, train_step


def family_models() -> dict[str, tuple[torch.nn.Module, tuple[int, ...]]]:
    """One small model per family in benchmarks.models, with an input shape (no batch dimension)."""
    return {
        "mlp": (MLP(12, (8, 6), 3), (12,)),
        "cnn": (ConvNet((1, 12, 12), 3, channels=(4, 4), kernel=3, hidden=(8,)), (1, 12, 12)),
        "resnet-batch": (SmallResNet((3, 8, 8), 3, widths=(4, 8), norm="batch"), (3, 8, 8)),
        "resnet-none": (SmallResNet((3, 8, 8), 3, widths=(4, 8), norm="none"), (3, 8, 8)),
        "qnetwork": (QNetwork(num_actions=3, channels=(4, 4, 4), hidden=16), (4, 84, 84)),
    }


def learner_for(spec: str, model: torch.nn.Module, overrides: dict | None = None, family: str = "supervised", lr: float = 1e-2) -> Learner:
    return build(model, base.create(spec, overrides), lr=lr, family=family)


def train_steps(learner: Learner, inputs: torch.Tensor, targets: torch.Tensor, steps: int) -> list[float]:
    """`steps` lean-loop steps on one batch; the task loss before each."""
    return [train_step(learner, inputs, targets) for _ in range(steps)]
