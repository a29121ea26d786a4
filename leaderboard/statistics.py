"""Aggregate statistics with stratified-bootstrap confidence intervals (Agarwal et al. 2021, rliable).

Scores arrive as *strata*: one 1-D array of per-run scores per benchmark (a "task" in rliable's words).
Strata may hold different numbers of runs; the bootstrap resamples runs within each stratum
independently (rliable's `StratifiedIndependentBootstrap`), which is the stratified bootstrap of
Agarwal et al. §4 without requiring a rectangular runs × tasks matrix.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leaderboard.errors import LeaderboardError

Strata = Sequence[np.ndarray]
CACHE_FORMAT = 2


@dataclass(frozen=True)
class BootstrapSettings:
    """How confidence intervals are computed: percentile bootstrap, `reps` resamples, fixed seed.

    2,000 reps by default: rliable's own default for performance profiles; at 50,000 (its default for
    point aggregates) a leaderboard of a few dozen rows takes minutes (docs/leaderboard.md).
    """

    reps: int = 2000
    confidence: float = 0.95
    seed: int = 0

    def __post_init__(self) -> None:
        if not 100 <= self.reps <= 1_000_000:
            raise LeaderboardError(f"bootstrap reps must be between 100 and 1,000,000, got {self.reps}")
        if not 0.5 <= self.confidence < 1:
            raise LeaderboardError(f"confidence must be in [0.5, 1), got {self.confidence}")


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval [low, high]."""

    point: float
    low: float
    high: float

    def as_list(self) -> list[float]:
        return [self.point, self.low, self.high]


def _pooled(strata: Strata) -> np.ndarray:
    return np.concatenate([np.asarray(s, dtype=float).ravel() for s in strata])


def iqm(strata: Strata) -> float:
    """Interquartile mean of all runs pooled: drop int(n/4) runs at each end, average the rest.

    The same value as rliable's `aggregate_iqm` (scipy's 25% `trim_mean`; a test checks they agree),
    without scipy's per-call overhead, which dominated the bootstrap's time.
    """
    scores = np.sort(_pooled(strata))
    cut = int(0.25 * len(scores))
    return float(scores[cut : len(scores) - cut].mean())


def optimality_gap(strata: Strata, gamma: float = 1.0) -> float:
    """γ − mean(min(score, γ)) over all runs pooled (rliable `aggregate_optimality_gap`, γ = 1)."""
    from rliable import metrics

    return float(metrics.aggregate_optimality_gap(_pooled(strata), gamma=gamma))


def probability_of_improvement(x_strata: Strata, y_strata: Strata) -> float:
    """P(X > Y): per stratum the Mann–Whitney U of X's runs vs Y's over n_x·n_y (ties count ½), averaged.

    Same value as rliable's `probability_of_improvement` (Agarwal et al. 2021, §A.2), vectorised so that
    a bootstrap of it stays cheap; a test checks the two agree.
    """
    if len(x_strata) != len(y_strata) or not x_strata:
        raise LeaderboardError("probability of improvement needs the same, non-empty list of benchmarks for both methods")
    per_stratum = []
    for x, y in zip(x_strata, y_strata):
        x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        greater = (x[:, None] > y[None, :]).sum()
        ties = (x[:, None] == y[None, :]).sum()
        per_stratum.append((greater + 0.5 * ties) / (len(x) * len(y)))
    return float(np.mean(per_stratum))


@functools.lru_cache(maxsize=1)
def _rliable_version() -> str:
    from importlib import metadata

    return metadata.version("rliable")


@contextmanager
def _seeded_numpy(seed: int):
    """rliable's resampling draws from NumPy's global generator; seed it and restore it afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


class StatisticsCache:
    """Bootstrap results keyed by (statistic, settings, exact input scores), kept in one JSON file.

    Rebuilding a leaderboard whose scores did not change then costs no resampling at all.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path else None
        self.entries: dict[str, list] = {}
        self.hits = self.misses = 0
        self._dirty = False
        if self.path and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                data = {}
            if isinstance(data, dict) and data.get("format") == CACHE_FORMAT and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]

    @staticmethod
    def key(name: str, settings: BootstrapSettings, groups: Sequence[Strata], extra: object = None) -> str:
        digest = hashlib.sha256()
        header = [CACHE_FORMAT, name, settings.reps, settings.confidence, settings.seed, _rliable_version(), extra]
        digest.update(json.dumps(header, default=str).encode())
        for strata in groups:
            digest.update(b"|group")
            for stratum in strata:
                array = np.ascontiguousarray(np.asarray(stratum, dtype=np.float64).ravel())
                digest.update(len(array).to_bytes(8, "little"))
                digest.update(array.tobytes())
        return digest.hexdigest()

    def get(self, key: str) -> list | None:
        value = self.entries.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value: list) -> None:
        self.entries[key] = value
        self._dirty = True

    def save(self) -> None:
        if not (self.path and self._dirty):
            return
        from leaderboard.bundle import write_atomic

        write_atomic(self.path, json.dumps({"format": CACHE_FORMAT, "entries": self.entries}))
        self._dirty = False


