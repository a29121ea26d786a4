"""`clbench results export|import|compare`: bundles round-trip, and compare exits 0 when another store or bundle
reproduced every shared run, 1 naming the run and field that differ, 2 when nothing could be compared."""

from __future__ import annotations

import json

from leaderboard.bundle import export_bundle
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import make_record, record_and_rerun, with_diagnostic


def test_export_then_import_round_trips_records(tmp_path, store_path):
    run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--store", str(store_path), "--no-progress")
    bundle = tmp_path / "bundle.json"
    assert run_cli("results", "export", str(bundle), "--store", str(store_path)).exit_code == 0
    other = tmp_path / "other.db"
    imported = run_cli("results", "import", str(bundle), "--store", str(other))
    assert imported.exit_code == 0, imported.output
    assert len(json.loads(run_cli("results", "list", "--json", "--store", str(other)).stdout)) == 1


def test_compare_exits_0_when_another_store_reproduced_every_shared_run(tmp_path):
    record, rerun = record_and_rerun()
    ResultsStore(tmp_path / "a.db").put(record)
    ResultsStore(tmp_path / "b.db").put(rerun)
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 0, result.output
    assert "1 run ids in both: 1 agree, 0 differ" in result.stdout


def test_compare_reads_a_gzip_compressed_bundle_as_a_bundle_not_a_store(tmp_path):
    record, rerun = record_and_rerun()
    ResultsStore(tmp_path / "a.db").put(record)
    export_bundle([rerun], tmp_path / "theirs.json.gz")
    result = run_cli("results", "compare", str(tmp_path / "theirs.json.gz"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 0, result.output
    assert "1 run ids in both: 1 agree, 0 differ" in result.stdout


def test_compare_exits_1_and_names_the_run_and_field_that_differ_against_a_bundle(tmp_path):
    record, rerun = record_and_rerun()
    ResultsStore(tmp_path / "a.db").put(record)
    export_bundle([with_diagnostic(rerun, 2, 0.31)], tmp_path / "theirs.json")
    result = run_cli("results", "compare", str(tmp_path / "theirs.json"), "--store", str(tmp_path / "a.db"), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["agreeing"] == 0
    assert report["differing"][0]["where"] == "diagnostics[2].values.dead_fraction"
    assert report["differing"][0]["theirs"] == 0.31
    assert report["differing"][0]["scores"] == [0.6, 0.6]


def test_compare_prints_each_differing_run_with_where_and_how_its_environment_differs(tmp_path):
    record, rerun = record_and_rerun()
    ResultsStore(tmp_path / "a.db").put(record)
    ResultsStore(tmp_path / "b.db").put(with_diagnostic(rerun, 0, 0.11))
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 1
    assert f"differs: {record.run_id}" in result.stdout
    assert "first at diagnostics[0].values.dead_fraction: 0.1 (ours) against 0.11" in result.stdout
    assert "device cpu → cuda:0" in result.stdout


def test_compare_refuses_a_missing_store_instead_of_creating_it(tmp_path):
    ResultsStore(tmp_path / "a.db").put(record_and_rerun()[0])
    result = run_cli("results", "compare", str(tmp_path / "typo.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 2 and "typo.db does not exist" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_compare_with_no_run_in_common_is_an_error_not_a_pass(tmp_path):
    ResultsStore(tmp_path / "a.db").put(record_and_rerun()[0])
    ResultsStore(tmp_path / "b.db").put(make_record("baseline", 3, [0.5, 0.4]))
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 2 and "nothing was compared" in result.stderr


def test_results_list_piped_prints_every_run_id_whole_on_its_own_line(tmp_path):
    records = [make_record("shrink_perturb+layernorm+weight_decay", 0), make_record("baseline", 1, [0.5, -0.25])]
    ResultsStore(tmp_path / "a.db").put_many(records)
    lines = run_cli("results", "list", "--store", str(tmp_path / "a.db")).stdout.splitlines()
    assert lines[:2] == ["# 2 runs", "run_id\tstatus\tscore\twall_time_s"]
    assert sorted(lines[2:]) == sorted(f"{r.run_id}\tok\t{r.score:.4f}\t1.0" for r in records)


def deep_bundle(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


def assert_one_line_refusal(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert all(needle in result.stderr for needle in needles), result.stderr


def test_importing_a_bundle_nested_100000_deep_exits_2_with_one_line_and_creates_no_store(tmp_path):
    result = run_cli("results", "import", str(deep_bundle(tmp_path)), "--store", str(tmp_path / "new.db"))
    assert_one_line_refusal(result, "deep.json nests lists or objects more than 64 deep")
    assert not (tmp_path / "new.db").exists()


def test_an_import_with_one_bad_record_changes_nothing_in_the_store(tmp_path):
    store = ResultsStore(tmp_path / "a.db")
    store.put(make_record("baseline", 0))
    before = store.records()
    path = export_bundle([make_record("nap", 0), make_record("nap", 1)], tmp_path / "b.json")
    data = json.loads(path.read_text())
    data["records"][1]["seed"] = "one"
    path.write_text(json.dumps(data))
    result = run_cli("results", "import", str(path), "--store", str(tmp_path / "a.db"))
    assert_one_line_refusal(result, "is malformed: seed")
    assert store.records() == before


def test_import_of_a_bundle_over_the_size_limit_exits_2_naming_the_limit(tmp_path, monkeypatch):
    from leaderboard import bundle

    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 100)
    path = export_bundle([make_record("nap", 0)], tmp_path / "b.json.gz")
    result = run_cli("results", "import", str(path), "--store", str(tmp_path / "a.db"))
    assert_one_line_refusal(result, "b.json.gz is", "over the 100 bytes limit")


def test_compare_against_a_bundle_nested_100000_deep_exits_2_with_one_line(tmp_path):
    ResultsStore(tmp_path / "a.db").put(record_and_rerun()[0])
    result = run_cli("results", "compare", str(deep_bundle(tmp_path)), "--store", str(tmp_path / "a.db"))
    assert_one_line_refusal(result, "more than 64 deep")
