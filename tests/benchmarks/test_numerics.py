"""Runs flush subnormal floats to zero on the CPU unless told to keep them, and their records say which."""

from __future__ import annotations

import pytest
import torch

from benchmarks.errors import BenchmarkError
from benchmarks.numerics import DENORMALS_VARIABLE, cpu_denormals
from benchmarks.planning import plan_jobs
from benchmarks.runner import run_job
from methods import base as method_registry
from methods.base import Method
from methods.learner import Learner
from tests.cli_runner import run_cli

SUBNORMAL = 1e-39  # below float32's smallest normal number, 1.18e-38


def subnormal_survives() -> bool:
    return float(torch.tensor([SUBNORMAL], dtype=torch.float32).mul(1.0)) > 0


class ObserveSubnormals(Method):
    """Records, at each step, whether a float32 subnormal survives arithmetic in the training process."""

    seen: list[bool] = []

    def before_step(self, learner: Learner) -> None:
        ObserveSubnormals.seen.append(subnormal_survives())


@pytest.fixture
def observer():
    method_registry.register("observe_subnormals")(ObserveSubnormals)
    ObserveSubnormals.seen = []
    yield ObserveSubnormals
    method_registry._REGISTRY.pop("observe_subnormals", None)


def smoke_run(method: str = "observe_subnormals"):
    (job,) = plan_jobs(["permuted-mnist"], [method], [0], "smoke", overrides={"bench": {"num_tasks": "2"}})
    return run_job(job)


def test_flush_mode_zeroes_subnormals_inside_the_block_and_not_after_it():
    assert subnormal_survives()
    with cpu_denormals("flush"):
        assert not subnormal_survives()
    assert subnormal_survives()


def test_a_run_flushes_subnormals_by_default_and_its_record_says_so(observer, monkeypatch):
    monkeypatch.delenv(DENORMALS_VARIABLE, raising=False)
    record = smoke_run()
    assert record.status == "ok" and record.environment.denormals == "flush"
    assert observer.seen and not any(observer.seen)
    assert subnormal_survives(), "the setting must not leak out of the run"


def test_keep_mode_leaves_subnormals_alone_and_is_recorded(observer, monkeypatch):
    monkeypatch.setenv(DENORMALS_VARIABLE, "keep")
    record = smoke_run()
    assert record.environment.denormals == "keep"
    assert observer.seen and all(observer.seen)


def test_an_unknown_mode_is_refused_before_any_run_naming_the_variable_and_the_valid_values(monkeypatch, tmp_path):
    monkeypatch.setenv(DENORMALS_VARIABLE, "fast")
    with pytest.raises(BenchmarkError, match=r"CLBENCH_DENORMALS is 'fast'; valid values: flush, keep"):
        plan_jobs(["permuted-mnist"], ["baseline"], [0], "smoke")
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--preset", "smoke", "--no-progress",
                     "--store", str(tmp_path / "store.db"))
    assert result.exit_code == 2 and "CLBENCH_DENORMALS" in result.stderr
