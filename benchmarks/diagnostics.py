"""Plasticity diagnostics on a fixed probe batch (methods-and-benchmarks.md §4).

Pure functions over tensors (shapes in their docstrings), and a `DiagnosticsTracker` that gathers them
for one run. Loops call `tracker.before_update` / `after_update` around the optimizer step on steps
where a measurement is due (gradient norms before any clipping; the per-step angular update), then
`tracker.measure(learner, probe_inputs)`. A loop that skips the step capture still gets every other value.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from methods._layers import capture_module_io, unit_scores
from methods.learner import Learner
from methods.network import DescribedModel, LayerInfo, NormSlot

LossFn = Callable[[nn.Module], torch.Tensor]


# -- unit activity ---------------------------------------------------------------------------------
def dormant_fraction(activations: list[torch.Tensor], tau: float) -> float:
    """Sokar et al. 2023 Eq. 1: fraction of hidden units with score s_i ≤ τ, pooled over layers.

    activations: per layer (n, units) or (n, channels, h, w). τ = 0 counts units whose score is exactly 0.
    """
    dormant = total = 0
    for activation in activations:
        scores = unit_scores(activation)
        dormant += int((scores <= tau).sum()) if tau > 0 else int((scores == 0).sum())
        total += scores.numel()
    return dormant / total if total else 0.0


def _rate_per_unit(values: torch.Tensor) -> torch.Tensor:
    """Mean of a boolean (n, units) or (n, channels, h, w) tensor per unit; conv positions count as samples."""
    values = values.float()
    return values.mean(dim=(0, 2, 3)) if values.dim() == 4 else values.mean(dim=0)


def dead_fraction(activations: list[torch.Tensor], threshold: float = 0.01) -> float:
    """Dohare et al. 2024 (`post_run_analysis.py`): units non-zero on fewer than `threshold` of probe samples.

    activations: per layer (n, units) or (n, channels, h, w), after the nonlinearity.
    """
    rates = [_rate_per_unit(a != 0) for a in activations]
    total = sum(r.numel() for r in rates)
    return sum(int((r < threshold).sum()) for r in rates) / total if total else 0.0


def linearised_fraction(preactivations: list[torch.Tensor], threshold: float = 0.99) -> float:
    """Units whose pre-activation is positive on at least `threshold` of probe samples (a ReLU acting linearly).

    preactivations: per layer (n, units) or (n, channels, h, w), the nonlinearity's input (Lyle et al. 2024).
    """
    rates = [_rate_per_unit(z > 0) for z in preactivations]
    total = sum(r.numel() for r in rates)
    return sum(int((r >= threshold).sum()) for r in rates) / total if total else 0.0


# -- representation --------------------------------------------------------------------------------
def srank(features: torch.Tensor, delta: float = 0.01) -> int:
    """Kumar et al. 2021 (as in Kumar et al. 2023 §5.2): min k with Σ_{i≤k} σ_i / Σ σ_i ≥ 1 − δ.

    features: (n, d). Singular values are un-squared. Dohare et al. call this the "stable rank".
    """
    sigma = torch.linalg.svdvals(features.double())
    total = sigma.sum()
    if total <= 0:
        return 0
    cumulative = torch.cumsum(sigma, 0) / total
    return int((cumulative < 1 - delta - 1e-12).sum()) + 1


def effective_rank(features: torch.Tensor) -> float:
    """Roy & Vetterli 2007 (used by Dohare et al. 2024): exp(−Σ p_i log p_i), p_i = σ_i / Σ σ.

    features: (n, d).
    """
    sigma = torch.linalg.svdvals(features.double())
    total = sigma.sum()
    if total <= 0:
        return 0.0
    p = sigma / total
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def feature_norm(features: torch.Tensor) -> float:
    """mean_x ||φ(x)||₂ of penultimate features (n, d)."""
    return float(features.norm(dim=1).mean())


# -- weights and updates ---------------------------------------------------------------------------
def angular_update(before: torch.Tensor, after: torch.Tensor) -> float:
    """arccos(⟨W_t, W_{t+1}⟩ / (||W_t|| ||W_{t+1}||)) in radians, for weight tensors of any one shape."""
    a, b = before.double().flatten(), after.double().flatten()
    denominator = a.norm() * b.norm()
    if denominator == 0:
        return 0.0
    cosine = torch.clamp(torch.dot(a, b) / denominator, -1.0, 1.0)
    return float(torch.arccos(cosine))


def effective_learning_rate(lr: float, weight_norm: float, adaptive: bool) -> float:
    """ELR of a scale-invariant layer: η/||W||²_F under SGD, η/||W||_F under Adam-like optimizers (spec §2.1)."""
    if weight_norm == 0:
        return math.inf
    return lr / weight_norm if adaptive else lr / weight_norm**2


# -- curvature -------------------------------------------------------------------------------------
def top_hessian_eigenvalue(loss: torch.Tensor, params: list[torch.Tensor], iterations: int = 20, generator: torch.Generator | None = None) -> float:
    """Largest-magnitude Hessian eigenvalue of `loss` w.r.t. `params` by power iteration on Hessian-vector products.

    Starts from a random unit vector (spec §4.12); `loss` must be built with gradients enabled.
    """
    grads = torch.autograd.grad(loss, params, create_graph=True)
    vector = [torch.randn(p.shape, generator=generator).to(p) for p in params]
    norm = torch.sqrt(sum((v * v).sum() for v in vector))
    vector = [v / norm for v in vector]
    eigenvalue = 0.0
    for _ in range(iterations):
        product = torch.autograd.grad(grads, params, grad_outputs=vector, retain_graph=True)
        eigenvalue = float(sum((h * v).sum() for h, v in zip(product, vector, strict=True)))
        norm = torch.sqrt(sum((h * h).sum() for h in product))
        if norm == 0:
            return 0.0
        vector = [h.detach() / norm for h in product]
    return eigenvalue


# -- settings and tracker --------------------------------------------------------------------------
@dataclass(frozen=True)
class DiagnosticsSettings:
    """Which diagnostics to compute. The two costly ones (curvature, plasticity probe) are off by default."""

    enabled: bool = True
    dormant_thresholds: tuple[float, ...] = (0.0, 0.025, 0.1)
    dead_threshold: float = 0.01
    linearised_threshold: float = 0.99
    srank_delta: float = 0.01
    hessian: bool = False
    hessian_iterations: int = 20
    plasticity_probe_every: int = 0
    """Run the fit-fresh-targets probe at the end of every N-th task (0: never); spec §4.13 uses 10."""
    probe_steps: int = 500
    probe_batch_size: int = 64


class DiagnosticsTracker:
    """Computes the diagnostics of one run; remembers gradient norms and per-step angles of the last update."""

    def __init__(self, settings: DiagnosticsSettings):
        self.settings = settings
        self._grad_norms: dict[str, float] | None = None
        self._before: dict[str, torch.Tensor] = {}
        self._angles: dict[str, float] = {}
        self._probed_tasks: set[int] = set()

    # step capture -----------------------------------------------------------------------------------
    def before_update(self, learner: Learner) -> None:
        """Call after backward, before any method touches the gradients: records raw gradient norms."""
        self._grad_norms = gradient_norms(learner)
        self._before = {info.name: _weight(learner, info).detach().clone() for info in normalised_layers(learner)}

    def after_update(self, learner: Learner) -> None:
        """Call after the optimizer step and the method's `after_step`: records the per-step angle."""
        self._angles = {
            name: angular_update(before, _weight(learner, learner.network.layer(name)).detach())
            for name, before in self._before.items()
            if _has_layer(learner, name) and _weight(learner, learner.network.layer(name)).shape == before.shape
        }
        self._before = {}

    # measurement ------------------------------------------------------------------------------------
    def measure(
        self,
        learner: Learner,
        probe_inputs: torch.Tensor,
        probe_loss: LossFn | None = None,
        probe_targets: torch.Tensor | None = None,
        task_end: bool = True,
    ) -> dict[str, float | None]:
        """All enabled diagnostics of `learner.model` on `probe_inputs`, as a flat name → value mapping.

        probe_loss: the loss on the probe batch (for the Hessian); defaults to `learner.batch_loss`.
        """
        settings = self.settings
        values: dict[str, float | None] = {}
        network = learner.network
        hidden = [info for info in network.hidden if info.activation]
        activation_paths = list(dict.fromkeys(info.activation for info in hidden))
        capture_paths = activation_paths + ([network.features] if network.features and network.features not in activation_paths else [])
        inputs_of, outputs_of = capture_module_io(learner.model, capture_paths, probe_inputs)

        acts = [outputs_of[p] for p in activation_paths]
        preacts = [inputs_of[p] for p in activation_paths]
        for tau in settings.dormant_thresholds:
            values[f"dormant_fraction@{tau:g}"] = dormant_fraction(acts, tau)
        values["dead_fraction"] = dead_fraction(acts, settings.dead_threshold)
        values["linearised_fraction"] = linearised_fraction(preacts, settings.linearised_threshold)
        for path, z in zip(activation_paths, preacts, strict=True):
            values[f"preactivation_mean/{path}"] = float(z.mean())
            values[f"preactivation_std/{path}"] = float(z.std()) if z.numel() > 1 else 0.0
        if network.features:
            features = outputs_of[network.features].flatten(1)
            values["srank"] = float(srank(features, settings.srank_delta))
            values["effective_rank"] = effective_rank(features)
            values["feature_norm"] = feature_norm(features)

        values.update(weight_statistics(learner))
        grad_norms = self._grad_norms if self._grad_norms is not None else gradient_norms(learner)
        values.update(grad_norms)
        self._grad_norms = None
        values.update(self._elr_and_angles(learner))

        if settings.hessian:
            loss_fn = probe_loss or learner.batch_loss
            values["hessian_top_eigenvalue"] = self._hessian(learner, loss_fn) if loss_fn is not None else None
        task = learner.task.index if learner.task is not None else 0
        every = settings.plasticity_probe_every
        if every and task_end and task % every == 0 and task not in self._probed_tasks:
            self._probed_tasks.add(task)
            values.update(plasticity_probe(learner, probe_inputs, settings, seed=learner.step))
        return values

    def _elr_and_angles(self, learner: Learner) -> dict[str, float | None]:
        values: dict[str, float | None] = {}
        optimizer = learner.optimizer
        adaptive = not isinstance(optimizer, torch.optim.SGD)
        lrs = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]} if optimizer else {}
        for info in normalised_layers(learner):
            weight = _weight(learner, info)
            lr = lrs.get(id(weight))
            norm = float(weight.detach().norm())
            values[f"effective_lr/{info.name}"] = effective_learning_rate(lr, norm, adaptive) if lr is not None else None
            values[f"angular_update/{info.name}"] = self._angles.get(info.name)
        self._angles = {}
        return values

    def _hessian(self, learner: Learner, loss_fn: LossFn) -> float:
        model = learner.model
        params = [p for p in model.parameters() if p.requires_grad]
        was_training = model.training
        model.eval()
        try:
            with torch.enable_grad():
                loss = loss_fn(model)
                generator = torch.Generator().manual_seed(learner.step)
                return top_hessian_eigenvalue(loss, params, self.settings.hessian_iterations, generator)
        finally:
            model.train(was_training)


