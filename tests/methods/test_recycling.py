"""redo, cbp and soft_reset: their defining effects on hand-made networks."""

from __future__ import annotations

import functools

import torch

from benchmarks.models import MLP, ConvNet
from methods import base
from methods._layers import reinitialise_units, unit_groups
from tests.methods.tiny import build, start_task, train_step


def adam_warmed(spec: str, overrides=None):
    torch.manual_seed(0)
    model = MLP(6, (8, 8), 3)
    learner = build(model, base.create(spec, overrides), lr=1e-2)
    start_task(learner, 0)
    x, y = torch.rand(16, 6), torch.randint(0, 3, (16,))
    for _ in range(3):
        train_step(learner, x, y)
    return model, learner, x, y


def kill_units(model, units):
    """Make every hidden unit active on positive inputs, then `units` of the first layer dead."""
    with torch.no_grad():
        for block in model.hidden:
            block["linear"].weight.abs_()
            block["linear"].bias.fill_(0.1)
        model.hidden[0]["linear"].weight[units] = 0.0
        model.hidden[0]["linear"].bias[units] = -1.0


def test_redo_reinitialises_dormant_units_and_zeroes_their_outgoing_weights():
    model, learner, x, _ = adam_warmed("redo", {"redo": {"tau": "0.0"}})
    kill_units(model, [1, 5])
    learner.method.recycle(learner)
    incoming = model.hidden[0]["linear"]
    assert incoming.weight[[1, 5]].abs().sum() > 0 and torch.equal(incoming.bias[[1, 5]], torch.zeros(2))
    assert torch.equal(model.hidden[1]["linear"].weight[:, [1, 5]], torch.zeros(8, 2))
    assert learner.method.recycled == {"hidden.0.act": 2, "hidden.1.act": 0}


def test_redo_zeroes_adam_moments_of_exactly_the_recycled_rows_and_columns():
    model, learner, x, _ = adam_warmed("redo", {"redo": {"tau": "0.0"}})
    kill_units(model, [2])
    state = learner.optimizer.state
    incoming, outgoing = model.hidden[0]["linear"], model.hidden[1]["linear"]
    before = {k: state[incoming.weight][k].clone() for k in ("exp_avg", "exp_avg_sq")}
    before_out = {k: state[outgoing.weight][k].clone() for k in ("exp_avg", "exp_avg_sq")}
    for key in ("exp_avg", "exp_avg_sq"):
        state[incoming.weight][key][2] = 1.0
        state[outgoing.weight][key][:, 2] = 1.0
    learner.method.recycle(learner)
    keep_rows = [i for i in range(8) if i != 2]
    for key in ("exp_avg", "exp_avg_sq"):
        assert torch.equal(state[incoming.weight][key][2], torch.zeros(6))
        assert torch.equal(state[incoming.weight][key][keep_rows], before[key][keep_rows])
        assert torch.equal(state[outgoing.weight][key][:, 2], torch.zeros(8))
        assert torch.equal(state[outgoing.weight][key][:, keep_rows], before_out[key][:, keep_rows])
        assert state[incoming.bias][key][2] == 0


def test_redo_leaves_active_units_untouched():
    model, learner, x, _ = adam_warmed("redo", {"redo": {"tau": "0.0"}})
    kill_units(model, [0])
    before = model.hidden[0]["linear"].weight.detach().clone()
    learner.method.recycle(learner)
    assert torch.equal(model.hidden[0]["linear"].weight[1:], before[1:])


def test_redo_recycles_at_the_end_of_each_task_by_default():
    model, learner, x, _ = adam_warmed("redo")
    kill_units(model, [3])
    info = start_task(learner, 0)
    learner.method.on_task_end(learner, info)
    assert learner.method.recycled["hidden.0.act"] >= 1
    assert model.hidden[0]["linear"].weight[3].abs().sum() > 0


def cbp_net(rate: str = "0.125", maturity: str = "0"):
    torch.manual_seed(0)
    model = MLP(6, (8,), 3)
    learner = build(model, base.create("cbp", {"cbp": {"replacement_rate": rate, "maturity": maturity}}), lr=1e-3)
    return model, learner


