"""The GPU packing timer refuses what it cannot measure, clearly: no CUDA GPU, or a share outside (0, 1]."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "perf" / "ray_gpu_packing.py"


def run_script(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, check=False)


def test_without_a_cuda_gpu_it_says_so_and_exits_2():
    done = run_script("--repeats", "1")
    assert done.returncode == 2 and "needs a CUDA GPU" in done.stderr and "Traceback" not in done.stderr


def test_a_share_outside_zero_to_one_is_refused_by_name():
    done = run_script("--shares", "1,0")
    assert done.returncode == 2 and "--shares must each be in (0, 1]" in done.stderr
