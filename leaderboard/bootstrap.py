"""rliable's stratified bootstrap with every resample drawn at once, so statistics run on (reps, n) arrays.

rliable (`library.get_interval_estimates`, through arch's `IIDBootstrap.conf_int`) calls the statistic
once per resample in Python, which cost nearly all of a leaderboard build's time. Here the run indices
of all resamples are drawn in one go, and they are exactly the indices rliable's
`StratifiedIndependentBootstrap` draws after `np.random.seed(seed)`; the percentile interval is taken
as arch takes it. So the intervals are rliable's, bit for bit (tests/leaderboard/test_bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import groupby

import numpy as np


def _bounds(n: int) -> tuple[int, int]:
    """(largest index, bit mask) of NumPy's legacy masked rejection sampling for `randint(0, n)`."""
    bound = n - 1
    return bound, (1 << bound.bit_length()) - 1


class _RawStream:
    """The 32-bit outputs of `RandomState(seed)`'s Mersenne Twister, drawn in chunks as they are needed."""

    def __init__(self, seed: int):
        self._generator = np.random.RandomState(seed)
        self.words = np.empty(0, dtype=np.uint32)

    def extend_to(self, length: int) -> np.ndarray:
        if length > len(self.words):
            more = self._generator.randint(0, 2**32, size=length - len(self.words), dtype=np.uint32)
            self.words = np.concatenate([self.words, more])
        return self.words


class _Accepted:
    """The words of the stream that `randint(0, n)` accepts: their positions and their values."""

    def __init__(self, words: np.ndarray, n: int):
        bound, mask = _bounds(n)
        masked = words & np.uint32(mask)
        self.accepted = masked <= bound
        self.positions = np.flatnonzero(self.accepted)
        self.values = masked[self.accepted].astype(np.int64)

    @cached_property
    def rank(self) -> np.ndarray:
        """`rank[p]`: how many accepted words lie before position p, so the index of the first at or after p."""
        return np.concatenate([[0], np.cumsum(self.accepted)])


def stratified_indices(counts: Sequence[int], reps: int, seed: int) -> list[np.ndarray]:
    """Run indices of `reps` stratified resamples: per stratum of n runs, an int array of shape (reps, n).

    The indices rliable's `StratifiedIndependentBootstrap` draws with NumPy's global generator seeded
    with `seed`: for each resample, for each stratum in order, `np.random.choice(n, n)`, which is
    `RandomState.randint(0, n)` n times: 32-bit words masked to the next power of two, and rejected
    until one is below n (a stratum of one run draws nothing).
    """
    if any(n < 1 for n in counts):
        raise ValueError(f"every stratum needs at least one run, got run counts {list(counts)}")
    result = [np.zeros((reps, n), dtype=np.int64) for n in counts]
    drawing = [i for i, n in enumerate(counts) if n > 1]
    if not drawing:
        return result
    expected = sum(reps * (_bounds(counts[i])[1] + 1) for i in drawing)
    stream, length = _RawStream(seed), int(1.05 * expected) + 1024
    while (picked := _draw([counts[i] for i in drawing], reps, stream.extend_to(length))) is None:
        length *= 2
    for i, indices in zip(drawing, picked):
        result[i] = indices
    return result


def _draw(counts: list[int], reps: int, words: np.ndarray) -> list[np.ndarray] | None:
    """Each stratum's (reps, n) draws from `words`, or None if the stream is too short.

    With one run count there is one acceptance rule: the draws are the first accepted words, in order.
    With several, each stratum starts at the first word its own rule accepts after the previous
    stratum's last draw. Then `next_rep[p]`, where a resample starting at word p ends, is computed for
    every p at once, and only the chain of resample starts is followed one by one.
    """
    accepted = {n: _Accepted(words, n) for n in set(counts)}
    total = reps * sum(counts)
    if len(accepted) == 1:
        values = accepted[counts[0]].values
        if len(values) < total:
            return None
        edges = np.cumsum([0, *counts])
        block = values[:total].reshape(reps, edges[-1])
        return [block[:, start:stop] for start, stop in zip(edges[:-1], edges[1:])]

    if any(len(rule.positions) == 0 for rule in accepted.values()):
        return None
    past_end = len(words) + 1

    def after(n: int, draws: int, start: np.ndarray) -> np.ndarray:
        """The word after `draws` draws of `randint(0, n)` from word `start` on (past_end if the stream runs out)."""
        rule = accepted[n]
        last = rule.rank[np.minimum(start, len(words))] + draws - 1
        inside = (start < past_end) & (last < len(rule.positions))
        return np.where(inside, rule.positions[np.minimum(last, len(rule.positions) - 1)] + 1, past_end)

    next_rep = np.arange(past_end + 1)
    for n, same in groupby(counts):
        next_rep = after(n, n * len(list(same)), next_rep)
    chain, starts, position = memoryview(np.ascontiguousarray(next_rep, dtype=np.int64)), [0] * reps, 0
    for rep in range(reps):
        starts[rep] = position
        position = chain[position]
    if position == past_end:
        return None
    drawn, position = [], np.asarray(starts)
    for n in counts:
        rule = accepted[n]
        first = rule.rank[position]
        drawn.append(rule.values[first[:, None] + np.arange(n)])
        position = rule.positions[first + n - 1] + 1
    return drawn


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile-bootstrap bounds of each column of `samples`, shape (reps, k) → two (k,).

    The percentiles arch's `conf_int(method="percentile")` takes: 100·α and 100·(1 − α), α = (1 − confidence)/2.
    """
    alpha = (1.0 - confidence) / 2
    low, high = np.percentile(samples, 100 * np.array([alpha, 1.0 - alpha]), axis=0)
    return low, high