def _interval(
    args: list[np.ndarray], statistic: Callable[..., np.ndarray], settings: BootstrapSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point estimate and percentile CI of `statistic(*args)`; each arg is resampled over its runs."""
    from rliable import library

    with _seeded_numpy(settings.seed):
        points, intervals = library.get_interval_estimates(
            {"x": args}, statistic, reps=settings.reps, confidence_interval_size=settings.confidence
        )
    return np.asarray(points["x"], dtype=float), intervals["x"][0], intervals["x"][1]


def _columns(strata: Strata) -> list[np.ndarray]:
    arrays = [np.asarray(s, dtype=float).reshape(-1, 1) for s in strata]
    if not arrays or any(len(a) == 0 for a in arrays):
        raise LeaderboardError("a statistic needs at least one run in every benchmark it covers")
    return arrays


def _cached_vector(
    name: str,
    groups: Sequence[Strata],
    statistic: Callable[..., np.ndarray],
    settings: BootstrapSettings,
    cache: StatisticsCache | None,
    extra: object = None,
) -> list[list[float]]:
    """[points, lows, highs] of a vector-valued statistic, from the cache or one bootstrap."""
    key = StatisticsCache.key(name, settings, groups, extra)
    hit = cache.get(key) if cache else None
    if isinstance(hit, list) and len(hit) == 3 and all(isinstance(part, list) for part in hit):
        return hit
    args = [column for strata in groups for column in _columns(strata)]
    point, low, high = _interval(args, statistic, settings)
    value = [np.atleast_1d(point).tolist(), np.atleast_1d(low).tolist(), np.atleast_1d(high).tolist()]
    if cache:
        cache.put(key, value)
    return value


@dataclass(frozen=True)
class Profile:
    """A run-score distribution F(τ) = fraction of runs scoring above τ, with a pointwise CI band."""

    taus: list[float]
    fraction: list[float]
    low: list[float]
    high: list[float]


@dataclass(frozen=True)
class Aggregates:
    """IQM of the scores; IQM and optimality gap of the normalised scores; the run-score profile."""

    iqm: Estimate
    normalised_iqm: Estimate | None
    optimality_gap: Estimate | None
    profile: Profile | None


def aggregate_estimates(
    strata: Strata,
    settings: BootstrapSettings,
    cache: StatisticsCache | None = None,
    normaliser: tuple[float, float] | None = None,
    taus: Sequence[float] | None = None,
) -> Aggregates:
    """All aggregates of one method from a single stratified bootstrap (one resampling, several statistics).

    `normaliser` = (zero, one): scores map to (score − zero) / (one − zero) for the normalised IQM, the
    optimality gap (γ = 1) and the profile; without it the profile is over the scores themselves.
    """
    tau_array = np.asarray(list(taus or []), dtype=float)

    def statistic(*columns: np.ndarray) -> np.ndarray:
        scores = _pooled(columns)
        values = [iqm([scores])]
        profiled = scores
        if normaliser is not None:
            profiled = (scores - normaliser[0]) / (normaliser[1] - normaliser[0])
            values += [iqm([profiled]), optimality_gap([profiled])]
        return np.concatenate([values, (profiled[None, :] > tau_array[:, None]).mean(axis=1)])

    extra = [normaliser, tau_array.tolist()]
    points, lows, highs = _cached_vector("aggregates", [strata], statistic, settings, cache, extra)
    estimates = [Estimate(p, lo, hi) for p, lo, hi in zip(points, lows, highs)]
    used = 3 if normaliser is not None else 1
    profile = None
    if len(tau_array):
        profile = Profile(tau_array.tolist(), points[used:], lows[used:], highs[used:])
    return Aggregates(
        iqm=estimates[0],
        normalised_iqm=estimates[1] if normaliser is not None else None,
        optimality_gap=estimates[2] if normaliser is not None else None,
        profile=profile,
    )


def iqm_estimate(strata: Strata, settings: BootstrapSettings, cache: StatisticsCache | None = None) -> Estimate:
    """IQM of the pooled runs with its stratified-bootstrap CI."""
    return aggregate_estimates(strata, settings, cache).iqm


def improvement_estimate(
    x_strata: Strata, y_strata: Strata, settings: BootstrapSettings, cache: StatisticsCache | None = None
) -> Estimate:
    """P(X > Y) with a CI from resampling X's and Y's runs independently within each benchmark."""
    count = len(x_strata)
    if count != len(y_strata):
        raise LeaderboardError("probability of improvement needs the same benchmarks for both methods")

    def statistic(*columns: np.ndarray) -> np.ndarray:
        return np.array([probability_of_improvement(columns[:count], columns[count:])])

    points, lows, highs = _cached_vector("probability_of_improvement", [x_strata, y_strata], statistic, settings, cache)
    return Estimate(points[0], lows[0], highs[0])


def performance_profile(
    strata: Strata, taus: Sequence[float], settings: BootstrapSettings, cache: StatisticsCache | None = None
) -> Profile:
    """Run-score distribution over all runs pooled, with stratified-bootstrap bands (Agarwal et al. §5)."""
    aggregates = aggregate_estimates(strata, settings, cache, taus=list(taus))
    return aggregates.profile or Profile([], [], [], [])
