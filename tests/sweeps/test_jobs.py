"""A job carries the one config it runs; planning checks `--set` scopes and families once; executors share a protocol."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from benchmarks import base, suites
from benchmarks.executors import Executor, InProcessExecutor, LocalProcessExecutor, RayExecutor
from benchmarks.planning import plan_jobs
from benchmarks.runner import field_values, resolve, run_job
from clbench.sweep import pending_jobs, run_sweep
from core.errors import UserInputError
from leaderboard.records import make_run_id
from leaderboard.store import ResultsStore
from methods import base as method_registry
from methods.base import Method
from tests.sweeps.helpers import smoke_jobs


@pytest.fixture(scope="module")
def two_task_job():
    """permuted-mnist/smoke with bench.num_tasks=2 and nap.every=10, planned, not yet run."""
    (job,) = plan_jobs(["permuted-mnist"], ["nap"], [0], "smoke", {"bench": {"num_tasks": "2"}, "nap": {"every": "10"}})
    return job


@pytest.fixture(scope="module")
def two_task_record(two_task_job):
    return run_job(two_task_job)


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


def test_an_unknown_set_scope_is_refused_alike_by_plan_jobs_and_plan_suite(monkeypatch):
    monkeypatch.setitem(suites.SUITES, "tiny", suites.Suite("tiny", 1, "permuted-mnist at smoke", lambda: [("permuted-mnist", "smoke")]))
    message = r"--set names redo, which is not in the methods given \(baseline\)"
    with pytest.raises(UserInputError, match=message):
        plan_jobs(["permuted-mnist"], ["baseline"], [0], "smoke", {"redo": {"every": "3"}})
    with pytest.raises(UserInputError, match=message):
        suites.plan_suite("tiny", ["baseline"], [0], {"redo": {"every": "3"}})


def test_plan_jobs_refuses_a_method_of_another_family_naming_the_benchmark_and_the_families():
    class AtariOnly(Method):
        families = frozenset({"atari"})

    method_registry.register("atari_only_plan_test")(AtariOnly)
    try:
        with pytest.raises(UserInputError, match=r"permuted-mnist: atari_only_plan_test does not apply to supervised benchmarks \(it applies to atari\)"):
            plan_jobs(["permuted-mnist"], ["atari_only_plan_test"], [0], "smoke")
    finally:
        method_registry._REGISTRY.pop("atari_only_plan_test")


@pytest.mark.parametrize("executor", [InProcessExecutor(), LocalProcessExecutor(workers=2), RayExecutor()], ids=lambda e: type(e).__name__)
def test_every_executor_satisfies_the_executor_protocol(executor):
    assert isinstance(executor, Executor)
    assert inspect.signature(type(executor).run).parameters.keys() == inspect.signature(Executor.run).parameters.keys()


def test_pending_jobs_leaves_out_complete_and_repeated_jobs_and_force_keeps_the_complete(two_task_job, two_task_record, store_path):
    store = ResultsStore(store_path)
    store.put(two_task_record)
    fresh = smoke_jobs(["baseline"], [0])
    assert pending_jobs([two_task_job, *fresh, *fresh], store, force=False) == fresh
    assert pending_jobs([two_task_job, *fresh], store, force=True) == [two_task_job, *fresh]


def test_run_sweep_runs_every_job_it_is_given_leaving_the_choice_to_pending_jobs(two_task_job, two_task_record, store_path):
    store = ResultsStore(store_path)
    store.put(two_task_record)
    outcome = run_sweep([two_task_job], store, InProcessExecutor(), base.RunContext())
    assert [r.run_id for r in outcome.records] == [two_task_job.run_id]
    assert store.get(two_task_job.run_id).finished_at == outcome.records[0].finished_at
