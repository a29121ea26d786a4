"""The shared rich consoles and the one-line error exit used by every command."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `error: message` on stderr and exit with `code` (2 for bad input)."""
    errors.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def print_scaffold(scaffold: Any, what: str) -> None:
    """Say which two files a `new-*` command wrote, and how to run the new test."""
    console.print(f"wrote {scaffold.code_path}", soft_wrap=True)
    console.print(f"wrote {scaffold.test_path}", soft_wrap=True)
    console.print(f"next: edit the {what}, then run  python -m pytest {scaffold.test_path}", soft_wrap=True)


def print_json(value: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colours or wrapping."""
    typer.echo(json.dumps(value, indent=2, default=str))
