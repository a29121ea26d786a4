"""`clbench new-method`: writes a method and its test, and refuses taken, malformed or existing names."""

from __future__ import annotations

from methods.scaffold import render
from tests.cli_runner import run_cli


def test_new_method_writes_the_two_files(tmp_path):
    methods_dir, tests_dir = tmp_path / "extra_methods", tmp_path / "extra_tests"
    result = run_cli("new-method", "demo_clip", "--methods-dir", str(methods_dir), "--tests-dir", str(tests_dir))
    assert result.exit_code == 0, result.output
    method_text, test_text = render("demo_clip")
    assert (methods_dir / "demo_clip.py").read_text() == method_text
    assert (tests_dir / "test_demo_clip.py").read_text() == test_text


def test_new_method_refuses_a_registered_name():
    result = run_cli("new-method", "nap", "--methods-dir", "m", "--tests-dir", "t")
    assert result.exit_code == 2 and "'nap' is already registered" in result.stderr


def test_new_method_refuses_a_name_that_is_not_lower_snake_case():
    result = run_cli("new-method", "Grad-Clip", "--methods-dir", "m", "--tests-dir", "t")
    assert result.exit_code == 2 and "lower_snake_case" in result.stderr


def test_new_method_does_not_overwrite_without_force(tmp_path):
    args = ("new-method", "demo_twice", "--methods-dir", str(tmp_path / "m"), "--tests-dir", str(tmp_path / "t"))
    assert run_cli(*args).exit_code == 0
    again = run_cli(*args)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert run_cli(*args, "--force").exit_code == 0
