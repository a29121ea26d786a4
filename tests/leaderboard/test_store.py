"""The SQLite results store (leaderboard/store.py): one row per run id, validated on read, written atomically."""

from __future__ import annotations

import sqlite3

import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.store import ResultsStore
from tests.leaderboard.record_factory import baseline_record


def test_store_keeps_one_row_per_run_id(store_path):
    store = ResultsStore(store_path)
    store.put(baseline_record())
    store.put(baseline_record())
    assert len(store) == 1
    store.put(baseline_record(seed=1, run_id="other"))
    assert len(store) == 2 and store.completed_ids() == {"bench.smoke.baseline.s0.x", "other"}


def test_failed_runs_are_not_complete_so_they_run_again(store_path):
    store = ResultsStore(store_path)
    store.put(baseline_record(status="failed", error="boom", score=None))
    assert store.completed_ids() == set()


def test_a_corrupted_row_is_reported_with_its_run_id(store_path):
    store = ResultsStore(store_path)
    store.put(baseline_record())
    with sqlite3.connect(store_path) as connection:
        connection.execute("UPDATE runs SET record = '{\"run_id\": 1}'")
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x"):
        store.records()


def test_a_batch_write_is_all_or_nothing(store_path):
    store = ResultsStore(store_path)
    good = baseline_record()
    bad = baseline_record(seed=1).model_copy(update={"score": 5.0})
    with pytest.raises(ValueError):
        store.put_many([good, bad])
    assert len(store) == 0
