"""tam and adatam: the damping factor and updates, by hand, and the pytorch-optimizer comparison;
trac and kron: the wrapped packages, checked against the algorithm and against the package itself."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch
from scipy.special import erfi

from methods import base
from methods.adatam import AdaTAMOptimizer
from core.errors import MethodError
from methods.learner import OptimizerSpec
from methods.tam import TorqueAwareMomentumOptimizer
from methods.trac import trac_state


def test_tam_damping_factor_matches_the_formula_on_hand_made_gradients():
    """g1=(1,0), g2=(0,1): m1 = g1 → s2 = cos∠(m1, g2) = 0 → ŝ2 = 0.9·ŝ1 + 0.1·0."""
    p = torch.zeros(2, requires_grad=True)
    opt = TorqueAwareMomentumOptimizer([p], lr=0.1, momentum=0.9, decay=0.9, eps=0.0)
    p.grad = torch.tensor([1.0, 0.0])
    opt.step()
    # step 1: m0 = g1, s1 = cos(g1, g1) = 1, ŝ1 = 0.1, d1 = 0.55, m1 = 0.9·g1 + 0.55·g1 = 1.45·g1
    assert opt.state[p]["smoothed_alignment"].item() == pytest.approx(0.1)
    torch.testing.assert_close(opt.state[p]["momentum_buffer"], torch.tensor([1.45, 0.0]))
    torch.testing.assert_close(p.detach(), torch.tensor([-0.145, 0.0]))
    p.grad = torch.tensor([0.0, 2.0])
    opt.step()
    # step 2: s2 = 0, ŝ2 = 0.09, d2 = 0.545, m2 = 0.9·m1 + 0.545·g2
    assert opt.state[p]["smoothed_alignment"].item() == pytest.approx(0.09)
    torch.testing.assert_close(opt.state[p]["momentum_buffer"], torch.tensor([1.305, 1.09]))
    p.grad = torch.tensor([-1.305, -1.09])
    opt.step()
    # step 3: g3 = −m2, s3 = −1, ŝ3 = 0.081 − 0.1 = −0.019, d3 = 0.4905
    assert opt.state[p]["smoothed_alignment"].item() == pytest.approx(-0.019, abs=1e-6)
    torch.testing.assert_close(opt.state[p]["momentum_buffer"], torch.tensor([1.305, 1.09]) * (0.9 - 0.4905))


def test_adatam_update_matches_the_formula_on_hand_made_gradients():
    p = torch.zeros(2, requires_grad=True)
    opt = AdaTAMOptimizer([p], lr=0.1, betas=(0.9, 0.999), decay=0.9, eps=0.0)
    p.grad = torch.tensor([1.0, -2.0])
    opt.step()
    # m0 = 0 → s1 = 0 (cosine with a zero vector), d1 = 0.5, m1 = 0.5·g, v1 = 0.001·g²
    torch.testing.assert_close(opt.state[p]["exp_avg"], torch.tensor([0.5, -1.0]))
    torch.testing.assert_close(opt.state[p]["exp_avg_sq"], torch.tensor([0.001, 0.004]))
    expected = -0.1 * torch.tensor([0.5, -1.0]) / torch.tensor([0.001, 0.004]).sqrt()
    torch.testing.assert_close(p.detach(), expected)


def test_element_granularity_reproduces_pytorch_optimizer_tam():
    """pytorch-optimizer's TAM multiplies column-normalised m and g elementwise: our "element" variant."""
    pytorch_optimizer = pytest.importorskip("pytorch_optimizer")
    torch.manual_seed(0)
    ours = torch.randn(4, 3, requires_grad=True)
    theirs = ours.detach().clone().requires_grad_(True)
    a = TorqueAwareMomentumOptimizer([ours], lr=0.01, granularity="element")
    b = pytorch_optimizer.TAM([theirs], lr=0.01, foreach=False)
    for _ in range(4):
        grad = torch.randn(4, 3)
        ours.grad, theirs.grad = grad.clone(), grad.clone()
        a.step()
        b.step()
    torch.testing.assert_close(ours, theirs)


def test_tensor_granularity_differs_from_the_elementwise_reading():
    torch.manual_seed(0)
    x = torch.randn(4, 3, requires_grad=True)
    y = x.detach().clone().requires_grad_(True)
    a = TorqueAwareMomentumOptimizer([x], lr=0.01, granularity="tensor")
    b = TorqueAwareMomentumOptimizer([y], lr=0.01, granularity="element")
    for _ in range(3):
        g = torch.randn(4, 3)
        x.grad, y.grad = g.clone(), g.clone()
        a.step()
        b.step()
    assert a.state[x]["smoothed_alignment"].dim() == 0 and not torch.allclose(x, y)


def test_tam_and_adatam_take_the_optimizer_role_and_refuse_each_other():
    with pytest.raises(MethodError, match=r"'tam' and 'adatam'.*optimizer"):
        base.create("tam+adatam")


def package_erfi(x):
    from trac_optimizer.trac import erfi as approximate

    return approximate(torch.tensor(np.asarray(x), dtype=torch.float32)).double().numpy()


