"""Streams are lazy, seeded, and hold what their protocol says; the Avalanche form holds the same data."""

from __future__ import annotations

import time

import torch

from benchmarks.streams import (
    ClassIncrementalStream,
    ClassPairStream,
    LabelPermutedStream,
    PermutedInputStream,
    RandomLabelStream,
    avalanche_scenario,
)


def images_and_labels(n: int = 60, classes: int = 6):
    generator = torch.Generator().manual_seed(0)
    return torch.rand(n, 8, generator=generator), torch.arange(n) % classes


def first(stream, count: int):
    tasks = []
    for task in stream:
        tasks.append(task)
        if len(tasks) == count:
            return tasks
    return tasks


def test_a_million_task_stream_is_cheap_to_define_and_to_start():
    images, labels = images_and_labels()
    start = time.perf_counter()
    stream = PermutedInputStream(images, labels, num_tasks=1_000_000, steps_per_task=1, seed=0)
    tasks = first(stream, 2)
    assert time.perf_counter() - start < 2.0
    assert len(tasks) == 2


def test_same_seed_gives_the_same_tasks_and_another_seed_differs():
    images, labels = images_and_labels()
    a = first(PermutedInputStream(images, labels, 3, 1, seed=4), 3)
    b = first(PermutedInputStream(images, labels, 3, 1, seed=4), 3)
    c = first(PermutedInputStream(images, labels, 3, 1, seed=5), 3)
    assert all(torch.equal(x.inputs, y.inputs) for x, y in zip(a, b, strict=True))
    assert not torch.equal(a[1].inputs, c[1].inputs)


def test_permuted_task_is_a_column_permutation_of_the_images():
    images, labels = images_and_labels()
    task = first(PermutedInputStream(images, labels, 2, 1, seed=0), 2)[1]
    assert torch.equal(task.inputs.sort(dim=1).values, images.sort(dim=1).values)
    assert torch.equal(task.targets, labels)


def test_random_labels_are_redrawn_per_task_over_fixed_inputs():
    images, _ = images_and_labels(200)
    a, b = first(RandomLabelStream(images, 10, 2, 1, seed=0), 2)
    assert torch.equal(a.inputs, images) and torch.equal(b.inputs, images)
    assert not torch.equal(a.targets, b.targets)
    assert a.targets.min() >= 0 and a.targets.max() <= 9


def test_label_permutation_maps_each_class_to_one_class():
    images, labels = images_and_labels()
    tasks = first(LabelPermutedStream(images, labels, 6, 3, 1, seed=0), 3)
    assert torch.equal(tasks[0].targets, labels)
    for task in tasks[1:]:
        for c in range(6):
            assert task.targets[labels == c].unique().numel() == 1
        assert task.targets.unique().numel() == 6


def test_class_incremental_stages_train_on_all_seen_classes_with_a_mask():
    images, labels = images_and_labels(60, 6)
    stream = ClassIncrementalStream(images, labels, 6, initial_classes=2, classes_per_stage=2, epochs_per_stage=1,
                                    batch_size=10, seed=0, eval_images=images, eval_labels=labels)
    tasks = list(stream)
    assert [int(t.active_classes.sum()) for t in tasks] == [2, 4, 6]
    assert [len(t.inputs) for t in tasks] == [20, 40, 60]
    assert [t.info.steps for t in tasks] == [2, 4, 6]
    for task in tasks:
        assert task.active_classes[task.targets].all()
        assert task.active_classes[task.eval_targets].all()


def test_class_pairs_are_binary_disjoint_within_a_pass_and_reset_the_head():
    images, labels = images_and_labels(60, 6)
    tasks = list(ClassPairStream(images, labels, 6, num_tasks=3, steps_per_task=1, seed=0))
    pairs = [set(map(int, t.info.name.removeprefix("classes-").split("-vs-"))) for t in tasks]
    assert set().union(*pairs) == set(range(6))
    for task in tasks:
        assert task.reset_output
        assert set(task.targets.tolist()) == {0, 1} and len(task.targets) == 20


class CountingStream(PermutedInputStream):
    iterations = 0

    def __iter__(self):
        CountingStream.iterations += 1
        yield from super().__iter__()


def test_avalanche_scenario_holds_the_same_data_as_the_lean_loop_tasks():
    images, labels = images_and_labels(30, 3)
    stream = CountingStream(images, labels, num_tasks=1000, steps_per_task=1, seed=0)
    scenario = avalanche_scenario(stream)
    assert CountingStream.iterations == 0
    lean = first(PermutedInputStream(images, labels, 1000, 1, seed=0), 2)
    for experience, task in zip(scenario.train_stream, lean, strict=False):
        xs, ys = zip(*[(item[0], item[1]) for item in experience.dataset], strict=True)
        assert torch.equal(torch.stack(xs), task.inputs)
        assert torch.equal(torch.tensor(ys), task.targets)
        if experience.current_experience == 1:
            break
