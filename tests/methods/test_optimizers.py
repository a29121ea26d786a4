"""tam and adatam: the damping factor and updates, by hand, and the pytorch-optimizer comparison."""

from __future__ import annotations

import pytest
import torch

from methods import base
from methods.adatam import AdaTAMOptimizer
from core.errors import MethodError
from methods.tam import TorqueAwareMomentumOptimizer


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
