"""The Atari loop plays MinAtar unchanged: visits become tasks scored by normalised return, revisits are compared
with first visits, and every method for Q-networks trains on the MinAtar network."""

from __future__ import annotations

import math

import pytest

from benchmarks.minatar.scores import normalised_return
from core.families import ATARI
from methods import base
from tests.benchmarks.minatar.tiny_minatar import tiny_trainer

Q_NETWORK_METHODS = [name for name in base.names() if ATARI in base.create(name).families]

ACT_QUICKLY = {
    "injection": {"at_step": 5},
    "reset_lastk": {"unit": "step", "every": 5},
    "redo": {"unit": "step", "every": 4},
    "cbp": {"maturity": 1, "replacement_rate": 0.2},
}


@pytest.fixture(scope="module")
def baseline_result():
    return tiny_trainer(base.create("baseline")).run()


def test_each_visit_is_a_task_scored_by_its_normalised_return(baseline_result):
    tasks = baseline_result.tasks
    assert [t.name for t in tasks] == ["breakout", "seaquest", "breakout", "seaquest"]
    for task in tasks:
        metrics = task.metrics
        if metrics["return"] is not None:
            assert metrics["norm_return"] == pytest.approx(normalised_return(task.name, metrics["return"]))
        assert metrics["updates"] == 36 and metrics["eval_return"] is not None


def test_revisits_are_compared_with_the_first_visit_and_the_last_cycle_is_the_headline(baseline_result):
    first, _, second, _ = baseline_result.tasks
    assert first.metrics["final_cycle_norm_return"] is None
    assert second.metrics["first_visit_norm_return"] == first.metrics["norm_return"]
    assert second.metrics["final_cycle_norm_return"] == second.metrics["norm_return"]
    assert set(baseline_result.summary) == {"first_cycle_mean_norm_return", "last_cycle_mean_norm_return",
                                            "revisit_mean_norm_return_gain", "revisit_mean_auc_gain"}


def test_diagnostics_are_measured_on_replayed_states(baseline_result):
    assert len(baseline_result.diagnostics) == 4
    assert all(point.values.get("dormant_fraction@0.1") is not None and point.values.get("srank") for point in baseline_result.diagnostics)


@pytest.mark.parametrize("name", Q_NETWORK_METHODS)
def test_every_method_for_q_networks_trains_on_minatar_without_nan(name):
    method = base.create(name, {name: ACT_QUICKLY[name]} if name in ACT_QUICKLY else None)
    result = tiny_trainer(method, frames_per_game=120, cycles=1).run()
    assert result.diverged_at_step is None and result.steps == 2 * 26
    assert all(math.isfinite(value) for task in result.tasks for value in task.metrics.values() if value is not None)
