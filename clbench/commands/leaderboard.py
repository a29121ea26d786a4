"""`clbench leaderboard show | build | publish`: the results as a terminal table, a static site, or W&B runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from clbench.console import TableColumn, console, errors, fail, print_table
from core.errors import UserInputError

if TYPE_CHECKING:
    from leaderboard.tables import Column, TableData

leaderboard_app = typer.Typer(help="Read the results as a leaderboard.", no_args_is_help=True)

STORE_HELP = "SQLite results file (default $CLBENCH_STORE or results/clbench.db)."
FROM_HELP = "Build from these bundles (.json or .json.gz, from `clbench results export`) instead of the store: --from A.json B.json."
REPS_HELP = "Bootstrap resamples for the 95% CIs (2,000 by default; see docs/leaderboard.md)."
CACHE_HELP = "Statistics cache file (default: next to the store, or in the output folder for bundles)."
SITE_FOLDERS = ("plots", "exports", "static")
"""The folders `build` replaces whole in its output folder (leaderboard/site/builder.py)."""
SITE_CACHE = "statistics-cache.json"
"""The statistics cache `build --from` keeps in its output folder."""
SITE_SIGNATURE = b"clbench"
"""A folder is a site that `build` may overwrite if its index.html says clbench (in its first `SIGNATURE_WINDOW` bytes)
and it has every folder of `SITE_FOLDERS`."""
SIGNATURE_WINDOW = 64 * 1024


def _records(store: Path | None, bundles: list[Path], benchmark: str | None, preset: str | None):
    """Records from the bundles (plus the store if --store is also given), else from the store.

    Every bundle is read and validated before the store is opened, so a bad bundle leaves the store as it was.
    """
    from leaderboard.bundle import merge_records, read_bundle
    from leaderboard.store import ResultsStore

    if bundles:
        read = [(path, read_bundle(path)) for path in bundles]
        records = merge_records(read, ResultsStore(store).records() if store else [])
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
        return out / SITE_CACHE if out else None
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


def method_metadata_in_background():
    """`method_metadata` computed in a forked process while the site is built, as a callable the builder calls when
    it first needs the methods: loading the registry imports torch (about 2 s), which the build itself never needs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return method_metadata
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(method_metadata)
    pool.shutdown(wait=False)

    def result():
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - the child died: load the metadata here instead
            return method_metadata()

    return result


def method_metadata():
    """Name, summary, citation and paper link of every registered method, as plain data for the site."""
    from leaderboard.site.builder import MethodInfo
    from methods import base
    from core.errors import UserInputError

    try:
        return [
            MethodInfo(name, cls.summary or "", cls.citation or "", cls.paper_url or "", version=str(cls.version))
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
    wide: bool = typer.Option(False, "--wide", help="Every column of the site's tables, not the compact set that fits 80 columns."),
    extra: list[Path] = typer.Argument(None, hidden=True),
) -> None:
    """Terminal tables: the overall ranking per preset, then each benchmark: rank, method, seeds, the ranking
    statistic and P(> baseline) with 95% CIs, and flags (--wide: every column). Piped, tab-separated lines."""
    from leaderboard.tables import all_tables

    bundles = _bundle_paths(from_, extra)
    records = _records(store, bundles, benchmark, preset)
    if not records:
        console.print("no run records match; run `clbench run` first")
        return
    leaderboard = _leaderboard(records, reps, _default_cache(store, bundles, None))
    for position, data in enumerate(all_tables(leaderboard)):
        columns = data.columns if wide else compact_columns(data)
        if position:
            console.out("")
        print_table(
            [TableColumn(column.title, _printed_kind(column)) for column in columns],
            [[data.display(row, column) for column in columns] for row in data.rows],
            data.title,
        )


