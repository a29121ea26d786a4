"""Do two sets of run records agree? The check behind "the same seed gives the same numbers".

Records with the same run id describe the same run (benchmark, configs, seed, data); what each
measured must then be equal, whichever executor, machine or session made it (docs/sweeps.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from leaderboard.records import RunRecord

MEASURED_FIELDS = ("status", "diverged_at_step", "score", "summary", "tasks", "diagnostics", "series", "steps")
ENVIRONMENT_FIELDS = ("git_commit", "device", "cpu_model", "cpu_capability", "mkl_cbwr", "threads", "denormals")


def measured(record: RunRecord) -> dict[str, Any]:
    """Everything a run measured: not when, where or how long it took."""
    return record.model_dump(mode="json", include=set(MEASURED_FIELDS))


@dataclass
class Difference:
    """One run id whose records disagree: the first differing value, both scores, how the environments differ."""

    run_id: str
    where: str
    ours: Any
    theirs: Any
    environment: dict[str, tuple[Any, Any]]
    scores: tuple[float | None, float | None] = (None, None)


@dataclass
class Comparison:
    """Shared run ids split into agreeing and differing, plus the ids only one side has."""

    agreeing: list[str] = field(default_factory=list)
    differing: list[Difference] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)
    only_theirs: list[str] = field(default_factory=list)

    @property
    def reproduced(self) -> bool:
        return bool(self.agreeing) and not self.differing


def first_difference(ours: Any, theirs: Any, atol: float = 0.0, where: str = "") -> tuple[str, Any, Any] | None:
    """The path and values of the first place two JSON-like values differ; numbers within `atol` agree."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs), key=str):
            if key not in ours or key not in theirs:
                return f"{where}.{key}".lstrip("."), ours.get(key, "<absent>"), theirs.get(key, "<absent>")
            found = first_difference(ours[key], theirs[key], atol, f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{where} (length)".lstrip("."), len(ours), len(theirs)
        for index, (a, b) in enumerate(zip(ours, theirs)):
            found = first_difference(a, b, atol, f"{where}[{index}]")
            if found:
                return found
        return None
    if _is_number(ours) and _is_number(theirs):
        same = ours == theirs or (math.isnan(ours) and math.isnan(theirs)) or abs(ours - theirs) <= atol
        return None if same else (where.lstrip("."), ours, theirs)
    return None if ours == theirs else (where.lstrip("."), ours, theirs)


def compare_records(ours: list[RunRecord], theirs: list[RunRecord], atol: float = 0.0) -> Comparison:
    """Compare every run id both sides hold; `atol` = 0 asks for bit-identical numbers."""
    if not atol >= 0:
        raise ValueError(f"atol must be a number >= 0, got {atol}")
    mine = {r.run_id: r for r in ours}
    other = {r.run_id: r for r in theirs}
    comparison = Comparison(
        only_ours=sorted(set(mine) - set(other)),
        only_theirs=sorted(set(other) - set(mine)),
    )
    for run_id in sorted(set(mine) & set(other)):
        found = first_difference(measured(mine[run_id]), measured(other[run_id]), atol)
        if found is None:
            comparison.agreeing.append(run_id)
            continue
        where, a, b = found
        environment = {
            name: (getattr(mine[run_id].environment, name), getattr(other[run_id].environment, name))
            for name in ENVIRONMENT_FIELDS
            if getattr(mine[run_id].environment, name) != getattr(other[run_id].environment, name)
        }
        scores = (mine[run_id].score, other[run_id].score)
        comparison.differing.append(Difference(run_id, where, a, b, environment, scores))
    return comparison


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
