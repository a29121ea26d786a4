"""Permuted MNIST: a new pixel permutation per task (Dohare et al. 2024; Kumar et al. 2023 §4.2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.protocols._training import MNISTEpochsConfig, mnist_source, mnist_subset, train_stream
from leaderboard.records import HeadlineRule


@dataclass(frozen=True)
class PermutedMNISTConfig(MNISTEpochsConfig):
    """`epochs_per_task` passes over `num_images` digits per permutation, online accuracy per task."""


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
