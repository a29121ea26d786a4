"""Aggregate statistics with stratified-bootstrap confidence intervals (Agarwal et al. 2021, rliable).

Scores arrive as *strata*: one 1-D array of per-run scores per benchmark (a "task" in rliable's words).
Strata may hold different numbers of runs; the bootstrap resamples runs within each stratum
independently (rliable's `StratifiedIndependentBootstrap`), which is the stratified bootstrap of
Agarwal et al. §4 without requiring a rectangular runs × tasks matrix. All resamples are drawn at once,
exactly as rliable draws them (leaderboard.bootstrap), and each statistic runs on all of them in one call.

Every statistic a leaderboard row shows is a named, versioned `Statistic` in `STATISTICS` (rliable's
estimates keyed by aggregate name): a row holds `{name: Estimate}`, the tables take their columns from
the registry, and the cache keys each interval by the statistic's name and version.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leaderboard.bootstrap import percentile_interval, stratified_indices
from leaderboard.errors import LeaderboardError

Strata = Sequence[np.ndarray]
Scale = str
"""What a statistic reads: "score", "normalised", "either", or `summary_scale(key)`, a value of each run's summary."""
Samples = Mapping[str, Strata]
"""One method's scored runs on each scale a board has ("score", "normalised", summary scales): the same runs, in the same order."""
SUMMARY_PREFIX = "summary:"


def summary_scale(key: str) -> Scale:
    """The scale of a run-summary value `key` (e.g. a regression run's `above_linear`)."""
    return SUMMARY_PREFIX + key


def summary_key(scale: Scale) -> str | None:
    """The run-summary key a scale reads, or None for the score scales."""
    return scale.removeprefix(SUMMARY_PREFIX) if scale.startswith(SUMMARY_PREFIX) else None
CACHE_LAYOUT = 3
"""The cache file's layout. Keys carry each statistic's name and version, so only a new file layout changes this."""
PROFILE_VERSION = 1
"""Version of `run_score_profile` in the cache keys: bump it when the profile's values change."""
ENGINES = ("numpy", "rliable")
RESAMPLES_PER_CALL = 10_000
"""A batched statistic sees at most this many resamples per call, so memory stays bounded at a high `--reps`."""


