"""reset_full, reset_head, reset_lastk, shrink_perturb, l2_init and injection: their defining effects."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from benchmarks.diagnostics import DiagnosticsSettings
from benchmarks.models import MLP, parameter_count
from benchmarks.sinks import RunSink
from benchmarks.supervised import LoopSettings, train_classification_stream
from methods import base
from core.errors import MethodError
from methods.learner import OptimizerSpec, TaskInfo, prepare_learner
from tests.methods.tiny import build, repeated_tasks, start_task, train_step


def trained(spec: str, overrides=None, steps: int = 5, lr: float = 1e-2):
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    learner = build(model, base.create(spec, overrides), lr=lr)
    start_task(learner, 0)
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for _ in range(steps):
        train_step(learner, x, y)
    return model, learner, x, y


def snapshot(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def test_reset_full_redraws_every_parameter_from_the_initialiser_and_forgets_optimizer_state():
    model, learner, x, y = trained("reset_full")
    before = snapshot(model)
    old_optimizer = learner.optimizer
    start_task(learner, 1)
    for name, param in model.named_parameters():
        if name.endswith("weight"):
            assert not torch.equal(param, before[name])
            bound = 1 / math.sqrt(param.shape[1])
            assert param.abs().max() <= bound and param.std() > bound / 3
    assert learner.optimizer is not old_optimizer and len(learner.optimizer.state) == 0


def test_reset_full_then_one_step_changes_the_new_parameters():
    model, learner, x, y = trained("reset_full")
    start_task(learner, 1)
    fresh = snapshot(model)
    train_step(learner, x, y)
    assert all(not torch.equal(p, fresh[n]) for n, p in model.named_parameters())


def test_reset_full_redraws_every_parameter_and_the_optimizer_state_at_a_task_start():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    learner = prepare_learner(model, base.create("reset_full"), OptimizerSpec(), "supervised", "cpu")
    settings = LoopSettings(batch_size=8, diagnostics=DiagnosticsSettings(enabled=False))
    train_classification_stream(learner, repeated_tasks(1, steps=5), settings, seed=0, sink=RunSink(), total_steps=5)
    trained = {n: p.detach().clone() for n, p in learner.model.named_parameters()}
    old_optimizer = learner.optimizer
    assert len(old_optimizer.state) > 0

    learner.method.on_task_start(learner, TaskInfo(1, "t1", 5))

    for name, param in learner.model.named_parameters():
        assert not torch.equal(param, trained[name]), name
        assert not torch.equal(param, learner.initial_state[name]), f"{name} went back to θ₀ instead of a new draw"
    assert learner.optimizer is not old_optimizer and len(learner.optimizer.state) == 0
    weight = learner.model.get_submodule("hidden.0.linear").weight
    bound = 1 / math.sqrt(8)
    assert weight.abs().max() <= bound + 1e-6, "re-drawn from PyTorch's default Linear initialiser"


def test_after_reset_full_a_training_step_moves_the_new_parameters():
    torch.manual_seed(0)
    model = MLP(8, (16,), 3)
    learner = prepare_learner(model, base.create("reset_full"), OptimizerSpec(), "supervised", "cpu")
    learner.method.on_task_start(learner, TaskInfo(1, "t1", 5))
    before = {n: p.detach().clone() for n, p in learner.model.named_parameters()}
    task = repeated_tasks(1, steps=1)[0]
    learner.optimizer.zero_grad()
    F.cross_entropy(learner.model(task.inputs), task.targets).backward()
    learner.optimizer.step()
    assert all(not torch.equal(p, before[n]) for n, p in learner.model.named_parameters())


def test_reset_head_redraws_only_the_output_layer_and_its_optimizer_state():
    model, learner, x, y = trained("reset_head")
    before = snapshot(model)
    start_task(learner, 1)
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed == {"output.weight", "output.bias"}
    assert model.output.weight not in learner.optimizer.state
    assert model.hidden[0]["linear"].weight in learner.optimizer.state
    fresh = model.output.weight.detach().clone()
    train_step(learner, x, y)
    assert not torch.equal(model.output.weight, fresh)


def test_reset_lastk_on_the_step_clock_resets_the_last_k_layers_at_multiples_of_every_with_their_optimizer_state():
    model, learner, x, y = trained("reset_lastk", {"reset_lastk": {"k": "2", "every": "3", "unit": "step"}}, steps=2)
    before = snapshot(model)
    train_step(learner, x, y)
    state_steps = {n: learner.optimizer.state[p]["step"].item() if p in learner.optimizer.state else 0 for n, p in model.named_parameters()}
    assert state_steps["output.weight"] == 0 and state_steps["hidden.1.linear.weight"] == 0
    assert state_steps["hidden.0.linear.weight"] == 3
    reset = [n for n, p in model.named_parameters() if n.startswith(("output", "hidden.1"))]
    for name in reset:
        bound = 1 / math.sqrt(dict(model.named_parameters())[name].shape[-1] if name.endswith("weight") else 16)
        assert dict(model.named_parameters())[name].abs().max() <= bound
    assert learner.method.layers_to_reset(learner) == ["hidden.1.linear", "output"]
    for _ in range(2):
        train_step(learner, x, y)
    assert learner.optimizer.state[model.output.weight]["step"].item() == 2
    assert not torch.equal(model.output.weight, before["output.weight"])


def test_shrink_perturb_change_has_the_expected_mean_and_variance():
    """Δθ = (λ−1)θ + σε, ε a fresh draw from PyTorch's init U(−1/√fan_in, 1/√fan_in): mean (λ−1)θ, var σ²/(3 fan_in)."""
    torch.manual_seed(0)
    model = MLP(400, (300,), 2)
    learner = build(model, base.create("shrink_perturb", {"shrink_perturb": {"shrink": "0.9", "noise_scale": "0.5"}}))
    weight = model.hidden[0]["linear"].weight
    before = weight.detach().clone()
    learner.step = 1
    learner.method.after_step(learner)
    residual = weight.detach() - 0.9 * before
    assert abs(residual.mean().item()) < 3 * 0.5 / math.sqrt(3 * 400) / math.sqrt(residual.numel())
    torch.testing.assert_close(residual.var().item(), 0.25 / (3 * 400), rtol=0.02, atol=0)


