"""Hand-built run records for leaderboard tests: small, explicit, with run ids made as the runner makes them."""

from __future__ import annotations

from leaderboard.records import (
    TUNING_SEED_START, DiagnosticPoint, HeadlineRule, RunRecord, TaskMetrics, TuningTag, headline_score, make_run_id,
)

RULE = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=0.1)
FINAL_TENTH = HeadlineRule(metric="online_accuracy", fraction=0.1, chance=0.1)
NO_CHANCE = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=None)
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
DIAGNOSTICS = {"dormant_fraction@0.1": [0.1, 0.2, 0.3], "srank": [9.0, 8.0, None], "weight_norm": [1.0, 2.0, 3.0]}


def make_record(
    method: str,
    seed: int,
    accuracies: list[float] | None = None,
    *,
    score: float | None = None,
    status: str = "ok",
    benchmark: str = "toy",
    version: str = "1",
    preset: str = "smoke",
    rule: HeadlineRule = RULE,
    wall_time_s: float = 1.0,
    method_config: dict | None = None,
    method_version: str = "1",
    diagnostics: dict[str, list[float | None]] | None = None,
    error: str | None = None,
) -> RunRecord:
    """A record whose headline (last task's online accuracy) is `score`, or the last of `accuracies`."""
    if accuracies is None:
        accuracies = [0.5, score if score is not None else 0.5]
    method_config = method_config if method_config is not None else {part: {} for part in method.split("+")}
    benchmark_config = {"tasks": len(accuracies)}
    tasks = [TaskMetrics(task=i, steps=10, metrics={rule.metric: a}) for i, a in enumerate(accuracies)]
    diagnostics = diagnostics or {}
    length = max((len(v) for v in diagnostics.values()), default=0)
    points = [
        DiagnosticPoint(step=10 * (i + 1), task=i, values={k: v[i] for k, v in diagnostics.items() if i < len(v)})
        for i in range(length)
    ]
    return RunRecord(
        run_id=make_run_id(benchmark, version, preset, benchmark_config, method, method_config, seed, method_version=method_version),
        benchmark=benchmark,
        benchmark_version=version,
        preset=preset,
        benchmark_config=benchmark_config,
        method=method,
        method_version=method_version,
        method_config=method_config,
        seed=seed,
        status=status,
        error=error or ("RuntimeError: boom" if status == "failed" else None),
        diverged_at_step=15 if status == "diverged" else None,
        headline=rule,
        score=(accuracies[-1] * rule.sign) if status == "ok" else None,
        tasks=tasks if status != "failed" else [],
        diagnostics=points,
        steps=10 * len(accuracies),
        wall_time_s=wall_time_s,
    )


def three_methods(**extra) -> list[RunRecord]:
    """baseline 0.3/0.4/0.5, reset_full 0.7/0.8/0.9 (mean 0.8), nap 0.6/0.7 + seed 2 diverged; chance 0.1."""
    records = [make_record("baseline", s, [0.8, 0.6, x], **extra) for s, x in enumerate([0.3, 0.4, 0.5])]
    records += [make_record("reset_full", s, [0.8, 0.8, x], **extra) for s, x in enumerate([0.9, 0.8, 0.7])]
    records += [make_record("nap", s, [0.8, 0.7, x], **extra) for s, x in enumerate([0.6, 0.7])]
    records.append(make_record("nap", 2, [0.8, 0.7, 0.1], status="diverged", **extra))
    return records


def site_records() -> list[RunRecord]:
    """Two benchmarks (toy with diagnostics, regression without chance), a diverged seed and a hostile method label."""
    records = [make_record("baseline", s, [0.8, 0.6, x], diagnostics=DIAGNOSTICS) for s, x in enumerate([0.3, 0.4, 0.5])]
    records += [make_record("reset_full", s, [0.8, 0.8, x], diagnostics={"weight_norm": [1.0, 1.0]}) for s, x in enumerate([0.9, 0.8, 0.7])]
    records += [make_record("nap", s, [0.8, 0.7, x]) for s, x in enumerate([0.6, 0.7])]
    records.append(make_record("nap", 2, [0.8, 0.7, 0.1], status="diverged"))
    records += [make_record(HOSTILE, s, [0.8, 0.7, x]) for s, x in enumerate([0.2, 0.25, 0.3])]
    records.append(make_record("baseline", 0, [0.5, 0.5], benchmark="regression", rule=NO_CHANCE))
    return records


def baseline_record(seed: int = 0, values=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.5, 0.3), **changes) -> RunRecord:
    """An 11-task baseline record on `bench` with a hand-set run id; `changes` replace fields (to build bad records)."""
    tasks = [TaskMetrics(task=i, metrics={"online_accuracy": v}) for i, v in enumerate(values)]
    fields = dict(
        run_id=f"bench.smoke.baseline.s{seed}.x",
        benchmark="bench",
        benchmark_version="1",
        preset="smoke",
        benchmark_config={},
        method="baseline",
        method_config={"baseline": {}},
        seed=seed,
        status="ok",
        headline=FINAL_TENTH,
        score=headline_score(tasks, FINAL_TENTH),
        tasks=tasks,
    )
    fields.update(changes)
    return RunRecord(**fields)


def record_and_rerun() -> tuple[RunRecord, RunRecord]:
    """Two records of one run, made at different times on different machines, measuring the same."""
    record = make_record("nap", 0, [0.8, 0.7, 0.6], diagnostics={"dead_fraction": [0.1, 0.2, 0.3]})
    rerun = record.model_copy(
        update={
            "wall_time_s": 99.0,
            "finished_at": "2027-01-01T00:00:00+00:00",
            "environment": record.environment.model_copy(update={"git_commit": "b" * 40, "device": "cuda:0"}),
        }
    )
    return record, rerun


def with_diagnostic(record: RunRecord, task: int, value: float) -> RunRecord:
    """`record` with its `dead_fraction` diagnostic at `task` set to `value`."""
    diagnostics = [p.model_copy(deep=True) for p in record.diagnostics]
    diagnostics[task].values["dead_fraction"] = value
    return record.model_copy(update={"diagnostics": diagnostics})


def tuned(record, lr: float, trial: int = 1, study: str = "s1", budget: int = 8, horizon: float = 1.0, seed: int | None = None):
    """`record` as a run of a tuned study: its bench lr set to `lr`, tagged with the study and the trial."""
    seed = record.seed if seed is None else seed
    tag = TuningTag(budget=budget, horizon=horizon, tune_seeds=1, study=study, trial=trial, params={"bench.lr": lr})
    config = {**record.benchmark_config, "lr": lr}
    run_id = make_run_id(record.benchmark, record.benchmark_version, record.preset, config, record.method, record.method_config,
                         seed, tuning=tag.model_dump())
    role = "tuning" if seed >= TUNING_SEED_START else "evaluation"
    return record.model_copy(update={"run_id": run_id, "benchmark_config": config, "tuning": tag, "seed": seed, "seed_role": role})
