"""Table columns come from the statistics registry: registering a statistic is the one edit a new column needs."""

from __future__ import annotations

import numpy as np
import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.statistics import STATISTICS, BootstrapSettings, Statistic
from leaderboard.tables import benchmark_table, overall_table
from tests.leaderboard.test_aggregate import three_methods

FAST = BootstrapSettings(reps=200)


def normalised_median(strata) -> float:
    return float(np.median(np.concatenate(strata)))


@pytest.fixture
def with_median(monkeypatch):
    statistic = Statistic("normalised_median", 1, normalised_median, "normalised", "normalised median [95% CI]")
    monkeypatch.setitem(STATISTICS, statistic.name, statistic)
    return build_leaderboard(three_methods(), FAST)


def test_a_registered_statistic_is_a_column_of_the_benchmark_and_overall_tables(with_median):
    for table in (benchmark_table(with_median.boards[0]), overall_table(with_median.overall[0])):
        column = next(c for c in table.columns if c.key == "normalised_median")
        assert (column.title, column.kind, column.terminal) == ("normalised median [95% CI]", "estimate", False)
        baseline = next(row for row in table.rows if row["method"] == "baseline")
        assert baseline["normalised_median"].point == pytest.approx(0.3 / 0.7)


def test_a_registered_statistic_is_exported_to_csv_with_its_interval_and_to_markdown(with_median):
    table = benchmark_table(with_median.boards[0])
    assert "normalised_median,normalised_median_ci_low,normalised_median_ci_high" in table.to_csv().splitlines()[0]
    assert "normalised median [95% CI]" in table.to_markdown()


def test_a_statistic_named_like_a_table_column_is_refused(monkeypatch):
    monkeypatch.setitem(STATISTICS, "flags", Statistic("flags", 1, normalised_median, "normalised", "flags"))
    with pytest.raises(ValueError, match="flags appear twice"):
        overall_table(build_leaderboard(three_methods(), FAST).overall[0])
