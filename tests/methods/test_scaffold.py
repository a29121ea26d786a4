"""methods/scaffold.py and docs/adding-a-method.md: the generated and the documented code pass as written.

What the `clbench new-method` command refuses is in tests/clbench/test_new_method_command.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from methods.scaffold import render
from tests.cli_runner import run_cli

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "adding-a-method.md"


def run_pytest_on(methods_dir: Path, tests_dir: Path) -> subprocess.CompletedProcess:
    """Run pytest on `tests_dir` in a fresh interpreter where `methods_dir` extends the methods package."""
    (tests_dir / "conftest.py").write_text(
        textwrap.dedent(
            f"""
            import methods
            methods.__path__.append({str(methods_dir)!r})
            """
        )
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests_dir)],
        capture_output=True, text=True, cwd=tests_dir, timeout=300,
    )


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_tutorial_shows_exactly_what_the_scaffold_writes():
    method_text, test_text = render("grad_clip")
    assert python_blocks(TUTORIAL.read_text()) == [method_text, test_text]


@pytest.mark.slow
def test_scaffold_output_and_tutorial_code_pass_their_own_tests(tmp_path):
    """One fresh interpreter runs the generated test of `demo_clip` and the tutorial's test of `grad_clip`."""
    methods_dir, tests_dir = tmp_path / "extra_methods", tmp_path / "extra_tests"
    assert run_cli("new-method", "demo_clip", "--methods-dir", str(methods_dir), "--tests-dir", str(tests_dir)).exit_code == 0
    method_block, test_block = python_blocks(TUTORIAL.read_text())
    (methods_dir / "grad_clip.py").write_text(method_block)
    (tests_dir / "test_grad_clip.py").write_text(test_block)
    outcome = run_pytest_on(methods_dir, tests_dir)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "4 passed" in outcome.stdout
