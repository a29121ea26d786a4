"""Permuted MNIST: a new pixel permutation per task (Dohare et al. 2024; Kumar et al. 2023 §4.2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from leaderboard.records import HeadlineRule
from methods.config import require


@dataclass(frozen=True)
class PermutedMNISTConfig:
    """One pass (or `epochs_per_task` passes) over `num_images` digits per permutation."""

    num_images: int = 5000
    num_tasks: int = 150
    epochs_per_task: int = 1
    batch_size: int = 16
    hidden: tuple[int, ...] = (100, 100)
    optimizer: Literal["adam", "sgd"] = "adam"
    lr: float = 1e-3
    init: Literal["pytorch", "kaiming"] = "pytorch"
    log_every: int = 0
    probe_size: int = 1024
    diagnostics: bool = True

    def __post_init__(self) -> None:
        for name in ("num_images", "num_tasks", "epochs_per_task", "batch_size", "probe_size"):
            require(getattr(self, name) > 0, "bench", name, "a positive integer", getattr(self, name), BenchmarkError)
        require(self.lr > 0, "bench", "lr", "a positive number", self.lr, BenchmarkError)
        require(self.log_every >= 0, "bench", "log_every", "0 (task ends only) or a positive step count", self.log_every, BenchmarkError)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 100,100", self.hidden, BenchmarkError)

    @property
    def steps_per_task(self) -> int:
        return math.ceil(self.num_images * self.epochs_per_task / self.batch_size)


@register
class PermutedMNIST(Benchmark):
    name = "permuted-mnist"
    version = "1"
    description = "MNIST with a new pixel permutation per task; online accuracy (Dohare 2024; Kumar 2023)"
    family = "supervised"
    Config = PermutedMNISTConfig
    presets = {
        "smoke": PermutedMNISTConfig(num_images=512, num_tasks=4, batch_size=32, hidden=(32, 32), probe_size=256),
        "quick": PermutedMNISTConfig(),
        "paper": PermutedMNISTConfig(num_images=10000, num_tasks=500, batch_size=16),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: PermutedMNISTConfig, context: RunContext) -> str:
        from benchmarks.data import mnist

        data = mnist(context.data_root, allow_download=context.allow_download)
        if config.num_images > len(data):
            raise BenchmarkError(
                f"bench.num_images={config.num_images} is more than the {len(data)} digits in {data.source}; "
                "lower it or pass --data-root with the full MNIST"
            )
        return data.source

    def run(self, method: Any, seed: int, config: PermutedMNISTConfig, context: RunContext) -> BenchmarkResult:
        import torch

        from benchmarks.data import mnist
        from benchmarks.diagnostics import DiagnosticsSettings
        from benchmarks.models import MLP
        from benchmarks.streams import PermutedInputStream
        from benchmarks.supervised import LoopSettings, prepare_learner, train_classification_stream
        from methods.learner import OptimizerSpec

        data = mnist(context.data_root, allow_download=context.allow_download)
        subset = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[: config.num_images]
        images = data.images[subset].reshape(config.num_images, -1).float().div_(255.0).to(context.device)
        labels = data.labels[subset].to(context.device)
        stream = PermutedInputStream(images, labels, config.num_tasks, config.steps_per_task, seed)
        model = MLP(images.shape[1], config.hidden, data.num_classes, init=config.init)
        learner = prepare_learner(model, method, OptimizerSpec(name=config.optimizer, lr=config.lr), self.family, context.device)
        settings = LoopSettings(
            batch_size=config.batch_size,
            log_every=config.log_every,
            probe_size=config.probe_size,
            diagnostics=DiagnosticsSettings(enabled=config.diagnostics),
        )
        return train_classification_stream(
            learner, stream, settings, seed, context.sink, total_steps=config.num_tasks * config.steps_per_task
        )
