"""Label-permuted MNIST: the class ids are permuted afresh each task (a Lyle et al. 2024-style shift).

Inputs stay the same, so the features remain useful; only the mapping to outputs must be re-learned.
"""

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
class LabelPermutedMNISTConfig(TrainingConfig):
    """`epochs_per_task` passes over `num_images` digits per label permutation."""

    num_images: int = 5000
    num_tasks: int = 100
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
class LabelPermutedMNIST(Benchmark):
    name = "label-permuted-mnist"
    version = "1"
    description = "MNIST with the class ids permuted each task; online accuracy"
    family = "supervised"
    Config = LabelPermutedMNISTConfig
    presets = {
        "smoke": LabelPermutedMNISTConfig(num_images=512, num_tasks=4, batch_size=32, hidden=(32, 32), probe_size=256),
        "quick": LabelPermutedMNISTConfig(),
        "paper": LabelPermutedMNISTConfig(num_images=60000, num_tasks=500, epochs_per_task=1, batch_size=16),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: LabelPermutedMNISTConfig, context: RunContext) -> str:
        return mnist_source(context, config.num_images)

    def run(self, method: Any, seed: int, config: LabelPermutedMNISTConfig, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import MLP
        from benchmarks.streams import LabelPermutedStream

        images, labels, classes = mnist_subset(context, config.num_images, seed)
        stream = LabelPermutedStream(images, labels, classes, config.num_tasks, config.steps_per_task, seed)
        model = MLP(images.shape[1], config.hidden, classes, init=config.init)
        return train_stream(model, method, stream, config, self.family, seed, context)
