"""Configuration basics (core/config.py): scoped `--set` assignments and overrides coerced to the field types."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.config import parse_assignments, settings_of, with_overrides
from core.errors import MethodError, UserInputError


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


@dataclass(frozen=True)
class _Part:
    width: int = 1

    def __post_init__(self) -> None:
        if self.width <= 0:
            raise UserInputError("width must be positive")


@dataclass(frozen=True)
class _Whole(_Part):
    depth: int = 2


def test_settings_of_hands_a_part_its_own_fields_and_runs_its_checks():
    assert settings_of(_Whole(width=3, depth=5), _Part) == _Part(width=3)
    with pytest.raises(UserInputError, match="width"):
        settings_of(type("Loose", (), {"width": 0})(), _Part)
