"""The runner (benchmarks/runner.py): a job carries the one config it runs, rebuilds it exactly, and pickles."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from benchmarks import base
from benchmarks.planning import plan_jobs
from benchmarks.runner import field_values, resolve, run_job
from leaderboard.records import make_run_id
from leaderboard.reproduce import measured
from methods import base as method_registry
from methods.base import Method
from tests.job_factory import smoke_jobs


def test_a_job_runs_the_config_it_carries_even_when_its_raw_overrides_say_otherwise(two_task_job):
    job = dataclasses.replace(two_task_job, benchmark_overrides={"num_tasks": "3"})
    record = run_job(job)
    assert record.status == "ok", record.error
    assert len(record.tasks) == 2 and record.benchmark_config["num_tasks"] == 2
    assert record.benchmark_overrides == {"num_tasks": "3"}


def test_a_job_whose_carried_fields_change_runs_the_changed_config_and_records_it(two_task_job):
    job = dataclasses.replace(
        two_task_job,
        benchmark_fields={**two_task_job.benchmark_fields, "num_tasks": 1},
        method_fields={"nap": {**two_task_job.method_fields["nap"], "every": 3}},
    )
    record = run_job(job)
    assert len(record.tasks) == 1 and record.benchmark_config["num_tasks"] == 1
    assert record.method_config["nap"]["every"] == 3
    assert record.run_id == job.run_id != two_task_job.run_id


def test_the_record_configs_are_those_its_run_id_was_made_from(two_task_job, two_task_record):
    r = two_task_record
    assert r.run_id == two_task_job.run_id == make_run_id(
        r.benchmark, r.benchmark_version, r.preset, r.benchmark_config, r.method, r.method_config, r.seed, r.data_source,
        method_version=r.method_version,
    )
    assert r.method_config["nap"]["every"] == 10 and r.benchmark_config["num_tasks"] == 2


def test_resolving_a_job_rebuilds_exactly_the_planned_benchmark_config_and_method():
    jobs = plan_jobs(["permuted-mnist"], ["nap+redo", "shrink_perturb"], [0], "smoke", {"redo": {"every": "7"}})
    for job in jobs:
        benchmark, config, method = resolve(job)
        assert config == benchmark.config("smoke")
        planned = method_registry.create(job.method, {"redo": {"every": "7"}} if "redo" in job.method else {})
        assert method.spec == planned.spec and method.config_dict() == planned.config_dict()
        assert {name: part.config for name, part in method.members().items()} == {
            name: part.config for name, part in planned.members().items()
        }


@pytest.mark.parametrize("name", base.names())
def test_field_values_rebuild_every_preset_of_every_benchmark_exactly(name):
    for preset, config in base.get(name).presets.items():
        assert type(config)(**field_values(config)) == config, preset


@pytest.mark.parametrize("name", method_registry.names())
def test_field_values_rebuild_the_default_config_of_every_method_exactly(name):
    config = method_registry.get(name).Config()
    assert type(config)(**field_values(config)) == config


@pytest.fixture
def runtime_configured_method():
    """A method whose config class is built at run time, as a generic `avalanche:` plugin's is: plain pickle cannot find it."""
    config = dataclasses.make_dataclass("RuntimeConfig", [("widths", tuple[int, ...], dataclasses.field(default=(4, 2)))], frozen=True)
    cls = type("RuntimeConfigured", (Method,), {"Config": config})
    method_registry.register("runtime_configured_test")(cls)
    yield cls
    method_registry._REGISTRY.pop("runtime_configured_test")


def test_a_job_pickles_and_resolves_even_when_its_method_config_class_was_built_at_run_time(runtime_configured_method):
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(runtime_configured_method.Config())
    (job,) = plan_jobs(["permuted-mnist"], ["runtime_configured_test"], [0], "smoke", {"runtime_configured_test": {"widths": "8,3"}})
    copy = pickle.loads(pickle.dumps(job))
    assert copy == job
    assert resolve(copy)[2].config == runtime_configured_method.Config(widths=(8, 3))


def test_different_seeds_give_different_metrics():
    first, second = (measured(run_job(job)) for job in smoke_jobs(["baseline"], [0, 1]))
    assert first["tasks"] != second["tasks"]
