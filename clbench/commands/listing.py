"""`clbench methods list` and `clbench benchmarks list`."""

from __future__ import annotations

import typer
from rich.table import Table

from clbench.console import console, print_json

methods_app = typer.Typer(help="The registered plasticity methods.", no_args_is_help=True)
benchmarks_app = typer.Typer(help="The registered benchmarks and their presets.", no_args_is_help=True)


@methods_app.command("list")
def list_methods(
    pattern: str = typer.Argument("*", help="Glob over method names, e.g. 'reset_*'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List registered methods with a one-line description."""
    from methods import base

    rows = [{"name": name, "description": base.get(name).summary} for name in base.names(pattern)]
    if as_json:
        print_json(rows)
        return
    table = Table(title="methods", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("description")
    for row in rows:
        table.add_row(row["name"], row["description"])
    console.print(table)


@benchmarks_app.command("list")
def list_benchmarks(
    pattern: str = typer.Argument("*", help="Glob over benchmark names, e.g. '*mnist*'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """List registered benchmarks with version, presets and a one-line description."""
    from benchmarks import base

    rows = []
    for name in base.names(pattern):
        benchmark = base.get(name)
        rows.append(
            {
                "name": name,
                "version": benchmark.version,
                "family": benchmark.family,
                "presets": list(benchmark.presets),
                "offline": benchmark.offline,
                "description": benchmark.description,
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table(title="benchmarks", title_justify="left")
    for column in ("name", "version", "presets", "offline", "description"):
        table.add_column(column, style="bold" if column == "name" else None)
    for row in rows:
        table.add_row(row["name"], row["version"], ",".join(row["presets"]), "yes" if row["offline"] else "needs --data-root", row["description"])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(methods_app, name="methods")
    app.add_typer(benchmarks_app, name="benchmarks")
