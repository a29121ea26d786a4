"""`clbench run`: plan the grid, skip what the store already has, run the rest, say where results went."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from clbench.console import console, fail

PRESET_HELP = "smoke (seconds, for tests), quick (minutes on 2 cores), paper (published budgets, for a GPU)."


def split_names(values: list[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or []:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return names


def run(
    benchmark: list[str] = typer.Option(None, "--benchmark", "-b", help="Benchmark name(s), comma-separated."),
    method: list[str] = typer.Option(None, "--method", "-m", help="Method spec(s), comma-separated; a+b composes."),
    seeds: int | None = typer.Option(None, "--seeds", help="Run seeds 0..N-1."),
    seed: int | None = typer.Option(None, "--seed", help="Run this one seed."),
    preset: str = typer.Option("smoke", "--preset", "-p", help=PRESET_HELP),
    store: Path | None = typer.Option(None, "--store", help="SQLite results file (default $CLBENCH_STORE or results/clbench.db)."),
    assignments: list[str] = typer.Option(None, "--set", help="Override a hyperparameter: METHOD.FIELD=V or bench.FIELD=V."),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder with real data sets in torchvision's layout."),
    download: bool = typer.Option(False, "--download", help="Allow downloading real data sets into --data-root."),
    device: str = typer.Option("cpu", "--device", help="torch device, e.g. cpu or cuda."),
    wandb: bool = typer.Option(False, "--wandb/--no-wandb", help="Log runs live to Weights & Biases."),
    wandb_project: str = typer.Option("clbench", "--wandb-project", help="W&B project for --wandb."),
    force: bool = typer.Option(False, "--force", help="Run again even if the store has a complete record."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Run benchmarks × methods × seeds and store one record per run."""
    from benchmarks.base import RunContext
    from benchmarks.executors import InProcessExecutor
    from benchmarks.runner import plan_jobs
    from benchmarks.sinks import SinkFanout
    from clbench.progress import ProgressSink, make_progress
    from clbench.sweep import pending_jobs, run_sweep
    from leaderboard.store import ResultsStore
    from methods.config import parse_assignments

    benchmarks, methods = split_names(benchmark), split_names(method)
    if not benchmarks:
        fail("give at least one --benchmark (see `clbench benchmarks list`)")
    if not methods:
        fail("give at least one --method (see `clbench methods list`)")
    if (seeds is None) == (seed is None):
        fail("give exactly one of --seeds N or --seed S")
    if seeds is not None and seeds < 1:
        fail(f"--seeds must be at least 1, got {seeds}")
    if seed is not None and seed < 0:
        fail(f"--seed must be >= 0, got {seed}")
    if data_root is not None and not data_root.is_dir() and not download:
        fail(f"--data-root {data_root} is not a folder (create it and pass --download to fetch data into it)")
    seed_list = list(range(seeds)) if seeds is not None else [seed]
    context = RunContext(data_root=data_root, allow_download=download, device=device)
    jobs = plan_jobs(benchmarks, methods, seed_list, preset, parse_assignments(assignments or []), context)
    results = ResultsStore(store)
    todo = pending_jobs(jobs, results, force)
    skipped = len(jobs) - len(todo)
    if skipped:
        console.print(f"{skipped} of {len(jobs)} runs already complete in {results.path}; skipping them (--force reruns)")
    sinks = []
    if wandb:
        from leaderboard.publish_wandb import WandbLiveSink

        sinks.append(WandbLiveSink(project=wandb_project))
    bars = make_progress(progress and len(todo) > 0)
    with bars:
        sinks.append(ProgressSink(bars, total_runs=len(todo)))
        context.sink = SinkFanout(sinks)
        outcome = run_sweep(todo, results, InProcessExecutor(), context, force=True)
    for record in outcome.records:
        if record.status == "failed":
            console.print(f"[red]failed[/] {record.run_id}: {record.error}")
        elif record.status == "diverged":
            console.print(f"[yellow]diverged[/] {record.run_id} at step {record.diverged_at_step}")
    done = ", ".join(f"{outcome.count(s)} {s}" for s in ("ok", "diverged", "failed") if outcome.count(s))
    console.print(f"{len(outcome.records)} runs ({done or 'none new'}); results in {os.fspath(results.path)}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
