"""Interactive chart data for the site: one JSON object per chart, drawn in the browser by the bundled uPlot.

A chart is shared x values and one series per method (mean over seeds, with its min–max band); the
`baseline` and `reset_full` series are references, always drawn. The page embeds the data in a
`<script type="application/json">` block, so it works from file:// with no server and no network.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from leaderboard.curves import Curve
from leaderboard.statistics import Profile

REFERENCE_METHODS = ("baseline", "reset_full")


@dataclass
class Series:
    label: str
    method: str
    y: list[float | None]
    low: list[float | None] | None = None
    high: list[float | None] | None = None
    reference: bool = False


@dataclass
class Chart:
    """One plot: a title, axis labels, shared x values and its series (references first)."""

    id: str
    title: str
    xlabel: str
    ylabel: str
    x: list[float]
    series: list[Series] = field(default_factory=list)
    xlog: bool = False

    def as_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel, "x": self.x, "xlog": self.xlog,
            "series": [{k: v for k, v in vars(s).items() if v is not None} for s in self.series],
        }


def references_first(method: str) -> int:
    """Sort key: `baseline`, then `reset_full`, then every other method in its given order (a stable sort)."""
    return REFERENCE_METHODS.index(method) if method in REFERENCE_METHODS else len(REFERENCE_METHODS)


def _clean(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def curves_chart(chart_id: str, title: str, xlabel: str, ylabel: str, curves: Sequence[tuple[str, Curve]]) -> Chart:
    """A chart of seed-aggregated curves, `curves` as (method name, curve) pairs, aligned on the union of their x."""
    xs = sorted({x for _, curve in curves for x in curve.x})
    chart = Chart(chart_id, title, xlabel, ylabel, xs)
    for method, curve in sorted(curves, key=lambda pair: references_first(pair[0])):
        index = {x: i for i, x in enumerate(curve.x)}
        pick = lambda values: [_clean(values[index[x]]) if x in index else None for x in xs]  # noqa: E731
        banded = any(n > 1 for n in curve.seeds)
        chart.series.append(Series(curve.label, method, pick(curve.mean), pick(curve.low) if banded else None,
                                   pick(curve.high) if banded else None, reference=method in REFERENCE_METHODS))
    return chart


def profile_chart(chart_id: str, title: str, xlabel: str, profiles: dict[str, Profile], methods: dict[str, str]) -> Chart:
    """Run-score distributions F(τ) per row label (`methods` maps a label to its method name)."""
    taus = next(iter(profiles.values())).taus if profiles else []
    chart = Chart(chart_id, title, xlabel, "fraction of runs with score > τ", [float(t) for t in taus])
    ordered = sorted(profiles.items(), key=lambda item: references_first(methods.get(item[0], "")))
    for label, profile in ordered:
        method = methods.get(label, label)
        chart.series.append(Series(label, method, [float(v) for v in profile.fraction], [float(v) for v in profile.low],
                                   [float(v) for v in profile.high], reference=method in REFERENCE_METHODS))
    return chart


def charts_json(charts: Sequence[Chart]) -> str:
    """The charts as JSON safe to embed in a `<script type="application/json">` block (no `<`, `>` or `&` left raw)."""
    text = json.dumps([chart.as_json() for chart in charts], separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
