"""Label-permuted MNIST: the class ids are permuted afresh each task (a Lyle et al. 2024-style shift).

Inputs stay the same, so the features remain useful; only the mapping to outputs must be re-learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.protocols._training import MNISTEpochsConfig, mnist_source, mnist_subset, train_stream
from leaderboard.records import HeadlineRule


@dataclass(frozen=True)
class LabelPermutedMNISTConfig(MNISTEpochsConfig):
    """`epochs_per_task` passes over `num_images` digits per label permutation."""

    num_tasks: int = 100


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
