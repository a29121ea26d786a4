"""`clbench new-benchmark NAME`: scaffold a protocol file and its end-to-end test."""

from __future__ import annotations

from pathlib import Path

import typer

from clbench.console import print_scaffold


def new_benchmark(
    name: str = typer.Argument(..., help="Registry name in kebab-case, e.g. random-label-gaussian."),
    protocols_dir: Path | None = typer.Option(None, "--protocols-dir", help="Where the protocol file goes (default: benchmarks/protocols)."),
    tests_dir: Path | None = typer.Option(None, "--tests-dir", help="Where the test goes (default: tests/benchmarks beside the package)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Write benchmarks/protocols/NAME.py (a working protocol) and tests/benchmarks/test_NAME.py (a smoke run through the runner)."""
    import benchmarks.protocols
    from benchmarks import base, scaffold

    package_dir = Path(benchmarks.protocols.__file__).parent
    target_protocols = protocols_dir or package_dir
    target_tests = tests_dir or package_dir.parents[1] / "tests" / "benchmarks"
    written = scaffold.write(name, target_protocols, target_tests, base.names(), force=force)
    print_scaffold(written, "protocol")


def register(app: typer.Typer) -> None:
    app.command("new-benchmark")(new_benchmark)
