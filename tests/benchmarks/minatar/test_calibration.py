"""The quick preset's calibration is rebuilt from its committed bundle: the reference returns of
`reference_scores.csv` and the revisit table docs/benchmarks.md quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.base import get
from benchmarks.minatar.calibration import reference_returns, revisit_table, sequence_runs
from benchmarks.minatar.scores import reference_table
from leaderboard.bundle import read_bundle

REPOSITORY = Path(__file__).resolve().parents[3]
BUNDLE = REPOSITORY / "docs" / "evidence" / "minatar-calibration-quick.json.gz"


@pytest.fixture(scope="module")
def records():
    return read_bundle(BUNDLE)


def test_every_reference_return_is_the_mean_of_the_fresh_runs_in_the_bundle(records):
    frames = get("minatar-sequence").config("quick").frames_per_game
    measured = reference_returns(records, frames)
    assert set(measured) == set(reference_table())
    for game, value in measured.items():
        assert reference_table()[game].reference == pytest.approx(value, abs=5e-5)


def test_the_bundle_holds_the_baseline_sequence_at_todays_quick_protocol(records):
    benchmark = get("minatar-sequence")
    runs = sequence_runs(records)
    assert [r.seed for r in runs] == [0, 1, 2]
    assert all(r.benchmark_version == benchmark.version and r.benchmark_config == benchmark.config_dict(benchmark.config("quick"))
               for r in runs)


def test_docs_quote_the_revisit_table_rebuilt_from_the_bundle(records):
    table = revisit_table(records)
    assert table and table in (REPOSITORY / "docs" / "benchmarks.md").read_text(encoding="utf-8")
