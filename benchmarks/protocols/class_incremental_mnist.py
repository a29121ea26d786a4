"""Class-incremental MNIST: classes arrive stage by stage; train on all classes seen so far.

The MNIST-scale analogue of Dohare et al. 2024's class-incremental CIFAR-100 (logits masked to the
classes seen; no replay limit). A held-out tenth of the digits gives each stage's test accuracy.
A control: with at most 9 stages of an easy problem no plasticity loss is expected (none is published,
and the quick baseline goes 0.994 → 0.995); Dohare's loss needs many long increments (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, mnist_source, mnist_subset, positive, train_stream
from leaderboard.records import HeadlineRule
from core.config import require


@dataclass(frozen=True)
class ClassIncrementalMNISTConfig(TrainingConfig):
    """Start with `initial_classes`, add `classes_per_stage` per stage, `epochs_per_stage` over all seen data."""

    num_images: int = 5000
    held_out_fraction: float = 0.1
    initial_classes: int = 2
    classes_per_stage: int = 1
    epochs_per_stage: int = 10
    hidden: tuple[int, ...] = (100, 100)
    init: Literal["pytorch", "kaiming"] = "pytorch"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_images", "initial_classes", "classes_per_stage", "epochs_per_stage"):
            positive(self, name)
        require(self.initial_classes <= 10, "bench", "initial_classes", "at most 10 (MNIST's classes)", self.initial_classes, BenchmarkError)
        require(0 <= self.held_out_fraction < 1, "bench", "held_out_fraction", "a number in [0, 1)", self.held_out_fraction, BenchmarkError)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 100,100", self.hidden, BenchmarkError)


@register
class ClassIncrementalMNIST(Benchmark):
    name = "class-incremental-mnist"
    version = "1"
    description = "MNIST classes added stage by stage, training on all seen classes (Dohare 2024 style)"
    family = "supervised"
    role = "control"
    Config = ClassIncrementalMNISTConfig
    presets = {
        "smoke": ClassIncrementalMNISTConfig(num_images=500, initial_classes=6, classes_per_stage=2, epochs_per_stage=1,
                                             batch_size=32, hidden=(32, 32), probe_size=128),
        "quick": ClassIncrementalMNISTConfig(),
        "paper": ClassIncrementalMNISTConfig(num_images=60000, held_out_fraction=1 / 6, epochs_per_stage=50),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: ClassIncrementalMNISTConfig, context: RunContext) -> str:
        return mnist_source(context, config.num_images)

    def run(self, method: Any, seed: int, config: ClassIncrementalMNISTConfig, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import MLP
        from benchmarks.streams import ClassIncrementalStream

        images, labels, classes = mnist_subset(context, config.num_images, seed)
        held_out = int(round(config.held_out_fraction * len(images)))
        stream = ClassIncrementalStream(
            images[held_out:], labels[held_out:], classes, config.initial_classes, config.classes_per_stage,
            config.epochs_per_stage, config.batch_size, seed, eval_images=images[:held_out], eval_labels=labels[:held_out],
        )
        model = MLP(images.shape[1], config.hidden, classes, init=config.init)
        return train_stream(model, method, stream, config, self.family, seed, context)