# -- helpers over a learner ------------------------------------------------------------------------
def normalised_layers(learner: Learner) -> list[LayerInfo]:
    """Described hidden layers whose norm slot holds a normalisation (LayerNorm, BatchNorm, …)."""
    found = []
    for info in learner.network.hidden:
        if info.norm is None:
            continue
        module = learner.model.get_submodule(info.norm)
        if not isinstance(module, (NormSlot, nn.Identity)):
            found.append(info)
    return found


def _has_layer(learner: Learner, name: str) -> bool:
    return any(info.name == name for info in learner.network.layers)


def _weight(learner: Learner, info: LayerInfo) -> torch.Tensor:
    return learner.model.get_submodule(info.name).weight


def weight_statistics(learner: Learner) -> dict[str, float | None]:
    """||θ||₂, mean|θ| (Dohare's average magnitude), ||θ − θ₀||₂, and per described layer ||W||_F and ||W − W₀||_F."""
    values: dict[str, float | None] = {}
    total_sq = total_abs = count = distance_sq = 0.0
    initial = learner.initial_state
    comparable = True
    for name, param in learner.model.named_parameters():
        data = param.detach()
        total_sq += float(data.pow(2).sum())
        total_abs += float(data.abs().sum())
        count += data.numel()
        start = initial.get(name)
        if start is None or start.shape != data.shape:
            comparable = False
        else:
            distance_sq += float((data - start).pow(2).sum())
    values["weight_norm"] = math.sqrt(total_sq)
    values["mean_abs_weight"] = total_abs / count if count else 0.0
    values["distance_from_init"] = math.sqrt(distance_sq) if comparable and initial else None
    for info in learner.network.layers:
        weight = _weight(learner, info).detach()
        values[f"weight_norm/{info.name}"] = float(weight.norm())
        start = initial.get(f"{info.name}.weight")
        values[f"distance_from_init/{info.name}"] = (
            float((weight - start).norm()) if start is not None and start.shape == weight.shape else None
        )
    return values


