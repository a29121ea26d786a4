"""benchmarks/scaffold.py and docs/adding-a-benchmark.md: the generated and the documented code pass as written.

What the `clbench new-benchmark` command refuses is in tests/clbench/test_new_benchmark_command.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks import scaffold
from benchmarks.scaffold import render
from tests.cli_runner import run_cli

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


def test_a_write_that_fails_midway_leaves_no_protocol_behind(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(OSError):
        scaffold.write("demo-blocked", tmp_path / "p", blocked, taken=[])
    assert files_under(tmp_path / "p") == []


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
