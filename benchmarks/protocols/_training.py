"""Settings every supervised stream shares (optimizer, batch, diagnostics) and the code that runs one.

Imported by the protocol modules; torch is imported only inside the functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from benchmarks.errors import BenchmarkError
from core.config import require

if TYPE_CHECKING:
    from benchmarks.base import BenchmarkResult, RunContext
    from methods.network import DescribedModel


@dataclass(frozen=True)
class TrainingConfig:
    """The optimizer, batch and diagnostics settings of a supervised stream."""

    batch_size: int = 16
    optimizer: Literal["adam", "sgd"] = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    log_every: int = 0
    probe_size: int = 1024
    diagnostics: bool = True
    hessian: bool = False
    plasticity_probe_every: int = 0

    def __post_init__(self) -> None:
        for name in ("batch_size", "probe_size"):
            positive(self, name)
        require(self.lr > 0, "bench", "lr", "a positive number", self.lr, BenchmarkError)
        require(0 <= self.momentum < 1, "bench", "momentum", "a number in [0, 1)", self.momentum, BenchmarkError)
        require(self.weight_decay >= 0, "bench", "weight_decay", "a number >= 0", self.weight_decay, BenchmarkError)
        require(self.log_every >= 0, "bench", "log_every", "0 (task ends only) or a positive step count", self.log_every, BenchmarkError)
        require(
            self.plasticity_probe_every >= 0, "bench", "plasticity_probe_every", "0 (off) or a number of tasks",
            self.plasticity_probe_every, BenchmarkError,
        )


def positive(config: Any, name: str) -> None:
    value = getattr(config, name)
    require(isinstance(value, int) and value > 0, "bench", name, "a positive integer", value, BenchmarkError)


@dataclass(frozen=True)
class MNISTEpochsConfig(TrainingConfig):
    """`epochs_per_task` passes over `num_images` digits per task, trained on an MLP of widths `hidden`."""

    num_images: int = 5000
    num_tasks: int = 150
    epochs_per_task: int = 1
    hidden: tuple[int, ...] = (100, 100)
    init: Literal["pytorch", "kaiming"] = "pytorch"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_images", "num_tasks", "epochs_per_task"):
            positive(self, name)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 100,100", self.hidden, BenchmarkError)

    @property
    def steps_per_task(self) -> int:
        return math.ceil(self.num_images * self.epochs_per_task / self.batch_size)


def train_stream(
    model: DescribedModel, method: Any, stream: Any, config: TrainingConfig, family: str, seed: int, context: RunContext
) -> BenchmarkResult:
    """Wrap `model` with the method, then run the lean loop over `stream` with `config`'s settings."""
    from benchmarks.diagnostics import DiagnosticsSettings
    from benchmarks.supervised import LoopSettings, train_classification_stream
    from methods.learner import prepare_learner
    from methods.learner import OptimizerSpec

    spec = OptimizerSpec(name=config.optimizer, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    learner = prepare_learner(model, method, spec, family, context.device)
    settings = LoopSettings(
        batch_size=config.batch_size,
        log_every=config.log_every,
        probe_size=config.probe_size,
        diagnostics=DiagnosticsSettings(
            enabled=config.diagnostics, hessian=config.hessian, plasticity_probe_every=config.plasticity_probe_every
        ),
    )
    return train_classification_stream(learner, stream, settings, seed, context.sink, total_steps=stream.total_steps)


def subset(count: int, available: int, seed: int, field: str = "num_images"):
    """A seeded random choice of `count` of `available` examples; a clear error if there are too few."""
    import torch

    if count > available:
        raise BenchmarkError(f"bench.{field}={count} is more than the {available} examples available; lower it or use more data")
    return torch.randperm(available, generator=torch.Generator().manual_seed(seed))[:count]


def mnist_subset(context: RunContext, num_images: int, seed: int):
    """`num_images` seeded-random MNIST digits as float (N, 784) in [0, 1] and labels (N,), on the run's device."""
    from benchmarks.data import mnist, to_unit_float

    data = mnist(context.data_root, allow_download=context.allow_download)
    rows = subset(num_images, len(data), seed)
    images = to_unit_float(data.images[rows]).reshape(num_images, -1).to(context.device)
    return images, data.labels[rows].to(context.device), data.num_classes


def mnist_source(context: RunContext, num_images: int) -> str:
    """The MNIST source this run will read, checked to hold at least `num_images` digits."""
    from benchmarks.data import mnist

    data = mnist(context.data_root, allow_download=context.allow_download)
    if num_images > len(data):
        raise BenchmarkError(
            f"bench.num_images={num_images} is more than the {len(data)} digits in {data.source}; "
            "lower it or pass --data-root with the full MNIST"
        )
    return data.source


def per_class_subset(labels, per_class: int, seed: int):
    """Indices of up to `per_class` seeded-random examples of each class in `labels` (N,), grouped by class."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    shuffled = torch.randperm(len(labels), generator=generator)
    by_class = shuffled[torch.sort(labels[shuffled], stable=True).indices]
    sorted_labels = labels[by_class]
    starts = torch.searchsorted(sorted_labels, sorted_labels, right=False)
    rank = torch.arange(len(labels)) - starts
    return by_class[rank < per_class]


def cifar_split(context: RunContext, classes: int, train_per_class: int, test_per_class: int, seed: int):
    """Standardised float CIFAR images (N, 3, 32, 32) and labels for training and testing, on the run's device.

    Channels are standardised with the mean and std of the chosen training images (Dohare et al. 2024
    normalise with the data set's own statistics).
    """
    from benchmarks.data import cifar, to_unit_float

    train = cifar(context.data_root, classes, train=True, allow_download=context.allow_download)
    test = cifar(context.data_root, classes, train=False, allow_download=context.allow_download)
    train_rows = per_class_subset(train.labels, train_per_class, seed)
    test_rows = per_class_subset(test.labels, test_per_class, seed + 1)
    train_images = to_unit_float(train.images[train_rows])
    mean = train_images.mean(dim=(0, 2, 3), keepdim=True)
    std = train_images.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    test_images = to_unit_float(test.images[test_rows])
    device = context.device
    return (
        ((train_images - mean) / std).to(device),
        train.labels[train_rows].to(device),
        ((test_images - mean) / std).to(device),
        test.labels[test_rows].to(device),
    )


def cifar_source(context: RunContext, classes: int) -> str:
    """Check that CIFAR-`classes` is under the data root (a DataNotFoundError naming the files if not)."""
    from benchmarks.data import cifar

    train = cifar(context.data_root, classes, train=True, allow_download=context.allow_download)
    cifar(context.data_root, classes, train=False, allow_download=context.allow_download)
    return train.source.removesuffix("-train")
