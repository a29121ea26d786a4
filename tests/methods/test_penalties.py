"""l2 and parseval: the penalties and their gradients on hand-computed cases."""

from __future__ import annotations

import math

import torch

from benchmarks.models import MLP
from methods.parseval import parseval_penalty
from tests.methods.tiny import learner_for


def test_l2_penalty_gradient_equals_two_lambda_theta():
    torch.manual_seed(0)
    learner = learner_for("l2", MLP(3, (2,), 2), {"l2": {"strength": 0.25}})
    params = list(learner.model.parameters())
    learner.method.penalty(learner).backward()
    for param in params:
        assert torch.allclose(param.grad, 2 * 0.25 * param.detach())


def test_l2_penalty_is_lambda_times_squared_norm_by_hand():
    learner = learner_for("l2", MLP(1, (1,), 1))
    with torch.no_grad():
        for value, param in zip((1.0, 2.0, 3.0, -1.0), learner.model.parameters()):
            param.fill_(value)
    assert math.isclose(float(learner.method.penalty(learner).detach()), 1e-2 * (1 + 4 + 9 + 1), rel_tol=1e-6)


def test_l2_weights_only_leaves_biases_unpenalised():
    learner = learner_for("l2", MLP(3, (2,), 2), {"l2": {"weights_only": True}})
    learner.method.penalty(learner).backward()
    assert learner.model.output.bias.grad is None
    assert float(learner.model.output.weight.grad.abs().sum()) > 0.0


def test_parseval_penalty_is_zero_for_a_scaled_orthogonal_matrix():
    rotation = torch.tensor([[0.6, 0.8], [-0.8, 0.6]])
    assert float(parseval_penalty(math.sqrt(2.0) * rotation, scale=2.0)) < 1e-10
    assert float(parseval_penalty(rotation, scale=2.0)) == 2 * (1 - 2) ** 2


def test_parseval_penalty_and_gradient_on_a_one_row_matrix_by_hand():
    """W = [1, 2], s = 1: WWᵀ − s = 4, penalty 16, gradient 4(WWᵀ − sI)W = [16, 32]; autograd agrees."""
    weight = torch.tensor([[1.0, 2.0]], requires_grad=True)
    penalty = parseval_penalty(weight, scale=1.0)
    penalty.backward()
    assert float(penalty.detach()) == 16.0
    assert torch.equal(weight.grad, torch.tensor([[16.0, 32.0]]))


def test_parseval_gradient_matches_the_closed_form_on_a_conv_kernel():
    torch.manual_seed(0)
    kernel = torch.randn(3, 2, 2, 2, requires_grad=True)
    parseval_penalty(kernel, scale=0.5).backward()
    matrix = kernel.detach().flatten(1)
    closed_form = 4 * (matrix @ matrix.T - 0.5 * torch.eye(3)) @ matrix
    assert torch.allclose(kernel.grad.flatten(1), closed_form, atol=1e-5)


def test_parseval_regularises_hidden_layers_but_not_the_output():
    learner = learner_for("parseval", MLP(3, (4, 4), 2))
    learner.method.penalty(learner).backward()
    assert learner.model.hidden[0]["linear"].weight.grad is not None
    assert learner.model.output.weight.grad is None
