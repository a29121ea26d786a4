"""The benchmark registry (benchmarks/base.py)."""

from __future__ import annotations

import pytest

from benchmarks import base as benchmark_registry
from benchmarks.errors import BenchmarkError


def test_unknown_benchmark_lists_valid_names():
    with pytest.raises(BenchmarkError, match="permuted-mnist"):
        benchmark_registry.get("permuted")
