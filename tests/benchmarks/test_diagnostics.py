"""Diagnostics (spec §4) against hand-computed values on tiny tensors and networks."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from benchmarks.diagnostics import (
    DiagnosticsSettings,
    DiagnosticsTracker,
    angular_update,
    dead_fraction,
    dormant_fraction,
    effective_learning_rate,
    effective_rank,
    feature_norm,
    linearised_fraction,
    plasticity_probe,
    srank,
    top_hessian_eigenvalue,
)
from benchmarks.models import MLP
from methods.base import Method
from methods.learner import Learner, OptimizerSpec


def make_learner(model: MLP, lr: float = 0.1, optimizer: str = "sgd") -> Learner:
    learner = Learner(model, model.describe(), OptimizerSpec(name=optimizer, lr=lr), Method())
    learner.snapshot_initial_state()
    learner.build_optimizer()
    return learner


def test_dormant_fraction_uses_score_relative_to_layer_mean():
    # unit means |h|: 2, 1, 0 -> layer mean 1 -> scores 2, 1, 0
    activation = torch.tensor([[2.0, 1.0, 0.0], [2.0, 1.0, 0.0]])
    assert dormant_fraction([activation], 0.0) == pytest.approx(1 / 3)
    assert dormant_fraction([activation], 1.0) == pytest.approx(2 / 3)


def test_dead_fraction_counts_units_active_on_under_one_percent_of_inputs():
    activation = torch.zeros(200, 3)
    activation[0, 0] = 1.0  # active on 0.5% of inputs: dead
    activation[:2, 1] = 1.0  # 1%: not dead
    activation[:, 2] = 1.0
    assert dead_fraction([activation]) == pytest.approx(1 / 3)


def test_linearised_fraction_counts_units_positive_on_99_percent_of_inputs():
    pre = torch.ones(100, 2)
    pre[0, 1] = -1.0
    pre[1, 1] = -1.0  # positive on 98%: not linearised
    assert linearised_fraction([pre]) == pytest.approx(0.5)


def test_conv_units_pool_batch_and_space():
    activation = torch.zeros(10, 2, 3, 3)
    activation[:, 1] = 1.0
    assert dead_fraction([activation]) == pytest.approx(0.5)
    assert dormant_fraction([activation], 0.0) == pytest.approx(0.5)


@pytest.mark.parametrize(("singular_values", "expected"), [((90.0, 9.5, 0.5), 2), ((90.0, 8.0, 2.0), 3), ((1.0, 0.0, 0.0), 1)])
def test_srank_is_the_smallest_k_reaching_99_percent_of_the_singular_value_sum(singular_values, expected):
    features = torch.diag(torch.tensor(singular_values))
    assert srank(features, delta=0.01) == expected


def test_srank_ignores_a_rotation_of_the_features():
    q, _ = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(0)))
    assert srank(q @ torch.diag(torch.tensor([90.0, 9.5, 0.5]))) == 2


def test_effective_rank_of_identity_is_its_size():
    assert effective_rank(torch.eye(4)) == pytest.approx(4.0)
    assert effective_rank(torch.diag(torch.tensor([1.0, 0.0]))) == pytest.approx(1.0)


def test_feature_norm_is_mean_row_norm():
    assert feature_norm(torch.tensor([[3.0, 4.0], [0.0, 0.0]])) == pytest.approx(2.5)


def test_angular_update_between_known_vectors():
    assert angular_update(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])) == pytest.approx(math.pi / 4)


def test_effective_learning_rate_follows_the_optimizer_family():
    assert effective_learning_rate(0.1, 2.0, adaptive=False) == pytest.approx(0.025)
    assert effective_learning_rate(0.1, 2.0, adaptive=True) == pytest.approx(0.05)


def test_top_hessian_eigenvalue_of_a_quadratic():
    x = torch.tensor([0.3, -0.2], requires_grad=True)
    loss = 0.5 * (3.0 * x[0] ** 2 + 1.0 * x[1] ** 2)
    assert top_hessian_eigenvalue(loss, [x], iterations=20) == pytest.approx(3.0, rel=1e-4)


def forced_dead_mlp() -> MLP:
    torch.manual_seed(0)
    model = MLP(4, (3,), 2)
    with torch.no_grad():
        model.hidden[0]["linear"].weight[0].zero_()
        model.hidden[0]["linear"].bias[0] = -1.0
    return model


def test_tracker_counts_a_forced_dead_unit_as_dead_and_dormant():
    learner = make_learner(forced_dead_mlp())
    values = DiagnosticsTracker(DiagnosticsSettings()).measure(learner, torch.randn(64, 4))
    assert values["dead_fraction"] >= 1 / 3
    assert values["dormant_fraction@0"] >= 1 / 3
    assert values["preactivation_mean/hidden.0.act"] is not None


def test_tracker_reports_distance_from_initialisation():
    learner = make_learner(MLP(4, (3,), 2))
    with torch.no_grad():
        learner.model.output.weight.add_(0.5)  # 2x3 entries moved by 0.5 -> ||Δ|| = sqrt(6 * 0.25)
    values = DiagnosticsTracker(DiagnosticsSettings()).measure(learner, torch.randn(8, 4))
    assert values["distance_from_init"] == pytest.approx(math.sqrt(1.5), rel=1e-6)
    assert values["distance_from_init/output"] == pytest.approx(math.sqrt(1.5), rel=1e-6)
    assert values["distance_from_init/hidden.0.linear"] == 0.0


def test_tracker_reports_gradient_norms_from_before_clipping():
    learner = make_learner(MLP(4, (3,), 2))
    x, y = torch.randn(16, 4), torch.randint(2, (16,))
    nn.functional.cross_entropy(learner.model(x), y).backward()
    raw = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in learner.model.parameters()))
    tracker = DiagnosticsTracker(DiagnosticsSettings())
    tracker.before_update(learner)
    torch.nn.utils.clip_grad_norm_(learner.model.parameters(), raw / 10)
    learner.optimizer.step()
    tracker.after_update(learner)
    values = tracker.measure(learner, x)
    assert values["grad_norm"] == pytest.approx(raw, rel=1e-5)


def layernorm_learner(optimizer: str) -> Learner:
    model = MLP(4, (3,), 2)
    model.hidden[0]["norm"] = nn.LayerNorm(3)
    return make_learner(model, lr=0.1, optimizer=optimizer)


@pytest.mark.parametrize(("optimizer", "power"), [("sgd", 2), ("adam", 1)])
def test_effective_learning_rate_of_a_normalised_layer(optimizer, power):
    learner = layernorm_learner(optimizer)
    values = DiagnosticsTracker(DiagnosticsSettings()).measure(learner, torch.randn(8, 4))
    norm = float(learner.model.hidden[0]["linear"].weight.detach().norm())
    assert values["effective_lr/hidden.0.linear"] == pytest.approx(0.1 / norm**power)
    assert "effective_lr/output" not in values


def test_angular_update_is_measured_over_one_step_of_a_normalised_layer():
    learner = layernorm_learner("sgd")
    weight = learner.model.hidden[0]["linear"].weight
    before = weight.detach().clone()
    x, y = torch.randn(16, 4), torch.randint(2, (16,))
    nn.functional.cross_entropy(learner.model(x), y).backward()
    tracker = DiagnosticsTracker(DiagnosticsSettings())
    tracker.before_update(learner)
    learner.optimizer.step()
    tracker.after_update(learner)
    values = tracker.measure(learner, x)
    assert values["angular_update/hidden.0.linear"] == pytest.approx(angular_update(before, weight.detach()))
    assert values["angular_update/hidden.0.linear"] > 0


def test_srank_and_feature_norm_read_the_penultimate_layer():
    learner = make_learner(MLP(4, (3,), 2))
    probe = torch.randn(32, 4)
    features = torch.relu(learner.model.hidden[0]["linear"](probe)).detach()
    values = DiagnosticsTracker(DiagnosticsSettings()).measure(learner, probe)
    assert values["srank"] == srank(features)
    assert values["feature_norm"] == pytest.approx(feature_norm(features))


def test_hessian_flag_adds_the_top_eigenvalue():
    learner = make_learner(MLP(4, (3,), 2))
    probe, targets = torch.randn(16, 4), torch.randint(2, (16,))
    loss = lambda m: nn.functional.cross_entropy(m(probe), targets)  # noqa: E731
    values = DiagnosticsTracker(DiagnosticsSettings(hessian=True)).measure(learner, probe, probe_loss=loss)
    assert values["hessian_top_eigenvalue"] > 0


def test_plasticity_probe_scores_a_dead_network_below_a_live_one():
    torch.manual_seed(0)
    probe = torch.randn(64, 4)
    settings = DiagnosticsSettings(probe_steps=150, probe_batch_size=32)
    live = plasticity_probe(make_learner(MLP(4, (32,), 4), lr=1e-2, optimizer="adam"), probe, settings, seed=1)
    dead_model = MLP(4, (32,), 4)
    with torch.no_grad():
        dead_model.hidden[0]["linear"].weight.zero_()
        dead_model.hidden[0]["linear"].bias.fill_(-1.0)
    dead = plasticity_probe(make_learner(dead_model, lr=1e-2, optimizer="adam"), probe, settings, seed=1)
    assert dead["plasticity_probe"] < 0.6 < live["plasticity_probe"]


def test_plasticity_probe_leaves_the_model_and_global_rng_untouched():
    learner = make_learner(MLP(4, (8,), 3), optimizer="adam")
    before = [p.detach().clone() for p in learner.model.parameters()]
    torch.manual_seed(5)
    expected = torch.rand(1)
    probe = torch.randn(16, 4)
    torch.manual_seed(5)
    plasticity_probe(learner, probe, DiagnosticsSettings(probe_steps=5), seed=0)
    assert torch.equal(torch.rand(1), expected)
    assert all(torch.equal(a, b) for a, b in zip(before, learner.model.parameters(), strict=True))


def test_plasticity_probe_runs_every_nth_task_at_task_end_only():
    from methods.learner import TaskInfo

    learner = make_learner(MLP(4, (3,), 2), optimizer="adam")
    tracker = DiagnosticsTracker(DiagnosticsSettings(plasticity_probe_every=2, probe_steps=2))
    probe = torch.randn(8, 4)
    seen = []
    for index in range(4):
        learner.task = TaskInfo(index=index, name="t", steps=1)
        seen.append("plasticity_probe" in tracker.measure(learner, probe, task_end=False))
        seen.append("plasticity_probe" in tracker.measure(learner, probe))
    assert seen == [False, True, False, False, False, True, False, False]
