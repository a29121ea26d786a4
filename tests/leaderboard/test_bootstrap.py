"""The vectorised bootstrap against rliable, the reference: the same resampled runs, the same intervals, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.bootstrap import _draw, stratified_indices
from leaderboard.bundle import read_bundle
from leaderboard.errors import LeaderboardError
from leaderboard.statistics import (
    STATISTICS,
    BootstrapSettings,
    Statistic,
    aggregate_estimates,
    comparison_estimates,
    run_score_profile,
)
from tests.leaderboard.record_factory import make_record, site_records, three_methods

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
COUNT_PATTERNS = [[3], [5], [2], [4], [8], [100], [1], [1, 1], [3, 3, 3], [3, 1, 3], [5, 4], [4, 5, 5, 5, 5],
                  [3, 5, 3, 2, 1, 7], [17, 3], [6, 6, 5, 33]]


def rliable_draws(counts: list[int], reps: int, seed: int) -> list[np.ndarray]:
    """The run indices rliable's StratifiedIndependentBootstrap resamples, per stratum (reps, n), NumPy seeded with `seed`."""
    from rliable import library

    state = np.random.get_state()
    np.random.seed(seed)
    try:
        bootstrap = library.StratifiedIndependentBootstrap(*(np.arange(n).reshape(-1, 1) for n in counts))
        resamples = [[column.ravel() for column in positional] for positional, _ in bootstrap.bootstrap(reps)]
    finally:
        np.random.set_state(state)
    return [np.array([resample[i] for resample in resamples]) for i in range(len(counts))]


@pytest.mark.parametrize("counts", COUNT_PATTERNS, ids=lambda c: "-".join(map(str, c)))
def test_the_resampled_runs_are_the_runs_rliable_resamples(counts):
    for seed in (0, 7):
        ours = stratified_indices(counts, 300, seed)
        assert [a.shape for a in ours] == [(300, n) for n in counts]
        assert all(np.array_equal(a, b) for a, b in zip(ours, rliable_draws(counts, 300, seed)))


def test_drawing_leaves_numpys_global_generator_where_it_was():
    np.random.seed(5)
    expected = np.random.random_sample()
    np.random.seed(5)
    stratified_indices([3, 4], 200, 0)
    assert np.random.random_sample() == expected


def test_a_stream_too_short_for_every_draw_is_reported_so_that_more_is_drawn():
    words = np.random.RandomState(0).randint(0, 2**32, size=50, dtype=np.uint32)
    assert _draw([3], 100, words) is None
    assert _draw([3, 5], 100, words) is None


def test_a_stratum_without_runs_is_refused():
    with pytest.raises(ValueError, match="at least one run"):
        stratified_indices([3, 0], 100, 0)


def leaderboard_estimates(records, settings: BootstrapSettings) -> dict[str, list]:
    leaderboard = build_leaderboard(records, settings)
    found = {}
    for board in [*leaderboard.boards, *leaderboard.overall]:
        for row in board.rows:
            found.update({f"{board.title}/{row.label}/{name}": e.as_list() for name, e in row.estimates.items()})
        found.update({f"{board.title}/{label}/profile": [p.fraction, p.low, p.high] for label, p in board.profile.items() if p})
    return found


def uneven_records():
    """Two benchmarks, three methods, with a diverged seed and a missing one, so strata differ in size."""
    records = []
    for benchmark, shift in (("toy", 0.0), ("other", 0.05)):
        for method, level in (("baseline", 0.3), ("reset_full", 0.8), ("nap", 0.6)):
            for seed in range(5 if method != "nap" else 4):
                score = level + shift + 0.03 * ((seed * 7) % 5)
                status = "diverged" if (benchmark, method, seed) == ("other", "baseline", 2) else "ok"
                records.append(make_record(method, seed, [0.8, score], status=status, benchmark=benchmark))
    return records


@pytest.mark.parametrize("records", [three_methods, site_records, uneven_records], ids=lambda f: f.__name__)
def test_every_interval_of_a_leaderboard_is_rliables_bit_for_bit(records):
    ours = leaderboard_estimates(records(), BootstrapSettings(reps=500))
    reference = leaderboard_estimates(records(), BootstrapSettings(reps=500, engine="rliable"))
    assert ours == reference
    assert any(key.endswith("/improvement") for key in ours) and any(key.endswith("/profile") for key in ours)


