"""Where a run ran: code version, package versions, device, threads, CPU and subnormal handling.

Each run record carries this, so that two records that disagree can be told apart by their machines.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.numerics import denormal_mode
from leaderboard.records import Environment

TRACKED_PACKAGES = ("torch", "avalanche-lib", "gymnasium", "ale-py", "numpy", "wandb", "rliable")

_ENVIRONMENT: dict[str, Any] | None = None


def environment(device: str = "cpu") -> Environment:
    """Code version, package versions, device, threads, CPU (model, kernel set, MKL mode) and subnormal handling.

    $MKL_CBWR is read once per process, as MKL itself reads it once, at its first call; unset is "OFF", MKL's
    own name for it (conditional numerical reproducibility off: kernels chosen for this processor).
    """
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        packages = {}
        for name in TRACKED_PACKAGES:
            try:
                packages[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        try:
            version = metadata.version("clbench")
        except metadata.PackageNotFoundError:
            version = "unknown"
        _ENVIRONMENT = {
            "clbench_version": version,
            "git_commit": _git_commit(),
            "python": sys.version.split()[0],
            "packages": packages,
            "platform": platform.platform(terse=True),
            "cpu_model": cpu_model(),
            "mkl_cbwr": os.environ.get("MKL_CBWR") or "OFF",
        }
    import torch

    name = device
    if device.startswith("cuda") and torch.cuda.is_available():
        name = f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return Environment(**_ENVIRONMENT, device=name, threads=torch.get_num_threads(),
                       cpu_capability=torch.backends.cpu.get_cpu_capability(), denormals=denormal_mode())


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The processor's model name (Linux's /proc/cpuinfo, else what `platform` knows), None if nothing says."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    if not commit:
        return None
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True, timeout=5).stdout.strip()
    return commit + ("-dirty" if dirty else "") if os.environ.get("CLBENCH_RECORD_DIRTY", "1") == "1" else commit
