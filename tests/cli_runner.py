"""Run the `clbench` CLI in-process, as a shell would, and capture its output and exit code."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str) -> CliResult:
    """Call `clbench.cli.main` with `args` as if typed in a shell; never raises SystemExit."""
    from clbench import cli
    from clbench import console as console_module

    out, err = io.StringIO(), io.StringIO()
    saved_argv = sys.argv
    sys.argv = ["clbench", *args]
    saved = console_module.console.file, console_module.errors.file
    console_module.console.file, console_module.errors.file = out, err
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            cli.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = saved_argv
        console_module.console.file, console_module.errors.file = saved
    return CliResult(code, out.getvalue(), err.getvalue())
