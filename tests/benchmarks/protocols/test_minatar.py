"""The MinAtar protocols (benchmarks/protocols/minatar.py): every setting is recorded and enters the run id, bad
settings name their field, and smoke runs through the CLI reach the store and the leaderboard."""

from __future__ import annotations

import dataclasses
import json

import pytest

from benchmarks import base
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.errors import BenchmarkError
from benchmarks.minatar.games import MinAtarSettings
from leaderboard.records import make_run_id
from tests.cli_runner import run_cli

MINATAR_BENCHMARKS = ["minatar-sequence", "minatar-single"]
SETTING_FIELDS = [f.name for settings in (MinAtarSettings, DQNSettings, AtariLoopSettings) for f in dataclasses.fields(settings)]


@pytest.mark.parametrize("name", MINATAR_BENCHMARKS)
def test_every_setting_is_recorded_and_a_change_changes_the_run_id(name):
    benchmark = base.get(name)
    smoke = benchmark.config("smoke")
    assert set(SETTING_FIELDS) <= set(benchmark.config_dict(smoke))
    changed = benchmark.config("smoke", {"sticky_action_probability": "0.2"})
    ids = {make_run_id(benchmark.name, benchmark.version, "smoke", benchmark.config_dict(c), "baseline", {}, 0) for c in (smoke, changed)}
    assert len(ids) == 2 and changed.minatar_settings().sticky_action_probability == 0.2


def test_the_paper_preset_is_minatars_own_dqn_budget():
    paper = base.get("minatar-sequence").config("paper")
    assert (paper.replay_capacity, paper.learning_starts, paper.train_every, paper.target_update_every) == (100_000, 5_000, 1, 1_000)
    assert (paper.epsilon_end, paper.epsilon_decay_steps, paper.frames_per_game) == (0.1, 100_000, 5_000_000)
    assert len(paper.games) == 5 and paper.minatar_settings() == MinAtarSettings()


@pytest.mark.parametrize("field, value", [("sticky_action_probability", "1.5"), ("max_episode_frames", "0"), ("games", "pong"),
                                          ("channels", "0"), ("train_every", "0"), ("num_envs", "0"), ("hidden", "0"),
                                          ("lr", "0"), ("adam_eps", "-1")])
def test_a_bad_setting_names_its_field(field, value):
    with pytest.raises(BenchmarkError, match=rf"bench\.{field}"):
        base.get("minatar-sequence").config("smoke", {field: value})


@pytest.mark.slow
def test_minatar_smoke_runs_reach_the_store_and_the_leaderboard(store_path):
    ran = run_cli("run", "-b", "minatar-sequence,minatar-single", "-m", "baseline,nap", "--preset", "smoke", "--seed", "0",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    assert "4 runs (4 ok)" in ran.output
    records = json.loads(run_cli("results", "list", "--json", "--store", str(store_path)).stdout)
    assert {r["status"] for r in records} == {"ok"} and {r["benchmark"] for r in records} == set(MINATAR_BENCHMARKS)
    board = run_cli("leaderboard", "show", "--store", str(store_path))
    assert board.exit_code == 0, board.output
    assert "minatar-sequence" in board.stdout and "nap" in board.stdout
