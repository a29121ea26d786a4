"""No reset lands between a task's last update and the loop's end-of-task measurement (issue 16).

Task-boundary methods act in `on_task_start`; step-clock methods hold a reset due on a task's last step
until the next task starts. cbp and shrink_perturb act a little on every step and are not held back.
"""

from __future__ import annotations

import pytest
import torch

from benchmarks.models import MLP
from benchmarks.regression import SlowlyChangingRegressionStream, train_regression_stream
from benchmarks.sinks import RunSink
from core.errors import MethodError
from methods import base
from methods.base import ComposedMethod, Method
from methods.learner import Learner, OptimizerSpec, StepSchedule, TaskInfo, prepare_learner
from tests.methods.tiny import TinyStream, build, run_stream, start_task, train_step

STEPS_PER_TASK = 4


def weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


class MeasuredWeights(Method):
    """First in a composition: keeps the weights each update leaves (before later parts' `after_step`) and,
    at each task end (right after the loop's measurement), whether the loop measured exactly those."""

    name = "measured_weights"

    def __init__(self):
        super().__init__()
        self.after_last_update: dict[str, torch.Tensor] = {}
        self.measured_trained: list[bool] = []

    def after_step(self, learner: Learner) -> None:
        self.after_last_update = weights(learner.model)

    def on_task_end(self, learner: Learner, task: TaskInfo) -> None:
        self.measured_trained.append(same(weights(learner.model), self.after_last_update))


class TaskEndLog(Method):
    """Logs `learner.at_task_end` after every update."""

    name = "task_end_log"

    def __init__(self):
        super().__init__()
        self.flags: list[bool] = []

    def after_step(self, learner: Learner) -> None:
        self.flags.append(learner.at_task_end)


def tiny_learner(method: Method, seed: int = 0) -> tuple[torch.nn.Module, Learner]:
    torch.manual_seed(seed)
    model = MLP(12, (16, 16), 4)
    return model, build(model, method)


# -- where the learner is within its task ------------------------------------------------------------
def test_the_learner_counts_updates_left_in_its_task_from_the_step_the_task_started_at():
    model, learner = tiny_learner(base.create("baseline"))
    x, y = torch.rand(8, 12), torch.randint(0, 4, (8,))
    train_step(learner, x, y)
    start_task(learner, 0, steps=2)
    assert learner.task_start_step == 1 and learner.steps_left_in_task == 2 and not learner.at_task_end
    train_step(learner, x, y)
    assert learner.steps_left_in_task == 1 and not learner.at_task_end
    train_step(learner, x, y)
    assert learner.steps_left_in_task == 0 and learner.at_task_end
    start_task(learner, 1, steps=2)
    assert learner.steps_left_in_task == 2 and not learner.at_task_end


def test_a_task_of_unknown_size_never_reports_its_end():
    model, learner = tiny_learner(base.create("baseline"))
    start_task(learner, 0, steps=0)
    train_step(learner, torch.rand(8, 12), torch.randint(0, 4, (8,)))
    assert learner.steps_left_in_task is None and not learner.at_task_end


def test_the_supervised_loop_marks_exactly_each_tasks_last_update_as_its_end():
    log = TaskEndLog()
    model, learner = tiny_learner(log)
    run_stream(learner, TinyStream(model, num_tasks=2, steps=3))
    assert log.flags == [False, False, True] * 2


def test_the_regression_loop_sizes_its_tasks_in_updates_when_batches_hold_several_examples():
    log = TaskEndLog()
    stream = SlowlyChangingRegressionStream(num_tasks=2, flip_after=8, seed=0, num_inputs=6, num_slow_bits=3, num_features=5)
    learner = prepare_learner(MLP(6, (5,), 1), log, OptimizerSpec(lr=1e-2), "regression", "cpu")
    train_regression_stream(learner, stream, batch_size=4, tracker=None, probe_size=4, sink=RunSink())
    assert log.flags == [False, True] * 2
    assert learner.total_steps == 4


@pytest.mark.atari
def test_the_atari_loop_marks_exactly_each_visits_last_update_as_its_end():
    from tests.benchmarks.atari.tiny_atari import tiny_trainer

    log = TaskEndLog()
    tiny_trainer(log).run()
    assert log.flags == ([False] * 15 + [True]) * 4


# -- the rule, once --------------------------------------------------------------------------------
def test_a_step_schedule_holds_a_firing_due_on_a_tasks_last_step_until_the_next_task_starts():
    model, learner = tiny_learner(base.create("baseline"))
    schedule = StepSchedule(every=2)
    x, y = torch.rand(8, 12), torch.randint(0, 4, (8,))
    start_task(learner, 0, steps=4)
    fired = []
    for _ in range(4):
        train_step(learner, x, y)
        fired.append(schedule.due_after_step(learner))
    assert fired == [False, True, False, False]
    start_task(learner, 1, steps=4)
    assert schedule.due_at_task_start() and not schedule.due_at_task_start()