def test_intervals_match_rliable_at_the_default_2000_resamples_and_another_seed_and_confidence():
    runs = {"score": [np.array([0.2, 0.4, 0.5, 0.9, 0.3]), np.array([0.1, 0.7])],
            "normalised": [np.array([0.1, 0.3, 0.45, 1.2, 0.2]), np.array([0.0, 1.5])]}
    baseline = {"score": [np.array([0.3, 0.3, 0.6]), np.array([0.2, 0.5, 0.8, 0.1])]}
    for settings in (BootstrapSettings(), BootstrapSettings(reps=700, confidence=0.9, seed=3)):
        reference = BootstrapSettings(settings.reps, settings.confidence, settings.seed, engine="rliable")
        taus = [0.0, 0.5, 1.0]
        assert aggregate_estimates(runs, settings, taus=taus) == aggregate_estimates(runs, reference, taus=taus)
        assert comparison_estimates(runs, baseline, settings) == comparison_estimates(runs, baseline, reference)


def median_of_runs(strata) -> float:
    return float(np.median(np.concatenate(strata)))


def test_a_statistic_that_is_not_batched_is_called_once_per_resample_and_still_matches_rliable():
    median = Statistic("normalised_median", 1, median_of_runs, "normalised", "normalised median")
    runs = {"normalised": [np.array([0.1, 0.3, 0.45, 1.2]), np.array([0.0, 1.5, 0.7])]}
    ours = aggregate_estimates(runs, BootstrapSettings(reps=300), statistics=[median]).estimates
    reference = aggregate_estimates(runs, BootstrapSettings(reps=300, engine="rliable"), statistics=[median]).estimates
    assert ours == reference


BATCHED = [s for s in STATISTICS.values() if s.batched]


@pytest.mark.parametrize("statistic", BATCHED, ids=lambda s: s.name)
@pytest.mark.parametrize("counts", [[1], [3], [5, 4], [40, 33, 60], [300]], ids=lambda c: "-".join(map(str, c)))
def test_a_batched_statistic_gives_each_resample_exactly_what_it_gives_that_resample_alone(statistic, counts):
    rng = np.random.default_rng(sum(counts))
    strata = [rng.normal(0.5, 0.3, size=(50, n)).round(3) for n in counts]
    arguments = [strata, [rng.normal(0.5, 0.3, size=(50, n)).round(3) for n in counts]][: 2 if statistic.versus_baseline else 1]
    batch = statistic.function(*arguments)
    alone = [statistic.function(*([s[rep] for s in group] for group in arguments)) for rep in range(50)]
    assert batch.shape == (50,) and batch.tolist() == alone


def test_the_batched_profile_gives_each_resample_exactly_its_own_profile():
    strata = [np.random.default_rng(0).normal(size=(40, 30)).round(2)]
    taus = np.linspace(-2, 2, 41).round(6).tolist()
    batch = run_score_profile(strata, taus)
    assert batch.shape == (40, 41)
    assert batch.tolist() == [run_score_profile([strata[0][rep]], taus).tolist() for rep in range(40)]


def test_an_unknown_engine_is_refused_naming_the_engines():
    with pytest.raises(LeaderboardError, match="one of numpy, rliable"):
        BootstrapSettings(engine="scipy")


@pytest.mark.slow
@pytest.mark.parametrize("bundle", sorted(EVIDENCE.glob("*.json.gz")), ids=lambda path: path.name)
def test_each_evidence_bundle_gets_rliables_intervals_bit_for_bit(bundle):
    """Every interval of the committed evidence is what rliable's own bootstrap gives (about 20 s: rliable's loop)."""
    records = read_bundle(bundle)
    reference = leaderboard_estimates(records, BootstrapSettings(engine="rliable"))
    assert leaderboard_estimates(records, BootstrapSettings()) == reference


def test_resamples_evaluated_in_several_calls_get_the_same_intervals(monkeypatch):
    import leaderboard.statistics as statistics

    runs = {"score": [np.array([0.2, 0.4, 0.5, 0.9, 0.3]), np.array([0.1, 0.7])]}
    whole = aggregate_estimates(runs, BootstrapSettings(reps=500), taus=[0.3, 0.6])
    monkeypatch.setattr(statistics, "RESAMPLES_PER_CALL", 150)
    assert aggregate_estimates(runs, BootstrapSettings(reps=500), taus=[0.3, 0.6]) == whole
