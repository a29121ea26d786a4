"""Helpers shared by several methods: re-drawing modules and units, inserting norms, unit statistics."""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass

import torch
from torch import nn

from methods.learner import Learner
from methods.network import DescribedModel, LayerInfo, NetworkDescription, NormSlot


def reinitialise_modules(learner: Learner, modules: Iterable[nn.Module]) -> list[nn.Parameter]:
    """Re-draw the parameters of `modules` (not their children) from the model's initialiser.

    Returns the parameters touched so that callers can reset their optimizer state.
    """
    touched: list[nn.Parameter] = []
    model = learner.model
    for module in modules:
        with torch.no_grad():
            if isinstance(model, DescribedModel):
                model.reinitialise(module)
            elif callable(getattr(module, "reset_parameters", None)):
                module.reset_parameters()
        touched.extend(module.parameters(recurse=False))
    return touched


def modules_with_parameters(model: nn.Module) -> list[nn.Module]:
    """Every module that owns parameters directly."""
    return [m for m in model.modules() if any(True for _ in m.parameters(recurse=False))]


def capture_module_io(model: nn.Module, paths: list[str], inputs: torch.Tensor) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Inputs and outputs of the named modules on one eval-mode, gradient-free forward pass of `inputs`."""
    module_inputs: dict[str, torch.Tensor] = {}
    module_outputs: dict[str, torch.Tensor] = {}

    def hook(path: str):
        def record(_module: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            module_inputs[path] = args[0].detach()
            module_outputs[path] = output.detach()

        return record

    handles = [model.get_submodule(path).register_forward_hook(hook(path)) for path in paths]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return module_inputs, module_outputs


def unit_scores(activation: torch.Tensor) -> torch.Tensor:
    """Sokar et al. 2023 Eq. 1: per-unit mean |h| over the batch (and space), over the layer's mean."""
    magnitude = activation.abs()
    per_unit = magnitude.mean(dim=(0, 2, 3)) if magnitude.dim() == 4 else magnitude.mean(dim=0)
    return per_unit / (per_unit.mean() + 1e-9)


# -- described layers and their units --------------------------------------------------------------
def set_module(model: nn.Module, path: str, module: nn.Module) -> None:
    """Replace the submodule at dotted `path` with `module`."""
    parent_path, _, attribute = path.rpartition(".")
    parent = model.get_submodule(parent_path) if parent_path else model
    setattr(parent, attribute, module)


def redraw(model: nn.Module, module: nn.Module) -> None:
    """Re-draw `module`'s own parameters in place from `model`'s initialiser."""
    with torch.no_grad():
        if isinstance(model, DescribedModel):
            model.reinitialise(module)
        elif callable(getattr(module, "reset_parameters", None)):
            module.reset_parameters()


def fresh_copy(model: nn.Module, module: nn.Module) -> nn.Module:
    """A copy of `module` re-drawn from `model`'s initialiser; `module` itself is untouched."""
    copy = deepcopy(module)
    redraw(model, copy)
    return copy


def layer_parameters(model: nn.Module, network: NetworkDescription) -> list[tuple[str, nn.Parameter]]:
    """(name, parameter) of every described weight layer's own weight and bias, in forward order."""
    found = []
    for info in network.layers:
        module = model.get_submodule(info.name)
        for attribute in ("weight", "bias"):
            param = getattr(module, attribute, None)
            if isinstance(param, nn.Parameter):
                found.append((f"{info.name}.{attribute}", param))
    return found


def is_normalization(module: nn.Module | None) -> bool:
    """Whether `module` normalises its input (LayerNorm, GroupNorm, BatchNorm), so the layer before it is scale-invariant."""
    return isinstance(module, (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._BatchNorm, nn.RMSNorm))


def layer_norm_for(width: int, kind: str, eps: float = 1e-5, affine: bool = True) -> nn.Module:
    """LayerNorm over a layer's units: `LayerNorm(width)` for linear, `GroupNorm(1, C)` (over C,H,W) for conv."""
    if kind == "conv":
        return nn.GroupNorm(1, width, eps=eps, affine=affine)
    return nn.LayerNorm(width, eps=eps, elementwise_affine=affine)


def insert_layer_norms(learner: Learner, eps: float = 1e-5, affine: bool = True) -> list[str]:
    """Put a LayerNorm in the norm slot of every hidden layer (replacing BatchNorm where a model has it).

    Returns the slot paths filled, in forward order. Lyle et al. 2024 (NaP, §3): norm before each nonlinearity.
    """
    filled: list[str] = []
    device = learner.device
    for info in learner.network.hidden:
        if info.norm is None or info.norm in filled:
            continue
        slot = learner.model.get_submodule(info.norm)
        if isinstance(slot, (nn.LayerNorm, nn.GroupNorm)) and not isinstance(slot, NormSlot):
            continue
        set_module(learner.model, info.norm, layer_norm_for(info.width, info.kind, eps, affine).to(device))
        filled.append(info.norm)
    return filled


def remove_bias(module: nn.Module) -> bool:
    """Drop a Linear/Conv bias (made redundant by a following norm). Returns whether one was removed."""
    if getattr(module, "bias", None) is None:
        return False
    module.register_parameter("bias", None)
    return True


@dataclass(frozen=True)
class UnitGroup:
    """The hidden units behind one activation module: the layers that feed them and those that read them.

    Several layers share an activation in a residual block (conv2 and the shortcut both feed act2).
    """

    activation: str
    layers: tuple[LayerInfo, ...]
    consumers: tuple[str, ...]
    consumer_repeat: int
    width: int
    residual: bool


