"""`clbench suite list`: the named suites, their versions and their (benchmark, preset) entries."""

from __future__ import annotations

import typer
from rich.table import Table

from clbench.console import console, print_json

suite_app = typer.Typer(help="Named, versioned lists of (benchmark, preset) pairs run by `clbench run --suite`.", no_args_is_help=True)


@suite_app.command("list")
def list_suites(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """List each suite with its version and entries, as resolved from the benchmarks registered now."""
    from benchmarks import suites

    rows = []
    for name in suites.names():
        suite = suites.get(name)
        entries = suite.entries()
        rows.append(
            {
                "name": name,
                "version": suite.version(entries),
                "description": suite.description,
                "entries": [{"benchmark": e.benchmark, "preset": e.preset, "benchmark_version": e.version} for e in entries],
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table(title="suites", title_justify="left")
    for column in ("name", "version", "entries", "description"):
        table.add_column(column, style="bold" if column == "name" else None)
    for row in rows:
        entries = ", ".join(f"{e['benchmark']}/{e['preset']}" for e in row["entries"]) or "(none registered)"
        table.add_row(row["name"], row["version"], entries, row["description"])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(suite_app, name="suite")
