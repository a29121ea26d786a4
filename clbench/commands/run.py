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
    suite: str | None = typer.Option(None, "--suite", help="Run a suite instead of --benchmark (see `clbench suite list`)."),
    methods_option: list[str] = typer.Option(None, "--methods", help="Methods for the grid: 'all' (every registered method) or A,B."),
    seeds: int | None = typer.Option(None, "--seeds", help="Run seeds 0..N-1."),
    seed: int | None = typer.Option(None, "--seed", help="Run this one seed."),
    preset: str | None = typer.Option(None, "--preset", "-p", help=PRESET_HELP + " Default smoke; with --suite, each entry's own."),
    store: Path | None = typer.Option(None, "--store", help="SQLite results file (default $CLBENCH_STORE or results/clbench.db)."),
    assignments: list[str] = typer.Option(None, "--set", help="Override a hyperparameter: METHOD.FIELD=V or bench.FIELD=V."),
    data_root: Path | None = typer.Option(None, "--data-root", help="Folder with real data sets in torchvision's layout."),
    download: bool = typer.Option(False, "--download", help="Allow downloading real data sets into --data-root."),
    device: str = typer.Option("cpu", "--device", help="torch device, e.g. cpu or cuda."),
    executor: str = typer.Option("local", "--executor", help="local (this machine) or ray (a Ray cluster)."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", help="Runs at once: local 1 = in this process, N = N worker processes; ray = CPUs of a local Ray instance."),
    address: str | None = typer.Option(None, "--address", help="With --executor ray: join the Ray cluster at ADDR (e.g. auto, or ray://host:10001)."),
    retries: int = typer.Option(1, "--retries", help="Times to retry a run whose worker process died before recording it failed."),
    gpus_per_run: float = typer.Option(0.0, "--gpus-per-run", help="With --executor ray: the fraction of a GPU each run takes (0.25 packs four runs per GPU; use with --device cuda)."),
    wandb: bool = typer.Option(False, "--wandb/--no-wandb", help="Log runs live to Weights & Biases."),
    wandb_project: str = typer.Option("clbench", "--wandb-project", help="W&B project for --wandb."),
    force: bool = typer.Option(False, "--force", help="Run again even if the store has a complete record."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan the grid, say what would run, and run nothing."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the sweep's progress bar (without it, one line per finished run)."),
    config: str = typer.Option("default", "--config", help="default (the registered values, with any --set) or tuned (the committed choice of `clbench tune`)."),
    tuned_horizon: float | None = typer.Option(None, "--tuned-horizon", help="With --config tuned: the study's horizon, where several were tuned."),
    tuned_budget: int | None = typer.Option(None, "--tuned-budget", help="With --config tuned: the study's budget, where several were tuned."),
    tuned_dir: Path | None = typer.Option(None, "--tuned-dir", help="With --config tuned: read choices from here (default: the committed benchmarks/tuned/)."),
) -> None:
    """Run benchmarks (or a suite) × methods × seeds and store one record per run; rerunning resumes."""
    from benchmarks.base import RunContext
    from benchmarks.executors import make_executor
    from benchmarks.planning import plan_jobs
    from clbench.progress import SweepProgress, make_progress
    from clbench.sweep import pending_jobs, run_sweep
    from leaderboard.records import TUNING_SEED_START
    from leaderboard.store import ResultsStore
    from core.config import parse_assignments

    benchmarks = split_names(benchmark)
    methods = expand_methods(split_names(method) + split_names(methods_option))
    if suite is not None and benchmarks:
        fail("give either --suite or --benchmark, not both")
    if suite is None and not benchmarks:
        fail("give at least one --benchmark (see `clbench benchmarks list`) or a --suite (see `clbench suite list`)")
    if not methods:
        fail("give at least one --method, or --methods all|A,B (see `clbench methods list`)")
    if (seeds is None) == (seed is None):
        fail("give exactly one of --seeds N or --seed S")
    if seeds is not None and seeds < 1:
        fail(f"--seeds must be at least 1, got {seeds}")
    if seed is not None and seed < 0:
        fail(f"--seed must be >= 0, got {seed}")
    if config not in ("default", "tuned"):
        fail(f"--config must be default or tuned, got {config!r}")
    if config == "tuned" and (suite is not None or assignments):
        fail("--config tuned runs each committed choice as it was chosen: give --benchmark (not --suite) and no --set")
    if retries < 0:
        fail(f"--retries must be 0 or more, got {retries}")
    if data_root is not None and not data_root.is_dir() and not download:
        fail(f"--data-root {data_root} is not a folder (create it and pass --download to fetch data into it)")
    seed_list = list(range(seeds)) if seeds is not None else [seed]
    if max(seed_list) >= TUNING_SEED_START:
        fail(f"seeds from {TUNING_SEED_START} on are tuning seeds, kept for `clbench tune`'s trials; evaluate on seeds below it")
    chosen_executor = make_executor(executor, jobs, address, retries, gpus_per_run)
    context = RunContext(data_root=data_root, allow_download=download, device=device)
    overrides = parse_assignments(assignments or [])
    if suite is not None:
        from benchmarks.suites import plan_suite

        plan = plan_suite(suite, methods, seed_list, overrides, context, preset)
        all_jobs = plan.jobs
        console.print(
            f"suite {plan.suite.name}@{plan.version}: {len(plan.entries)} benchmarks × {len(methods)} methods × "
            f"{len(seed_list)} seeds = {len(all_jobs)} runs"
        )
        for bench_name, spec, reason in plan.left_out:
            console.print(f"  left out {bench_name} × {spec}: {reason}")
    elif config == "tuned":
        from benchmarks.tuning import evaluation_jobs, find_choice

        all_jobs = []
        for bench_name in benchmarks:
            for spec in methods:
                choice = find_choice(bench_name, preset or "smoke", spec, horizon=tuned_horizon, budget=tuned_budget, directory=tuned_dir)
                console.print(f"{bench_name} {spec}: tuned ({choice.describe()}), trial {choice.trial}", soft_wrap=True)
                all_jobs.extend(evaluation_jobs(choice, seed_list, context))
    else:
        all_jobs = plan_jobs(benchmarks, methods, seed_list, preset or "smoke", overrides, context)
    results = ResultsStore(store)
    todo = pending_jobs(all_jobs, results, force)
    skipped = len(all_jobs) - len(todo)
    if skipped:
        console.print(f"{skipped} of {len(all_jobs)} runs already complete in {results.path}; skipping them (--force reruns)", soft_wrap=True)
    if dry_run:
        for job in todo:
            console.print(f"would run {job.label}")
        console.print(f"{len(todo)} runs to do of {len(all_jobs)} planned (dry run; nothing ran)")
        return
    extra_sinks = None
    if wandb:
        from leaderboard.publish_wandb import WandbLiveSink

        extra_sinks = lambda job: [WandbLiveSink(project=wandb_project)]  # noqa: E731
    show_bars = progress and len(todo) > 0
    bars = make_progress(show_bars)
    finished = 0

    def report(record) -> None:
        nonlocal finished
        finished += 1
        if not show_bars:
            console.print(f"[{finished}/{len(todo)}] {describe(record)}")

    with bars:
        monitor = SweepProgress(bars, total_runs=len(todo), extra_sinks=extra_sinks)
        outcome = run_sweep(todo, results, chosen_executor, context, on_record=report, monitor=monitor)
    for record in outcome.records:
        if record.status == "failed":
            console.print(f"[red]failed[/] {record.run_id}: {record.error}")
        elif record.status == "diverged":
            console.print(f"[yellow]diverged[/] {record.run_id} at step {record.diverged_at_step}")
    done = ", ".join(f"{outcome.count(s)} {s}" for s in ("ok", "diverged", "failed") if outcome.count(s))
    console.print(f"{len(outcome.records)} runs ({done or 'none new'}); results in {os.fspath(results.path)}", soft_wrap=True)


def expand_methods(names: list[str]) -> list[str]:
    """`all` becomes every registered method, in registry order; duplicates are dropped."""
    from methods import base

    expanded: list[str] = []
    for name in names:
        for spec in base.names() if name == "all" else [name]:
            if spec not in expanded:
                expanded.append(spec)
    return expanded


def describe(record) -> str:
    """One line for a finished run: status, identity, and its score or why it has none."""
    what = f"{record.benchmark}/{record.preset} {record.method} seed={record.seed}"
    if record.status == "ok":
        return f"ok {what} score {record.score:.4f} ({record.wall_time_s:.1f} s)"
    if record.status == "diverged":
        return f"diverged {what} at step {record.diverged_at_step}"
    return f"failed {what}: {record.error}"


def register(app: typer.Typer) -> None:
    app.command("run")(run)
