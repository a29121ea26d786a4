"""Test-only methods that break a run in known ways; registered only while a test asks for them.

They live in an importable module (not inside a test function) so that worker processes and Ray
workers, which import a job's defining modules, know them too.
"""

from __future__ import annotations

import os

import torch

from methods.base import Method, register
from methods.learner import Learner, TaskInfo

DRIVER_PID_VARIABLE = "CLBENCH_TEST_DRIVER_PID"
POISON_AFTER_STEP = 5


class CrashWorker(Method):
    """Ends its worker process at once (as a segfault or the OOM killer would)."""

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        if str(os.getpid()) == os.environ.get(DRIVER_PID_VARIABLE):
            raise RuntimeError("crash_worker refuses to end the test's own process")
        os._exit(3)


class RaiseInRun(Method):
    """Raises inside the run, as a bug in a method would."""

    def on_task_start(self, learner: Learner, task: TaskInfo) -> None:
        raise RuntimeError("deliberate failure inside the run")


class PoisonWeights(Method):
    """Sets one first-layer weight to NaN after step 5, so the loss of step 6 is NaN."""

    def after_step(self, learner: Learner) -> None:
        if learner.step == POISON_AFTER_STEP:
            with torch.no_grad():
                next(learner.model.parameters()).view(-1)[0] = float("nan")


FAULTY = {"crash_worker": CrashWorker, "raise_in_run": RaiseInRun, "poison_weights": PoisonWeights}


def register_all() -> None:
    for name, cls in FAULTY.items():
        register(name)(cls)


register_all()
