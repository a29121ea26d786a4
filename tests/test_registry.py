"""Method and benchmark registries: decorator, entry points, composition, and typed overrides."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest

from benchmarks import base as benchmark_registry
from benchmarks.errors import BenchmarkError
from methods import base
from methods.base import ComposedMethod, Method, register
from core.config import parse_assignments, with_overrides
from core.errors import MethodError, UserInputError


def test_register_decorator_adds_a_method_by_name():
    @register("test_registry_probe")
    class Probe(Method):
        """A probe method for this test."""

    try:
        assert base.get("test_registry_probe") is Probe
        assert Probe.summary == "A probe method for this test."
    finally:
        base._REGISTRY.pop("test_registry_probe")


def test_registering_a_second_class_under_a_taken_name_is_an_error():
    with pytest.raises(MethodError, match="already registered"):

        @register("baseline")
        class Impostor(Method):
            pass


def test_third_party_method_registers_through_the_entry_point_group(tmp_path):
    """A package outside this repo adds a method by declaring a `clbench.methods` entry point."""
    (tmp_path / "outside_method.py").write_text(
        textwrap.dedent(
            '''
            from methods.base import Method

            class OutsideMethod(Method):
                """A method shipped by another package."""
            '''
        )
    )
    dist = tmp_path / "outside_method-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: outside-method\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[clbench.methods]\noutside = outside_method:OutsideMethod\n")
    script = "from methods import base; print(base.get('outside').summary)"
    env_path = f"{tmp_path}"
    out = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); {script}"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "A method shipped by another package." in out.stdout


def test_plus_composes_methods_keyed_by_name():
    composed = base.create("baseline+reset_full")
    assert isinstance(composed, ComposedMethod)
    assert list(composed.members()) == ["baseline", "reset_full"]
    assert set(composed.config_dict()) == {"baseline", "reset_full"}
    assert composed.spec == "baseline+reset_full"


def test_a_method_twice_in_a_spec_is_refused():
    with pytest.raises(MethodError, match="twice"):
        base.create("baseline+baseline")


def test_two_methods_with_the_same_exclusive_role_are_refused_naming_both():
    @register("test_role_a")
    class RoleA(Method):
        roles = frozenset({"optimizer"})

    @register("test_role_b")
    class RoleB(Method):
        roles = frozenset({"optimizer"})

    try:
        with pytest.raises(MethodError, match="test_role_a.*test_role_b.*optimizer"):
            base.create("test_role_a+test_role_b")
    finally:
        base._REGISTRY.pop("test_role_a")
        base._REGISTRY.pop("test_role_b")


def test_composed_method_skips_hooks_no_part_overrides():
    composed = base.create("baseline+reset_full")
    assert composed.overrides("on_task_start")
    assert not composed.overrides("after_step")


def test_unknown_method_suggests_the_closest_name():
    with pytest.raises(MethodError, match="did you mean 'reset_full'"):
        base.create("reset_ful")


def test_unknown_benchmark_lists_valid_names():
    with pytest.raises(BenchmarkError, match="permuted-mnist"):
        benchmark_registry.get("permuted")


def test_set_parses_scoped_assignments():
    assert parse_assignments(["nap.every=10", "bench.num_tasks=3"]) == {"nap": {"every": "10"}, "bench": {"num_tasks": "3"}}


def test_set_without_a_scope_is_refused_with_the_expected_form():
    with pytest.raises(UserInputError, match="SCOPE.FIELD=VALUE"):
        parse_assignments(["every=10"])


@dataclass(frozen=True)
class _Example:
    rate: float = 0.1
    every: int = 1
    on: bool = True
    widths: tuple[int, ...] = (1, 2)
    mode: str = "a"


def test_overrides_are_coerced_to_the_field_types():
    config = with_overrides(_Example(), {"rate": "1e-3", "every": "5", "on": "false", "widths": "3,4"}, scope="x")
    assert config == _Example(rate=1e-3, every=5, on=False, widths=(3, 4))


def test_an_override_of_the_wrong_type_names_the_field_and_the_expected_type():
    with pytest.raises(MethodError, match=r"x\.every='soon' is invalid: expected an integer"):
        with_overrides(_Example(), {"every": "soon"}, scope="x")
