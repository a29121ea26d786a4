"""crelu and fourier_features: the activations as defined, swapped everywhere, widths and parameter counts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmarks.models import MLP, ConvNet, QNetwork, SmallResNet
from methods import base
from methods._two_feature_activations import parameter_count
from methods.crelu import CReLU
from methods.fourier_features import SinCos
from tests.methods.tiny import learner_for


def test_crelu_gives_each_unit_its_positive_and_negative_part_interleaved():
    z = torch.tensor([[2.0, -3.0]])
    assert torch.equal(CReLU()(z), torch.tensor([[2.0, 0.0, 0.0, 3.0]]))


def test_crelu_interleaves_channels_of_a_feature_map():
    z = torch.tensor([1.0, -1.0]).reshape(1, 2, 1, 1)
    assert CReLU()(z).flatten().tolist() == [1.0, 0.0, 0.0, 1.0]


def test_fourier_features_are_sine_and_cosine_of_each_unit():
    z = torch.tensor([[0.0, torch.pi / 2]])
    assert torch.allclose(SinCos()(z), torch.tensor([[0.0, 1.0, 1.0, 0.0]]), atol=1e-7)


def test_fourier_feature_gradients_never_vanish_on_a_grid():
    """|∂φ/∂z|² = cos² z + sin² z = 1 at every z, including where one of the two is zero."""
    z = torch.linspace(-20, 20, 4001, requires_grad=True)
    features = SinCos()(z[:, None])
    sine_grad, = torch.autograd.grad(features[:, 0].sum(), z, retain_graph=True)
    cosine_grad, = torch.autograd.grad(features[:, 1].sum(), z)
    squared_norm = sine_grad**2 + cosine_grad**2
    assert torch.allclose(squared_norm, torch.ones_like(squared_norm), atol=1e-6)
    assert float(torch.maximum(sine_grad.abs(), cosine_grad.abs()).min()) >= 2**-0.5 - 1e-6


@pytest.mark.parametrize(
    "model",
    [MLP(12, (8, 6), 3), ConvNet((1, 12, 12), 3, channels=(4, 4), kernel=3, hidden=(8,)), QNetwork(3, channels=(4, 4, 4), hidden=16)],
    ids=["mlp", "cnn", "qnetwork"],
)
@pytest.mark.parametrize("spec, activation", [("crelu", CReLU), ("fourier_features", SinCos)])
def test_every_hidden_nonlinearity_is_swapped(model, spec, activation):
    learner = learner_for(spec, model)
    assert not [n for n, m in learner.model.named_modules() if isinstance(m, nn.ReLU)]
    for info in learner.network.hidden:
        assert isinstance(learner.module(info.activation), activation)


def test_crelu_halves_units_so_each_layer_emits_as_many_features_as_before():
    learner = learner_for("crelu", MLP(12, (8, 6), 3))
    model = learner.model
    assert [block["linear"].out_features for block in model.hidden] == [4, 3]
    assert [block["linear"].in_features for block in model.hidden] == [12, 8]
    assert model.output.in_features == 6
    assert model(torch.randn(5, 12)).shape == (5, 3)
    assert [info.width for info in learner.network.hidden] == [4, 3]
    assert [info.consumer_repeat for info in learner.network.hidden] == [2, 2]


def test_crelu_parameter_count_on_the_permuted_mnist_mlp():
    """784-100-100-10: baseline 89,610 parameters; crelu (50 units, 100 features) 39,250 + 5,050 + 1,010 = 45,310; units=1: 78,500 + 20,100 + 2,010 = 100,610."""
    assert parameter_count(MLP(784, (100, 100), 10)) == 89_610
    assert parameter_count(learner_for("crelu", MLP(784, (100, 100), 10)).model) == 45_310
    wide = learner_for("crelu", MLP(784, (100, 100), 10), {"crelu": {"units": 1.0}})
    assert parameter_count(wide.model) == 100_610


def test_conv_consumer_through_flatten_reads_two_features_per_unit_per_position():
    model = ConvNet((1, 12, 12), 3, channels=(4, 4), kernel=3, hidden=(8,))
    spatial = model.spatial
    learner = learner_for("fourier_features", model)
    assert learner.model.fcs[0]["linear"].in_features == 2 * 2 * spatial
    assert learner.network.layer("convs.1.conv").consumer_repeat == 2 * spatial
    assert learner.model(torch.randn(2, 1, 12, 12)).shape == (2, 3)


@pytest.mark.parametrize("spec", ["crelu", "fourier_features"])
@pytest.mark.parametrize("norm", ["batch", "none"])
def test_width_changing_activations_refuse_residual_networks_with_a_reason(spec, norm):
    network = SmallResNet((3, 8, 8), 3, widths=(4, 8), norm=norm).describe()
    reason = base.create(spec).applies_to(network, "supervised")
    assert reason and "residual" in reason and "mlp" in reason


def test_two_activation_methods_cannot_compose():
    with pytest.raises(base.MethodError, match="activation"):
        base.create("crelu+fourier_features")


def test_units_outside_zero_one_is_refused_naming_the_field():
    with pytest.raises(base.MethodError, match=r"crelu\.units"):
        base.create("crelu", {"crelu": {"units": "1.5"}})


@pytest.mark.parametrize("spec", ["crelu+redo", "fourier_features+cbp"])
def test_two_feature_activations_refuse_methods_that_score_one_feature_per_unit(spec):
    with pytest.raises(base.MethodError, match="excludes"):
        base.create(spec)
