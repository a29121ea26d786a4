"""Corrections to Avalanche plugins whose results depend on the device, applied by the `avalanche:` bridge.

Each correction changes only what is needed for a CPU run to compute what the same plugin computes on a
GPU; docs/methods.md ("Avalanche plugins") lists them with the evidence.
"""

from __future__ import annotations

from typing import Any


def corrected(plugin_class: type) -> type:
    """The class the bridge instantiates for `plugin_class`: itself, or a corrected subclass."""
    from avalanche.training.plugins import SynapticIntelligencePlugin

    if issubclass(plugin_class, SynapticIntelligencePlugin):
        return _synaptic_intelligence_with_copies(plugin_class)
    return plugin_class


def _own_copies(params: dict[str, Any]) -> None:
    for param in params.values():
        param.data = param.data.clone()


def _synaptic_intelligence_with_copies(base: type) -> type:
    """Avalanche 0.6's SI stores θ as `param.detach().cpu().flatten()`: on a CPU model that is a view of the
    live parameter, so θ_old (per step) and θ* (per task) move with every optimizer step, ω is exactly 0 and
    so is the penalty. `.cpu()` copies a GPU tensor; this subclass stores copies on every device."""

    class SynapticIntelligenceWithCopies(base):
        def before_training_exp(self, strategy: Any, **kwargs: Any) -> None:
            super().before_training_exp(strategy, **kwargs)
            _own_copies(self.ewc_data[0])

        def before_training_iteration(self, strategy: Any, **kwargs: Any) -> None:
            super().before_training_iteration(strategy, **kwargs)
            _own_copies(self.syn_data["old_theta"])

    SynapticIntelligenceWithCopies.__name__ = SynapticIntelligenceWithCopies.__qualname__ = f"{base.__name__}WithCopies"
    return SynapticIntelligenceWithCopies
