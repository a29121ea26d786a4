"""Small nets, tiny streams and a one-step driver shared by the method and training-loop tests."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from benchmarks.models import MLP, ConvNet, MinAtarQNetwork, QNetwork, SmallResNet
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask
from benchmarks.supervised import LoopSettings, train_classification_stream
from benchmarks.diagnostics import DiagnosticsSettings
from methods import base
from methods.base import Method
from methods.learner import Learner, OptimizerSpec, TaskInfo, prepare_learner

FAMILIES = {
    "mlp": lambda: MLP(12, (16, 16), 4),
    "cnn": lambda: ConvNet((1, 12, 12), 4, channels=(4, 4), kernel=3, hidden=(8,)),
    "resnet-batch": lambda: SmallResNet((3, 8, 8), 4, widths=(4, 8), norm="batch"),
    "resnet-none": lambda: SmallResNet((3, 8, 8), 4, widths=(4, 8), norm="none"),
    "qnetwork": lambda: QNetwork(num_actions=4, channels=(4, 4, 4), hidden=16),
    "minatar-qnetwork": lambda: MinAtarQNetwork(num_actions=4, in_channels=3, channels=4, hidden=16),
}


def family_models() -> dict[str, tuple[torch.nn.Module, tuple[int, ...]]]:
    """One small model per family in benchmarks.models, with an input shape (no batch dimension)."""
    return {
        "mlp": (MLP(12, (8, 6), 3), (12,)),
        "cnn": (ConvNet((1, 12, 12), 3, channels=(4, 4), kernel=3, hidden=(8,)), (1, 12, 12)),
        "resnet-batch": (SmallResNet((3, 8, 8), 3, widths=(4, 8), norm="batch"), (3, 8, 8)),
        "resnet-none": (SmallResNet((3, 8, 8), 3, widths=(4, 8), norm="none"), (3, 8, 8)),
        "qnetwork": (QNetwork(num_actions=3, channels=(4, 4, 4), hidden=16), (4, 84, 84)),
        "minatar-qnetwork": (MinAtarQNetwork(num_actions=3, in_channels=3, channels=4, hidden=16), (10, 10, 3)),
    }


def build(model: torch.nn.Module, method: Method | str, lr: float = 1e-2, optimizer: str = "adam", family: str = "supervised") -> Learner:
    """The benchmark path: applies_to, prepare, θ₀, optimizer, start; plus the supervised batch loss."""
    if isinstance(method, str):
        method = base.create(method)
    learner = prepare_learner(model, method, OptimizerSpec(name=optimizer, lr=lr), family, "cpu")
    learner.batch_loss = lambda m: F.cross_entropy(m(learner.last_inputs), learner.last_targets)
    return learner


def train_step(learner: Learner, inputs: torch.Tensor, targets: torch.Tensor) -> float:
    """One step exactly as every loop takes it (`Learner.update`); returns the task loss before the step."""
    learner.last_inputs, learner.last_targets = inputs, targets
    loss = F.cross_entropy(learner.model(inputs), targets)
    task_loss = float(loss.detach())
    learner.update(loss)
    return task_loss


def learner_for(spec: str, model: torch.nn.Module, overrides: dict | None = None, family: str = "supervised", lr: float = 1e-2) -> Learner:
    """`build` for the method `spec` with `overrides` (a `--set`-style dict keyed by method name)."""
    return build(model, base.create(spec, overrides), lr=lr, family=family)


def train_steps(learner: Learner, inputs: torch.Tensor, targets: torch.Tensor, steps: int) -> list[float]:
    """`steps` lean-loop steps on one batch; the task loss before each."""
    return [train_step(learner, inputs, targets) for _ in range(steps)]


def start_task(learner: Learner, index: int, steps: int = 10) -> TaskInfo:
    info = TaskInfo(index=index, name=f"task-{index}", steps=steps)
    learner.task = info
    learner.method.on_task_start(learner, info)
    return info


def inputs_for(model: torch.nn.Module, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    shape = model.describe().input_shape
    return torch.rand((n, *shape), generator=generator)


class TinyStream:
    """`num_tasks` tasks of random inputs whose labels are re-drawn per task (random-label style)."""

    def __init__(self, model: torch.nn.Module, num_tasks: int = 2, size: int = 16, steps: int = 4, seed: int = 0):
        generator = torch.Generator().manual_seed(seed)
        self.inputs = inputs_for(model, size, generator)
        self.labels = [torch.randint(0, model.describe().num_outputs, (size,), generator=generator) for _ in range(num_tasks)]
        self.steps = steps
        self.num_tasks = num_tasks

    def __iter__(self):
        for index, labels in enumerate(self.labels):
            yield ClassificationTask(TaskInfo(index, f"task-{index}", self.steps), self.inputs, labels)


def repeated_tasks(num_tasks: int, steps: int, seed: int = 0) -> list[ClassificationTask]:
    """`num_tasks` tasks on the same 64 random 8-feature inputs with 3-class labels; a list, so a test can swap one."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(64, 8, generator=generator)
    targets = torch.randint(0, 3, (64,), generator=generator)
    return [ClassificationTask(TaskInfo(i, f"t{i}", steps), inputs, targets) for i in range(num_tasks)]


def run_stream(learner: Learner, stream: TinyStream, batch_size: int = 4, seed: int = 0):
    settings = LoopSettings(batch_size=batch_size, diagnostics=DiagnosticsSettings(enabled=False))
    return train_classification_stream(learner, stream, settings, seed, RunSink(), total_steps=stream.num_tasks * stream.steps)
