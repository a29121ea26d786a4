"""Every method hook is called at the right moment of the Atari loop, with the state methods rely on."""

from __future__ import annotations

import pytest
import torch

from methods.base import Method
from methods.learner import Learner, TaskInfo
from tests.benchmarks.atari.tiny_atari import tiny_trainer

pytestmark = pytest.mark.atari

UPDATES_PER_VISIT = 16


class Recorder(Method):
    """Logs each hook call with what the loop had set up at that moment."""

    name = "recorder"

    def __init__(self):
        super().__init__()
        self.calls: list[tuple] = []

    def prepare(self, learner: Learner) -> None:
        self.calls.append(("prepare", learner.optimizer is None))

    def start(self, learner: Learner) -> None:
        self.calls.append(("start", learner.optimizer is not None))

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        self.calls.append(("on_task_start", task.index, task.name, task.cycle, task.steps, learner.step))

    def penalty(self, learner: Learner):
        self.calls.append(("penalty", tuple(learner.last_inputs.shape), learner.last_inputs.dtype))
        return None

    def before_step(self, learner: Learner) -> None:
        has_grads = all(p.grad is not None for p in learner.model.parameters())
        self.calls.append(("before_step", has_grads))

    def after_step(self, learner: Learner) -> None:
        loss = learner.batch_loss(learner.model)
        self.calls.append(("after_step", learner.step, bool(torch.isfinite(loss)) and loss.requires_grad))

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        self.calls.append(("on_task_end", task.index, learner.step))


@pytest.fixture(scope="module")
def recorded():
    recorder = Recorder()
    trainer = tiny_trainer(recorder)
    result = trainer.run()
    return recorder.calls, result


def test_prepare_then_start_run_once_before_training(recorded):
    calls, _ = recorded
    assert calls[0] == ("prepare", True) and calls[1] == ("start", True)
    assert sum(c[0] in ("prepare", "start") for c in calls) == 2


def test_on_task_start_fires_at_each_game_switch_with_game_and_cycle(recorded):
    calls, _ = recorded
    starts = [c[1:] for c in calls if c[0] == "on_task_start"]
    assert starts == [
        (0, "breakout", 0, UPDATES_PER_VISIT, 0),
        (1, "pong", 0, UPDATES_PER_VISIT, UPDATES_PER_VISIT),
        (2, "breakout", 1, UPDATES_PER_VISIT, 2 * UPDATES_PER_VISIT),
        (3, "pong", 1, UPDATES_PER_VISIT, 3 * UPDATES_PER_VISIT),
    ]


def test_each_gradient_step_calls_penalty_before_step_after_step_in_order(recorded):
    calls, _ = recorded
    step_calls = [c for c in calls if c[0] in ("penalty", "before_step", "after_step")]
    assert len(step_calls) == 3 * 4 * UPDATES_PER_VISIT
    for i in range(0, len(step_calls), 3):
        penalty, before, after = step_calls[i : i + 3]
        assert penalty == ("penalty", (8, 4, 84, 84), torch.uint8)
        assert before == ("before_step", True)
        assert after == ("after_step", i // 3 + 1, True)


def test_on_task_end_closes_each_visit_after_its_updates(recorded):
    calls, result = recorded
    ends = [c[1:] for c in calls if c[0] == "on_task_end"]
    assert ends == [(k, (k + 1) * UPDATES_PER_VISIT) for k in range(4)]
    assert result.steps == 4 * UPDATES_PER_VISIT


def test_second_visits_are_compared_with_first_visits(recorded):
    _, result = recorded
    first, second = result.tasks[0].metrics, result.tasks[2].metrics
    assert "revisit_hns_gain" not in first and first["final_cycle_hns"] is None
    assert second["first_visit_hns"] == first["hns"]
    assert second["revisit_hns_gain"] == pytest.approx(second["hns"] - first["hns"])
    assert second["final_cycle_hns"] == second["hns"]


def test_diagnostics_are_measured_at_the_end_of_every_visit(recorded):
    _, result = recorded
    assert [p.task for p in result.diagnostics] == [0, 1, 2, 3]
    assert all("dormant_fraction@0.1" in p.values for p in result.diagnostics)


def test_atari_single_reports_segments_but_starts_one_task():
    recorder = Recorder()
    trainer = tiny_trainer(recorder, games=("breakout",), frames_per_game=640, cycles=1, segments_per_visit=2)
    result = trainer.run()
    assert sum(c[0] == "on_task_start" for c in recorder.calls) == 1
    assert [t.task for t in result.tasks] == [0, 1]
    assert sum(t.steps for t in result.tasks) == result.steps == (160 - 16) // 4
