"""How a run treats subnormal floats on the CPU: flushed to zero (the default) or kept.

Networks that lose plasticity fill with subnormal numbers (dead units, vanishing gradients, weights
shrunk toward zero), and x86 CPUs compute on those many times slower than on normal floats. Flushing
them (FTZ/DAZ) changes values below 1.2e-38 only, and is what JAX/XLA do on the CPU by default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.errors import BenchmarkError

DENORMALS_VARIABLE = "CLBENCH_DENORMALS"
DENORMAL_MODES = ("flush", "keep")


def denormal_mode() -> str:
    """'flush' (default) or 'keep', from $CLBENCH_DENORMALS; anything else is refused by name."""
    mode = os.environ.get(DENORMALS_VARIABLE, "flush").strip().lower() or "flush"
    if mode not in DENORMAL_MODES:
        raise BenchmarkError(
            f"${DENORMALS_VARIABLE} is '{os.environ[DENORMALS_VARIABLE]}'; valid values: {', '.join(DENORMAL_MODES)}"
        )
    return mode


@contextmanager
def cpu_denormals(mode: str) -> Iterator[None]:
    """Flush subnormal floats to zero in this thread while the block runs (`mode` 'flush'), then stop.

    Per thread: runs use one torch thread (docs/sweeps.md), so the whole computation is covered.
    torch has no getter for the setting, so on exit it returns to torch's default (keep).
    """
    import torch

    if mode not in DENORMAL_MODES:
        raise BenchmarkError(f"denormal mode '{mode}'; valid modes: {', '.join(DENORMAL_MODES)}")
    torch.set_flush_denormal(mode == "flush")
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
