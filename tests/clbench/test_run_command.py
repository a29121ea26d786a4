"""`clbench run`: runs, skips completed runs, resumes, and refuses bad input with one line and exit code 2."""

from __future__ import annotations

import json

from benchmarks import suites
from leaderboard.store import ResultsStore
from methods import base as method_registry
from tests.cli_runner import run_cli

SHORT = ("--set", "bench.num_tasks=2", "--set", "bench.diagnostics=false")


def test_run_twice_does_not_repeat_completed_runs(store_path):
    args = ("run", "--benchmark", "permuted-mnist", "--method", "baseline,reset_full", "--seeds", "2",
            "--preset", "smoke", "--store", str(store_path), "--no-progress")
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    assert "4 runs (4 ok)" in first.output
    assert str(store_path) in first.output
    second = run_cli(*args)
    assert second.exit_code == 0, second.output
    assert "4 of 4 runs already complete" in second.output
    listed = json.loads(run_cli("results", "list", "--json", "--store", str(store_path)).stdout)
    assert len(listed) == 4 and {r["status"] for r in listed} == {"ok"}


def test_force_reruns_completed_runs(store_path):
    args = ("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--store", str(store_path), "--no-progress")
    assert run_cli(*args).exit_code == 0
    forced = run_cli(*args, "--force")
    assert forced.exit_code == 0 and "1 runs (1 ok)" in forced.output


def test_store_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("CLBENCH_STORE", str(target))
    assert run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "1", "--no-progress").exit_code == 0
    assert target.exists()


def test_set_overrides_a_method_hyperparameter_and_the_record_keeps_it(store_path, tmp_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap", "--set", "nap.every=10", *SHORT, "--seed", "0",
                     "--preset", "smoke", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "1 runs (1 ok)" in result.output
    bundle = tmp_path / "bundle.json"
    assert run_cli("results", "export", str(bundle), "--store", str(store_path)).exit_code == 0
    (record,) = json.loads(bundle.read_text())["records"]
    assert record["method_config"]["nap"]["every"] == 10


def test_composed_methods_run_from_the_cli(store_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap+redo,layernorm+shrink_perturb", *SHORT, "--seed", "0",
                     "--preset", "smoke", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "2 runs (2 ok)" in result.output


def test_a_huge_learning_rate_is_recorded_diverged_through_the_cli(store_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "bench.lr=1e30",
                     "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    (record,) = ResultsStore(store_path).records()
    assert record.status == "diverged" and record.diverged_at_step is not None
    assert "1 diverged" in result.output


def test_methods_all_expands_to_every_registered_method_in_a_suite_plan(tiny_suite, store_path):
    result = run_cli("run", "--suite", "tiny", "--methods", "all", "--seeds", "3", "--store", str(store_path), "--dry-run")
    assert result.exit_code == 0, result.output
    supervised = [n for n in method_registry.names() if "supervised" in method_registry.get(n).families]
    runs = 3 * len(supervised)
    assert f"{runs} runs to do of {runs} planned" in result.output
    for name in supervised:
        assert f"permuted-mnist/smoke {name} seed=2" in result.output


def test_preset_given_with_a_suite_replaces_every_entry_preset(monkeypatch, store_path):
    quick_mnist = suites.Suite("tiny", 1, "permuted-mnist at quick", lambda: [("permuted-mnist", "quick")])
    monkeypatch.setitem(suites.SUITES, "tiny", quick_mnist)
    result = run_cli("run", "--suite", "tiny", "--preset", "smoke", "-m", "baseline", "--seed", "0",
                     "--store", str(store_path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would run permuted-mnist/smoke baseline seed=0" in result.output


def test_unknown_benchmark_exits_2_and_suggests_the_closest_name():
    result = run_cli("run", "-b", "permuted-mnst", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2
    assert "did you mean 'permuted-mnist'" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_method_exits_2_and_lists_valid_names():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baselin", "--seed", "0")
    assert result.exit_code == 2
    assert "did you mean 'baseline'" in result.stderr and "reset_full" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_suite_exits_2_and_suggests_the_closest_name():
    result = run_cli("run", "--suite", "quik", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2 and "did you mean 'quick'" in result.stderr


def test_suite_and_benchmark_together_are_refused():
    result = run_cli("run", "--suite", "quick", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2 and "either --suite or --benchmark" in result.stderr


def test_bad_set_value_names_the_field_and_what_it_accepts():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "bench.lr=fast")
    assert result.exit_code == 2
    assert "bench.lr" in result.stderr and "expected a number" in result.stderr


def test_bad_set_field_names_the_valid_fields():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "bench.num_taks=3")
    assert result.exit_code == 2
    assert "num_tasks" in result.stderr


def test_set_for_a_method_not_in_the_spec_is_refused():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "nap.every=3")
    assert result.exit_code == 2 and "nap" in result.stderr


def test_set_with_a_value_of_the_wrong_type_names_the_field_and_the_type():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap", "--set", "nap.every=soon", "--seed", "0")
    assert result.exit_code == 2
    assert "nap.every='soon' is invalid: expected an integer" in result.stderr


def test_set_with_an_out_of_range_value_says_what_is_allowed():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "shrink_perturb", "--set", "shrink_perturb.shrink=1.5", "--seed", "0")
    assert result.exit_code == 2
    assert "shrink_perturb.shrink=1.5 is invalid: expected a number in (0, 1]" in result.stderr


def test_invalid_benchmark_value_names_the_field():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--set", "bench.num_tasks=0")
    assert result.exit_code == 2
    assert "bench.num_tasks" in result.stderr and "positive" in result.stderr


def test_missing_data_root_lists_the_expected_files(tmp_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--data-root", str(tmp_path))
    assert result.exit_code == 2
    assert "train-images-idx3-ubyte" in result.stderr and "download" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_preset_lists_valid_presets():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--preset", "huge")
    assert result.exit_code == 2 and "smoke" in result.stderr


def test_seeds_and_seed_are_exclusive():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--seeds", "2")
    assert result.exit_code == 2 and "exactly one" in result.stderr


def test_zero_jobs_is_refused_naming_the_flag():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs must be at least 1, got 0" in result.stderr


def test_unknown_executor_lists_the_valid_ones():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--executor", "dask")
    assert result.exit_code == 2 and "local, ray" in result.stderr
