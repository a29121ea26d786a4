"""`clbench new-method NAME`: scaffold a method file and its test."""

from __future__ import annotations

from pathlib import Path

import typer

from clbench.console import print_scaffold


def new_method(
    name: str = typer.Argument(..., help="Registry name in lower_snake_case, e.g. grad_clip."),
    methods_dir: Path | None = typer.Option(None, "--methods-dir", help="Where the method file goes (default: the methods package)."),
    tests_dir: Path | None = typer.Option(None, "--tests-dir", help="Where the test goes (default: tests/methods beside the package)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Write methods/NAME.py (a working method) and tests/methods/test_NAME.py (its defining-effect test)."""
    import methods
    from methods import base, scaffold

    package_dir = Path(methods.__file__).parent
    target_methods = methods_dir or package_dir
    target_tests = tests_dir or package_dir.parent / "tests" / "methods"
    written = scaffold.write(name, target_methods, target_tests, base.names(), force=force)
    print_scaffold(written, "method")


def register(app: typer.Typer) -> None:
    app.command("new-method")(new_method)