def gradient_norms(learner: Learner) -> dict[str, float | None]:
    """Global ||∇θ L||₂ and per described layer (weight and bias) from the gradients currently held."""
    values: dict[str, float | None] = {}
    total = 0.0
    any_grad = False
    for param in learner.model.parameters():
        if param.grad is not None:
            total += float(param.grad.detach().pow(2).sum())
            any_grad = True
    values["grad_norm"] = math.sqrt(total) if any_grad else None
    for info in learner.network.layers:
        grads = [p.grad for p in learner.model.get_submodule(info.name).parameters(recurse=False) if p.grad is not None]
        values[f"grad_norm/{info.name}"] = math.sqrt(sum(float(g.pow(2).sum()) for g in grads)) if grads else None
    return values


# -- plasticity probe ------------------------------------------------------------------------------
def plasticity_probe(learner: Learner, probe_inputs: torch.Tensor, settings: DiagnosticsSettings, seed: int = 0) -> dict[str, float | None]:
    """Lyle et al. 2022-style "fit fresh targets" probe (spec §4.13), normalised by a fresh network.

    Classification: fit uniform random labels over the outputs, score = accuracy / fresh accuracy.
    Regression (and Q-networks): fit a fresh network's standardised outputs, score = fresh MSE / MSE.
    Runs on copies with fresh optimizers; the run's own model, optimizer and RNG are untouched.
    """
    with torch.random.fork_rng(devices=[probe_inputs.device] if probe_inputs.is_cuda else []):
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        classification = learner.family == "supervised"
        outputs = learner.network.num_outputs
        if classification:
            targets = torch.randint(outputs, (len(probe_inputs),), generator=generator).to(probe_inputs.device)
        else:
            reference = _fresh_copy(learner.model)
            with torch.no_grad():
                raw = reference(probe_inputs).float()
            targets = (raw - raw.mean(0)) / raw.std(0).clamp_min(1e-6)
        trained = _fit(copy.deepcopy(learner.model), learner, probe_inputs, targets, classification, settings, generator)
        fresh = _fit(_fresh_copy(learner.model), learner, probe_inputs, targets, classification, settings, generator)
    if classification:
        score = trained / fresh if fresh > 0 else None
    else:
        score = fresh / trained if trained > 0 else None
    return {"plasticity_probe": score, "plasticity_probe_raw": trained, "plasticity_probe_fresh": fresh}


