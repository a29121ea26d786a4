"""How a method sees a model: an explicit description of its layers, never a guess from module names.

A described layer is a weight module (Linear or Conv2d) whose output may pass through a normalisation
slot and a nonlinearity. Models built by `benchmarks.models` leave an empty `NormSlot` before every
hidden nonlinearity, so that methods such as LayerNorm and NaP can fill it without rewiring the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from torch import nn

LayerKind = Literal["linear", "conv"]


class NormSlot(nn.Identity):
    """The place before a hidden nonlinearity where a normalisation layer may be inserted."""

    def __init__(self, width: int, kind: LayerKind):
        super().__init__()
        self.width = width
        self.kind = kind

    def extra_repr(self) -> str:
        return f"width={self.width}, kind={self.kind}"


@dataclass(frozen=True)
class LayerInfo:
    """One weight layer and what surrounds it.

    name: module path of the Linear/Conv2d; norm: module path of its normalisation slot (None if it has
    none); activation: module path of the nonlinearity after it (None for the output layer);
    consumers: weight layers that read this layer's units (its outgoing weights); consumer_repeat:
    inputs of a consumer per unit (spatial positions when a conv feeds a Linear through a flatten);
    residual: its units also feed a skip connection, so outgoing weights are not the whole story.
    """

    name: str
    kind: LayerKind
    width: int
    norm: str | None = None
    activation: str | None = None
    is_output: bool = False
    consumers: tuple[str, ...] = ()
    consumer_repeat: int = 1
    residual: bool = False


@dataclass
class NetworkDescription:
    """All weight layers of a model in forward order, the output layer last.

    features: module path whose output is the penultimate representation (for srank and feature norms).
    family: "mlp", "cnn", "resnet" or "qnetwork"; input_shape excludes the batch dimension.
    """

    layers: list[LayerInfo]
    family: str
    input_shape: tuple[int, ...]
    num_outputs: int
    features: str | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def layer(self, name: str) -> LayerInfo:
        for info in self.layers:
            if info.name == name:
                return info
        raise KeyError(f"no layer named {name!r}; layers are {[i.name for i in self.layers]}")

    @property
    def output(self) -> LayerInfo:
        outputs = [info for info in self.layers if info.is_output]
        if len(outputs) != 1:
            raise ValueError(f"a network description needs exactly one output layer, found {len(outputs)}")
        return outputs[0]

    @property
    def hidden(self) -> list[LayerInfo]:
        """The weight layers whose units pass through a nonlinearity (everything but the output)."""
        return [info for info in self.layers if not info.is_output]

    def updated(self, name: str, **changes: object) -> None:
        """Replace the description of layer `name` in place (used when a method changes a layer)."""
        self.layers = [replace(info, **changes) if info.name == name else info for info in self.layers]


class DescribedModel(nn.Module):
    """A model that can describe its layers. Benchmarks build these; methods read `describe()`."""

    def describe(self) -> NetworkDescription:  # pragma: no cover - abstract
        raise NotImplementedError

    def reinitialise(self, module: nn.Module) -> None:
        """Re-draw `module`'s own parameters from this model's initialiser (default: PyTorch's)."""
        reset = getattr(module, "reset_parameters", None)
        if callable(reset):
            reset()
