"""`clbench leaderboard show` (and, with the publishers, build and publish)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from clbench.console import console

leaderboard_app = typer.Typer(help="Read the results as a leaderboard.", no_args_is_help=True)


@leaderboard_app.command("show")
def show(
    store: Path | None = typer.Option(None, "--store", help="SQLite results file."),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Only this benchmark."),
    preset: str | None = typer.Option(None, "--preset", help="Only this preset."),
) -> None:
    """A terminal table: benchmark, method, seeds and headline score (mean ± std)."""
    from leaderboard.aggregate import simple_rows
    from leaderboard.store import ResultsStore

    rows = simple_rows(ResultsStore(store).records(benchmark=benchmark, preset=preset))
    table = Table(title="clbench leaderboard", title_justify="left")
    for column in ("benchmark", "preset", "method", "seeds", "score (mean ± std)", "flags"):
        table.add_column(column, justify="right" if column.startswith(("seeds", "score")) else "left")
    for row in rows:
        score = "—" if row.mean is None else f"{row.mean:.4f} ± {row.std:.4f}"
        flags = []
        if row.diverged:
            flags.append(f"diverged seeds {row.diverged}")
        if row.failed:
            flags.append(f"failed seeds {row.failed}")
        table.add_row(f"{row.benchmark} v{row.version}", row.preset, row.method, str(len(row.scores)), score, "; ".join(flags))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(leaderboard_app, name="leaderboard")