def compact_columns(data: TableData) -> list[Column]:
    """What `leaderboard show` prints without --wide, to fit 80 columns: rank, method, scored seeds (runs, overall),
    the statistic the table is ranked by, P(> baseline), a run-summary statistic marked `terminal` where the board
    has it (MSE above linear), flags. A table of failed runs is printed whole."""
    from leaderboard.aggregate import RANKED_BY
    from leaderboard.statistics import IMPROVEMENT, STATISTICS, summary_key
    from leaderboard.tables import FLAGS, METHOD, RANK

    keys = {column.key for column in data.columns}
    if RANK.key not in keys:
        return data.columns
    ranked = next((name for name in RANKED_BY if name in keys and any(row.get(name) is not None for row in data.rows)), None)
    terminal = {name for name, statistic in STATISTICS.items() if statistic.terminal and summary_key(statistic.reads) is not None}
    shown = {RANK.key, METHOD.key, "seeds", "runs", ranked, IMPROVEMENT.name, FLAGS.key} | terminal
    return [column for column in data.columns if column.key in shown]


def _printed_kind(column: Column) -> str:
    if column.key in ("method", "run_id"):
        return "name"
    if column.key == "status":
        return "value"
    return "text" if column.kind == "text" else "number"


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
    """Write a static site (works from file://, no server): sortable tables, plots, CSV and Markdown exports.

    OUT must be a new or empty folder, or a site an earlier build wrote (it replaces that one's plots/, exports/, static/).
    """
    from leaderboard.site.builder import build_site

    check_site_folder(out)
    methods = method_metadata_in_background()
    bundles = _bundle_paths(from_, extra)
    records = _records(store, bundles, benchmark, preset)
    leaderboard = _leaderboard(records, reps, cache or _default_cache(store, bundles, out))
    source = f"Built from {len(bundles)} bundle(s)." if bundles else ""
    try:
        index = build_site(leaderboard, out, methods, note=source)
    except OSError as error:  # the disk filled, or a file in the folder was made read-only since the check
        raise UserInputError(f"could not write the site into {out}: {error.strerror or error}") from None
    console.print(f"{len(records)} records, {len(leaderboard.boards)} benchmark boards")
    console.print(f"leaderboard site: {index.resolve()}", markup=False, soft_wrap=True)


def check_site_folder(out: Path) -> None:
    """Refuse an `--out` the build cannot write or would damage: a file, an unwritable folder, or a folder holding
    files of someone else's (the builder replaces plots/, exports/ and static/ whole). Raises UserInputError."""
    allowed = (f"give a new folder, an empty one, or a site an earlier `clbench leaderboard build` wrote "
               f"(index.html, {', '.join(f'{name}/' for name in SITE_FOLDERS)})")
    if out.is_dir():
        try:
            entries = sorted(entry.name for entry in out.iterdir() if entry.name != SITE_CACHE)
        except OSError as error:
            raise UserInputError(f"--out {out} cannot be read ({error.strerror or error}): {allowed}") from None
        if entries and not _is_site(out):
            shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
            raise UserInputError(f"--out {out} holds files that are not a clbench site ({shown}); a build writes "
                                 f"index.html there and replaces {', '.join(f'{name}/' for name in SITE_FOLDERS)} whole: {allowed}")
        if not os.access(out, os.W_OK | os.X_OK):
            raise UserInputError(f"--out {out} is not writable by you: {allowed}")
        return
    if out.exists() or out.is_symlink():
        what = "is a file, not a folder" if out.is_file() else "exists but is not a folder"
        raise UserInputError(f"--out {out} {what}: {allowed}")
    parent = next(folder for folder in out.absolute().parents if folder.exists() or folder.is_symlink())
    if not parent.is_dir():
        raise UserInputError(f"--out {out} cannot be created: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserInputError(f"--out {out} cannot be created: {parent} is not writable by you; give a folder you can write to")


def _is_site(folder: Path) -> bool:
    """Whether `folder` holds a site `build` wrote: its folders (real ones, not links) and an index.html that says clbench."""
    index = folder / "index.html"
    if not index.is_file() or any(not (folder / name).is_dir() or (folder / name).is_symlink() for name in SITE_FOLDERS):
        return False
    try:
        with index.open("rb") as stream:
            return SITE_SIGNATURE in stream.read(SIGNATURE_WINDOW)
    except OSError:
        return False


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
