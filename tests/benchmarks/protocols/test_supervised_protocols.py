"""Every registered supervised benchmark runs from the CLI on its smoke preset, with the data it needs."""

from __future__ import annotations

import json

import pytest

from benchmarks import base
from tests.cli_runner import run_cli

ISSUE_BENCHMARKS = {
    "permuted-mnist", "random-label-mnist", "label-permuted-mnist", "class-incremental-mnist",
    "class-incremental-cifar100", "continual-binary-cifar100", "random-label-cifar10", "slowly-changing-regression",
}
OFFLINE = sorted(n for n in ISSUE_BENCHMARKS if base.get(n).offline)
NEEDS_DATA = sorted(n for n in ISSUE_BENCHMARKS if not base.get(n).offline)


def test_all_issue_benchmarks_are_registered_with_three_presets_and_a_version():
    assert ISSUE_BENCHMARKS <= set(base.names())
    for name in ISSUE_BENCHMARKS:
        benchmark = base.get(name)
        assert set(benchmark.presets) == {"smoke", "quick", "paper"}, name
        assert benchmark.version, name


def test_headline_rules_use_the_final_tenth_except_regressions_final_30_percent_and_define_chance_for_classification():
    for name in ISSUE_BENCHMARKS:
        rule = base.get(name).headline
        if name == "slowly-changing-regression":
            assert rule.select == "final_fraction" and rule.fraction == 0.3
            assert rule.metric == "mse" and rule.sign == -1
        else:
            assert rule.select == "final_fraction" and rule.fraction == 0.1, name
            assert rule.metric == "online_accuracy" and rule.chance is not None, name


def test_only_cifar_benchmarks_need_a_data_root():
    assert NEEDS_DATA == ["class-incremental-cifar100", "continual-binary-cifar100", "random-label-cifar10"]


def _run_smoke(store, name: str, *extra: str) -> dict:
    result = run_cli("run", "-b", name, "-m", "baseline", "--seed", "0", "--store", str(store), "--no-progress", *extra)
    assert result.exit_code == 0, result.output
    assert "1 runs (1 ok)" in result.output, result.output
    records = json.loads(run_cli("results", "list", "--json", "--store", str(store)).stdout)
    return records[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", OFFLINE)
def test_offline_benchmark_runs_on_smoke_from_the_cli(store_path, name):
    record = _run_smoke(store_path, name)
    assert record["benchmark"] == name and record["status"] == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("name", NEEDS_DATA)
def test_cifar_benchmark_runs_on_smoke_from_tiny_files_in_torchvision_format(store_path, cifar_root, name):
    record = _run_smoke(store_path, name, "--data-root", str(cifar_root))
    assert record["status"] == "ok"


@pytest.mark.parametrize("name", NEEDS_DATA)
def test_cifar_benchmark_without_data_root_says_what_to_pass(store_path, name):
    result = run_cli("run", "-b", name, "-m", "baseline", "--seed", "0", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 2
    assert "--data-root" in result.output


def test_cifar_benchmark_with_empty_data_root_lists_the_expected_files(store_path, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("run", "-b", "random-label-cifar10", "-m", "baseline", "--seed", "0", "--store", str(store_path),
                     "--no-progress", "--data-root", str(empty))
    assert result.exit_code == 2
    assert "cifar-10-batches-py" in result.output and "data_batch_1" in result.output and "test_batch" in result.output


@pytest.mark.slow
def test_permuted_mnist_reads_real_mnist_from_idx_files(store_path, mnist_root):
    from leaderboard.store import ResultsStore

    _run_smoke(store_path, "permuted-mnist", "--data-root", str(mnist_root))
    [record] = ResultsStore(store_path).records()
    assert record.data_source == "torchvision-mnist-train"
