"""Random-label CIFAR-10: memorisation of fresh random labels on a fixed image set (Kumar et al. 2023 §4.2).

The spec's `rlcifar-lite` (methods-and-benchmarks.md §3.4). Real data only: pass --data-root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, cifar_source, cifar_split, positive, train_stream
from leaderboard.records import HeadlineRule
from core.config import require


@dataclass(frozen=True)
class RandomLabelCIFAR10Config(TrainingConfig):
    """`steps_per_task` minibatches on `num_images` CIFAR-10 images with uniform random labels per task."""

    num_images: int = 512
    num_tasks: int = 40
    steps_per_task: int = 1500
    batch_size: int = 16
    channels: tuple[int, ...] = (16, 16)
    kernel: int = 5
    hidden: tuple[int, ...] = (100, 100)
    probe_size: int = 512

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_images", "num_tasks", "steps_per_task", "kernel"):
            positive(self, name)
        require(self.num_images <= 50000, "bench", "num_images", "at most 50000 (CIFAR-10's training set)", self.num_images, BenchmarkError)


@register
class RandomLabelCIFAR10(Benchmark):
    name = "random-label-cifar10"
    version = "1"
    description = "CIFAR-10 images with labels re-drawn at random each task; memorisation (Kumar 2023)"
    family = "supervised"
    offline = False
    Config = RandomLabelCIFAR10Config
    presets = {
        "smoke": RandomLabelCIFAR10Config(num_images=20, num_tasks=3, steps_per_task=10, batch_size=8, channels=(4, 4), hidden=(8, 8), probe_size=20),
        "quick": RandomLabelCIFAR10Config(),
        "paper": RandomLabelCIFAR10Config(num_images=1200, num_tasks=50, steps_per_task=30000),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: RandomLabelCIFAR10Config, context: RunContext) -> str:
        return cifar_source(context, 10)

    def run(self, method: Any, seed: int, config: RandomLabelCIFAR10Config, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import ConvNet
        from benchmarks.streams import RandomLabelStream

        per_class = -(-config.num_images // 10)
        images, _, _, _ = cifar_split(context, 10, per_class, 1, seed)
        if len(images) < config.num_images:
            raise BenchmarkError(f"bench.num_images={config.num_images} but the data root holds only {len(images)} usable images")
        images = images[torch_perm(len(images), seed)[: config.num_images]]
        stream = RandomLabelStream(images, 10, config.num_tasks, config.steps_per_task, seed)
        model = ConvNet((3, 32, 32), 10, channels=config.channels, kernel=config.kernel, hidden=config.hidden)
        return train_stream(model, method, stream, config, self.family, seed, context)


def torch_perm(size: int, seed: int):
    import torch

    return torch.randperm(size, generator=torch.Generator().manual_seed(seed + 2))
