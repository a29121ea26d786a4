"""The benchmark families: the one declared set that benchmarks belong to and methods say they apply to."""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import UserInputError, unknown_name_message

SUPERVISED = "supervised"
REGRESSION = "regression"
ATARI = "atari"
FAMILIES: frozenset[str] = frozenset({SUPERVISED, REGRESSION, ATARI})


def require_families(names: Iterable[str], owner: str) -> frozenset[str]:
    """`names` as a frozenset, or a UserInputError naming `owner` and the valid families."""
    chosen = frozenset(names)
    for name in sorted(chosen - FAMILIES):
        raise UserInputError(f"{owner}: " + unknown_name_message("benchmark family", name, FAMILIES))
    return chosen


def not_applicable_reason(method: str, method_families: frozenset[str], family: str) -> str | None:
    """None if a method for `method_families` applies to a `family` benchmark, else the reason (one wording)."""
    if family in method_families:
        return None
    return f"{method} does not apply to {family} benchmarks (it applies to {', '.join(sorted(method_families))})"
