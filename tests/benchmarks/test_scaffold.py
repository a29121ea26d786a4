"""`clbench new-benchmark` and docs/adding-a-benchmark.md: the generated and the documented code pass as written."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks import scaffold
from benchmarks.scaffold import render
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "adding-a-benchmark.md"
TUTORIAL_NAME = "random-label-gaussian"


def run_pytest_on(protocols_dir: Path, tests_dir: Path) -> subprocess.CompletedProcess:
    """Run pytest on `tests_dir` in a fresh interpreter where `protocols_dir` extends benchmarks.protocols."""
    (tests_dir / "conftest.py").write_text(
        textwrap.dedent(
            f"""
            import torch
            import benchmarks.protocols
            torch.set_num_threads(1)
            benchmarks.protocols.__path__.append({str(protocols_dir)!r})
            """
        )
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests_dir)],
        capture_output=True, text=True, cwd=tests_dir, timeout=300,
    )


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


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


def test_a_write_that_fails_midway_leaves_no_protocol_behind(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(OSError):
        scaffold.write("demo-blocked", tmp_path / "p", blocked, taken=[])
    assert files_under(tmp_path / "p") == []


def test_new_benchmark_is_listed_in_the_help():
    result = run_cli("--help")
    assert result.exit_code == 0 and "new-benchmark" in result.stdout


def test_tutorial_shows_exactly_what_the_scaffold_writes():
    protocol_text, test_text = render(TUTORIAL_NAME)
    assert python_blocks(TUTORIAL.read_text()) == [protocol_text, test_text]


@pytest.mark.slow
def test_scaffolded_benchmark_passes_its_own_test_in_a_fresh_interpreter(tmp_path):
    """The generated test plans, runs the smoke preset into a valid record, and checks bad input."""
    protocols_dir, tests_dir = tmp_path / "protocols", tmp_path / "tests"
    assert run_cli("new-benchmark", "demo-stream", "--protocols-dir", str(protocols_dir), "--tests-dir", str(tests_dir)).exit_code == 0
    outcome = run_pytest_on(protocols_dir, tests_dir)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "3 passed" in outcome.stdout