def test_cbp_replaces_the_lowest_utility_mature_unit_at_rate_rho():
    """ρ = 1/8 with 8 mature units: exactly one replacement per step, the unit of least utility."""
    model, learner = cbp_net()
    with torch.no_grad():
        model.output.weight.abs_().add_(0.5)
        model.output.weight[:, 6] = 1e-3
    x, y = torch.rand(16, 6) + 0.5, torch.randint(0, 3, (16,))
    with torch.no_grad():
        model.hidden[0]["linear"].weight.abs_()
    train_step(learner, x, y)
    assert learner.method.replaced == {"hidden.0.act": [6]}
    for _ in range(3):
        train_step(learner, x, y)
        assert sum(len(u) for u in learner.method.replaced.values()) == 1


def test_cbp_accumulates_fractional_replacements():
    """ρ = 1/16 with 8 mature units accumulates 0.5 per step: one replacement every second step."""
    model, learner = cbp_net(rate="0.0625")
    x, y = torch.rand(16, 6), torch.randint(0, 3, (16,))
    counts = []
    for _ in range(10):
        train_step(learner, x, y)
        counts.append(sum(len(u) for u in learner.method.replaced.values()))
    assert counts == [0, 1] * 5


def test_cbp_protects_units_younger_than_the_maturity_threshold():
    model, learner = cbp_net(rate="1.0", maturity="5")
    x, y = torch.rand(16, 6), torch.randint(0, 3, (16,))
    for _ in range(5):
        train_step(learner, x, y)
        assert learner.method.replaced == {}
    train_step(learner, x, y)
    assert len(learner.method.replaced["hidden.0.act"]) == 8


def test_cbp_preserves_the_function_when_it_replaces_a_unit():
    """A unit with constant activation: moving w_out·ĥ into the next bias keeps every output exactly."""
    model, learner = cbp_net(rate="0.0")
    with torch.no_grad():
        model.hidden[0]["linear"].weight[4] = 0.0
        model.hidden[0]["linear"].bias[4] = 0.7
    x, y = torch.rand(16, 6), torch.randint(0, 3, (16,))
    for _ in range(3):
        with torch.no_grad():
            model.hidden[0]["linear"].weight[4] = 0.0
            model.hidden[0]["linear"].bias[4] = 0.7
        learner.last_inputs = x
        model(x)
        learner.step += 1
        learner.method.after_step(learner)
    before = model(x).detach()
    group = learner.method.groups[0]
    learner.method.replace(learner, group, torch.tensor([4]))
    torch.testing.assert_close(model(x), before, atol=1e-6, rtol=0)
    assert torch.equal(model.output.weight[:, 4], torch.zeros(3))
    assert learner.method.stats["hidden.0.act"].age[4] == 0


@functools.lru_cache(maxsize=None)
def soft_reset_run(switch_after: int = 300, after: int = 40):
    torch.manual_seed(0)
    model = MLP(12, (32, 32), 4)
    learner = build(model, "soft_reset", lr=1e-2)
    x, y = torch.rand(64, 12), torch.randint(0, 4, (64,))
    gammas = []
    for t in range(switch_after + after):
        labels = y if t < switch_after else (y + 1) % 4
        index = torch.randint(0, 64, (16,))
        train_step(learner, x[index], labels[index])
        gammas.append(learner.method.gammas.clone())
    return torch.stack(gammas)


def test_soft_reset_keeps_gamma_near_one_on_a_stationary_stream():
    gammas = soft_reset_run()[100:300]
    assert gammas.mean() > 0.995
    assert (gammas.mean(dim=0) > 0.99).all()


def test_soft_reset_gamma_falls_after_a_task_switch():
    gammas = soft_reset_run()
    before = gammas[200:300].mean(dim=0)
    after = gammas[300:].min(dim=0).values
    assert (before[-1] - after[-1]) > 0.03


def test_soft_reset_estimates_gamma_online_from_the_data():
    gammas = soft_reset_run(switch_after=20, after=0)
    assert not torch.equal(gammas[0], gammas[-1])


def test_redo_zeroes_every_flattened_column_of_a_recycled_conv_channel():
    torch.manual_seed(0)
    model = ConvNet((1, 12, 12), 3, channels=(4, 4), kernel=3, hidden=(8,))
    learner = build(model, base.create("redo", {"redo": {"tau": "0.0"}}))
    group = next(g for g in unit_groups(learner.network) if g.activation == "convs.1.act")
    reinitialise_units(learner, group, torch.tensor([2]))
    weight = model.fcs[0]["linear"].weight
    spatial = model.spatial
    assert torch.equal(weight[:, 2 * spatial : 3 * spatial], torch.zeros(8, spatial))
    assert weight[:, : 2 * spatial].abs().sum() > 0 and weight[:, 3 * spatial :].abs().sum() > 0
