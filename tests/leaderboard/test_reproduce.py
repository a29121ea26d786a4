"""`clbench results compare`: runs with one id must have measured the same numbers, wherever they ran."""

from __future__ import annotations

import json

from leaderboard.bundle import export_bundle
from leaderboard.reproduce import compare_records, first_difference
from leaderboard.store import ResultsStore
from tests.helpers import run_cli
from tests.leaderboard.records import make_record


def pair():
    """Two records of one run, made at different times on different machines, measuring the same."""
    record = make_record("nap", 0, [0.8, 0.7, 0.6], diagnostics={"dead_fraction": [0.1, 0.2, 0.3]})
    rerun = record.model_copy(
        update={
            "wall_time_s": 99.0,
            "finished_at": "2027-01-01T00:00:00+00:00",
            "environment": record.environment.model_copy(update={"git_commit": "b" * 40, "device": "cuda:0"}),
        }
    )
    return record, rerun


def with_diagnostic(record, task: int, value: float):
    diagnostics = [p.model_copy(deep=True) for p in record.diagnostics]
    diagnostics[task].values["dead_fraction"] = value
    return record.model_copy(update={"diagnostics": diagnostics})


def test_records_that_measured_the_same_agree_whatever_their_time_machine_or_commit():
    record, rerun = pair()
    comparison = compare_records([record], [rerun])
    assert comparison.agreeing == [record.run_id] and comparison.reproduced


def test_a_diagnostic_differing_in_the_last_digit_is_found_with_its_path_and_the_environments():
    record, rerun = pair()
    changed = with_diagnostic(rerun, 1, 0.2 + 1e-15)
    (difference,) = compare_records([record], [changed]).differing
    assert difference.where == "diagnostics[1].values.dead_fraction"
    assert (difference.ours, difference.theirs) == (0.2, 0.2 + 1e-15)
    assert difference.environment["device"] == ("cpu", "cuda:0")
    assert "threads" not in difference.environment


def test_a_tolerance_accepts_differences_below_it_and_no_larger():
    record, rerun = pair()
    assert compare_records([record], [with_diagnostic(rerun, 1, 0.2 + 1e-9)], atol=1e-6).reproduced
    assert not compare_records([record], [with_diagnostic(rerun, 1, 0.2 + 1e-3)], atol=1e-6).reproduced


def test_runs_only_one_side_has_are_listed_not_compared():
    record, rerun = pair()
    extra = make_record("baseline", 0, [0.5, 0.4])
    comparison = compare_records([record, extra], [rerun])
    assert comparison.only_ours == [extra.run_id] and comparison.only_theirs == []
    assert comparison.agreeing == [record.run_id]


def test_a_missing_key_and_a_different_length_are_differences():
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == ("b", "<absent>", 2)
    assert first_difference({"x": [1, 2]}, {"x": [1]}) == ("x (length)", 2, 1)
    assert first_difference({"x": [float("nan")]}, {"x": [float("nan")]}) is None


def test_compare_exits_0_when_another_store_reproduced_every_shared_run(tmp_path):
    record, rerun = pair()
    ResultsStore(tmp_path / "a.db").put(record)
    ResultsStore(tmp_path / "b.db").put(rerun)
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 0, result.output
    assert "1 run ids in both: 1 agree, 0 differ" in result.stdout


def test_compare_reads_a_gzip_compressed_bundle_as_a_bundle_not_a_store(tmp_path):
    record, rerun = pair()
    ResultsStore(tmp_path / "a.db").put(record)
    export_bundle([rerun], tmp_path / "theirs.json.gz")
    result = run_cli("results", "compare", str(tmp_path / "theirs.json.gz"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 0, result.output
    assert "1 run ids in both: 1 agree, 0 differ" in result.stdout


def test_compare_exits_1_and_names_the_run_and_field_that_differ_against_a_bundle(tmp_path):
    record, rerun = pair()
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
    record, rerun = pair()
    ResultsStore(tmp_path / "a.db").put(record)
    ResultsStore(tmp_path / "b.db").put(with_diagnostic(rerun, 0, 0.11))
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 1
    assert f"differs: {record.run_id}" in result.stdout
    assert "first at diagnostics[0].values.dead_fraction: 0.1 (ours) against 0.11" in result.stdout
    assert "device cpu → cuda:0" in result.stdout


def test_compare_refuses_a_missing_store_instead_of_creating_it(tmp_path):
    ResultsStore(tmp_path / "a.db").put(pair()[0])
    result = run_cli("results", "compare", str(tmp_path / "typo.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 2 and "typo.db does not exist" in result.stderr
    assert not (tmp_path / "typo.db").exists()


def test_compare_with_no_run_in_common_is_an_error_not_a_pass(tmp_path):
    ResultsStore(tmp_path / "a.db").put(pair()[0])
    ResultsStore(tmp_path / "b.db").put(make_record("baseline", 3, [0.5, 0.4]))
    result = run_cli("results", "compare", str(tmp_path / "b.db"), "--store", str(tmp_path / "a.db"))
    assert result.exit_code == 2 and "nothing was compared" in result.stderr
