"""Activations that give every unit two features (CReLU, deep Fourier features) and the rewiring they need.

A hidden layer of `u` units followed by such an activation emits `2u` features, interleaved per unit
(unit i → features 2i and 2i+1), so the next layer's input columns for unit i stay contiguous and the
network description keeps meaning what it says: `consumer_repeat` doubles.
"""

from __future__ import annotations

import torch
from torch import nn

from methods._layers import set_module
from methods.learner import Learner
from methods.network import DescribedModel, NetworkDescription, NormSlot


UNIT_SCORING_METHODS = frozenset({"redo", "cbp"})
"""Methods that score units from activation outputs, assuming one feature per unit; refused in composition."""


class TwoFeatureActivation(nn.Module):
    """φ(z) = interleave(f(z), g(z)) along the feature (channel) dimension: (N, u, ...) → (N, 2u, ...)."""

    def first(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def second(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.stack((self.first(z), self.second(z)), dim=2).flatten(1, 2)


def residual_reason(network: NetworkDescription, name: str) -> str | None:
    """Why a width-changing activation cannot act on `network` (a residual sum fixes the widths), or None."""
    if any(info.residual for info in network.layers):
        return (
            f"{name} changes how many features each hidden layer emits, which a residual sum "
            f"(network family '{network.family}') cannot absorb without new projection shortcuts; "
            "use it on mlp, cnn or qnetwork models"
        )
    return None


def scaled_units(width: int, units: float) -> int:
    """Units a producing layer keeps when each unit now emits two features (at least one)."""
    return max(1, round(width * units))


def swap_activations(learner: Learner, make: type[TwoFeatureActivation], units: float) -> dict[str, tuple[int, int]]:
    """Replace every hidden nonlinearity by `make()`, keep `units` of each layer's units, widen consumers.

    Returns {layer name: (old units, new units)}. New or resized weight modules are drawn from the model's
    own initialiser, so the run starts from a fresh network of the new shape.
    """
    model, network = learner.model, learner.network
    resized: dict[str, tuple[int, int]] = {}
    new_units: dict[str, int] = {}
    for info in network.hidden:
        new_units[info.name] = scaled_units(info.width, units)
    for info in network.hidden:
        old = model.get_submodule(info.name)
        width = new_units[info.name]
        set_module(model, info.name, _resized(model, old, out_features=width))
        if info.norm is not None:
            set_module(model, info.norm, _resized_norm(model.get_submodule(info.norm), width))
        set_module(model, info.activation, make())
        resized[info.name] = (info.width, width)
    for info in network.layers:
        module = model.get_submodule(info.name)
        producers = [p for p in network.hidden if info.name in p.consumers]
        if not producers:
            continue
        inputs = sum(2 * new_units[p.name] * p.consumer_repeat for p in producers)
        if _fan_in_features(module) != inputs:
            set_module(model, info.name, _resized(model, module, in_features=inputs))
    for info in list(network.hidden):
        network.updated(info.name, width=new_units[info.name], consumer_repeat=2 * info.consumer_repeat)
    return resized


def _fan_in_features(module: nn.Module) -> int:
    return module.in_features if isinstance(module, nn.Linear) else module.in_channels


def _resized(model: nn.Module, module: nn.Module, out_features: int | None = None, in_features: int | None = None) -> nn.Module:
    """A fresh Linear/Conv2d like `module` with new output units and/or input features, re-initialised."""
    bias = module.bias is not None
    if isinstance(module, nn.Linear):
        fresh = nn.Linear(in_features or module.in_features, out_features or module.out_features, bias=bias)
    elif isinstance(module, nn.Conv2d):
        fresh = nn.Conv2d(
            in_features or module.in_channels,
            out_features or module.out_channels,
            module.kernel_size,
            stride=module.stride,
            padding=module.padding,
            dilation=module.dilation,
            bias=bias,
        )
    else:
        raise TypeError(f"cannot resize a {type(module).__name__}; described layers are Linear or Conv2d")
    fresh = fresh.to(device=module.weight.device, dtype=module.weight.dtype)
    with torch.no_grad():
        if isinstance(model, DescribedModel):
            model.reinitialise(fresh)
    return fresh


def _resized_norm(norm: nn.Module, width: int) -> nn.Module:
    if isinstance(norm, NormSlot):
        return NormSlot(width, norm.kind)
    if isinstance(norm, nn.modules.batchnorm._BatchNorm):
        fresh: nn.Module = type(norm)(width, eps=norm.eps, momentum=norm.momentum, affine=norm.affine)
    elif isinstance(norm, nn.LayerNorm):
        fresh = nn.LayerNorm(width, eps=norm.eps, elementwise_affine=norm.elementwise_affine)
    elif isinstance(norm, nn.GroupNorm):
        fresh = nn.GroupNorm(1, width, eps=norm.eps, affine=norm.affine)
    else:
        raise TypeError(f"cannot resize a {type(norm).__name__} norm slot")
    tensors = list(norm.parameters()) + list(norm.buffers())
    return fresh.to(tensors[0].device) if tensors else fresh


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

