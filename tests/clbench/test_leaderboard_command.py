"""`clbench leaderboard show|build`: reads a store or bundles, prints the table or writes the site, refuses duplicates."""

from __future__ import annotations

import csv

import pytest

from leaderboard.bundle import export_bundle
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import make_record, site_records


@pytest.mark.slow
def test_leaderboard_show_prints_mean_and_std_per_method(store_path):
    run_cli("run", "-b", "permuted-mnist", "-m", "baseline,reset_full", "--seeds", "2", "--store", str(store_path), "--no-progress")
    result = run_cli("leaderboard", "show", "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert "baseline" in result.stdout and "reset_full" in result.stdout and "±" in result.stdout


def test_show_filters_by_benchmark_and_prints_records_as_text(tmp_path):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(site_records())
    result = run_cli("leaderboard", "show", "--store", str(store), "--benchmark", "regression", "--reps", "100")
    assert result.exit_code == 0, result.output
    assert "regression v1" in result.stdout and "toy v1" not in result.stdout


@pytest.mark.slow
def test_build_command_prints_the_site_path(tmp_path):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(site_records()[:6])
    result = run_cli("leaderboard", "build", "--store", str(store), "--out", str(tmp_path / "out"), "--reps", "100")
    assert result.exit_code == 0, result.output
    assert str((tmp_path / "out" / "index.html").resolve()) in result.stdout.replace("\n", "")
    assert (tmp_path / "s.stats.json").exists()


def test_results_export_writes_a_bundle_that_build_from_reads(tmp_path):
    store = tmp_path / "a.db"
    ResultsStore(store).put_many([make_record("baseline", 0), make_record("reset_full", 0, [0.5, 0.9])])
    assert run_cli("results", "export", str(tmp_path / "a.json"), "--store", str(store)).exit_code == 0
    export_bundle([make_record("baseline", 1, [0.5, 0.4])], tmp_path / "b.json")
    result = run_cli("leaderboard", "build", "--out", str(tmp_path / "site"), "--reps", "100",
                     "--from", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.exit_code == 0, result.output
    assert "3 records" in result.stdout
    rows = csv.DictReader(next((tmp_path / "site" / "exports").glob("benchmark-*.csv")).open())
    assert {row["method"]: row["seeds"] for row in rows} == {"baseline": "2", "reset_full": "1"}


def test_build_from_a_duplicated_bundle_exits_2_naming_the_record(tmp_path):
    record = make_record("baseline", 0)
    path = export_bundle([record], tmp_path / "a.json")
    result = run_cli("leaderboard", "build", "--out", str(tmp_path / "site"), "--from", str(path), str(path))
    assert result.exit_code == 2 and record.run_id in result.stderr
