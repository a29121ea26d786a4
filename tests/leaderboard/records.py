"""Hand-built run records for leaderboard tests: small, explicit, with run ids made as the runner makes them."""

from __future__ import annotations

from leaderboard.records import DiagnosticPoint, HeadlineRule, RunRecord, TaskMetrics, make_run_id

RULE = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=0.1)


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
