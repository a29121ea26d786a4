"""Planning a sweep: expand benchmarks × methods × seeds into jobs, each with its config resolved once.

Every name, `--set` value, method family and data source is checked here, so errors come before any run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from benchmarks.base import RunContext, get
from benchmarks.numerics import denormal_mode
from benchmarks.runner import Job, field_values
from core.errors import UserInputError
from core.families import not_applicable_reason
from methods import base as method_registry


def check_set_scopes(overrides: Mapping[str, object], methods: Iterable[str]) -> None:
    """Refuse a `--set` scope that is neither `bench` nor a part of one of the method specs `methods`."""
    methods = list(methods)
    method_scopes = {part for spec in methods for part in spec.split("+")}
    unknown = set(overrides) - method_scopes - {"bench"}
    if unknown:
        raise UserInputError(
            f"--set names {', '.join(sorted(unknown))}, which is not in the methods given "
            f"({', '.join(methods)}); use bench.FIELD for benchmark settings"
        )


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
    check_set_scopes(overrides, methods)
    bench_overrides = overrides.pop("bench", {})
    created = {spec: method_registry.create(spec, {part: overrides.get(part, {}) for part in spec.split("+")}) for spec in methods}
    jobs: list[Job] = []
    for benchmark_name in benchmarks:
        benchmark = get(benchmark_name)
        config = benchmark.config(preset, bench_overrides)
        benchmark_fields = field_values(config)
        for spec, method in created.items():
            reason = not_applicable_reason(spec, method.families, benchmark.family)
            if reason:
                raise UserInputError(f"{benchmark.name}: {reason}")
        data_source = benchmark.data_source(config, context)
        for method in created.values():
            method_fields = {name: field_values(part.config) for name, part in method.members().items()}
            for seed in seeds:
                jobs.append(
                    Job(
                        benchmark=benchmark.name,
                        preset=preset,
                        seed=seed,
                        benchmark_fields=benchmark_fields,
                        method_fields=method_fields,
                        data_source=data_source,
                        benchmark_overrides=dict(bench_overrides),
                    )
                )
    return jobs
