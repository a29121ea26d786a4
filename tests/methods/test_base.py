"""The method registry (methods/base.py): decorator, entry points, composition, overrides and versions."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from core.errors import MethodError
from methods import base
from methods.base import ComposedMethod, Method, register


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


@pytest.mark.slow
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


def test_set_of_an_unknown_field_suggests_the_closest_one():
    with pytest.raises(MethodError, match="did you mean 'tau'"):
        base.create("redo", {"redo": {"taus": "0.1"}})


def test_an_incompatible_pair_is_refused_naming_both():
    with pytest.raises(MethodError, match="'nap' and 'ln_wd' cannot be composed"):
        base.create("nap+ln_wd")


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


def test_registering_a_method_whose_search_space_names_an_unknown_field_is_refused():
    from dataclasses import dataclass

    from core.search_space import FloatRange, SearchSpace

    @dataclass(frozen=True)
    class StrengthConfig:
        strength: float = 1e-2

    class Misspelt(base.Method):
        Config = StrengthConfig
        search_space = SearchSpace({"strenght": FloatRange(1e-5, 1e-1, log=True)}, source="ours")

    with pytest.raises(MethodError, match="strenght"):
        base.register("misspelt_space")(Misspelt)
    assert "misspelt_space" not in base.names()