def test_shrink_perturb_draws_fresh_noise_each_time_not_the_initial_weights():
    torch.manual_seed(0)
    model = MLP(400, (300,), 2)
    learner = build(model, base.create("shrink_perturb", {"shrink_perturb": {"shrink": "1.0", "noise_scale": "1.0"}}))
    weight = model.hidden[0]["linear"].weight
    initial = learner.initial_state["hidden.0.linear.weight"]
    noises = []
    for step in (1, 2):
        before = weight.detach().clone()
        learner.step = step
        learner.method.after_step(learner)
        noises.append((weight.detach() - before).flatten())
    assert abs(torch.corrcoef(torch.stack(noises))[0, 1]) < 0.02
    assert abs(torch.corrcoef(torch.stack([noises[0], initial.flatten()]))[0, 1]) < 0.02


def test_l2_init_penalty_gradient_is_two_lambda_times_distance_from_initial_parameters():
    model, learner, x, y = trained("l2_init", {"l2_init": {"strength": "0.3"}}, steps=3, lr=0.1)
    for p in model.parameters():
        p.grad = None
    learner.method.penalty(learner).backward()
    for name, param in model.named_parameters():
        torch.testing.assert_close(param.grad, 2 * 0.3 * (param.detach() - learner.initial_state[name]))
    assert any(p.grad.abs().max() > 0 for p in model.parameters())


def test_injection_leaves_the_output_and_the_trainable_parameter_count_unchanged():
    model, learner, x, y = trained("injection", {"injection": {"at_step": "100"}}, steps=3)
    before_output = model(x).detach()
    count = parameter_count(model)
    learner.method.inject(learner)
    assert torch.equal(model(x), before_output)
    assert parameter_count(model) == count
    assert learner.network.output.name == "output.trainable"
    assert learner.network.layer("hidden.1.linear").consumers == ("output.original", "output.trainable", "output.frozen_copy")


def test_injection_rebuilds_the_optimizer_so_one_step_trains_only_the_new_head_and_encoder():
    model, learner, x, y = trained("injection", {"injection": {"at_step": "4"}}, steps=4)
    head = model.output
    trained_params = {id(p) for g in learner.optimizer.param_groups for p in g["params"]}
    assert id(head.trainable.weight) in trained_params and id(head.original.weight) not in trained_params
    assert learner.optimizer.state[model.hidden[0]["linear"].weight]["step"].item() == 4
    frozen = snapshot(head.original), snapshot(head.frozen_copy)
    fresh = head.trainable.weight.detach().clone()
    train_step(learner, x, y)
    assert not torch.equal(head.trainable.weight, fresh)
    assert all(torch.equal(p, frozen[0][n]) for n, p in head.original.named_parameters())
    assert all(torch.equal(p, frozen[1][n]) for n, p in head.frozen_copy.named_parameters())


def test_injection_by_default_fires_after_half_of_the_runs_steps():
    torch.manual_seed(0)
    model = MLP(12, (16, 16), 4)
    learner = build(model, base.create("injection"))
    learner.total_steps = 10
    start_task(learner, 0)
    x, y = torch.rand(32, 12), torch.randint(0, 4, (32,))
    for step in range(1, 7):
        train_step(learner, x, y)
        assert learner.method.injected == (step >= 5)


def test_injection_without_a_step_count_or_at_step_says_which_setting_is_missing():
    learner = build(MLP(12, (16,), 4), base.create("injection"))
    with pytest.raises(MethodError, match=r"injection\.at_step"):
        start_task(learner, 0)
