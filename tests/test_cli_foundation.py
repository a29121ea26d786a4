"""The foundation end to end through the CLI: list, run, skip completed runs, results, leaderboard, bad input."""

from __future__ import annotations

import json

from tests.helpers import run_cli


def test_methods_list_json_names_the_foundation_methods():
    result = run_cli("methods", "list", "--json")
    assert result.exit_code == 0, result.output
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"baseline", "reset_full"} <= names


def test_benchmarks_list_json_includes_permuted_mnist_with_presets():
    result = run_cli("benchmarks", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"smoke", "quick", "paper"} <= set(rows["permuted-mnist"]["presets"])


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


def test_leaderboard_show_prints_mean_and_std_per_method(store_path):
    run_cli("run", "-b", "permuted-mnist", "-m", "baseline,reset_full", "--seeds", "2", "--store", str(store_path), "--no-progress")
    result = run_cli("leaderboard", "show", "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert "baseline" in result.stdout and "reset_full" in result.stdout and "±" in result.stdout


def test_export_then_import_round_trips_records(tmp_path, store_path):
    run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--store", str(store_path), "--no-progress")
    bundle = tmp_path / "bundle.json"
    assert run_cli("results", "export", str(bundle), "--store", str(store_path)).exit_code == 0
    other = tmp_path / "other.db"
    imported = run_cli("results", "import", str(bundle), "--store", str(other))
    assert imported.exit_code == 0, imported.output
    assert len(json.loads(run_cli("results", "list", "--json", "--store", str(other)).stdout)) == 1


def test_store_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("CLBENCH_STORE", str(target))
    assert run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "1", "--no-progress").exit_code == 0
    assert target.exists()


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
