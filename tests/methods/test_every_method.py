"""Every registered method, on every model family (timm-style, parametrised over the registry itself)."""

from __future__ import annotations

import pytest
import torch

from core.errors import MethodError
from methods import base
from tests.methods.tiny import FAMILIES, TinyStream, build, run_stream

# Settings that make a method act inside a 2-task × 4-step run; every other field keeps its default.
ACT_QUICKLY = {
    "injection": {"at_step": 3},
    "reset_lastk": {"every": 3},
    "redo": {"unit": "step", "every": 2},
    "cbp": {"maturity": 1, "replacement_rate": 0.2},
}


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
