"""The Atari benchmark config holds every setting of a run, once: each one is recorded and enters the run id."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks import base
from benchmarks.atari.ale_settings import ALESettings
from benchmarks.atari.dqn_settings import DQNSettings
from benchmarks.atari.loop_settings import AtariLoopSettings
from benchmarks.errors import BenchmarkError
from core.families import ATARI
from leaderboard.records import make_run_id

ATARI_BENCHMARKS = [name for name in base.names() if base.get(name).family == ATARI]
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


@pytest.mark.parametrize("field, value", [("huber_delta", "0"), ("frameskip", "0"), ("curve_bins", "0"), ("score_window", "0")])
def test_a_bad_setting_names_its_field(field, value):
    with pytest.raises(BenchmarkError, match=rf"bench\.{field}="):
        base.get("atari-sequence").config("smoke", {field: value})
