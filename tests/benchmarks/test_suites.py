"""Suites (benchmarks/suites.py): named, versioned (benchmark, preset) lists read from the registry."""

from __future__ import annotations

import pytest

from benchmarks import base, suites
from benchmarks.protocols.permuted_mnist import PermutedMNIST
from methods import base as method_registry
from methods.base import Method


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
