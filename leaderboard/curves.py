"""Seed-aggregated curves from run records: per-task metrics and diagnostic series, mean with a min–max band.

Only scored (ok) runs contribute; a key missing from some runs or points is simply absent there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from leaderboard.records import RunRecord


@dataclass(frozen=True)
class Curve:
    """x values with the mean over seeds and the band [min, max]; `seeds` counts runs at each x."""

    label: str
    x: list[float]
    mean: list[float]
    low: list[float]
    high: list[float]
    seeds: list[int]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _curve(label: str, samples: dict[float, list[float]]) -> Curve | None:
    xs = sorted(x for x, values in samples.items() if values)
    if not xs:
        return None
    arrays = [np.asarray(samples[x], dtype=float) for x in xs]
    return Curve(
        label,
        [float(x) for x in xs],
        [float(a.mean()) for a in arrays],
        [float(a.min()) for a in arrays],
        [float(a.max()) for a in arrays],
        [len(a) for a in arrays],
    )


def scored(records: list[RunRecord]) -> list[RunRecord]:
    return [r for r in records if r.status == "ok"]


def task_metric_keys(records: list[RunRecord], first: str | None = None) -> list[str]:
    """Every per-task metric that some run reports, the headline metric first."""
    keys = sorted({k for r in records for t in r.tasks for k, v in t.metrics.items() if _finite(v)})
    if first in keys:
        keys.remove(first)
        keys.insert(0, first)
    return keys


def diagnostic_keys(records: list[RunRecord]) -> list[str]:
    return sorted({k for r in records for p in r.diagnostics for k, v in p.values.items() if _finite(v)})


def task_curve(label: str, records: list[RunRecord], metric: str) -> Curve | None:
    """`metric` per task index across the scored runs."""
    samples: dict[float, list[float]] = defaultdict(list)
    for record in scored(records):
        for task in record.tasks:
            value = task.metrics.get(metric)
            if _finite(value):
                samples[task.task].append(value)
    return _curve(label, samples)


def diagnostic_curves(label: str, records: list[RunRecord]) -> dict[str, Curve]:
    """Every diagnostic key's curve (value per training step) across the scored runs, in one pass over their points."""
    samples: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in scored(records):
        for point in record.diagnostics:
            for key, value in point.values.items():
                if _finite(value):
                    samples[key][point.step].append(value)
    return {key: curve for key, by_step in samples.items() if (curve := _curve(label, by_step)) is not None}
