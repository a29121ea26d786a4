"""`clbench leaderboard show | build | publish`: the results as a terminal table, a static site, or W&B runs."""

from __future__ import annotations

from pathlib import Path

import typer

from clbench.console import console, errors, fail

leaderboard_app = typer.Typer(help="Read the results as a leaderboard.", no_args_is_help=True)

STORE_HELP = "SQLite results file (default $CLBENCH_STORE or results/clbench.db)."
FROM_HELP = "Build from these bundles (.json or .json.gz, from `clbench results export`) instead of the store: --from A.json B.json."
REPS_HELP = "Bootstrap resamples for the 95% CIs (2,000 by default; see docs/leaderboard.md)."
CACHE_HELP = "Statistics cache file (default: next to the store, or in the output folder for bundles)."


def _records(store: Path | None, bundles: list[Path], benchmark: str | None, preset: str | None):
    """Records from the bundles (plus the store if --store is also given), else from the store."""
    from leaderboard.bundle import merge_bundles
    from leaderboard.store import ResultsStore

    if bundles:
        existing = ResultsStore(store).records() if store else []
        records = merge_bundles(bundles, existing)
    else:
        records = ResultsStore(store).records()
    return [r for r in records if (not benchmark or r.benchmark == benchmark) and (not preset or r.preset == preset)]


def _bundle_paths(from_: list[Path] | None, extra: list[Path] | None) -> list[Path]:
    if extra and not from_:
        fail(f"unexpected argument {extra[0]}: give bundles after --from, e.g. --from A.json B.json")
    return [*(from_ or []), *(extra or [])]


def _default_cache(store: Path | None, bundles: list[Path], out: Path | None) -> Path | None:
    from leaderboard.store import resolve_store_path

    if bundles:
        return out / "statistics-cache.json" if out else None
    path = resolve_store_path(store)
    return path.with_name(f"{path.stem}.stats.json")


def control_benchmarks() -> set[str]:
    """Names of the registered control benchmarks (`role = "control"`: no plasticity loss expected)."""
    from benchmarks import base

    return {name for name in base.names() if base.get(name).role == "control"}


def _leaderboard(records, reps: int, cache_path: Path | None):
    from leaderboard.aggregate import build_leaderboard
    from leaderboard.statistics import BootstrapSettings, StatisticsCache

    return build_leaderboard(records, BootstrapSettings(reps=reps), StatisticsCache(cache_path), controls=control_benchmarks())


def method_metadata():
    """Name, summary, citation and paper link of every registered method, as plain data for the site."""
    from leaderboard.site.builder import MethodInfo
    from methods import base
    from core.errors import UserInputError

    try:
        return [
            MethodInfo(name, cls.summary or "", cls.citation or "", cls.paper_url or "")
            for name in base.names()
            for cls in [base.get(name)]
        ]
    except (UserInputError, ImportError) as error:
        errors.print(f"warning: method metadata unavailable ({error}); the methods page will be empty", markup=False)
        return []


@leaderboard_app.command("show")
def show(
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
    preset: str | None = typer.Option(None, "--preset", help="Only this preset."),
    from_: list[Path] = typer.Option(None, "--from", help=FROM_HELP),
    reps: int = typer.Option(2000, "--reps", help=REPS_HELP),
    extra: list[Path] = typer.Argument(None, hidden=True),
) -> None:
    """Terminal tables: the overall ranking per preset, then each benchmark with IQM, CIs and flags."""
    from rich.table import Table
    from rich.text import Text

    from leaderboard.tables import all_tables

    bundles = _bundle_paths(from_, extra)
    records = _records(store, bundles, benchmark, preset)
    if not records:
        console.print("no run records match; run `clbench run` first")
        return
    leaderboard = _leaderboard(records, reps, _default_cache(store, bundles, None))
    for data in all_tables(leaderboard):
        columns = [c for c in data.columns if c.terminal]
        labels = [str(row.get("method", "")) for row in data.rows]
        table = Table(title=Text(data.title), title_justify="left")
        for column in columns:
            if column.key == "method":
                table.add_column(Text(column.title), no_wrap=True, min_width=min(40, max(map(len, labels), default=6)))
            else:
                table.add_column(Text(column.title), justify="left" if column.kind == "text" else "right", overflow="fold")
        for row in data.rows:
            table.add_row(*(Text(data.display(row, column)) for column in columns))
        console.print(table)


