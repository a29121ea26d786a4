"""Task streams: lazily built, seeded sequences of classification tasks, and their Avalanche form.

A stream yields `ClassificationTask`s holding tensors in memory; the lean loop slices them directly
(stack.md: Avalanche's per-sample data loading was most of its overhead). `avalanche_scenario` exposes
the same tasks as an Avalanche `CLScenario`, built lazily, for people who use Avalanche strategies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from methods.learner import TaskInfo


@dataclass
class ClassificationTask:
    """One stationary task: its training inputs and targets, optional held-out data and a class mask."""

    info: TaskInfo
    inputs: torch.Tensor
    targets: torch.Tensor
    eval_inputs: torch.Tensor | None = None
    eval_targets: torch.Tensor | None = None
    active_classes: torch.Tensor | None = None
    """Boolean mask over the outputs; logits of inactive classes are masked out (class-incremental)."""


class TaskStream(Protocol):
    """A finite, lazily generated sequence of tasks; the same seed gives the same tasks."""

    num_tasks: int
    num_classes: int
    input_shape: tuple[int, ...]

    def __iter__(self) -> Iterator[ClassificationTask]: ...


class PermutedInputStream:
    """A new random pixel permutation per task (Dohare et al. 2024; Kumar et al. 2023 §4.2)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, num_tasks: int, steps_per_task: int, seed: int):
        self.images = images.reshape(len(images), -1)
        self.labels = labels
        self.num_tasks = num_tasks
        self.steps_per_task = steps_per_task
        self.seed = seed
        self.num_classes = int(labels.max().item()) + 1
        self.input_shape = (self.images.shape[1],)

    def permutation(self, index: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + index)
        return torch.randperm(self.images.shape[1], generator=generator)

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            permutation = self.permutation(index).to(self.images.device)
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"permutation-{index}", steps=self.steps_per_task),
                inputs=self.images.index_select(1, permutation),
                targets=self.labels,
            )


def avalanche_scenario(stream: TaskStream) -> Any:
    """The stream as an Avalanche `CLScenario` with one lazily built experience per task.

    Experiences are created only when iterated, so a 1,000-task stream costs nothing to define.
    """
    from avalanche.benchmarks.scenarios.dataset_scenario import DatasetExperience
    from avalanche.benchmarks.scenarios.generic_scenario import CLScenario, CLStream
    from avalanche.benchmarks.utils.classification_dataset import ClassificationDataset
    from avalanche.benchmarks.utils.data_attribute import DataAttribute
    from torch.utils.data import TensorDataset

    def dataset(inputs: torch.Tensor, targets: torch.Tensor, task: int) -> ClassificationDataset:
        base = TensorDataset(inputs.cpu(), targets.cpu())
        return ClassificationDataset(
            [base],
            data_attributes=[
                DataAttribute(targets.cpu().tolist(), "targets"),
                DataAttribute([task] * len(targets), "targets_task_labels", use_in_getitem=True),
            ],
        )

    def experiences(split: str):
        for task in stream:
            if split == "train":
                yield DatasetExperience(dataset=dataset(task.inputs, task.targets, 0), current_experience=task.info.index)
            else:
                inputs = task.eval_inputs if task.eval_inputs is not None else task.inputs
                targets = task.eval_targets if task.eval_targets is not None else task.targets
                yield DatasetExperience(dataset=dataset(inputs, targets, 0), current_experience=task.info.index)

    return CLScenario([CLStream("train", experiences("train")), CLStream("test", experiences("test"))])
