"""Small models and a learner builder shared by the wave-2 method tests."""

from __future__ import annotations

import torch

from benchmarks.models import MLP, ConvNet, QNetwork, SmallResNet
from benchmarks.supervised import prepare_learner
from methods import base
from methods.learner import Learner, OptimizerSpec


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
    return prepare_learner(model, base.create(spec, overrides), OptimizerSpec(name="adam", lr=lr), family, "cpu")


def train_steps(learner: Learner, inputs: torch.Tensor, targets: torch.Tensor, steps: int) -> list[float]:
    """The lean loop's step order on one batch: forward, penalty, backward, before/after the step."""
    method, losses = learner.method, []
    for _ in range(steps):
        learner.last_inputs, learner.last_targets = inputs, targets
        loss = torch.nn.functional.cross_entropy(learner.model(inputs), targets)
        losses.append(float(loss.detach()))
        extra = method.penalty(learner)
        if extra is not None:
            loss = loss + extra
        learner.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        method.before_step(learner)
        learner.optimizer.step()
        learner.step += 1
        method.after_step(learner)
    return losses
