"""Suites: named, versioned (benchmark, preset) lists read from the registry; `--methods all`."""

from __future__ import annotations

import json

import pytest

from benchmarks import base, suites
from benchmarks.protocols.permuted_mnist import PermutedMNIST
from methods import base as method_registry
from methods.base import Method
from tests.helpers import run_cli


@pytest.fixture
def extra_benchmarks():
    """Two throwaway benchmarks, one offline and one needing real data; removed afterwards."""
    offline = type("OfflineExtra", (PermutedMNIST,), {"name": "offline-extra", "offline": True})
    needs_data = type("NeedsData", (PermutedMNIST,), {"name": "needs-data", "offline": False})
    base.register(offline)
    base.register(needs_data)
    yield offline, needs_data
    for cls in (offline, needs_data):
        base._REGISTRY.pop(cls.name)


@pytest.fixture
def tiny_suite(monkeypatch):
    """A suite of permuted-mnist/smoke alone, so planning tests load one data set."""
    suite = suites.Suite("tiny", 1, "permuted-mnist at smoke", lambda: [("permuted-mnist", "smoke")])
    monkeypatch.setitem(suites.SUITES, "tiny", suite)
    return suite


def labels(name: str) -> set[str]:
    return {entry.label for entry in suites.get(name).entries()}


def test_quick_suite_holds_every_offline_benchmark_at_its_quick_preset():
    expected = {f"{n}/quick" for n in base.names() if base.get(n).offline and "quick" in base.get(n).presets}
    assert labels("quick") == expected and "permuted-mnist/quick" in expected


def test_a_newly_registered_offline_benchmark_joins_quick_and_one_needing_data_joins_only_paper(extra_benchmarks):
    assert "offline-extra/quick" in labels("quick") and "needs-data/quick" not in labels("quick")
    assert {"offline-extra/paper", "needs-data/paper"} <= labels("paper")


def test_suite_version_changes_when_a_member_protocol_version_changes(extra_benchmarks):
    offline, _ = extra_benchmarks
    before = suites.get("quick").version()
    offline.version = offline.version + "-bumped"
    assert suites.get("quick").version() != before


def test_suite_list_json_shows_each_suite_with_version_and_entries():
    result = run_cli("suite", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"quick", "paper"} <= set(rows)
    assert rows["quick"]["version"].startswith("1-")
    assert {"benchmark": "permuted-mnist", "preset": "quick", "benchmark_version": base.get("permuted-mnist").version} in rows["quick"]["entries"]


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


def test_a_method_for_another_family_is_left_out_of_a_suite_with_the_reason(tiny_suite):
    class AtariOnly(Method):
        families = frozenset({"atari"})

    method_registry.register("atari_only_test")(AtariOnly)
    try:
        plan = suites.plan_suite("tiny", ["baseline", "atari_only_test"], [0])
    finally:
        method_registry._REGISTRY.pop("atari_only_test")
    assert {job.method for job in plan.jobs} == {"baseline"}
    reason = "atari_only_test does not apply to supervised benchmarks (it applies to atari)"
    assert ("permuted-mnist", "atari_only_test", reason) in plan.left_out


def test_unknown_suite_exits_2_and_suggests_the_closest_name():
    result = run_cli("run", "--suite", "quik", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2 and "did you mean 'quick'" in result.stderr


def test_suite_and_benchmark_together_are_refused():
    result = run_cli("run", "--suite", "quick", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0")
    assert result.exit_code == 2 and "either --suite or --benchmark" in result.stderr
