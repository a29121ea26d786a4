"""Matplotlib figures for the leaderboard: seed-band curves and performance profiles, as SVG or PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from leaderboard.curves import Curve
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


def curves_figure(title: str, xlabel: str, ylabel: str, curves: Sequence[Curve]):
    """One line per curve (mean over seeds) with its min–max band over seeds."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        for curve in curves:
            (line,) = axes.plot(curve.x, curve.mean, label=plain_label(curve.label), linewidth=1.4)
            if any(n > 1 for n in curve.seeds):
                axes.fill_between(curve.x, curve.low, curve.high, color=line.get_color(), alpha=0.2, linewidth=0)
        axes.set_title(plain_label(title))
        axes.set_xlabel(xlabel)
        axes.set_ylabel(plain_label(ylabel))
        if curves:
            axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


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
