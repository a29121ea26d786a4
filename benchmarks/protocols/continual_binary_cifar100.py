"""Continual binary CIFAR-100: one two-class task per class pair, the head zeroed before each task.

Dohare et al. 2024's Continual ImageNet protocol on CIFAR-100 (the spec's `cbin-lite`, §3.2). Zeroing the
output layer is part of the protocol (the stream marks each task), not a method. Real data only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, cifar_source, cifar_split, positive, train_stream
from leaderboard.records import HeadlineRule
from core.config import require


@dataclass(frozen=True)
class ContinualBinaryCIFAR100Config(TrainingConfig):
    """`epochs_per_task` passes over the 2 × `images_per_class` images of each pair; a KUM23-style CNN."""

    num_tasks: int = 150
    images_per_class: int = 500
    test_images_per_class: int = 100
    epochs_per_task: int = 10
    batch_size: int = 100
    optimizer: Literal["adam", "sgd"] = "adam"
    lr: float = 1e-3
    channels: tuple[int, ...] = (16, 16)
    kernel: int = 5
    hidden: tuple[int, ...] = (100, 100)
    probe_size: int = 200

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_tasks", "images_per_class", "test_images_per_class", "epochs_per_task", "kernel"):
            positive(self, name)
        require(self.images_per_class <= 500, "bench", "images_per_class", "at most 500 (CIFAR-100 has 500 per class)", self.images_per_class, BenchmarkError)
        require(all(c > 0 for c in self.channels), "bench", "channels", "positive channel counts, e.g. 16,16", self.channels, BenchmarkError)

    @property
    def steps_per_task(self) -> int:
        return math.ceil(2 * self.images_per_class * self.epochs_per_task / self.batch_size)


@register
class ContinualBinaryCIFAR100(Benchmark):
    name = "continual-binary-cifar100"
    version = "1"
    description = "CIFAR-100 class pairs as binary tasks, head zeroed each task (Continual ImageNet style)"
    family = "supervised"
    offline = False
    Config = ContinualBinaryCIFAR100Config
    presets = {
        "smoke": ContinualBinaryCIFAR100Config(
            num_tasks=3, images_per_class=2, test_images_per_class=1, epochs_per_task=2, batch_size=4,
            channels=(4, 4), hidden=(8, 8), probe_size=4,
        ),
        "quick": ContinualBinaryCIFAR100Config(),
        "paper": ContinualBinaryCIFAR100Config(
            num_tasks=5000, epochs_per_task=250, optimizer="sgd", lr=0.01, momentum=0.9,
            channels=(32, 64, 128), kernel=3, hidden=(128, 128),
        ),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.5)

    def data_source(self, config: ContinualBinaryCIFAR100Config, context: RunContext) -> str:
        return cifar_source(context, 100)

    def run(self, method: Any, seed: int, config: ContinualBinaryCIFAR100Config, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import ConvNet
        from benchmarks.streams import ClassPairStream

        images, labels, test_images, test_labels = cifar_split(context, 100, config.images_per_class, config.test_images_per_class, seed)
        stream = ClassPairStream(
            images, labels, 100, config.num_tasks, config.steps_per_task, seed, eval_images=test_images, eval_labels=test_labels
        )
        model = ConvNet((3, 32, 32), 2, channels=config.channels, kernel=config.kernel, hidden=config.hidden)
        return train_stream(model, method, stream, config, self.family, seed, context)