# -- every reset-type method: the end-of-task measurement sees the trained network ---------------------
RESETS_AT_A_TASK_END = {
    "reset_full": {},
    "reset_head": {},
    "reset_lastk": {},
    "reset_lastk@step": {"unit": "step", "every": STEPS_PER_TASK},
    "redo@step": {"unit": "step", "every": STEPS_PER_TASK, "tau": 1.0},
    "injection": {"at_step": STEPS_PER_TASK},
}


@pytest.mark.parametrize("case", sorted(RESETS_AT_A_TASK_END))
def test_the_end_of_task_measurement_sees_the_network_as_its_last_update_left_it(case):
    name = case.split("@")[0]
    spy = MeasuredWeights()
    method = base.create(name, {name: {k: str(v) for k, v in RESETS_AT_A_TASK_END[case].items()}})
    model, learner = tiny_learner(ComposedMethod([spy, method]))
    run_stream(learner, TinyStream(model, num_tasks=3, steps=STEPS_PER_TASK))
    assert spy.measured_trained == [True, True, True]


def test_reset_lastk_on_the_step_clock_leaves_end_of_task_accuracy_as_training_left_it():
    """Until task 0 is measured, a run whose step reset falls on task 0's last step trains as the baseline does."""
    results = {}
    for spec, overrides in (("baseline", None), ("reset_lastk", {"reset_lastk": {"unit": "step", "every": "8"}})):
        model, learner = tiny_learner(base.create(spec, overrides))
        results[spec] = run_stream(learner, TinyStream(model, num_tasks=2, steps=8))
    assert results["reset_lastk"].tasks[0].metrics == results["baseline"].tasks[0].metrics


# -- and each still acts: at the next task's start -----------------------------------------------------
def trained_on_one_task(spec: str, overrides=None, steps: int = STEPS_PER_TASK) -> tuple[torch.nn.Module, Learner]:
    model, learner = tiny_learner(base.create(spec, overrides))
    x, y = torch.rand(16, 12), torch.randint(0, 4, (16,))
    start_task(learner, 0, steps=steps)
    for _ in range(steps):
        train_step(learner, x, y)
    return model, learner


def changed_parameters(model: torch.nn.Module, before: dict[str, torch.Tensor]) -> set[str]:
    return {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}


LAST_TWO_LAYERS = {"hidden.1.linear.weight", "hidden.1.linear.bias", "output.weight", "output.bias"}


def test_reset_lastk_by_default_redraws_the_last_two_layers_at_each_task_start_with_their_optimizer_state():
    model, learner = trained_on_one_task("reset_lastk")
    before = weights(model)
    start_task(learner, 1)
    assert changed_parameters(model, before) == LAST_TWO_LAYERS
    assert model.output.weight not in learner.optimizer.state
    assert model.hidden[0]["linear"].weight in learner.optimizer.state


def test_reset_lastk_every_counts_tasks_by_default():
    model, learner = trained_on_one_task("reset_lastk", {"reset_lastk": {"every": "2"}})
    before = weights(model)
    start_task(learner, 1)
    assert changed_parameters(model, before) == set()
    start_task(learner, 2)
    assert changed_parameters(model, before) == LAST_TWO_LAYERS


def test_reset_lastk_on_the_step_clock_resets_at_the_next_task_start_when_due_on_a_tasks_last_step():
    overrides = {"reset_lastk": {"unit": "step", "every": str(STEPS_PER_TASK)}}
    model, learner = trained_on_one_task("reset_lastk", overrides)
    assert learner.optimizer.state[model.output.weight]["step"].item() == STEPS_PER_TASK
    before = weights(model)
    start_task(learner, 1)
    assert changed_parameters(model, before) == LAST_TWO_LAYERS
    assert model.output.weight not in learner.optimizer.state


def test_reset_lastk_on_the_step_clock_every_one_step_is_refused_naming_the_unit():
    with pytest.raises(MethodError, match=r"reset_lastk\.every=1 is invalid.*unit='step'"):
        base.create("reset_lastk", {"reset_lastk": {"unit": "step"}})


def test_redo_on_the_step_clock_recycles_at_the_next_task_start_when_due_on_a_tasks_last_step():
    overrides = {"redo": {"unit": "step", "every": str(STEPS_PER_TASK), "tau": "1.0"}}
    model, learner = trained_on_one_task("redo", overrides)
    assert learner.method.recycled == {}
    start_task(learner, 1)
    assert sum(learner.method.recycled.values()) > 0


def test_injection_due_on_a_tasks_last_step_happens_at_the_next_task_start():
    model, learner = trained_on_one_task("injection", {"injection": {"at_step": str(STEPS_PER_TASK)}})
    assert not learner.method.injected
    start_task(learner, 1)
    assert learner.method.injected and learner.network.output.name == "output.trainable"


def test_injection_at_half_of_a_run_of_whole_tasks_waits_until_that_task_is_measured():
    spy = MeasuredWeights()
    injection = base.create("injection")
    model, learner = tiny_learner(ComposedMethod([spy, injection]))
    run_stream(learner, TinyStream(model, num_tasks=2, steps=STEPS_PER_TASK))
    assert spy.measured_trained == [True, True]
    assert injection.injected
    assert learner.optimizer.state[model.output.trainable.weight]["step"].item() == STEPS_PER_TASK