def _fresh_copy(model: nn.Module) -> nn.Module:
    fresh = copy.deepcopy(model)
    for module in fresh.modules():
        if any(True for _ in module.parameters(recurse=False)):
            if isinstance(fresh, DescribedModel):
                fresh.reinitialise(module)
            elif callable(getattr(module, "reset_parameters", None)):
                module.reset_parameters()
    return fresh


def _fit(
    model: nn.Module,
    learner: Learner,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    classification: bool,
    settings: DiagnosticsSettings,
    generator: torch.Generator,
) -> float:
    """Train `model` on (inputs, targets) for `probe_steps` with the run's optimizer spec; final accuracy or MSE."""
    model.train()
    optimizer = learner.optimizer_spec.build([p for p in model.parameters() if p.requires_grad])
    loss_of = (lambda out, y: F.cross_entropy(out, y)) if classification else (lambda out, y: F.mse_loss(out, y))
    for _ in range(settings.probe_steps):
        index = torch.randint(len(inputs), (min(settings.probe_batch_size, len(inputs)),), generator=generator).to(inputs.device)
        optimizer.zero_grad(set_to_none=True)
        loss_of(model(inputs[index]), targets[index]).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(inputs)
        result = (out.argmax(1) == targets).float().mean() if classification else F.mse_loss(out.float(), targets)
    return float(result)
