"""Jobs (benchmark × preset × method × seed) and running one job into a RunRecord.

A job that raises is recorded as failed with its reason; a job whose loss turns non-finite is recorded
as diverged at its step. Bad names and settings are caught when jobs are planned, before anything runs.
"""

from __future__ import annotations

import os
import platform
import random
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.base import Benchmark, RunContext, get
from benchmarks.numerics import cpu_denormals, denormal_mode
from benchmarks.sinks import RunSink
from leaderboard.records import Environment, RunRecord, headline_score, make_run_id, stream_summary, utc_now
from methods import base as method_registry
from methods.errors import UserInputError

TRACKED_PACKAGES = ("torch", "avalanche-lib", "gymnasium", "ale-py", "numpy", "wandb", "rliable")


@dataclass(frozen=True)
class Job:
    """One run to do. `run_id` is stable: the same job always has the same id."""

    benchmark: str
    preset: str
    method: str
    seed: int
    method_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    benchmark_overrides: dict[str, str] = field(default_factory=dict)
    run_id: str = ""
    benchmark_config: dict[str, Any] = field(default_factory=dict)
    method_config: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_source: str = ""

    @property
    def label(self) -> str:
        return f"{self.benchmark}/{self.preset} {self.method} seed={self.seed}"


def plan_jobs(
    benchmarks: list[str],
    methods: list[str],
    seeds: list[int],
    preset: str,
    overrides: dict[str, dict[str, str]] | None = None,
    context: RunContext | None = None,
) -> list[Job]:
    """Expand the grid and resolve every name, config and data source now, so errors come before any run."""
    overrides = dict(overrides or {})
    context = context or RunContext()
    denormal_mode()
    bench_overrides = overrides.pop("bench", {})
    method_scopes = {part for spec in methods for part in spec.split("+")}
    unknown_scopes = set(overrides) - method_scopes
    if unknown_scopes:
        raise UserInputError(
            f"--set names {', '.join(sorted(unknown_scopes))}, which is not in the methods given "
            f"({', '.join(methods)}); use bench.FIELD for benchmark settings"
        )
    created = {spec: method_registry.create(spec, {part: overrides.get(part, {}) for part in spec.split("+")}) for spec in methods}
    jobs: list[Job] = []
    for benchmark_name in benchmarks:
        benchmark = get(benchmark_name)
        config = benchmark.config(preset, bench_overrides)
        config_dict = benchmark.config_dict(config)
        for spec, method in created.items():
            if benchmark.family not in method.families:
                raise UserInputError(
                    f"method '{spec}' does not apply to {benchmark.name} (a {benchmark.family} benchmark); "
                    f"it applies to {', '.join(sorted(method.families))} benchmarks"
                )
        data_source = benchmark.data_source(config, context)
        for spec, method in created.items():
            scoped = {part: overrides.get(part, {}) for part in spec.split("+")}
            method_config = method.config_dict()
            for seed in seeds:
                run_id = make_run_id(
                    benchmark.name, benchmark.version, preset, config_dict, method.spec, method_config, seed, data_source
                )
                jobs.append(
                    Job(
                        benchmark=benchmark.name,
                        preset=preset,
                        method=method.spec,
                        seed=seed,
                        method_overrides={k: dict(v) for k, v in scoped.items() if v},
                        benchmark_overrides=dict(bench_overrides),
                        run_id=run_id,
                        benchmark_config=config_dict,
                        method_config=method_config,
                        data_source=data_source,
                    )
                )
    return jobs


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
    benchmark = get(job.benchmark)
    base = _identity(job, benchmark, context, started_at)
    sink.run_started(job.run_id, {"job": job, "benchmark": benchmark})
    try:
        seed_everything(job.seed)
        config = benchmark.config(job.preset, job.benchmark_overrides)
        method = method_registry.create(job.method, job.method_overrides)
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
    return dict(
        run_id=job.run_id,
        benchmark=benchmark.name,
        benchmark_version=benchmark.version,
        preset=job.preset,
        benchmark_config=job.benchmark_config,
        benchmark_overrides=job.benchmark_overrides,
        family=benchmark.family,
        method=job.method,
        method_config=job.method_config,
        seed=job.seed,
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


_ENVIRONMENT: dict[str, Any] | None = None


def environment(device: str = "cpu") -> Environment:
    """Code version, package versions, device, threads, CPU (model, kernel set, MKL mode) and subnormal handling.

    $MKL_CBWR is read once per process, as MKL itself reads it once, at its first call; unset is "OFF", MKL's
    own name for it (conditional numerical reproducibility off: kernels chosen for this processor).
    """
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        packages = {}
        for name in TRACKED_PACKAGES:
            try:
                packages[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        try:
            version = metadata.version("clbench")
        except metadata.PackageNotFoundError:
            version = "unknown"
        _ENVIRONMENT = {
            "clbench_version": version,
            "git_commit": _git_commit(),
            "python": sys.version.split()[0],
            "packages": packages,
            "platform": platform.platform(terse=True),
            "cpu_model": cpu_model(),
            "mkl_cbwr": os.environ.get("MKL_CBWR") or "OFF",
        }
    import torch

    name = device
    if device.startswith("cuda") and torch.cuda.is_available():
        name = f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return Environment(**_ENVIRONMENT, device=name, threads=torch.get_num_threads(),
                       cpu_capability=torch.backends.cpu.get_cpu_capability(), denormals=denormal_mode())


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The processor's model name (Linux's /proc/cpuinfo, else what `platform` knows), None if nothing says."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    if not commit:
        return None
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True, timeout=5).stdout.strip()
    return commit + ("-dirty" if dirty else "") if os.environ.get("CLBENCH_RECORD_DIRTY", "1") == "1" else commit
