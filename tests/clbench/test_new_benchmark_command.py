"""`clbench new-benchmark`: writes a protocol and its test, and refuses bad, taken or existing names writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scaffold import render
from tests.cli_runner import run_cli


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def test_new_benchmark_writes_the_protocol_and_its_test(tmp_path):
    protocols_dir, tests_dir = tmp_path / "protocols", tmp_path / "tests"
    result = run_cli("new-benchmark", "demo-stream", "--protocols-dir", str(protocols_dir), "--tests-dir", str(tests_dir))
    assert result.exit_code == 0, result.output
    protocol_text, test_text = render("demo-stream")
    assert (protocols_dir / "demo_stream.py").read_text() == protocol_text
    assert (tests_dir / "test_demo_stream.py").read_text() == test_text


@pytest.mark.parametrize("name", ["Demo-Stream", "demo_stream", "demo--stream", "demo-", "2demo", "démo"])
def test_new_benchmark_refuses_a_name_that_is_not_kebab_case_and_writes_nothing(tmp_path, name):
    result = run_cli("new-benchmark", name, "--protocols-dir", str(tmp_path / "p"), "--tests-dir", str(tmp_path / "t"))
    assert result.exit_code == 2 and "kebab-case" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert files_under(tmp_path / "p", tmp_path / "t") == []


def test_new_benchmark_refuses_a_name_whose_module_would_be_a_python_keyword(tmp_path):
    result = run_cli("new-benchmark", "import", "--protocols-dir", str(tmp_path / "p"), "--tests-dir", str(tmp_path / "t"))
    assert result.exit_code == 2 and "would be a Python keyword" in result.stderr
    assert files_under(tmp_path / "p", tmp_path / "t") == []


def test_new_benchmark_refuses_a_registered_name_and_writes_nothing(tmp_path):
    result = run_cli("new-benchmark", "permuted-mnist", "--protocols-dir", str(tmp_path / "p"), "--tests-dir", str(tmp_path / "t"))
    assert result.exit_code == 2 and "'permuted-mnist' is already registered" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert files_under(tmp_path / "p", tmp_path / "t") == []


def test_new_benchmark_refuses_an_existing_file_and_writes_nothing(tmp_path):
    existing = tmp_path / "t" / "test_demo_twice.py"
    existing.parent.mkdir()
    existing.write_text("# mine\n")
    args = ("new-benchmark", "demo-twice", "--protocols-dir", str(tmp_path / "p"), "--tests-dir", str(tmp_path / "t"))
    refused = run_cli(*args)
    assert refused.exit_code == 2 and f"{existing} already exists" in refused.stderr
    assert files_under(tmp_path / "p", tmp_path / "t") == [existing] and existing.read_text() == "# mine\n"
    assert run_cli(*args, "--force").exit_code == 0
    assert existing.read_text() == render("demo-twice")[1]


def test_new_benchmark_is_listed_in_the_help():
    result = run_cli("--help")
    assert result.exit_code == 0 and "new-benchmark" in result.stdout
