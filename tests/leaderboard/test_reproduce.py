"""Reproduction checks (leaderboard/reproduce.py): runs with one id must have measured the same numbers, wherever they ran."""

from __future__ import annotations

from leaderboard.reproduce import compare_records, first_difference
from tests.leaderboard.record_factory import make_record, record_and_rerun, with_diagnostic


def test_records_that_measured_the_same_agree_whatever_their_time_machine_or_commit():
    record, rerun = record_and_rerun()
    comparison = compare_records([record], [rerun])
    assert comparison.agreeing == [record.run_id] and comparison.reproduced


def test_a_diagnostic_differing_in_the_last_digit_is_found_with_its_path_and_the_environments():
    record, rerun = record_and_rerun()
    changed = with_diagnostic(rerun, 1, 0.2 + 1e-15)
    (difference,) = compare_records([record], [changed]).differing
    assert difference.where == "diagnostics[1].values.dead_fraction"
    assert (difference.ours, difference.theirs) == (0.2, 0.2 + 1e-15)
    assert difference.environment["device"] == ("cpu", "cuda:0")
    assert "threads" not in difference.environment


def test_a_tolerance_accepts_differences_below_it_and_no_larger():
    record, rerun = record_and_rerun()
    assert compare_records([record], [with_diagnostic(rerun, 1, 0.2 + 1e-9)], atol=1e-6).reproduced
    assert not compare_records([record], [with_diagnostic(rerun, 1, 0.2 + 1e-3)], atol=1e-6).reproduced


def test_runs_only_one_side_has_are_listed_not_compared():
    record, rerun = record_and_rerun()
    extra = make_record("baseline", 0, [0.5, 0.4])
    comparison = compare_records([record, extra], [rerun])
    assert comparison.only_ours == [extra.run_id] and comparison.only_theirs == []
    assert comparison.agreeing == [record.run_id]


def test_a_missing_key_and_a_different_length_are_differences():
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == ("b", "<absent>", 2)
    assert first_difference({"x": [1, 2]}, {"x": [1]}) == ("x (length)", 2, 1)
    assert first_difference({"x": [float("nan")]}, {"x": [float("nan")]}) is None