def trac_reference(theta0, grads, lr, betas, s_prev, eps, erfi=erfi):
    """Fast TRAC, Algorithm 1 (as the authors' package runs it), in float64 on an SGD base."""
    betas = np.asarray(betas, dtype=np.float64)
    theta_ref = np.asarray(theta0, dtype=np.float64)
    theta = theta_ref.copy()
    variance, sigma, s = np.zeros(len(betas)), np.full(len(betas), 1e-8), np.zeros(len(betas))
    for grad in grads:
        grad = np.asarray(grad, dtype=np.float64)
        delta = (theta - theta_ref) / (s.sum() + eps)
        h = float(delta @ grad)
        delta = delta - lr * grad
        variance = betas**2 * variance + h**2
        sigma = betas * sigma - h
        s = s_prev / erfi(1 / math.sqrt(2)) * erfi(sigma / (math.sqrt(2) * np.sqrt(variance) + eps))
        theta = theta_ref + delta * max(s.sum(), 0.0)
    return theta, variance, sigma, s


def test_trac_scale_state_follows_the_algorithm_on_hand_made_gradients():
    config = {"trac": {"betas": "0.9,0.99", "s_prev": "0.5"}}
    method = base.create("trac", config)
    theta0 = [0.5, -1.0]
    param = torch.nn.Parameter(torch.tensor(theta0))
    optimizer = method.optimizer(None, [param], OptimizerSpec(name="sgd", lr=0.1))
    grads = [[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0], [0.5, -0.5]]
    for grad in grads:
        param.grad = torch.tensor(grad)
        optimizer.step()
    theta, variance, sigma, s = trac_reference(theta0, grads, 0.1, (0.9, 0.99), 0.5, 1e-8, erfi=package_erfi)
    state = trac_state(optimizer)
    assert np.allclose(state["variance"].numpy(), variance, rtol=1e-4)
    assert np.allclose(state["sigma"].numpy(), sigma, rtol=1e-4)
    assert np.allclose(state["s"].numpy(), s, rtol=1e-4)
    assert np.allclose(param.detach().numpy(), theta, rtol=1e-4, atol=1e-6)
    assert torch.equal(state[param]["ref"], torch.tensor(theta0))


def test_trac_package_erfi_is_within_one_point_two_percent_of_the_exact_function():
    x = np.linspace(0.05, 3.0, 60)
    assert np.max(np.abs(package_erfi(x) / erfi(x) - 1)) < 0.012


def test_trac_scales_stay_close_to_the_exact_erfi_algorithm():
    method = base.create("trac", {"trac": {"betas": "0.9,0.99", "s_prev": "0.5"}})
    param = torch.nn.Parameter(torch.tensor([0.5, -1.0]))
    optimizer = method.optimizer(None, [param], OptimizerSpec(name="sgd", lr=0.1))
    grads = [[1.0, 0.0], [2.0, 1.0], [-1.0, 3.0], [0.5, -0.5]]
    for grad in grads:
        param.grad = torch.tensor(grad)
        optimizer.step()
    _, _, _, exact = trac_reference([0.5, -1.0], grads, 0.1, (0.9, 0.99), 0.5, 1e-8)
    assert np.allclose(trac_state(optimizer)["s"].numpy(), exact, rtol=0.02)


def test_trac_wraps_the_benchmarks_own_optimizer_and_writes_no_log_file(tmp_path):
    method = base.create("trac")
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer = method.optimizer(None, [param], OptimizerSpec(name="adam", lr=3e-3))
    param.grad = torch.ones(3)
    optimizer.step()
    assert isinstance(optimizer, torch.optim.Adam)
    assert optimizer.param_groups[0]["lr"] == 3e-3
    assert os.listdir(tmp_path) == []


def test_trac_and_kron_both_take_the_optimizer_role():
    with pytest.raises(base.MethodError, match="optimizer"):
        base.create("trac+kron")


def test_bad_trac_betas_name_the_field():
    with pytest.raises(base.MethodError, match=r"trac\.betas"):
        base.create("trac", {"trac": {"betas": "0.9,1.5"}})


def _quadratic_problem():
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(4, 3))
    target = torch.randn(4, 3)
    return weight, target


def test_kron_wrapper_steps_exactly_as_the_package_and_prints_nothing(capsys):
    from kron_torch import Kron

    results = []
    for build in ("method", "package"):
        weight, target = _quadratic_problem()
        if build == "method":
            optimizer = base.create("kron", {"kron": {"memory_save_mode": "none"}}).optimizer(None, [weight], OptimizerSpec(lr=3e-3))
        else:
            optimizer = Kron([weight], lr=1e-3, b1=0.9, weight_decay=0.0, precond_lr=0.1)
        torch.manual_seed(1)
        for _ in range(3):
            optimizer.zero_grad()
            ((weight - target) ** 2).sum().backward()
            if build == "method":
                optimizer.step()
            else:
                with torch.compiler.set_stance("force_eager"):
                    optimizer.step()
        results.append(weight.detach().clone())
        if build == "method":
            assert capsys.readouterr().out == ""
    assert torch.equal(results[0], results[1])


def test_kron_defaults_to_a_third_of_the_benchmark_learning_rate():
    weight, _ = _quadratic_problem()
    optimizer = base.create("kron").optimizer(None, [weight], OptimizerSpec(lr=3e-3))
    group = optimizer.param_groups[0]
    assert math.isclose(group["lr"], 1e-3) and group["memory_save_mode"] == "smart_one_diag"


def test_kron_lowers_a_quadratic_loss():
    weight, target = _quadratic_problem()
    optimizer = base.create("kron", {"kron": {"lr": "0.05"}}).optimizer(None, [weight], OptimizerSpec())
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = ((weight - target) ** 2).sum()
        losses.append(float(loss.detach()))
        loss.backward()
        optimizer.step()
    assert losses[-1] < 0.5 * losses[0]
