"""Per-visit Atari metrics: final return, human-normalised score, area under the learning curve, revisits.

Pure functions over the unclipped returns of finished episodes. Following Machado et al. 2018 (§5.2),
a visit's score is the mean return of its last `window` training episodes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from benchmarks.atari.scores import human_normalised_score


def mean_or_none(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def final_return(returns: Sequence[float], window: int) -> float | None:
    """Mean unclipped return of the last `window` episodes (None if none finished)."""
    return mean_or_none(list(returns)[-window:])


def learning_curve_area(game: str, returns: Sequence[float], lengths: Sequence[int],
                        normalise: Callable[[str, float], float | None] = human_normalised_score) -> float | None:
    """Area under the normalised learning curve (human-normalised by default), divided by the frames it spans.

    Each frame of a finished episode is credited with that episode's normalised return, so this is the
    frame-weighted mean score: a visit that learns early scores higher than one that learns late.
    """
    total = sum(lengths)
    if not returns or total == 0:
        return None
    return sum(normalise(game, r) * n for r, n in zip(returns, lengths, strict=True)) / total


def binned_curve(returns: Sequence[float], end_frames: Sequence[int], start: int, stop: int, bins: int) -> list[float | None]:
    """Mean return of the episodes ending in each of `bins` equal frame windows of (start, stop]."""
    width = (stop - start) / bins
    sums, counts = [0.0] * bins, [0] * bins
    for value, frame in zip(returns, end_frames, strict=True):
        slot = min(bins - 1, max(0, math.ceil((frame - start) / width) - 1))
        sums[slot] += value
        counts[slot] += 1
    return [s / c if c else None for s, c in zip(sums, counts, strict=True)]


def difference(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else later - earlier