def unit_groups(network: NetworkDescription, include_residual: bool = True) -> list[UnitGroup]:
    """Hidden units grouped by activation, in forward order (the output layer has none)."""
    grouped: dict[str, list[LayerInfo]] = {}
    for info in network.hidden:
        if info.activation is not None:
            grouped.setdefault(info.activation, []).append(info)
    groups = []
    for activation, layers in grouped.items():
        consumers = tuple(dict.fromkeys(c for info in layers for c in info.consumers))
        residual = any(info.residual for info in layers)
        if residual and not include_residual:
            continue
        groups.append(UnitGroup(activation, tuple(layers), consumers, layers[0].consumer_repeat, layers[0].width, residual))
    return groups


def missing_plain_hidden_units(method_name: str, network: NetworkDescription) -> str | None:
    """Why a unit-recycling method (ReDo, CBP) cannot run on `network`: no hidden units outside residual
    connections, whose outgoing weights it could zero without touching a skip path; None if it can."""
    if unit_groups(network, include_residual=False):
        return None
    return f"{method_name} needs hidden units outside residual connections; this {network.family} has none"


def outgoing_columns(units: torch.Tensor, repeat: int) -> torch.Tensor:
    """Input columns of a consumer read from `units` (each unit spans `repeat` columns after a flatten)."""
    if repeat == 1:
        return units
    return (units[:, None] * repeat + torch.arange(repeat, device=units.device)).flatten()


def zero_optimizer_state(optimizer: torch.optim.Optimizer | None, param: nn.Parameter, index: torch.Tensor, dim: int) -> None:
    """Zero every per-element state tensor of `param` (Adam moments, momentum) at `index` along `dim`.

    Sokar et al. 2023 and Dohare et al. 2024 both reset the moments of exactly the touched rows/columns.
    """
    if optimizer is None:
        return
    state = optimizer.state.get(param)
    if not state:
        return
    for value in state.values():
        if torch.is_tensor(value) and value.shape == param.shape:
            value.index_fill_(dim, index, 0.0)


@torch.no_grad()
def reinitialise_units(learner: Learner, group: UnitGroup, units: torch.Tensor) -> None:
    """Re-draw the incoming weights of `units` from the initialiser, zero their biases and outgoing weights,
    reset their norm's scale/offset, and zero the optimizer state of exactly those rows and columns."""
    reinitialise_incoming(learner, group, units)
    zero_outgoing(learner, group, units)


@torch.no_grad()
def reinitialise_incoming(learner: Learner, group: UnitGroup, units: torch.Tensor) -> None:
    """Fresh incoming weights, zero bias, reset norm scale/offset, zeroed optimizer state, for `units`.

    When several layers recycle at once, call this for every layer before `zero_outgoing`, so that a
    re-drawn row never brings back an outgoing weight that was just zeroed.
    """
    if len(units) == 0:
        return
    model, optimizer = learner.model, learner.optimizer
    for info in group.layers:
        module = model.get_submodule(info.name)
        fresh = fresh_copy(model, module)
        module.weight[units] = fresh.weight[units].to(module.weight.dtype)
        zero_optimizer_state(optimizer, module.weight, units, 0)
        if getattr(module, "bias", None) is not None:
            module.bias[units] = 0.0
            zero_optimizer_state(optimizer, module.bias, units, 0)
        if info.norm is not None:
            _reset_norm_units(model.get_submodule(info.norm), units, optimizer)


@torch.no_grad()
def zero_outgoing(learner: Learner, group: UnitGroup, units: torch.Tensor) -> None:
    """Zero the weights that read `units` in every consumer, and their optimizer state (Sokar et al. 2023, §4)."""
    if len(units) == 0:
        return
    for consumer in group.consumers:
        module = learner.model.get_submodule(consumer)
        columns = outgoing_columns(units, group.consumer_repeat) if isinstance(module, nn.Linear) else units
        module.weight.index_fill_(1, columns, 0.0)
        zero_optimizer_state(learner.optimizer, module.weight, columns, 1)


def _reset_norm_units(norm: nn.Module, units: torch.Tensor, optimizer: torch.optim.Optimizer | None) -> None:
    weight, bias = getattr(norm, "weight", None), getattr(norm, "bias", None)
    if isinstance(weight, nn.Parameter) and weight.dim() == 1:
        weight[units] = 1.0
        zero_optimizer_state(optimizer, weight, units, 0)
    if isinstance(bias, nn.Parameter) and bias.dim() == 1:
        bias[units] = 0.0
        zero_optimizer_state(optimizer, bias, units, 0)
    if isinstance(norm, nn.modules.batchnorm._BatchNorm) and norm.running_mean is not None:
        norm.running_mean[units] = 0.0
        norm.running_var[units] = 1.0


def mean_magnitude_per_unit(activation: torch.Tensor) -> torch.Tensor:
    """Per-unit mean |h| over the batch (and spatial positions for conv maps): shape (units,)."""
    magnitude = activation.abs()
    return magnitude.mean(dim=(0, 2, 3)) if magnitude.dim() == 4 else magnitude.mean(dim=0)


def mean_per_unit(activation: torch.Tensor) -> torch.Tensor:
    """Per-unit mean h over the batch (and spatial positions): shape (units,)."""
    return activation.mean(dim=(0, 2, 3)) if activation.dim() == 4 else activation.mean(dim=0)
