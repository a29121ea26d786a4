"""Tables: columns come from the statistics registry, exports escape what they hold, and the tables the docs
quote from the evidence under docs/evidence/ are exactly what today's leaderboard code builds from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.bundle import read_bundle
from leaderboard.statistics import STATISTICS, BootstrapSettings, Statistic
from leaderboard.tables import Column, TableData, benchmark_table, overall_table
from tests.leaderboard.record_factory import three_methods

FAST = BootstrapSettings(reps=200)
EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
BUNDLES = sorted(EVIDENCE.glob("*.json.gz"))


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


def test_markdown_export_escapes_pipes_so_a_label_cannot_add_columns():
    table = TableData("t", "t", [Column("method", "method"), Column("n", "n", "integer")], [{"method": "a|b", "n": 1}])
    last = table.to_markdown().strip().splitlines()[-1]
    assert last == r"| a\|b | 1 |"


def test_the_evidence_folder_holds_bundles():
    assert BUNDLES, f"no *.json.gz bundle in {EVIDENCE}"


@pytest.mark.slow
@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda path: path.name)
def test_each_evidence_bundle_validates_and_its_table_is_what_the_leaderboard_builds(bundle):
    """The evidence still reads under today's record schema, and its quoted table is rebuilt exactly."""
    records = read_bundle(bundle)
    assert len({record.run_id for record in records}) == len(records) > 0
    quoted = bundle.with_name(bundle.name.removesuffix(".json.gz") + ".md")
    boards = build_leaderboard(records, BootstrapSettings()).boards
    assert quoted.read_text(encoding="utf-8") == "".join(benchmark_table(board).to_markdown() for board in boards)
