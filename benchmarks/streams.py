"""Task streams: lazily built, seeded sequences of classification tasks, and their Avalanche form.

A stream yields `ClassificationTask`s holding tensors in memory; the lean loop slices them directly
(stack.md: Avalanche's per-sample data loading was most of its overhead). Constructing a stream does
no per-task work: task k is built from `seed` and k only when it is reached, so a 1,000-task stream is
free to define. `avalanche_scenario` exposes the same tasks as an Avalanche `CLScenario`.
"""

from __future__ import annotations

import math
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
    reset_output: bool = False
    """The protocol zeroes the output layer before this task (Dohare et al. 2024, Continual ImageNet)."""


class TaskStream(Protocol):
    """A finite, lazily generated sequence of tasks; the same seed gives the same tasks."""

    num_tasks: int
    num_classes: int
    input_shape: tuple[int, ...]

    @property
    def total_steps(self) -> int: ...

    def __iter__(self) -> Iterator[ClassificationTask]: ...


def task_generator(seed: int, index: int, salt: int = 0) -> torch.Generator:
    """A CPU generator for task `index` of a run with `seed`: tasks are independent of iteration order."""
    return torch.Generator().manual_seed((seed * 1_000_003 + index) * 7919 + salt)


class PermutedInputStream:
    """A new random pixel permutation per task (Dohare et al. 2024; Kumar et al. 2023 §4.2).

    images: (N, ...) float, flattened to (N, D); labels: (N,) int64.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, num_tasks: int, steps_per_task: int, seed: int):
        self.images = images.reshape(len(images), -1)
        self.labels = labels
        self.num_tasks = num_tasks
        self.steps_per_task = steps_per_task
        self.seed = seed
        self.num_classes = int(labels.max().item()) + 1
        self.input_shape = (self.images.shape[1],)

    @property
    def total_steps(self) -> int:
        return self.num_tasks * self.steps_per_task

    def permutation(self, index: int) -> torch.Tensor:
        return torch.randperm(self.images.shape[1], generator=task_generator(self.seed, index))

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            permutation = self.permutation(index).to(self.images.device)
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"permutation-{index}", steps=self.steps_per_task),
                inputs=self.images.index_select(1, permutation),
                targets=self.labels,
            )


class RandomLabelStream:
    """Fixed inputs, every label re-drawn uniformly at random per task: memorisation (Kumar et al. 2023 §4.2)."""

    def __init__(self, images: torch.Tensor, num_classes: int, num_tasks: int, steps_per_task: int, seed: int):
        self.images = images
        self.num_classes = num_classes
        self.num_tasks = num_tasks
        self.steps_per_task = steps_per_task
        self.seed = seed
        self.input_shape = tuple(images.shape[1:])

    @property
    def total_steps(self) -> int:
        return self.num_tasks * self.steps_per_task

    def labels(self, index: int) -> torch.Tensor:
        return torch.randint(self.num_classes, (len(self.images),), generator=task_generator(self.seed, index, salt=1))

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"labels-{index}", steps=self.steps_per_task),
                inputs=self.images,
                targets=self.labels(index).to(self.images.device),
            )


class LabelPermutedStream:
    """True labels passed through a random permutation of the class ids, re-drawn per task.

    Task 0 uses the identity, so the first task is the ordinary problem.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, num_classes: int, num_tasks: int, steps_per_task: int, seed: int):
        self.images = images
        self.base_labels = labels
        self.num_classes = num_classes
        self.num_tasks = num_tasks
        self.steps_per_task = steps_per_task
        self.seed = seed
        self.input_shape = tuple(images.shape[1:])

    @property
    def total_steps(self) -> int:
        return self.num_tasks * self.steps_per_task

    def class_permutation(self, index: int) -> torch.Tensor:
        if index == 0:
            return torch.arange(self.num_classes)
        return torch.randperm(self.num_classes, generator=task_generator(self.seed, index, salt=2))

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            mapping = self.class_permutation(index).to(self.base_labels.device)
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"label-permutation-{index}", steps=self.steps_per_task),
                inputs=self.images,
                targets=mapping[self.base_labels],
            )


def class_order(num_classes: int, seed: int) -> torch.Tensor:
    """The run's random order of class ids (one per run, as in Dohare et al. 2024's class-incremental CIFAR)."""
    return torch.randperm(num_classes, generator=task_generator(seed, 0, salt=3))


