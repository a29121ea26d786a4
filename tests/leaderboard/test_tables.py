"""Tables: columns come from the statistics registry, exports escape what they hold, and the tables the docs
quote from the evidence under docs/evidence/ are exactly what today's leaderboard code builds from it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.bundle import read_bundle
from leaderboard.regimes import QUOTED, RegimeEvidence
from leaderboard.statistics import STATISTICS, BootstrapSettings, Statistic
from leaderboard.tables import Column, TableData, benchmark_table, overall_table
from tests.leaderboard.record_factory import HOSTILE, make_record, three_methods

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


@pytest.mark.slow
@pytest.mark.parametrize("evidence", QUOTED, ids=lambda e: e.quoted)
def test_each_quoted_default_against_tuned_table_is_what_its_bundles_build(evidence: RegimeEvidence):
    missing = [path.name for path in evidence.paths if not path.exists()]
    if missing:
        assert not (EVIDENCE / evidence.quoted).exists(), f"{evidence.quoted} is quoted but {missing} are not committed"
        return
    assert (EVIDENCE / evidence.quoted).read_text(encoding="utf-8") == evidence.build()


IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("x")'


@pytest.fixture(scope="module")
def hostile_table():
    """A benchmark table whose method labels are HTML, a formula and a link."""
    records = three_methods()
    for label, scores in ((IMAGE, [0.2, 0.3]), (FORMULA, [0.3, 0.35]), (HOSTILE, [0.25, 0.3]), ("[x](https://e.test)", [0.2, 0.2])):
        records += [make_record(label, seed, [0.8, 0.7, score]) for seed, score in enumerate(scores)]
    return benchmark_table(build_leaderboard(records, FAST).boards[0])


def markdown_cells(markdown: str, label_start: str) -> list[str]:
    """The cells of the row whose method cell starts with `label_start`."""
    rows = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in markdown.splitlines() if line.startswith("|")]
    return next(cells for cells in rows if cells[1].startswith(label_start))


def test_markdown_export_escapes_html_so_a_hostile_label_shows_as_text_and_runs_nothing(hostile_table):
    markdown = hostile_table.to_markdown()
    assert "<img" not in markdown and "<script" not in markdown
    assert markdown_cells(markdown, "&lt;img")[1] == "&lt;img src=x onerror=alert(1)>"
    assert markdown_cells(markdown, "&lt;script")[1] == HOSTILE.replace("<", "&lt;")


def test_markdown_export_keeps_ampersands_literal_and_makes_no_link():
    table = TableData("t", "a & b", [Column("method", "method")], [{"method": "[x](https://e.test) &amp;"}])
    lines = table.to_markdown().splitlines()
    assert lines[0] == "## a &amp; b" and lines[-1] == r"| [x]\(https://e.test) &amp;amp; |"


def test_markdown_export_keeps_a_multi_line_label_in_its_row():
    table = TableData("t", "t", [Column("method", "method"), Column("n", "n", "integer")], [{"method": "a\nb\r\nc", "n": 1}])
    assert table.to_markdown().strip().splitlines()[-1] == "| a b c | 1 |"


def test_csv_export_neutralises_a_text_cell_a_spreadsheet_would_run_as_a_formula(hostile_table):
    rows = {row["method"]: row for row in csv.DictReader(io.StringIO(hostile_table.to_csv()))}
    assert "'" + FORMULA in rows and FORMULA not in rows
    assert IMAGE in rows


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "-inf", "-0.355 ± 0.01"])
def test_csv_export_prefixes_each_formula_start_with_a_quote(text):
    table = TableData("t", "t", [Column("method", "method")], [{"method": text}])
    assert list(csv.reader(io.StringIO(table.to_csv())))[1:] == [["'" + text]]


def test_csv_export_quotes_a_carriage_return_so_a_cell_cannot_end_its_row():
    table = TableData("t", "t", [Column("method", "method"), Column("n", "n", "integer")], [{"method": "\rx\ry", "n": 1}])
    assert list(csv.reader(io.StringIO(table.to_csv(), newline=""))) == [["method", "n"], ["'\nx\ny", "1"]]


def test_csv_export_keeps_negative_numbers_as_numbers():
    table = TableData("t", "t", [Column("method", "method"), Column("score", "score", "number")],
                      [{"method": "baseline", "score": -0.355}, {"method": "-0.355", "score": -1e-5}])
    assert table.to_csv() == "method,score\nbaseline,-0.355\n-0.355,-1e-05\n"
