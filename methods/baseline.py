"""The baseline: the benchmark's own network and optimizer, with nothing added."""

from __future__ import annotations

from methods.base import Method, register


@register("baseline")
class Baseline(Method):
    """No intervention: the reference every method is compared against."""

    citation = "—"
