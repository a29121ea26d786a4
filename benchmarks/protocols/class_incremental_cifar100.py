"""Class-incremental CIFAR-100 (Dohare et al. 2024, `incremental_cifar`): classes arrive in stages.

Each stage trains on all data of every class seen so far, logits masked to those classes, with a
BatchNorm ResNet. Real data only: pass --data-root with torchvision's `cifar-100-python/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, cifar_source, cifar_split, positive, train_stream
from leaderboard.records import HeadlineRule
from core.config import require


@dataclass(frozen=True)
class ClassIncrementalCIFAR100Config(TrainingConfig):
    """Stages of `classes_per_stage` new classes, `epochs_per_stage` passes over all seen classes' images."""

    images_per_class: int = 100
    test_images_per_class: int = 50
    initial_classes: int = 10
    classes_per_stage: int = 10
    epochs_per_stage: int = 4
    batch_size: int = 90
    optimizer: Literal["adam", "sgd"] = "sgd"
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    widths: tuple[int, ...] = (16, 32, 64)
    blocks_per_stage: int = 1
    norm: Literal["batch", "none"] = "batch"
    probe_size: int = 512

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("images_per_class", "test_images_per_class", "initial_classes", "classes_per_stage", "epochs_per_stage", "blocks_per_stage"):
            positive(self, name)
        require(self.images_per_class <= 500, "bench", "images_per_class", "at most 500 (CIFAR-100 has 500 per class)", self.images_per_class, BenchmarkError)
        require(self.initial_classes <= 100, "bench", "initial_classes", "at most 100", self.initial_classes, BenchmarkError)
        require(all(w > 0 for w in self.widths), "bench", "widths", "positive channel counts, e.g. 16,32,64", self.widths, BenchmarkError)


@register
class ClassIncrementalCIFAR100(Benchmark):
    name = "class-incremental-cifar100"
    version = "1"
    description = "CIFAR-100 classes added in stages, training on all seen classes, ResNet (Dohare 2024)"
    family = "supervised"
    offline = False
    Config = ClassIncrementalCIFAR100Config
    presets = {
        "smoke": ClassIncrementalCIFAR100Config(
            images_per_class=2, test_images_per_class=1, initial_classes=50, classes_per_stage=50, epochs_per_stage=1,
            batch_size=25, widths=(4, 8, 8), probe_size=64,
        ),
        "quick": ClassIncrementalCIFAR100Config(),
        "paper": ClassIncrementalCIFAR100Config(
            images_per_class=450, test_images_per_class=100, initial_classes=5, classes_per_stage=5, epochs_per_stage=200,
            lr=0.1, widths=(64, 128, 256, 512), blocks_per_stage=2, probe_size=1000,
        ),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.01)

    def data_source(self, config: ClassIncrementalCIFAR100Config, context: RunContext) -> str:
        return cifar_source(context, 100)

    def run(self, method: Any, seed: int, config: ClassIncrementalCIFAR100Config, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import SmallResNet
        from benchmarks.streams import ClassIncrementalStream

        images, labels, test_images, test_labels = cifar_split(context, 100, config.images_per_class, config.test_images_per_class, seed)
        stream = ClassIncrementalStream(
            images, labels, 100, config.initial_classes, config.classes_per_stage, config.epochs_per_stage,
            config.batch_size, seed, eval_images=test_images, eval_labels=test_labels,
        )
        model = SmallResNet((3, 32, 32), 100, widths=config.widths, blocks_per_stage=config.blocks_per_stage, norm=config.norm)
        return train_stream(model, method, stream, config, self.family, seed, context)
