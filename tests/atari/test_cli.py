"""Smoke runs through the CLI produce records that the store validates and the leaderboard lists."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_cli

pytestmark = pytest.mark.atari


def test_atari_sequence_smoke_runs_baseline_and_nap_into_the_leaderboard(store_path):
    ran = run_cli("run", "-b", "atari-sequence", "-m", "baseline,nap", "--preset", "smoke", "--seed", "0",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    assert "2 runs (2 ok)" in ran.output
    records = json.loads(run_cli("results", "list", "--json", "--store", str(store_path)).stdout)
    assert {r["method"] for r in records} == {"baseline", "nap"} and {r["status"] for r in records} == {"ok"}
    board = run_cli("leaderboard", "show", "--store", str(store_path))
    assert board.exit_code == 0, board.output
    assert "atari-sequence" in board.stdout and "baseline" in board.stdout and "nap" in board.stdout


def test_atari_sequence_record_scores_the_mean_hns_of_the_last_cycle(store_path):
    from leaderboard.store import ResultsStore

    ran = run_cli("run", "-b", "atari-sequence", "-m", "reset_full", "--preset", "smoke", "--seed", "1",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    (record,) = ResultsStore(store_path).records()
    assert [(t.name, t.metrics["cycle"]) for t in record.tasks] == [("breakout", 0), ("boxing", 0), ("breakout", 1), ("boxing", 1)]
    last_cycle = [t.metrics["hns"] for t in record.tasks[2:]]
    assert record.score == pytest.approx(sum(last_cycle) / 2)
    assert record.summary["last_cycle_mean_hns"] == pytest.approx(record.score)
    assert all(t.metrics["eval_return"] is not None for t in record.tasks)


def test_atari_single_smoke_runs_through_the_cli(store_path):
    ran = run_cli("run", "-b", "atari-single", "-m", "baseline", "--preset", "smoke", "--seed", "0",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    assert "1 runs (1 ok)" in ran.output


def test_bad_atari_setting_names_the_field():
    result = run_cli("run", "-b", "atari-sequence", "-m", "baseline", "--seed", "0", "--set", "bench.games=breakut")
    assert result.exit_code == 2
    assert "bench.games" in result.stderr and "did you mean 'breakout'" in result.stderr
