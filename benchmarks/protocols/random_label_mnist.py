"""Random-label MNIST: a fixed set of digits whose labels are re-drawn each task (memorisation).

Kumar et al. 2023 §4.2; the quick preset is the spec's `rlmnist-lite` (methods-and-benchmarks.md §3.4).
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
class RandomLabelMNISTConfig(TrainingConfig):
    """`steps_per_task` minibatches on `num_images` digits with fresh uniform labels per task."""

    num_images: int = 512
    num_tasks: int = 60
    steps_per_task: int = 1000
    batch_size: int = 64
    hidden: tuple[int, ...] = (256, 256)
    init: Literal["pytorch", "kaiming"] = "pytorch"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_images", "num_tasks", "steps_per_task"):
            positive(self, name)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 256,256", self.hidden, BenchmarkError)


@register
class RandomLabelMNIST(Benchmark):
    name = "random-label-mnist"
    version = "2"
    description = "MNIST digits with labels re-drawn at random each task; memorisation (Kumar 2023)"
    family = "supervised"
    Config = RandomLabelMNISTConfig
    presets = {
        "smoke": RandomLabelMNISTConfig(num_images=128, num_tasks=3, steps_per_task=40, batch_size=32, hidden=(32, 32), probe_size=128),
        "quick": RandomLabelMNISTConfig(steps_per_task=500),
        "paper": RandomLabelMNISTConfig(num_images=1200, num_tasks=50, steps_per_task=30000, batch_size=16, hidden=(100, 100)),
    }
    headline = HeadlineRule(metric="online_accuracy", select="final_fraction", fraction=0.1, chance=0.1)

    def data_source(self, config: RandomLabelMNISTConfig, context: RunContext) -> str:
        return mnist_source(context, config.num_images)

    def run(self, method: Any, seed: int, config: RandomLabelMNISTConfig, context: RunContext) -> BenchmarkResult:
        from benchmarks.models import MLP
        from benchmarks.streams import RandomLabelStream

        images, _, classes = mnist_subset(context, config.num_images, seed)
        stream = RandomLabelStream(images, classes, config.num_tasks, config.steps_per_task, seed)
        model = MLP(images.shape[1], config.hidden, classes, init=config.init)
        return train_stream(model, method, stream, config, self.family, seed, context)
