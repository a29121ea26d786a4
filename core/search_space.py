"""Search spaces: the hyperparameters of a method (or benchmark) that tuning may vary, and over what.

A method declares its space beside its config (`Method.search_space`); `clbench tune` adds the benchmark's
step size (`bench.lr`, `step_size_dimension`) to every method's space, the baseline's included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.errors import MethodError

STEP_SIZE_SPAN = 10.0
"""`bench.lr` is tuned over [lr / SPAN, lr × SPAN] on a log scale around the benchmark's own default."""
SIGNIFICANT_DIGITS = 3
"""Sampled numbers are rounded to this many significant digits, so configs (and run ids) stay readable."""


@dataclass(frozen=True)
class FloatRange:
    """A number sampled uniformly between `low` and `high`, or, with `log`, uniformly in log space (then low > 0)."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not (self.low < self.high and (self.low > 0 or not self.log)):
            raise MethodError(f"a {'log' if self.log else 'linear'} range needs {'0 < ' if self.log else ''}low < high, got [{self.low}, {self.high}]")

    def describe(self) -> str:
        return f"{'log ' if self.log else ''}[{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class IntRange:
    """An integer in [`low`, `high`] (both included), uniform or, with `log`, uniform in log space."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.low, int) and isinstance(self.high, int) and self.low < self.high):
            raise MethodError(f"an integer range needs integers low < high, got [{self.low}, {self.high}]")
        if self.log and self.low < 1:
            raise MethodError(f"a log integer range needs low >= 1, got {self.low}")

    def describe(self) -> str:
        return f"{'log ' if self.log else ''}integers [{self.low}, {self.high}]"


@dataclass(frozen=True)
class Choice:
    """One of a fixed list of values (numbers, strings or booleans)."""

    options: tuple[Any, ...]

    def __post_init__(self) -> None:
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise MethodError(f"a choice needs at least two distinct options, got {self.options}")

    def describe(self) -> str:
        return "one of " + ", ".join(str(option) for option in self.options)


Dimension = FloatRange | IntRange | Choice


@dataclass(frozen=True)
class SearchSpace:
    """The config fields tuning may vary (`dimensions`, by field name), the source of the ranges, or why there are none.

    `source` cites the paper's own sweep where one exists ("Kumar et al. 2023, §5"), else says the
    ranges are ours. An empty space must give `reason` ("no hyperparameters"): the method is then tuned
    on the benchmark's step size alone.
    """

    dimensions: Mapping[str, Dimension] = field(default_factory=dict)
    source: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.dimensions and not self.source:
            raise MethodError("a search space with dimensions must cite its source (the paper's sweep, or 'ours: why')")
        if not self.dimensions and not self.reason:
            raise MethodError("an empty search space must say why the method has nothing to tune (reason=...)")

    def check_fields(self, fields: set[str], owner: str) -> None:
        """Refuse a dimension that names no field of `owner`'s config."""
        unknown = sorted(set(self.dimensions) - fields)
        if unknown:
            raise MethodError(f"{owner}: search space names {', '.join(unknown)}, not fields of its config ({', '.join(sorted(fields))})")


def nothing_to_tune(reason: str) -> SearchSpace:
    """The space of a method with no hyperparameter worth tuning; its budget goes to `bench.lr` alone."""
    return SearchSpace(reason=reason)


def step_size_dimension(lr: float) -> FloatRange:
    """The benchmark step size's range: a factor of STEP_SIZE_SPAN either side of the preset's lr, log scale."""
    return FloatRange(lr / STEP_SIZE_SPAN, lr * STEP_SIZE_SPAN, log=True)


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`value` rounded to `digits` significant digits (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
