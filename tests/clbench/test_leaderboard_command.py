"""`clbench leaderboard show|build`: reads a store or bundles, prints the table or writes the site, refuses duplicates."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from leaderboard.bundle import export_bundle
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import HOSTILE, make_record, site_records


@pytest.mark.slow
def test_leaderboard_show_prints_mean_and_std_per_method(store_path):
    run_cli("run", "-b", "permuted-mnist", "-m", "baseline,reset_full", "--seeds", "2", "--store", str(store_path), "--no-progress")
    result = run_cli("leaderboard", "show", "--store", str(store_path), "--wide")
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


def test_build_from_two_bundles_whose_copies_of_a_run_differ_exits_2_naming_the_record(tmp_path):
    record = make_record("baseline", 0)
    path = export_bundle([record], tmp_path / "a.json")
    other = export_bundle([record.model_copy(update={"steps": record.steps + 1})], tmp_path / "b.json")
    result = run_cli("leaderboard", "build", "--out", str(tmp_path / "site"), "--from", str(path), str(other))
    assert result.exit_code == 2 and record.run_id in result.stderr


def test_build_from_a_bundle_given_twice_keeps_each_run_once(tmp_path):
    path = export_bundle([make_record("baseline", 0), make_record("nap", 0)], tmp_path / "a.json")
    result = run_cli("leaderboard", "build", "--out", str(tmp_path / "site"), "--from", str(path), str(path))
    assert result.exit_code == 0, result.output
    assert "2 records" in result.output


COMPACT = "rank\tmethod\tscored seeds\tnormalised IQM [95% CI]\tP(> baseline) [95% CI]\tflags"


@pytest.fixture
def site_store(tmp_path):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(site_records())
    return store


def test_show_piped_prints_the_compact_columns_as_tab_separated_rows_with_whole_labels(site_store):
    lines = run_cli("leaderboard", "show", "--store", str(site_store), "--benchmark", "toy", "--reps", "100").stdout.splitlines()
    header = lines.index("# toy v1 (smoke)") + 1
    assert lines[header] == COMPACT
    rows = {line.split("\t")[1]: line.split("\t") for line in lines[header + 1:] if line.count("\t") == 5}
    assert set(rows) == {"baseline", "nap", "reset_full", HOSTILE}
    assert rows["nap"][2] == "2" and rows["nap"][5] == "diverged seeds 2"


def test_show_ranks_a_board_without_a_normalised_score_by_its_score_iqm(site_store):
    lines = run_cli("leaderboard", "show", "--store", str(site_store), "--benchmark", "regression", "--reps", "100").stdout.splitlines()
    assert lines[lines.index("# regression v1 (smoke)") + 1] == COMPACT.replace("normalised IQM", "score IQM")


def test_show_wide_prints_every_column_of_the_site_table(site_store):
    from leaderboard.aggregate import build_leaderboard
    from leaderboard.statistics import BootstrapSettings
    from leaderboard.tables import benchmark_table

    board = next(b for b in build_leaderboard(site_records(), BootstrapSettings(reps=100)).boards if b.benchmark == "toy")
    lines = run_cli("leaderboard", "show", "--store", str(site_store), "--benchmark", "toy", "--wide", "--reps", "100").stdout.splitlines()
    assert lines[lines.index("# toy v1 (smoke)") + 1] == "\t".join(column.title for column in benchmark_table(board).columns)


def test_show_on_an_80_column_terminal_fits_each_line_and_keeps_each_interval_and_label_whole(site_store, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "80")
    shown = run_cli("leaderboard", "show", "--store", str(site_store), "--benchmark", "toy", "--reps", "100")
    lines = re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout).splitlines()
    assert "\t" not in shown.stdout and all(len(line) <= 80 for line in lines)
    for label in ("baseline", "reset_full", "nap"):
        rows = [line for line in lines if re.match(rf"\s+\d+\s+{label}\s", line)]
        assert len(rows) == 2 and all(re.search(r"\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", row) for row in rows), rows


def test_build_into_an_existing_file_exits_2_and_leaves_the_file_alone(site_store, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = run_cli("leaderboard", "build", "--store", str(site_store), "--out", str(target))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "notes.txt is a file, not a folder: give a new folder, an empty one, or a site" in result.stderr
    assert target.read_text() == "mine"


def test_build_under_a_file_exits_2_naming_the_file(site_store, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("leaderboard", "build", "--store", str(site_store), "--out", str(tmp_path / "notes.txt" / "site"))
    assert result.exit_code == 2 and "cannot be created: " in result.stderr and "notes.txt is a file" in result.stderr


def test_build_into_a_folder_of_other_files_exits_2_and_deletes_nothing(site_store, tmp_path):
    folder = tmp_path / "paper"
    (folder / "plots").mkdir(parents=True)
    (folder / "plots" / "figure1.pdf").write_text("mine")
    (folder / "index.html").write_text("<h1>my paper</h1>")
    result = run_cli("leaderboard", "build", "--store", str(site_store), "--out", str(folder))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "paper holds files that are not a clbench site (index.html, plots)" in result.stderr
    assert (folder / "plots" / "figure1.pdf").read_text() == "mine" and sorted(p.name for p in folder.iterdir()) == ["index.html", "plots"]


def test_build_into_an_unwritable_folder_exits_2(site_store, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: let the check see the folder as any other user would
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: not (Path(path) == folder and mode & os.W_OK)
                            and real_access(path, mode, **kw))
    result = run_cli("leaderboard", "build", "--store", str(site_store), "--out", str(folder))
    assert result.exit_code == 2 and "locked is not writable by you" in result.stderr


def test_build_over_its_own_earlier_site_rebuilds_it_and_keeps_the_users_other_pages(tmp_path):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(site_records()[:6])
    site = tmp_path / "site"
    assert run_cli("leaderboard", "build", "--store", str(store), "--out", str(site), "--reps", "100").exit_code == 0
    (site / "notes.html").write_text("mine")
    rebuilt = run_cli("leaderboard", "build", "--store", str(store), "--out", str(site), "--reps", "100")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (site / "notes.html").read_text() == "mine" and (site / "index.html").exists()


def test_build_from_a_bundle_nested_100000_deep_exits_2_with_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("leaderboard", "build", "--out", str(tmp_path / "site"), "--from", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "more than 64 deep" in result.stderr


def test_show_from_a_bad_bundle_leaves_the_store_untouched(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("leaderboard", "show", "--store", str(tmp_path / "new.db"), "--from", str(path))
    assert result.exit_code == 2 and "more than 64 deep" in result.stderr
    assert not (tmp_path / "new.db").exists()
