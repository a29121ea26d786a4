"""`clbench` itself: a mistyped command is a usage error (exit code 2, one error line), never a traceback."""

from __future__ import annotations

from tests.cli_runner import run_cli


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def test_an_unknown_command_exits_2_with_a_one_line_usage_error():
    result = run_cli("frobnicate")
    assert result.exit_code == 2
    assert error_lines(result.stderr) == ["Error: No such command 'frobnicate'."]
    assert "Usage:" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_an_unknown_benchmarks_subcommand_exits_2_with_a_one_line_usage_error():
    result = run_cli("benchmarks", "frobnicate")
    assert result.exit_code == 2
    assert error_lines(result.stderr) == ["Error: No such command 'frobnicate'."]
    assert "benchmarks [OPTIONS] COMMAND" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_an_error_message_holding_rich_markup_is_printed_as_text_not_parsed():
    result = run_cli("run", "-b", "bad[/]name", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2
    assert "bad[/]name" in result.stderr and "Traceback" not in result.output
