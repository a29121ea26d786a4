"""A job (one benchmark × preset × method × seed, its config resolved) and running it into a RunRecord.

A job that raises is recorded as failed with its reason; a job whose loss turns non-finite is recorded
as diverged at its step. Jobs are made by `benchmarks.planning`, where bad names and settings are caught.
"""

from __future__ import annotations

import dataclasses
import random
import time
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from benchmarks.base import Benchmark, RunContext, get
from benchmarks.numerics import cpu_denormals
from benchmarks.provenance import environment
from leaderboard.records import RunRecord, headline_score, make_run_id, seed_role, stream_summary, utc_now
from methods import base as method_registry


@dataclass(frozen=True)
class Job:
    """One run to do, carrying the one config it runs: the worker rebuilds exactly these dataclasses (`resolve`).

    Configs travel as field values, not as dataclasses, because plain pickle (worker processes) cannot find
    a class built at run time, such as a generic `avalanche:` plugin's config. Everything a record says about
    the config, and the run id, is derived from them.
    """

    benchmark: str
    preset: str
    seed: int
    benchmark_fields: dict[str, Any]
    """`field_values` of the benchmark's resolved config."""
    method_fields: dict[str, dict[str, Any]]
    """`field_values` of each method part's resolved config, keyed by part name in spec order."""
    data_source: str
    benchmark_overrides: dict[str, str] = field(default_factory=dict)
    """The `--set bench.*` strings the config was resolved from; recorded, never resolved again."""
    tuning: dict[str, Any] | None = None
    """A tuned configuration's `TuningTag` fields (which study chose it), or None for a run of given values."""

    @property
    def method(self) -> str:
        """The method spec: its parts joined by `+`."""
        return "+".join(self.method_fields)

    @property
    def label(self) -> str:
        return f"{self.benchmark}/{self.preset} {self.method} seed={self.seed}"

    @property
    def benchmark_config(self) -> dict[str, Any]:
        """The benchmark config as records store it."""
        benchmark, config, _ = resolve(self)
        return benchmark.config_dict(config)

    @property
    def method_config(self) -> dict[str, dict[str, Any]]:
        """The method's hyperparameters as records store them."""
        return resolve(self)[2].config_dict()

    @property
    def method_version(self) -> str:
        """The method's version as records carry it (`1`, or `1+2` for a composition)."""
        return resolve(self)[2].method_version

    @cached_property
    def run_id(self) -> str:
        """Stable: the same benchmark, version, preset, configs, seed and data always give the same id."""
        return make_run_id(
            self.benchmark, get(self.benchmark).version, self.preset, self.benchmark_config, self.method,
            self.method_config, self.seed, self.data_source, method_version=self.method_version, tuning=self.tuning,
        )


def field_values(config: Any) -> dict[str, Any]:
    """A config dataclass as its init fields, values untouched (tuples stay tuples): `type(config)(**it) == config`."""
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.init}


def resolve(job: Job) -> tuple[Benchmark, Any, method_registry.Method]:
    """The job's benchmark, its config and its method, rebuilt exactly from the fields the job carries."""
    benchmark = get(job.benchmark)
    config = type(benchmark.presets[job.preset])(**job.benchmark_fields)
    return benchmark, config, method_registry.build(job.method_fields)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch from the run's seed (pitfalls.md, item 8)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def run_job(job: Job, context: RunContext | None = None) -> RunRecord:
    """Run one job in this process and return its record (ok, diverged or failed)."""
    context = context or RunContext()
    sink = context.sink
    started_at, start = utc_now(), time.perf_counter()
    benchmark, config, method = resolve(job)
    base = _identity(job, benchmark, context, started_at)
    sink.run_started(job.run_id, {"job": job, "benchmark": benchmark})
    try:
        seed_everything(job.seed)
        with cpu_denormals(base["environment"].denormals):
            result = benchmark.run(method, job.seed, config, context)
    except Exception as error:  # noqa: BLE001 - a failed run is recorded with its reason, the sweep goes on
        record = RunRecord(
            **base,
            status="failed",
            error=_describe_failure(error),
            wall_time_s=time.perf_counter() - start,
            finished_at=utc_now(),
        )
        sink.run_finished(record)
        return record
    rule = benchmark.headline
    summary = stream_summary(result.tasks, rule.metric, rule.sign)
    summary.update(result.summary)
    diverged = result.diverged_at_step is not None
    record = RunRecord(
        **base,
        status="diverged" if diverged else "ok",
        error=f"loss became non-finite at step {result.diverged_at_step}" if diverged else None,
        diverged_at_step=result.diverged_at_step,
        score=None if diverged else headline_score(result.tasks, rule),
        summary=summary,
        tasks=result.tasks,
        diagnostics=result.diagnostics,
        series=result.series,
        steps=result.steps,
        wall_time_s=time.perf_counter() - start,
        finished_at=utc_now(),
    )
    sink.run_finished(record)
    return record


def _identity(job: Job, benchmark: Benchmark, context: RunContext, started_at: str) -> dict[str, Any]:
    """The record fields that say what ran; its configs come from the config the job carries and runs."""
    return dict(
        run_id=job.run_id,
        benchmark=benchmark.name,
        benchmark_version=benchmark.version,
        preset=job.preset,
        benchmark_config=job.benchmark_config,
        benchmark_overrides=job.benchmark_overrides,
        family=benchmark.family,
        method=job.method,
        method_version=job.method_version,
        method_config=job.method_config,
        seed=job.seed,
        seed_role=seed_role(job.seed),
        tuning=job.tuning,
        headline=benchmark.headline,
        data_source=job.data_source,
        started_at=started_at,
        environment=environment(context.device),
    )


def failed_record(job: Job, reason: str, context: RunContext | None = None, wall_time_s: float = 0.0) -> RunRecord:
    """The record of a job that never produced one itself (its worker died, its task was lost)."""
    context = context or RunContext()
    base = _identity(job, get(job.benchmark), context, utc_now())
    return RunRecord(**base, status="failed", error=reason, wall_time_s=wall_time_s, finished_at=utc_now())


def _describe_failure(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"