@dataclass(frozen=True)
class BootstrapSettings:
    """How confidence intervals are computed: percentile bootstrap, `reps` resamples, fixed seed.

    2,000 reps by default: rliable's own default for performance profiles (docs/leaderboard.md).
    `engine` "numpy" evaluates all resamples at once (leaderboard.bootstrap); "rliable" runs rliable's
    own bootstrap, one Python call per resample. Both give the same intervals, bit for bit, so the
    engine is not part of the cache key; "rliable" is kept as the reference that tests check against.
    """

    reps: int = 2000
    confidence: float = 0.95
    seed: int = 0
    engine: str = "numpy"

    def __post_init__(self) -> None:
        if not 100 <= self.reps <= 1_000_000:
            raise LeaderboardError(f"bootstrap reps must be between 100 and 1,000,000, got {self.reps}")
        if not 0.5 <= self.confidence < 1:
            raise LeaderboardError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if self.engine not in ENGINES:
            raise LeaderboardError(f"bootstrap engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval [low, high]."""

    point: float
    low: float
    high: float

    def as_list(self) -> list[float]:
        return [self.point, self.low, self.high]


def _pooled(strata: Strata) -> np.ndarray:
    """All runs side by side: shape (..., total runs), from strata of shape (..., runs)."""
    return np.concatenate([np.asarray(s, dtype=float) for s in strata], axis=-1)


def _value(result: np.ndarray) -> float | np.ndarray:
    """A float for one sample of runs, the array for a batch of resamples."""
    return float(result) if np.ndim(result) == 0 else result


def iqm(strata: Strata) -> float | np.ndarray:
    """Interquartile mean of all runs pooled: drop int(n/4) runs at each end, average the rest.

    Strata of shape (runs,) give a float; strata of shape (reps, runs) give one IQM per resample, (reps,).
    The same value as rliable's `aggregate_iqm` (scipy's 25% `trim_mean`; a test checks they agree).
    """
    scores = np.sort(_pooled(strata), axis=-1)
    count = scores.shape[-1]
    cut = int(0.25 * count)
    return _value(scores[..., cut : count - cut].mean(axis=-1))


def mean(strata: Strata) -> float | np.ndarray:
    """Mean of all runs pooled; strata (runs,) → float, (reps, runs) → (reps,)."""
    return _value(_pooled(strata).mean(axis=-1))


def optimality_gap(strata: Strata, gamma: float = 1.0) -> float | np.ndarray:
    """γ − mean(min(score, γ)) over all runs pooled (rliable's `aggregate_optimality_gap`, γ = 1).

    Strata (runs,) → float, (reps, runs) → (reps,).
    """
    return _value(gamma - np.minimum(_pooled(strata), gamma).mean(axis=-1))


def probability_of_improvement(x_strata: Strata, y_strata: Strata) -> float | np.ndarray:
    """P(X > Y): per stratum the Mann–Whitney U of X's runs vs Y's over n_x·n_y (ties count ½), averaged.

    Same value as rliable's `probability_of_improvement` (Agarwal et al. 2021, §A.2); a test checks the
    two agree. Strata (runs,) → float, (reps, runs) → (reps,) (X and Y with the same leading shape).
    """
    if len(x_strata) != len(y_strata) or not x_strata:
        raise LeaderboardError("probability of improvement needs the same, non-empty list of benchmarks for both methods")
    per_stratum = []
    for x, y in zip(x_strata, y_strata):
        x, y = np.asarray(x, dtype=float)[..., :, None], np.asarray(y, dtype=float)[..., None, :]
        greater = (x > y).sum(axis=(-2, -1))
        ties = (x == y).sum(axis=(-2, -1))
        per_stratum.append((greater + 0.5 * ties) / (x.shape[-2] * y.shape[-1]))
    return _value(np.stack(per_stratum, axis=-1).mean(axis=-1))


def run_score_profile(strata: Strata, taus: Sequence[float]) -> np.ndarray:
    """Fraction of all runs pooled scoring above each τ: F(τ), shape (len(taus),) (Agarwal et al. §5).

    Strata of shape (reps, runs) give one profile per resample, (reps, len(taus)).
    """
    scores = _pooled(strata)
    return (scores[..., None, :] > np.asarray(taus, dtype=float)[:, None]).mean(axis=-1)


@dataclass(frozen=True)
class Statistic:
    """A named, versioned aggregate of runs, and the table column that shows it.

    `function(strata) -> float` over one method's runs, or `function(strata, baseline_strata) -> float`
    when `versus_baseline`. `reads` is the scale it takes: headline "score"s (benchmark boards only),
    "normalised" scores, "either" for a scale-free statistic (headline scores where a board has them), or
    a run-summary value (`summary_scale(key)`; benchmark boards whose runs all record it).
    Bump `version` whenever its values change: that retires its cached intervals and nothing else's.
    """

    name: str
    version: int
    function: Callable[..., float]
    reads: Scale
    label: str
    digits: int = 3
    terminal: bool = False
    """Also a column of `clbench leaderboard show` (the terminal has room for fewer columns than a page)."""
    versus_baseline: bool = False
    column: bool = True
    """A column of the tables; False: computed for the site's figures only (the overview's interval estimates)."""
    batched: bool = False
    """`function` also takes strata of shape (reps, runs), one row per bootstrap resample, and returns (reps,):
    the bootstrap then calls it once, not once per resample. It must give each row what it gives that row alone."""


STATISTICS: dict[str, Statistic] = {}
"""Every statistic a leaderboard row reports, by name, in column order."""


def register(statistic: Statistic) -> Statistic:
    """Add `statistic` to every board that has its scale; its column follows those registered before it."""
    if statistic.name in STATISTICS:
        raise ValueError(f"a statistic named '{statistic.name}' is already registered")
    if statistic.version < 1:
        raise ValueError(f"statistic '{statistic.name}': version must be an integer >= 1, got {statistic.version}")
    STATISTICS[statistic.name] = statistic
    return statistic


SCORE_IQM = register(Statistic("score_iqm", 1, iqm, "score", "score IQM [95% CI]", batched=True))
NORMALISED_IQM = register(
    Statistic("normalised_iqm", 1, iqm, "normalised", "normalised IQM [95% CI]", terminal=True, batched=True)
)
NORMALISED_MEAN = register(
    Statistic("normalised_mean", 1, mean, "normalised", "normalised mean [95% CI]", column=False, batched=True)
)
"""rliable's interval-estimate figure shows the mean beside the IQM (Agarwal et al. 2021, Fig. 1); not a table column."""
OPTIMALITY_GAP = register(
    Statistic("optimality_gap", 1, optimality_gap, "normalised", "optimality gap [95% CI]", batched=True)
)
IMPROVEMENT = register(
    Statistic("improvement", 1, probability_of_improvement, "either", "P(> baseline) [95% CI]", digits=2,
              terminal=True, versus_baseline=True, batched=True)
)
ABOVE_LINEAR = register(
    Statistic("above_linear", 1, mean, summary_scale("above_linear"), "MSE above linear [95% CI]", terminal=True,
              batched=True)
)
"""Slowly-changing regression: headline-window MSE minus a linear learner's on the same examples (Dohare et al. 2024)."""


@functools.lru_cache(maxsize=1)
def _rliable_version() -> str:
    from importlib import metadata

    return metadata.version("rliable")


class StatisticsCache:
    """Bootstrap results keyed by (statistic name and version, settings, exact input scores), in one JSON file.

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
            if isinstance(data, dict) and data.get("format") == CACHE_LAYOUT and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]

    @staticmethod
    def key(
        name: str, version: int, settings: BootstrapSettings, groups: Sequence[Strata], extra: object = None
    ) -> str:
        digest = hashlib.sha256()
        header = [name, version, settings.reps, settings.confidence, settings.seed, _rliable_version(), extra]
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
        from core.files import write_atomic

        write_atomic(self.path, json.dumps({"format": CACHE_LAYOUT, "entries": self.entries}))
        self._dirty = False


@dataclass(frozen=True)
class _Part:
    """One vector-valued function of resampled runs, cached on its own: `function(*strata, one per group)`."""

    name: str
    version: int
    reads: str
    function: Callable[..., object]
    extra: object = None
    batched: bool = False


def _run_counts(groups: Sequence[Samples]) -> list[list[int]]:
    counts = []
    for group in groups:
        shapes = {tuple(len(np.asarray(s).ravel()) for s in strata) for strata in group.values()}
        if len(shapes) != 1:
            raise LeaderboardError("every scale of a method's scores must hold the same runs")
        (group_counts,) = shapes
        if not group_counts or 0 in group_counts:
            raise LeaderboardError("a statistic needs at least one run in every benchmark it covers")
        counts.append(list(group_counts))
    return counts


def _bootstrap(parts: Sequence[_Part], groups: Sequence[Samples], settings: BootstrapSettings) -> list[list[list[float]]]:
    """[points, lows, highs] of each part, all from one stratified bootstrap of every group's runs.

    What is resampled are run indices, drawn as rliable draws them (leaderboard.bootstrap), and the draws
    depend only on the run counts, so each part reads its own scale at the same resampled runs and gets
    the same interval alone or in company.
    """
    counts = _run_counts(groups)
    values = [{scale: [np.asarray(s, dtype=float).ravel() for s in strata] for scale, strata in g.items()} for g in groups]
    if settings.engine == "rliable":
        return _bootstrap_with_rliable(parts, values, counts, settings)
    drawn = iter(stratified_indices([n for group_counts in counts for n in group_counts], settings.reps, settings.seed))
    picks = [[next(drawn) for _ in group_counts] for group_counts in counts]
    results = []
    for part in parts:
        runs = [group[part.reads] for group in values]
        point = np.atleast_1d(np.asarray(part.function(*runs), dtype=float))
        low, high = percentile_interval(_resampled_values(part, runs, picks, settings.reps), settings.confidence)
        results.append([point.tolist(), low.tolist(), high.tolist()])
    return results


def _resampled_values(part: _Part, runs: list[list[np.ndarray]], picks: list[list[np.ndarray]], reps: int) -> np.ndarray:
    """`part` of each resample, shape (reps, its size): a batched part in calls of up to RESAMPLES_PER_CALL resamples,
    any other part once per resample."""
    chunks = []
    for start in range(0, reps, RESAMPLES_PER_CALL):
        rows = slice(start, min(start + RESAMPLES_PER_CALL, reps))
        resampled = [[stratum[pick[rows]] for stratum, pick in zip(group, group_picks)] for group, group_picks in zip(runs, picks)]
        if part.batched:
            chunks.append(np.asarray(part.function(*resampled), dtype=float).reshape(rows.stop - rows.start, -1))
            continue
        for rep in range(rows.stop - rows.start):
            alone = part.function(*([stratum[rep] for stratum in group] for group in resampled))
            chunks.append(np.atleast_1d(np.asarray(alone, dtype=float))[None])
    return np.concatenate(chunks)


def _bootstrap_with_rliable(
    parts: Sequence[_Part], values: list[dict[str, list[np.ndarray]]], counts: list[list[int]], settings: BootstrapSettings
) -> list[list[list[float]]]:
    """`_bootstrap` through rliable's `get_interval_estimates`, calling every part once per resample: the reference."""
    from rliable import library

    scales = {part.reads for part in parts}

    def evaluate(picks: list[list[np.ndarray]]) -> list[np.ndarray]:
        views = [{scale: [run[i] for run, i in zip(group[scale], pick)] for scale in scales} for group, pick in zip(values, picks)]
        return [np.atleast_1d(np.asarray(part.function(*(view[part.reads] for view in views)), dtype=float)) for part in parts]

    sizes = [len(v) for v in evaluate([[np.arange(n) for n in group_counts] for group_counts in counts])]

    def statistic(*columns: np.ndarray) -> np.ndarray:
        picks, start = [], 0
        for group_counts in counts:
            picks.append([column.ravel() for column in columns[start : start + len(group_counts)]])
            start += len(group_counts)
        return np.concatenate(evaluate(picks))

    args = [np.arange(n).reshape(-1, 1) for group_counts in counts for n in group_counts]
    state = np.random.get_state()
    np.random.seed(settings.seed)
    try:
        points, intervals = library.get_interval_estimates(
            {"x": args}, statistic, reps=settings.reps, confidence_interval_size=settings.confidence
        )
    finally:
        np.random.set_state(state)
    point, low, high = (np.atleast_1d(v).tolist() for v in (points["x"], intervals["x"][0], intervals["x"][1]))
    results, start = [], 0
    for size in sizes:
        results.append([point[start : start + size], low[start : start + size], high[start : start + size]])
        start += size
    return results


def _estimate_parts(
    parts: Sequence[_Part], groups: Sequence[Samples], settings: BootstrapSettings, cache: StatisticsCache | None
) -> dict[str, list[list[float]]]:
    """[points, lows, highs] of each part by name: from the cache, the rest from one bootstrap."""
    keys = {part.name: StatisticsCache.key(part.name, part.version, settings, [g[part.reads] for g in groups], part.extra)
            for part in parts}
    results, pending = {}, []
    for part in parts:
        hit = cache.get(keys[part.name]) if cache else None
        if isinstance(hit, list) and len(hit) == 3 and all(isinstance(values, list) for values in hit):
            results[part.name] = hit
        else:
            pending.append(part)
    if pending:
        for part, value in zip(pending, _bootstrap(pending, groups, settings)):
            results[part.name] = value
            if cache:
                cache.put(keys[part.name], value)
    return results


def _scale(statistic: Statistic, runs: Samples) -> str | None:
    """The scale `statistic` reads from `runs`, or None where the runs do not have it."""
    if statistic.reads == "either":
        return next((scale for scale in ("score", "normalised") if scale in runs), None)
    return statistic.reads if statistic.reads in runs else None


def _statistic_parts(statistics: Iterable[Statistic], runs: Samples, versus_baseline: bool) -> list[_Part]:
    return [
        _Part(s.name, s.version, scale, s.function, batched=s.batched)
        for s in statistics
        if s.versus_baseline == versus_baseline and (scale := _scale(s, runs)) is not None
    ]


@dataclass(frozen=True)
class Profile:
    """A run-score distribution F(τ) = fraction of runs scoring above τ, with a pointwise CI band."""

    taus: list[float]
    fraction: list[float]
    low: list[float]
    high: list[float]


@dataclass(frozen=True)
class Aggregates:
    """One method's estimates by statistic name, and its run-score profile (None without thresholds)."""

    estimates: dict[str, Estimate]
    profile: Profile | None


def aggregate_estimates(
    runs: Samples,
    settings: BootstrapSettings,
    cache: StatisticsCache | None = None,
    taus: Sequence[float] = (),
    statistics: Iterable[Statistic] | None = None,
) -> Aggregates:
    """Every registered one-method statistic that `runs` has the scale for, and the profile, from one bootstrap.

    The profile is over the normalised scores where `runs` has them, else over the headline scores.
    """
    parts = _statistic_parts(STATISTICS.values() if statistics is None else statistics, runs, versus_baseline=False)
    tau_list = [float(t) for t in taus]
    if tau_list:
        scale = "normalised" if "normalised" in runs else "score"
        profile = functools.partial(run_score_profile, taus=tau_list)
        parts.append(_Part("run_score_profile", PROFILE_VERSION, scale, profile, tau_list, batched=True))
    values = _estimate_parts(parts, [runs], settings, cache)
    estimates = {name: Estimate(v[0][0], v[1][0], v[2][0]) for name, v in values.items() if name != "run_score_profile"}
    profile = Profile(tau_list, *values["run_score_profile"]) if tau_list else None
    return Aggregates(estimates, profile)


def comparison_estimates(
    runs: Samples,
    baseline: Samples,
    settings: BootstrapSettings,
    cache: StatisticsCache | None = None,
    statistics: Iterable[Statistic] | None = None,
) -> dict[str, Estimate]:
    """Every registered statistic versus the baseline, resampling both methods' runs independently per benchmark."""
    parts = _statistic_parts(STATISTICS.values() if statistics is None else statistics, runs, versus_baseline=True)
    parts = [part for part in parts if part.reads in baseline]
    values = _estimate_parts(parts, [runs, baseline], settings, cache)
    return {name: Estimate(v[0][0], v[1][0], v[2][0]) for name, v in values.items()}


def iqm_estimate(strata: Strata, settings: BootstrapSettings, cache: StatisticsCache | None = None) -> Estimate:
    """IQM of the pooled runs with its stratified-bootstrap CI."""
    return aggregate_estimates({"score": strata}, settings, cache, statistics=[SCORE_IQM]).estimates[SCORE_IQM.name]


def performance_profile(
    strata: Strata, taus: Sequence[float], settings: BootstrapSettings, cache: StatisticsCache | None = None
) -> Profile:
    """Run-score distribution over all runs pooled, with stratified-bootstrap bands (Agarwal et al. §5)."""
    aggregates = aggregate_estimates({"score": strata}, settings, cache, list(taus), statistics=[])
    return aggregates.profile or Profile([], [], [], [])