@leaderboard_app.command("build")
def build(
    out: Path = typer.Option(Path("results") / "site", "--out", help="Folder to write the site into."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    from_: list[Path] = typer.Option(None, "--from", help=FROM_HELP),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
    preset: str | None = typer.Option(None, "--preset", help="Only this preset."),
    reps: int = typer.Option(2000, "--reps", help=REPS_HELP),
    cache: Path | None = typer.Option(None, "--cache", help=CACHE_HELP),
    extra: list[Path] = typer.Argument(None, hidden=True),
) -> None:
    """Write a static site (works from file://, no server): sortable tables, plots, CSV and Markdown exports."""
    from leaderboard.site.builder import build_site

    bundles = _bundle_paths(from_, extra)
    records = _records(store, bundles, benchmark, preset)
    leaderboard = _leaderboard(records, reps, cache or _default_cache(store, bundles, out))
    source = f"Built from {len(bundles)} bundle(s)." if bundles else ""
    index = build_site(leaderboard, out, method_metadata(), note=source)
    console.print(f"{len(records)} records, {len(leaderboard.boards)} benchmark boards")
    console.print(f"leaderboard site: {index.resolve()}", markup=False, soft_wrap=True)


@leaderboard_app.command("publish")
def publish(
    wandb_project: str = typer.Option(..., "--wandb-project", help="W&B project to publish into."),
    entity: str | None = typer.Option(None, "--entity", help="W&B entity (user or team); default: yours."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    from_: list[Path] = typer.Option(None, "--from", help=FROM_HELP),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
    preset: str | None = typer.Option(None, "--preset", help="Only this preset."),
    offline: bool = typer.Option(False, "--offline", help="Write offline W&B runs to upload later with `wandb sync`."),
    force: bool = typer.Option(False, "--force", help="Publish again even what this machine already published."),
    reps: int = typer.Option(2000, "--reps", help=REPS_HELP),
    extra: list[Path] = typer.Argument(None, hidden=True),
) -> None:
    """Publish every run (group = benchmark, job_type = preset) and one leaderboard run with tables and plots."""
    from leaderboard.publish_wandb import publish as publish_runs
    from leaderboard.site import plots
    from leaderboard.tables import all_tables

    bundles = _bundle_paths(from_, extra)
    records = _records(store, bundles, benchmark, preset)
    leaderboard = _leaderboard(records, reps, _default_cache(store, bundles, None))
    figures = {}
    for board in leaderboard.overall:
        if board.profile:
            figures[f"profile-{board.slug}"] = plots.to_png(plots.profile_figure(board.title, "normalised score τ", board.profile))
    for board in leaderboard.boards:
        if board.profile:
            figures[f"profile-{board.slug}"] = plots.to_png(plots.profile_figure(board.title, "score τ", board.profile))
    normalised = {
        record.run_id: row.normalised[record.seed]
        for board in leaderboard.boards
        for row in board.rows
        for record in board.records[row.method_key]
        if record.seed in row.normalised
    }
    outcome = publish_runs(records, all_tables(leaderboard), figures, wandb_project, entity, normalised, offline, force)
    if outcome.reason:
        console.print(f"W&B {outcome.mode}: {outcome.reason}", markup=False)
    console.print(f"published {len(outcome.published)} W&B runs, {len(outcome.unchanged)} unchanged since the last publish")
    if outcome.sync_command:
        console.print(f"upload later with: {outcome.sync_command}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(leaderboard_app, name="leaderboard")
