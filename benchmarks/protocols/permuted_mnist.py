"""Permuted MNIST: a new pixel permutation per task (Dohare et al. 2024; Kumar et al. 2023 §4.2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, mnist_source, mnist_subset, positive, train_stream
from leaderboard.records import HeadlineRule
from methods.config import require


@dataclass(frozen=True)
class PermutedMNISTConfig(TrainingConfig):
    """`epochs_per_task` passes over `num_images` digits per permutation, online accuracy per task."""

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


@register
class PermutedMNIST(Benchmark):
    name = "permuted-mnist"
    version = "2"
    description = "MNIST with a new pixel permutation per task; online accuracy (Dohare 2024; Kumar 2023)"
    family = "supervised"
    Config = PermutedMNISTConfig
    presets = {
        "smoke": PermutedMNISTConfig(num_images=512, num_tasks=4, batch_size=32, hidden=(32, 32), probe_size=256),
        "quick": PermutedMNISTConfig(hidden=(50, 50)),
        "paper": PermutedMNISTConfig(num_images=10000, num_tasks=500, batch_size=16),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: PermutedMNISTConfig, context: RunContext) -> str:
        return mnist_source(context, config.num_images)

    def run(self, method: Any, seed: int, config: PermutedMNISTConfig, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import MLP
        from benchmarks.streams import PermutedInputStream

        images, labels, classes = mnist_subset(context, config.num_images, seed)
        stream = PermutedInputStream(images, labels, config.num_tasks, config.steps_per_task, seed)
        model = MLP(images.shape[1], config.hidden, classes, init=config.init)
        return train_stream(model, method, stream, config, self.family, seed, context)
