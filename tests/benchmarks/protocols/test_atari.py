"""The Atari protocols (benchmarks/protocols/atari.py): the config holds every setting of a run, once, and each one is
recorded and enters the run id; smoke runs through the CLI reach the store and the leaderboard."""

from __future__ import annotations

import dataclasses
import json

import pytest

from benchmarks import base
from benchmarks.atari.ale_settings import ALESettings
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.errors import BenchmarkError
from benchmarks.protocols.atari import AtariAgentConfig
from leaderboard.records import make_run_id
from tests.cli_runner import run_cli

ATARI_BENCHMARKS = [name for name in base.names() if issubclass(base.get(name).Config, AtariAgentConfig)]
SETTINGS = (ALESettings, DQNSettings, AtariLoopSettings)
SETTING_FIELDS = [f.name for settings in SETTINGS for f in dataclasses.fields(settings)]


def run_id(benchmark: base.Benchmark, config) -> str:
    return make_run_id(benchmark.name, benchmark.version, "smoke", benchmark.config_dict(config), "baseline", {}, 0)


@pytest.mark.parametrize("name", ATARI_BENCHMARKS)
def test_every_setting_of_the_emulator_agent_and_loop_is_recorded(name):
    benchmark = base.get(name)
    for preset in benchmark.presets:
        recorded = benchmark.config_dict(benchmark.config(preset))
        assert set(SETTING_FIELDS) <= set(recorded)
        assert {"huber_delta", "frameskip", "frame_stack", "curve_bins"} <= set(recorded)


@pytest.mark.parametrize("name", ATARI_BENCHMARKS)
@pytest.mark.parametrize("field, value", [("huber_delta", "2.0"), ("frameskip", "3"), ("frame_stack", "2"), ("curve_bins", "5")])
def test_changing_a_setting_changes_the_run_id_and_reaches_the_run(name, field, value):
    benchmark = base.get(name)
    default, changed = benchmark.config("smoke"), benchmark.config("smoke", {field: value})
    assert run_id(benchmark, changed) != run_id(benchmark, default)
    parts = (changed.ale_settings(), changed.dqn_settings(), changed.loop_settings())
    (part,) = [p for p in parts if field in {f.name for f in dataclasses.fields(p)}]
    assert str(getattr(part, field)) == value


@pytest.mark.parametrize("name", ATARI_BENCHMARKS)
def test_paper_preset_takes_its_defaults_from_the_settings_dataclasses(name):
    paper = base.get(name).config("paper")
    assert (paper.ale_settings(), paper.dqn_settings(), paper.loop_settings()) == (ALESettings(), DQNSettings(), AtariLoopSettings())


@pytest.mark.parametrize("field, value", [("huber_delta", "0"), ("frameskip", "0"), ("curve_bins", "0"), ("score_window", "0"),
                                          ("num_envs", "0"), ("env_threads", "-1"), ("channels", "8,8"), ("hidden", "0"),
                                          ("lr", "0"), ("adam_eps", "-1")])
def test_a_bad_setting_names_its_field(field, value):
    with pytest.raises(BenchmarkError, match=rf"bench\.{field}="):
        base.get("atari-sequence").config("smoke", {field: value})


@pytest.mark.atari
@pytest.mark.slow
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


@pytest.mark.atari
@pytest.mark.slow
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


@pytest.mark.atari
@pytest.mark.slow
def test_atari_single_smoke_runs_through_the_cli(store_path):
    ran = run_cli("run", "-b", "atari-single", "-m", "baseline", "--preset", "smoke", "--seed", "0",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    assert "1 runs (1 ok)" in ran.output


@pytest.mark.atari
def test_bad_atari_setting_names_the_field():
    result = run_cli("run", "-b", "atari-sequence", "-m", "baseline", "--seed", "0", "--set", "bench.games=breakut")
    assert result.exit_code == 2
    assert "bench.games" in result.stderr and "did you mean 'breakout'" in result.stderr
