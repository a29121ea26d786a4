"""`clbench results list | export | import | compare`."""

from __future__ import annotations

from pathlib import Path

import typer

from clbench.console import TableColumn, console, print_json, print_table

results_app = typer.Typer(help="Run records in the results store.", no_args_is_help=True)
STORE_HELP = "SQLite results file (default $CLBENCH_STORE or results/clbench.db)."


@results_app.command("list")
def list_results(
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List the runs in the store: id, status, score, wall time."""
    from leaderboard.store import ResultsStore

    records = ResultsStore(store).records(benchmark=benchmark)
    rows = [
        {
            "run_id": r.run_id,
            "benchmark": r.benchmark,
            "preset": r.preset,
            "method": r.method,
            "seed": r.seed,
            "status": r.status,
            "score": r.score,
            "wall_time_s": round(r.wall_time_s, 3),
        }
        for r in records
    ]
    if as_json:
        print_json(rows)
        return
    columns = [TableColumn("run_id", "name"), TableColumn("status"), TableColumn("score", "number"), TableColumn("wall_time_s", "number")]
    print_table(columns, [
        [row["run_id"], row["status"], "—" if row["score"] is None else f"{row['score']:.4f}", f"{row['wall_time_s']:.1f}"]
        for row in rows
    ], f"{len(rows)} runs")


@results_app.command("export")
def export_results(
    path: Path = typer.Argument(..., help="Bundle file to write (JSON; gzip-compressed if it ends in .gz)."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
) -> None:
    """Write the store's records to a JSON bundle that others can import or build a leaderboard from."""
    from leaderboard.bundle import export_bundle
    from leaderboard.store import ResultsStore

    records = ResultsStore(store).records(benchmark=benchmark)
    export_bundle(records, path)
    console.print(f"wrote {len(records)} records to {path}", soft_wrap=True)


@results_app.command("import")
def import_results(
    path: Path = typer.Argument(..., help="Bundle file to read (JSON, or .json.gz)."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Validate a bundle and add its records to the store (one row per run id)."""
    from leaderboard.bundle import read_bundle
    from leaderboard.store import ResultsStore

    records = read_bundle(path)
    results = ResultsStore(store)
    results.put_many(records)
    console.print(f"imported {len(records)} records into {results.path}", soft_wrap=True)


@results_app.command("compare")
def compare_results(
    other: Path = typer.Argument(..., help="Another results store (.db) or bundle (.json, .json.gz) to compare with."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
    atol: float = typer.Option(0.0, "--atol", help="Numbers this close agree (default 0: bit-identical)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Check that runs with the same id measured the same numbers in both; exit 1 if any differ.

    Use it to confirm that a rerun, another executor or another machine reproduced a set of results.
    """
    from leaderboard.errors import LeaderboardError
    from leaderboard.reproduce import compare_records
    from leaderboard.store import resolve_store_path

    if not atol >= 0:
        raise typer.BadParameter(f"must be a number >= 0, got {atol}", param_hint="--atol")
    ours = _existing_records(store)
    theirs = _existing_records(other)
    comparison = compare_records(ours, theirs, atol)
    shared = len(comparison.agreeing) + len(comparison.differing)
    if as_json:
        print_json(
            {
                "shared": shared,
                "agreeing": len(comparison.agreeing),
                "differing": [vars(d) for d in comparison.differing],
                "only_ours": comparison.only_ours,
                "only_theirs": comparison.only_theirs,
            }
        )
    else:
        console.print(
            f"{shared} run ids in both: {len(comparison.agreeing)} agree, {len(comparison.differing)} differ"
            f"{' within ' + str(atol) if atol else ''}; {len(comparison.only_ours)} only in ours, "
            f"{len(comparison.only_theirs)} only in {other}",
            soft_wrap=True,
        )
        for d in comparison.differing:
            environment = "; ".join(f"{k} {a} → {b}" for k, (a, b) in d.environment.items()) or "the same"
            console.print(
                f"differs: {d.run_id}\n  first at {d.where}: {d.ours!r} (ours) against {d.theirs!r}\n"
                f"  score: {d.scores[0]!r} (ours) against {d.scores[1]!r}\n  environment: {environment}",
                soft_wrap=True,
                markup=False,
            )
    if not shared:
        raise LeaderboardError(f"no run id is in both {resolve_store_path(store)} and {other}: nothing was compared")
    if comparison.differing:
        raise typer.Exit(1)


def _existing_records(path: Path | None):
    """Records of a bundle (.json, .json.gz) or an existing store; a missing store is an error, not a new file."""
    from leaderboard.bundle import is_bundle_path, read_bundle
    from leaderboard.errors import LeaderboardError
    from leaderboard.store import ResultsStore, resolve_store_path

    if path is not None and is_bundle_path(path):
        return read_bundle(path)
    resolved = resolve_store_path(path)
    if not resolved.exists():
        raise LeaderboardError(f"results store {resolved} does not exist")
    return ResultsStore(resolved).records()


def register(app: typer.Typer) -> None:
    app.add_typer(results_app, name="results")
