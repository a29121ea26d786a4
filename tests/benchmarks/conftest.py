"""Fixtures of the benchmark tests: tiny data sets written in torchvision's on-disk formats (nothing is downloaded)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.data import write_cifar, write_idx


def _write_tiny_cifar(root, classes: int, train_per_class: int, test_per_class: int) -> None:
    rng = np.random.default_rng(0)
    for train, per_class in ((True, train_per_class), (False, test_per_class)):
        labels = np.repeat(np.arange(classes), per_class)
        rng.shuffle(labels)
        images = rng.integers(0, 256, size=(len(labels), 3, 32, 32), dtype=np.uint8)
        write_cifar(root, classes, train, images, labels)


@pytest.fixture
def cifar_root(tmp_path):
    root = tmp_path / "data"
    _write_tiny_cifar(root, 10, train_per_class=3, test_per_class=1)
    _write_tiny_cifar(root, 100, train_per_class=2, test_per_class=1)
    return root


@pytest.fixture
def mnist_root(tmp_path):
    root = tmp_path / "mnist-data"
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 600), ("t10k", 100)):
        write_idx(root / "MNIST" / "raw" / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28), dtype=np.uint8))
        write_idx(root / "MNIST" / "raw" / f"{prefix}-labels-idx1-ubyte", (np.arange(count) % 10).astype(np.uint8))
    return root
