"""`clbench results list | export | import`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from clbench.console import console, print_json

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
    table = Table(title=f"{len(rows)} runs", title_justify="left")
    for column in ("run_id", "status", "score", "wall_time_s"):
        table.add_column(column, justify="right" if column in ("score", "wall_time_s") else "left")
    for row in rows:
        score = "—" if row["score"] is None else f"{row['score']:.4f}"
        table.add_row(row["run_id"], row["status"], score, f"{row['wall_time_s']:.1f}")
    console.print(table)


@results_app.command("export")
def export_results(
    path: Path = typer.Argument(..., help="Bundle file to write (JSON)."),
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
    path: Path = typer.Argument(..., help="Bundle file to read (JSON)."),
    store: Path | None = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Validate a bundle and add its records to the store (one row per run id)."""
    from leaderboard.bundle import read_bundle
    from leaderboard.store import ResultsStore

    records = read_bundle(path)
    results = ResultsStore(store)
    results.put_many(records)
    console.print(f"imported {len(records)} records into {results.path}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(results_app, name="results")
