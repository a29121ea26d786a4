"""The `clbench` command: typer app assembled from one module per command group.

Heavy libraries (torch, Avalanche, the ALE) are imported inside commands, never at start-up.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import clbench.commands as commands

app = typer.Typer(
    name="clbench",
    help="Benchmarks for continual learning under loss of plasticity.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_commands() -> None:
    """Each module in clbench/commands exposes `register(app)`; adding a command adds one module."""
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"clbench.commands.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_commands()


def _click_exceptions() -> tuple[type[Exception], ...]:
    """click's usage-error class: typer 0.2x raises its vendored click's, older typer click's own."""
    found = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(name).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    from core.errors import UserInputError

    try:
        code = app(standalone_mode=False)
    except UserInputError as error:
        from rich.markup import escape

        from clbench.console import errors

        errors.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True)
        raise SystemExit(2) from None
    except typer.Exit as exit_:
        raise SystemExit(exit_.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except _click_exceptions() as error:  # usage errors: an unknown command or option, a missing argument
        error.show()
        raise SystemExit(error.exit_code) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
