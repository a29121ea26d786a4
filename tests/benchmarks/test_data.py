"""Real-data loaders read torchvision's on-disk formats and say exactly which files they expect."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.data import cifar, torchvision_cifar, torchvision_mnist, write_cifar
from benchmarks.errors import DataNotFoundError


def test_cifar10_pickles_round_trip_across_the_five_training_batches(tmp_path):
    images = np.arange(10 * 3 * 32 * 32, dtype=np.int64).astype(np.uint8).reshape(10, 3, 32, 32)
    labels = np.arange(10)
    write_cifar(tmp_path, 10, True, images, labels)
    data = torchvision_cifar(tmp_path, 10, train=True)
    assert data.images.shape == (10, 3, 32, 32)
    assert np.array_equal(data.images.numpy(), images)
    assert data.labels.tolist() == labels.tolist()
    assert data.provenance["checksums_match_torchvision"] is False


def test_cifar100_reads_fine_labels(tmp_path):
    images = np.zeros((4, 3, 32, 32), dtype=np.uint8)
    write_cifar(tmp_path, 100, False, images, np.array([0, 99, 5, 7]))
    data = torchvision_cifar(tmp_path, 100, train=False)
    assert data.labels.tolist() == [0, 99, 5, 7] and data.num_classes == 100


def test_missing_cifar_lists_the_expected_files(tmp_path):
    with pytest.raises(DataNotFoundError, match="cifar-100-python/ to hold train, test"):
        torchvision_cifar(tmp_path, 100)


def test_cifar_without_data_root_asks_for_one():
    with pytest.raises(DataNotFoundError, match="--data-root"):
        cifar(None, 10)


def test_mnist_idx_files_written_by_tests_are_read_back(mnist_root):
    data = torchvision_mnist(mnist_root, train=False)
    assert data.images.shape == (100, 28, 28) and data.labels[:3].tolist() == [0, 1, 2]
