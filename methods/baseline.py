"""The baseline: the benchmark's own network and optimizer, with nothing added."""

from __future__ import annotations

from methods.base import Method, register
from core.search_space import nothing_to_tune


@register("baseline")
class Baseline(Method):
    """No intervention: the reference every method is compared against."""

    citation = "—"
    search_space = nothing_to_tune("no hyperparameters: tuned on the benchmark's step size alone")
