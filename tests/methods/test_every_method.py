"""Every registered method, on every model family (timm-style, parametrised over the registry itself);
and the wave-2 methods on every family in benchmarks.models, trained or refused with a reason."""

from __future__ import annotations

import math

import pytest
import torch

from core.errors import MethodError
from methods import base
from methods.trac import trac_state
from tests.methods.tiny import FAMILIES, TinyStream, build, family_models, learner_for, run_stream, train_steps

# Settings that make a method act inside a 2-task × 4-step run; every other field keeps its default.
ACT_QUICKLY = {
    "injection": {"at_step": 3},
    "reset_lastk": {"unit": "step", "every": 3},
    "redo": {"unit": "step", "every": 2},
    "cbp": {"maturity": 1, "replacement_rate": 0.2},
}

WAVE2 = ["parseval", "crelu", "fourier_features", "trac", "kron", "l2"]
REFUSES_RESIDUAL = {"crelu", "fourier_features"}


def make(name: str):
    return base.create(name, {name: ACT_QUICKLY[name]} if name in ACT_QUICKLY else None)


def trained_weights(name: str, family: str, seed: int) -> list[torch.Tensor]:
    torch.manual_seed(seed)
    model = FAMILIES[family]()
    learner = build(model, make(name))
    result = run_stream(learner, TinyStream(model, seed=seed), seed=seed)
    assert result.diverged_at_step is None
    return [p.detach().clone() for p in learner.model.parameters()]


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("name", base.names())
def test_method_trains_two_tasks_without_nan_and_is_reproducible(name, family):
    model = FAMILIES[family]()
    reason = make(name).applies_to(model.describe(), "supervised")
    if reason:
        with pytest.raises(MethodError, match="cannot run here"):
            build(model, make(name))
        return
    first = trained_weights(name, family, seed=3)
    assert all(torch.isfinite(p).all() for p in first)
    second = trained_weights(name, family, seed=3)
    assert len(first) == len(second) and all(torch.equal(a, b) for a, b in zip(first, second))


@pytest.mark.parametrize("name", base.names())
def test_method_composes_with_baseline(name):
    if name == "baseline":
        return
    composed = base.create(f"baseline+{name}", {name: ACT_QUICKLY[name]} if name in ACT_QUICKLY else None)
    assert list(composed.members()) == ["baseline", name]
    torch.manual_seed(0)
    model = FAMILIES["mlp"]()
    result = run_stream(build(model, composed), TinyStream(model))
    assert result.diverged_at_step is None


@pytest.mark.parametrize("name", base.names())
def test_method_cites_its_source_and_validates_its_config(name):
    cls = base.get(name)
    assert cls.citation and cls.summary
    if name not in ("baseline",):
        assert cls.paper_url.startswith("https://")
    cls.Config()


def test_a_method_that_cannot_apply_says_so_before_the_model_changes():
    model = FAMILIES["mlp"]()
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(MethodError, match=r"reset_lastk.k=9 is more than the 3 weight layers"):
        build(model, base.create("reset_lastk", {"reset_lastk": {"k": "9"}}))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


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


@pytest.mark.parametrize("name", base.names() + ["avalanche:ewc", "avalanche:si", "avalanche:lwf", "avalanche:replay", "avalanche:mas"])
def test_every_method_declares_a_search_space_over_fields_of_its_own_config(name):
    cls = base.get(name)
    space = cls.search_space
    assert space is not None, f"{name} declares no search_space"
    fields = {f.name for f in base.config_fields(cls)}
    assert set(space.dimensions) <= fields
    assert space.source if space.dimensions else space.reason