class ClassIncrementalStream:
    """Classes arrive stage by stage; each stage trains on all data of every class seen so far.

    Dohare et al. 2024 (incremental CIFAR-100): no replay limit, logits masked to the classes seen.
    Labels are renamed by arrival order, so stage k's active outputs are the first `seen(k)` ones.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        num_classes: int,
        initial_classes: int,
        classes_per_stage: int,
        epochs_per_stage: float,
        batch_size: int,
        seed: int,
        eval_images: torch.Tensor | None = None,
        eval_labels: torch.Tensor | None = None,
    ):
        self.num_classes = num_classes
        self.initial_classes = initial_classes
        self.classes_per_stage = classes_per_stage
        self.epochs_per_stage = epochs_per_stage
        self.batch_size = batch_size
        self.seed = seed
        order = class_order(num_classes, seed).to(labels.device)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(num_classes, device=order.device)
        self.images, self.labels = _sorted_by_label(images, rank[labels])
        self.eval_images = self.eval_labels = None
        if eval_images is not None and eval_labels is not None:
            self.eval_images, self.eval_labels = _sorted_by_label(eval_images, rank[eval_labels])
        self.num_tasks = 1 + math.ceil((num_classes - initial_classes) / classes_per_stage)
        self.input_shape = tuple(images.shape[1:])

    def seen(self, index: int) -> int:
        return min(self.num_classes, self.initial_classes + index * self.classes_per_stage)

    def steps(self, index: int) -> int:
        count = int((self.labels < self.seen(index)).sum())
        return max(1, math.ceil(self.epochs_per_stage * count / self.batch_size))

    @property
    def total_steps(self) -> int:
        return sum(self.steps(i) for i in range(self.num_tasks))

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            seen = self.seen(index)
            end = int(torch.searchsorted(self.labels, torch.tensor(seen, device=self.labels.device)))
            mask = torch.zeros(self.num_classes, dtype=torch.bool, device=self.labels.device)
            mask[:seen] = True
            eval_inputs = eval_targets = None
            if self.eval_labels is not None:
                eval_end = int(torch.searchsorted(self.eval_labels, torch.tensor(seen, device=self.eval_labels.device)))
                eval_inputs, eval_targets = self.eval_images[:eval_end], self.eval_labels[:eval_end]
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"classes-{seen}", steps=self.steps(index)),
                inputs=self.images[:end],
                targets=self.labels[:end],
                eval_inputs=eval_inputs,
                eval_targets=eval_targets,
                active_classes=mask,
            )


class ClassPairStream:
    """One binary task per pair of classes, the output layer zeroed before each (Dohare et al. 2024).

    Pairs come from a random permutation of the classes (disjoint within each pass over them); a new
    permutation is drawn for every pass, so classes are re-used, as in Continual ImageNet after 500 tasks.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        num_classes: int,
        num_tasks: int,
        steps_per_task: int,
        seed: int,
        eval_images: torch.Tensor | None = None,
        eval_labels: torch.Tensor | None = None,
    ):
        self.images, self.labels = _sorted_by_label(images, labels)
        self.eval_images = self.eval_labels = None
        if eval_images is not None and eval_labels is not None:
            self.eval_images, self.eval_labels = _sorted_by_label(eval_images, eval_labels)
        self.dataset_classes = num_classes
        self.num_classes = 2
        self.num_tasks = num_tasks
        self.steps_per_task = steps_per_task
        self.seed = seed
        self.input_shape = tuple(images.shape[1:])

    @property
    def total_steps(self) -> int:
        return self.num_tasks * self.steps_per_task

    def pair(self, index: int) -> tuple[int, int]:
        per_pass = self.dataset_classes // 2
        order = torch.randperm(self.dataset_classes, generator=task_generator(self.seed, index // per_pass, salt=4))
        slot = index % per_pass
        return int(order[2 * slot]), int(order[2 * slot + 1])

    def __iter__(self) -> Iterator[ClassificationTask]:
        for index in range(self.num_tasks):
            first, second = self.pair(index)
            inputs, targets = _binary_subset(self.images, self.labels, first, second)
            eval_inputs = eval_targets = None
            if self.eval_labels is not None:
                eval_inputs, eval_targets = _binary_subset(self.eval_images, self.eval_labels, first, second)
            yield ClassificationTask(
                info=TaskInfo(index=index, name=f"classes-{first}-vs-{second}", steps=self.steps_per_task),
                inputs=inputs,
                targets=targets,
                eval_inputs=eval_inputs,
                eval_targets=eval_targets,
                reset_output=True,
            )


def _sorted_by_label(images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Images and labels reordered by label (stable), so a class is one contiguous slice."""
    order = torch.sort(labels, stable=True).indices
    return images[order], labels[order]


def _class_slice(labels: torch.Tensor, label: int) -> slice:
    """The slice of a label-sorted `labels` holding `label`."""
    bounds = torch.searchsorted(labels, torch.tensor([label, label + 1], device=labels.device))
    return slice(int(bounds[0]), int(bounds[1]))


def _binary_subset(images: torch.Tensor, labels: torch.Tensor, first: int, second: int) -> tuple[torch.Tensor, torch.Tensor]:
    a, b = _class_slice(labels, first), _class_slice(labels, second)
    inputs = torch.cat([images[a], images[b]])
    targets = torch.cat(
        [torch.zeros(a.stop - a.start, dtype=torch.long), torch.ones(b.stop - b.start, dtype=torch.long)]
    ).to(labels.device)
    return inputs, targets


def avalanche_scenario(stream: TaskStream) -> Any:
    """The stream as an Avalanche `CLScenario`: a "train" and a "test" stream, one experience per task.

    Experiences are built only when iterated, so a 1,000-task stream costs nothing to define. The test
    experience holds the task's held-out data, or its training data where the protocol has none.
    """
    from avalanche.benchmarks.scenarios.dataset_scenario import DatasetExperience
    from avalanche.benchmarks.scenarios.generic_scenario import CLScenario, CLStream
    from avalanche.benchmarks.utils.classification_dataset import ClassificationDataset
    from avalanche.benchmarks.utils.data_attribute import DataAttribute
    from torch.utils.data import TensorDataset

    def dataset(inputs: torch.Tensor, targets: torch.Tensor) -> ClassificationDataset:
        base = TensorDataset(inputs.cpu(), targets.cpu())
        return ClassificationDataset(
            [base],
            data_attributes=[
                DataAttribute(targets.cpu().tolist(), "targets"),
                DataAttribute([0] * len(targets), "targets_task_labels", use_in_getitem=True),
            ],
        )

    def experiences(split: str) -> Iterator[Any]:
        for task in stream:
            if split == "train" or task.eval_inputs is None:
                data = dataset(task.inputs, task.targets)
            else:
                data = dataset(task.eval_inputs, task.eval_targets)
            yield DatasetExperience(dataset=data, current_experience=task.info.index)

    return CLScenario([CLStream("train", experiences("train")), CLStream("test", experiences("test"))])
