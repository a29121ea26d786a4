"""`clbench tune`: equal-budget studies per (benchmark, method), their choice committed, then run on evaluation seeds."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape

from clbench.commands.run import PRESET_HELP, describe, expand_methods, split_names
from clbench.console import console, fail


def tune(
    benchmark: list[str] = typer.Option(None, "--benchmark", "-b", help="Benchmark name(s), comma-separated."),
    method: list[str] = typer.Option(None, "--method", "-m", help="Method spec(s), comma-separated, or 'all'."),
    budget: int = typer.Option(8, "--budget", help="Trials per method and benchmark, the same for every method (trial 0 is the defaults)."),
    preset: str = typer.Option("quick", "--preset", "-p", help=PRESET_HELP),
    tune_seeds: int = typer.Option(1, "--tune-seeds", help="Tuning seeds per trial (seeds 10000, 10001, …; never evaluation seeds)."),
    eval_seeds: int = typer.Option(3, "--eval-seeds", help="Evaluation seeds 0..N-1 the chosen configuration runs on (0: tune only)."),
    horizon: float = typer.Option(1.0, "--horizon", help="Tune on the first fraction f of the stream's tasks (0 < f ≤ 1); evaluation runs the whole stream."),
    sampler_seed: int = typer.Option(0, "--sampler-seed", help="Seed of the trial sampler (scrambled Sobol points)."),
    store: Path | None = typer.Option(None, "--store", help="SQLite results file (default $CLBENCH_STORE or results/clbench.db)."),
    tuned_dir: Path | None = typer.Option(None, "--tuned-dir", help="Where to write the chosen configurations (default: the committed benchmarks/tuned/)."),
    executor: str = typer.Option("local", "--executor", help="local (this machine) or ray (a Ray cluster)."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", help="Runs at once (as for clbench run)."),
    address: str | None = typer.Option(None, "--address", help="With --executor ray: join the Ray cluster at ADDR."),
    retries: int = typer.Option(1, "--retries", help="Times to retry a run whose worker process died before recording it failed."),
    gpus_per_run: float = typer.Option(0.0, "--gpus-per-run", help="With --executor ray: the fraction of a GPU each run takes (0.25 packs four runs per GPU; use with --device cuda)."),
    device: str = typer.Option("cpu", "--device", help="torch device, e.g. cpu or cuda."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan the studies, say what would run, and run nothing."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the sweep's progress bar."),
) -> None:
    """Tune every method with the same budget, write the choices, and run them on fresh evaluation seeds; rerunning resumes."""
    from benchmarks.base import RunContext
    from benchmarks.executors import make_executor
    from benchmarks.tuning import StudySpec, choice_of, evaluation_jobs, evaluation_seeds, plan_study, save_choices
    from clbench.progress import SweepProgress, make_progress
    from clbench.sweep import pending_jobs, run_sweep
    from leaderboard.store import ResultsStore

    benchmarks = split_names(benchmark)
    methods = expand_methods(split_names(method))
    if not benchmarks:
        fail("give at least one --benchmark (see `clbench benchmarks list`)")
    if not methods:
        fail("give at least one --method, or -m all (see `clbench methods list`)")
    from leaderboard.records import TUNING_SEED_START

    if not 0 <= eval_seeds <= TUNING_SEED_START:
        fail(f"--eval-seeds must be between 0 and {TUNING_SEED_START} (seeds from {TUNING_SEED_START} on are tuning seeds), got {eval_seeds}")
    context = RunContext(device=device)
    chosen_executor = make_executor(executor, jobs, address, retries, gpus_per_run)
    specs = [StudySpec(b, preset, m, budget, horizon, tune_seeds, sampler_seed) for b in benchmarks for m in methods]
    studies = [plan_study(spec, context) for spec in specs]
    results = ResultsStore(store)

    def sweep(jobs_to_run: list, what: str) -> None:
        todo = pending_jobs(jobs_to_run, results, force=False)
        console.print(f"{what}: {len(jobs_to_run) - len(todo)} of {len(jobs_to_run)} runs already complete in {results.path}", soft_wrap=True)
        if dry_run:
            for job in todo:
                console.print(f"would run {job.label}", soft_wrap=True)
            return
        if not todo:
            return
        bars = make_progress(progress)
        with bars:
            monitor = SweepProgress(bars, total_runs=len(todo))
            outcome = run_sweep(todo, results, chosen_executor, context, monitor=monitor,
                                on_record=None if progress else lambda r: console.print(describe(r), soft_wrap=True))
        for record in outcome.records:
            if record.status != "ok":
                console.print(f"[yellow]{record.status}[/] {record.run_id}: {record.error or ''} (recorded; ranked last in its study)", soft_wrap=True)

    trial_jobs = [job for study in studies for job in study.jobs]
    sweep(trial_jobs, f"trials ({len(studies)} studies × {budget} trials × {tune_seeds} tuning seed(s), horizon {horizon:g})")
    if dry_run:
        return
    records = {job.run_id: results.get(job.run_id) for job in trial_jobs}
    choices = [choice_of(study.read({k: v for k, v in records.items() if v is not None})) for study in studies]
    written = save_choices(choices, tuned_dir)
    _print_choices(choices)
    for path in written:
        console.print(f"chosen configurations in {os.fspath(path)}", soft_wrap=True)
    if eval_seeds:
        seeds = evaluation_seeds(eval_seeds)
        sweep([job for choice in choices for job in evaluation_jobs(choice, seeds, context)], f"evaluation of the choices on seeds 0..{eval_seeds - 1}")
        console.print(f"results in {os.fspath(results.path)}; `clbench leaderboard show --store {os.fspath(results.path)}` shows the tuned boards", soft_wrap=True)


def _print_choices(choices: list) -> None:
    """One line per study: what it chose, from which trial, at what tuning score (lines, so pipes keep them whole)."""
    from leaderboard.tables import describe_params

    for c in choices:
        console.print(
            f"chose {escape(c.benchmark)}/{c.preset} {escape(c.method)}: trial {c.trial} of {c.budget} "
            f"(horizon {c.horizon:g}, {c.tune_seeds} tuning seed(s)), tuning score {c.selection_score:.4f}: {escape(describe_params(c.params))}",
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command("tune")(tune)
