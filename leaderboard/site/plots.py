"""Matplotlib figures for the leaderboard: the overview's interval estimates and heatmap, sensitivity plots, and the
performance profiles W&B shows, as SVG or PNG bytes. Curves on the site are interactive (leaderboard/site/charts.py)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from leaderboard.statistics import Profile

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "clbench",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}


def plain_label(text: str) -> str:
    """A label matplotlib draws verbatim: no mathtext from `$`, no hiding from a leading underscore."""
    text = text.replace("$", r"\$")
    return f" {text}" if text.startswith("_") else text


def _figure():
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.4, 3.2), layout="constrained")
        return figure, figure.add_subplot()


def profile_figure(title: str, xlabel: str, profiles: dict[str, Profile]):
    """Run-score distributions F(τ) with 95% stratified-bootstrap bands (Agarwal et al. 2021, §5)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        for label, profile in profiles.items():
            (line,) = axes.plot(profile.taus, profile.fraction, label=plain_label(label), linewidth=1.4)
            axes.fill_between(profile.taus, profile.low, profile.high, color=line.get_color(), alpha=0.2, linewidth=0)
        axes.set_title(plain_label(title))
        axes.set_xlabel(xlabel)
        axes.set_ylabel("fraction of runs with score > τ")
        axes.set_ylim(-0.02, 1.02)
        if profiles:
            axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def sensitivity_figure(title: str, points: Sequence[tuple[dict, float | None]], best: int | None):
    """One panel per tuned hyperparameter: each trial's tuning score against its value (log x for ranges over a decade).

    `points` are (values by dimension, score) per trial; `best` is the index of the chosen trial, drawn filled.
    Trials without a score (a seed diverged or failed) are left out and counted in the title.
    """
    import matplotlib
    from matplotlib.figure import Figure

    dimensions = list(points[0][0]) if points else []
    scored = [(i, values, score) for i, (values, score) in enumerate(points) if score is not None]
    unscored = len(points) - len(scored)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(max(2.4 * len(dimensions), 3.2), 2.4), layout="constrained")
        for column, name in enumerate(dimensions):
            axes = figure.add_subplot(1, max(len(dimensions), 1), column + 1)
            xs = [values[name] for _, values, _ in scored]
            numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
            if numeric and xs and min(xs) > 0 and max(xs) >= 10 * min(xs):
                axes.set_xscale("log")
            if not numeric:
                options = sorted({str(x) for x in xs})
                xs = [options.index(str(x)) for x in xs]
                axes.set_xticks(range(len(options)), [plain_label(o) for o in options])
            ys = [score for _, _, score in scored]
            axes.scatter(xs, ys, s=18, facecolors="none", edgecolors="tab:blue")
            chosen = [(x, y) for (i, _, _), x, y in zip(scored, xs, ys) if i == best]
            if chosen:
                axes.scatter([chosen[0][0]], [chosen[0][1]], s=30, color="tab:red", label="chosen")
            axes.set_xlabel(plain_label(name))
            if column == 0:
                axes.set_ylabel("tuning score")
        suffix = f" ({unscored} trial(s) diverged or failed)" if unscored else ""
        figure.suptitle(plain_label(title + suffix), fontsize=9)
    return figure


def _label_inches(labels: Sequence[str]) -> float:
    """Room for the longest method label at the figures' 9-point font (about 0.07 in a character), plus a margin."""
    return 0.5 + 0.07 * max((len(label) for label in labels), default=8)


ROW_INCHES = 0.24
"""Height of one method's row in the interval and heatmap figures: they grow with the methods, never squeeze them."""


def interval_figure(title: str, rows: Sequence[tuple[str, dict]], statistics: Sequence[tuple[str, str]]):
    """rliable's interval-estimate plot (Agarwal et al. 2021, Fig. 1): one panel per statistic, one row per method,
    the point and its 95% CI. `rows` are (label, estimates by statistic name), in the order to draw top to bottom."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2.6 * len(statistics) + _label_inches([r[0] for r in rows]), ROW_INCHES * len(rows) + 1.6), layout="constrained")
        for column, (name, label) in enumerate(statistics):
            axes = figure.add_subplot(1, len(statistics), column + 1)
            drawn = [(position, estimates[name]) for position, (_, estimates) in enumerate(rows) if name in estimates]
            positions = [position for position, _ in drawn]
            axes.hlines(positions, [e.low for _, e in drawn], [e.high for _, e in drawn], color="tab:blue", linewidth=5, alpha=0.35)
            axes.scatter([e.point for _, e in drawn], positions, marker="|", color="black", s=60)
            axes.set_ylim(len(rows) - 0.5, -0.5)
            axes.set_yticks(range(len(rows)), [plain_label(r[0]) for r in rows] if column == 0 else [])
            axes.tick_params(axis="y", length=0)
            axes.grid(axis="x", alpha=0.3)
            axes.set_xlabel(plain_label(label))
        figure.suptitle(plain_label(title), fontsize=9)
    return figure


def heatmap_figure(title: str, methods: Sequence[str], benchmarks: Sequence[str], values: Sequence[Sequence[float | None]]):
    """Methods × benchmarks, each cell the method's mean plasticity-normalised score there (blank: not run)."""
    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    data = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float).reshape(len(methods), len(benchmarks))
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(1.2 * len(benchmarks) + 1.6 + _label_inches(methods), ROW_INCHES * len(methods) + 2.0), layout="constrained")
        axes = figure.add_subplot()
        image = axes.imshow(np.clip(data, -0.2, 1.2), cmap="viridis", vmin=-0.2, vmax=1.2, aspect="auto")
        for i in range(len(methods)):
            for j in range(len(benchmarks)):
                if np.isfinite(data[i, j]):
                    axes.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=7, color="white" if data[i, j] < 0.6 else "black")
        axes.set_xticks(range(len(benchmarks)), [plain_label(b) for b in benchmarks], rotation=20, ha="right")
        axes.set_yticks(range(len(methods)), [plain_label(m) for m in methods])
        axes.tick_params(length=0)
        figure.colorbar(image, ax=axes, shrink=0.6, label="normalised score (0 chance, 1 reset_full)")
        axes.set_title(plain_label(title))
    return figure


def to_svg(figure) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
