"""Shared test fixtures: every test gets its own results store, tuned-configuration folder and W&B folders;
nothing touches $HOME or the committed benchmarks/tuned/.

Fixtures used by more than one test folder live here; helpers that tests import live in helper
modules (`tests/cli_runner.py`, `tests/job_factory.py`, `tests/methods/tiny.py`, ...), never here.
"""

from __future__ import annotations

import os

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CLBENCH_STORE", str(tmp_path / "results" / "clbench.db"))
    monkeypatch.setenv("CLBENCH_TUNED_DIR", str(tmp_path / "tuned"))
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    for name in ("WANDB_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR"):
        monkeypatch.setenv(name, str(tmp_path / "wandb"))
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store.db"


@pytest.fixture(scope="module")
def faulty_methods():
    """Register crash_worker, raise_in_run and poison_weights for one test module; remove them afterwards."""
    from methods import base as method_registry
    from tests import faulty_methods as module

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(module.DRIVER_PID_VARIABLE, str(os.getpid()))
        module.register_all()
        yield module
        for name in module.FAULTY:
            method_registry._REGISTRY.pop(name, None)


@pytest.fixture(scope="module")
def two_task_job():
    """permuted-mnist/smoke with bench.num_tasks=2 and nap.every=10, planned, not yet run."""
    from benchmarks.planning import plan_jobs

    (job,) = plan_jobs(["permuted-mnist"], ["nap"], [0], "smoke", {"bench": {"num_tasks": "2"}, "nap": {"every": "10"}})
    return job


@pytest.fixture(scope="module")
def two_task_record(two_task_job):
    """`two_task_job`, run once per test module."""
    from benchmarks.runner import run_job

    return run_job(two_task_job)


@pytest.fixture
def tiny_suite(monkeypatch):
    """A suite of permuted-mnist/smoke alone, so planning tests load one data set."""
    from benchmarks import suites

    suite = suites.Suite("tiny", 1, "permuted-mnist at smoke", lambda: [("permuted-mnist", "smoke")])
    monkeypatch.setitem(suites.SUITES, "tiny", suite)
    return suite


def pytest_configure(config):
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
