"""Run records validate on write and read; the SQLite store keeps one row per run id, atomically."""

from __future__ import annotations

import json
import sqlite3

import pytest

from leaderboard.bundle import export_bundle, read_bundle
from leaderboard.errors import LeaderboardError
from leaderboard.records import HeadlineRule, RunRecord, TaskMetrics, headline_score, make_run_id, stream_summary
from leaderboard.store import ResultsStore

RULE = HeadlineRule(metric="online_accuracy", fraction=0.1, chance=0.1)


def make_record(seed: int = 0, values=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.5, 0.3), **changes) -> RunRecord:
    tasks = [TaskMetrics(task=i, metrics={"online_accuracy": v}) for i, v in enumerate(values)]
    fields = dict(
        run_id=f"bench.smoke.baseline.s{seed}.x",
        benchmark="bench",
        benchmark_version="1",
        preset="smoke",
        benchmark_config={},
        method="baseline",
        method_config={"baseline": {}},
        seed=seed,
        status="ok",
        headline=RULE,
        score=headline_score(tasks, RULE),
        tasks=tasks,
    )
    fields.update(changes)
    return RunRecord(**fields)


def test_headline_is_the_mean_over_the_final_tenth_of_tasks_rounded_up():
    tasks = [TaskMetrics(task=i, metrics={"online_accuracy": float(i)}) for i in range(11)]
    assert headline_score(tasks, RULE) == pytest.approx((9 + 10) / 2)


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
        make_record(score=0.99)


def test_a_failed_record_must_say_why():
    with pytest.raises(ValueError, match="must say why"):
        make_record(status="failed", score=None, tasks=[])


def test_run_ids_are_stable_and_change_with_the_config():
    a = make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 0)
    assert a == make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 0)
    assert a != make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 2}}, 0)
    assert a != make_run_id("b", "1", "smoke", {"lr": 1}, "nap", {"nap": {"every": 1}}, 1)


def test_store_keeps_one_row_per_run_id(store_path):
    store = ResultsStore(store_path)
    store.put(make_record())
    store.put(make_record())
    assert len(store) == 1
    store.put(make_record(seed=1, run_id="other"))
    assert len(store) == 2 and store.completed_ids() == {"bench.smoke.baseline.s0.x", "other"}


def test_failed_runs_are_not_complete_so_they_run_again(store_path):
    store = ResultsStore(store_path)
    store.put(make_record(status="failed", error="boom", score=None))
    assert store.completed_ids() == set()


def test_a_corrupted_row_is_reported_with_its_run_id(store_path):
    store = ResultsStore(store_path)
    store.put(make_record())
    with sqlite3.connect(store_path) as connection:
        connection.execute("UPDATE runs SET record = '{\"run_id\": 1}'")
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x"):
        store.records()


def test_a_batch_write_is_all_or_nothing(store_path):
    store = ResultsStore(store_path)
    good = make_record()
    bad = make_record(seed=1).model_copy(update={"score": 5.0})
    with pytest.raises(ValueError):
        store.put_many([good, bad])
    assert len(store) == 0


def test_bundles_round_trip_and_refuse_duplicates(tmp_path):
    path = export_bundle([make_record(), make_record(seed=1, run_id="r1")], tmp_path / "b.json")
    assert [r.seed for r in read_bundle(path)] == [0, 1]
    data = json.loads(path.read_text())
    data["records"].append(data["records"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x appears more than once"):
        read_bundle(path)


def test_a_bundle_with_a_tampered_score_is_refused_naming_the_record(tmp_path):
    path = export_bundle([make_record()], tmp_path / "b.json")
    data = json.loads(path.read_text())
    data["records"][0]["score"] = 1.0
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x is malformed.*does not match"):
        read_bundle(path)
