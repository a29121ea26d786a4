"""Planning (benchmarks/planning.py): `--set` scopes and method families are checked once, for every entry point."""

from __future__ import annotations

import pytest

from benchmarks import suites
from benchmarks.planning import plan_jobs
from core.errors import UserInputError
from methods import base as method_registry
from methods.base import Method


def test_an_unknown_set_scope_is_refused_alike_by_plan_jobs_and_plan_suite(monkeypatch):
    monkeypatch.setitem(suites.SUITES, "tiny", suites.Suite("tiny", 1, "permuted-mnist at smoke", lambda: [("permuted-mnist", "smoke")]))
    message = r"--set names redo, which is not in the methods given \(baseline\)"
    with pytest.raises(UserInputError, match=message):
        plan_jobs(["permuted-mnist"], ["baseline"], [0], "smoke", {"redo": {"every": "3"}})
    with pytest.raises(UserInputError, match=message):
        suites.plan_suite("tiny", ["baseline"], [0], {"redo": {"every": "3"}})


def test_plan_jobs_refuses_a_method_of_another_family_naming_the_benchmark_and_the_families():
    class AtariOnly(Method):
        families = frozenset({"atari"})

    method_registry.register("atari_only_plan_test")(AtariOnly)
    try:
        with pytest.raises(UserInputError, match=r"permuted-mnist: atari_only_plan_test does not apply to supervised benchmarks \(it applies to atari\)"):
            plan_jobs(["permuted-mnist"], ["atari_only_plan_test"], [0], "smoke")
    finally:
        method_registry._REGISTRY.pop("atari_only_plan_test")
