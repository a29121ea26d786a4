"""Every wave-2 method trains on every model family in benchmarks.models, or refuses it with a reason."""

from __future__ import annotations

import math

import pytest
import torch

from core.errors import MethodError
from methods import base
from methods.trac import trac_state
from tests.methods_wave2.helpers import family_models, learner_for, train_steps

WAVE2 = ["parseval", "crelu", "fourier_features", "trac", "kron", "l2"]
REFUSES_RESIDUAL = {"crelu", "fourier_features"}


@pytest.mark.parametrize("family", list(family_models()))
@pytest.mark.parametrize("spec", WAVE2)
def test_method_trains_on_every_family_or_refuses_it(spec, family):
    torch.manual_seed(0)
    model, shape = family_models()[family]
    inputs, targets = torch.randn(4, *shape), torch.tensor([0, 1, 2, 0])
    if family.startswith("resnet") and spec in REFUSES_RESIDUAL:
        with pytest.raises(MethodError, match="residual"):
            learner_for(spec, model)
        return
    learner = learner_for(spec, model, lr=1e-3)
    before = [p.detach().clone() for p in learner.model.parameters()]
    losses = train_steps(learner, inputs, targets, steps=2)
    assert all(math.isfinite(loss) for loss in losses)
    if spec == "trac":
        assert torch.isfinite(trac_state(learner.optimizer)["s"]).all()
    else:
        assert any(not torch.equal(b, p) for b, p in zip(before, learner.model.parameters()))


@pytest.mark.parametrize("spec", ["baseline+l2", "l2+parseval", "crelu+trac", "fourier_features+kron+l2", "parseval+crelu"])
def test_wave2_methods_compose_with_plus(spec):
    torch.manual_seed(0)
    model, shape = family_models()["mlp"]
    learner = learner_for(spec, model, lr=1e-3)
    losses = train_steps(learner, torch.randn(4, *shape), torch.tensor([0, 1, 2, 0]), steps=2)
    assert all(math.isfinite(loss) for loss in losses)
    assert set(learner.method.config_dict()) == set(spec.split("+"))


def test_every_wave2_method_cites_its_paper():
    for name in WAVE2:
        cls = base.get(name)
        assert cls.citation and cls.paper_url.startswith("https://"), name
        assert cls.__doc__ and "§" in (cls.__doc__ + cls.citation), name
