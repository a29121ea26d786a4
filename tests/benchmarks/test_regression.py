"""Slowly-changing regression: Dohare et al.'s generator, exactly, and its lazy per-period stream."""

from __future__ import annotations

import torch

from benchmarks.regression import LTUTarget, SlowlyChangingRegressionStream


def test_ltu_threshold_follows_the_authors_formula():
    target = LTUTarget(num_inputs=4, num_features=3, beta=0.7, generator=torch.Generator().manual_seed(0))
    w, b = target.hidden_weight, target.hidden_bias
    for i in range(3):
        negatives = (4 - float(w[i].sum()) + float(b[i])) / 2
        assert float(target.threshold[i]) == 0.7 * 5 - negatives


def test_ltu_units_fire_only_above_their_threshold():
    target = LTUTarget(num_inputs=2, num_features=1, beta=0.7, generator=torch.Generator().manual_seed(0))
    target.hidden_weight = torch.tensor([[1.0, 1.0]])
    target.hidden_bias = torch.tensor([1.0])
    target.threshold = torch.tensor([2.5])
    target.output_weight = torch.tensor([[1.0]])
    target.output_bias = torch.tensor([-1.0])
    out = target(torch.tensor([[1.0, 1.0], [1.0, 0.0]]))
    assert out.flatten().tolist() == [0.0, -1.0]


def test_slow_bits_are_constant_within_a_period_and_fast_bits_are_not():
    tasks = list(SlowlyChangingRegressionStream(num_tasks=3, flip_after=200, seed=0))
    for task in tasks:
        assert (task.inputs[:, :15] == task.inputs[0, :15]).all()
        assert task.inputs[:, 15:].std(0).min() > 0
        assert set(task.inputs.unique().tolist()) <= {0.0, 1.0}
    assert not all(torch.equal(tasks[0].inputs[0, :15], t.inputs[0, :15]) for t in tasks[1:])


def test_flip_one_variant_changes_exactly_one_slow_bit_per_period():
    tasks = list(SlowlyChangingRegressionStream(num_tasks=4, flip_after=10, seed=1, flip_one=True))
    for before, after in zip(tasks, tasks[1:], strict=False):
        assert int((before.inputs[0, :15] != after.inputs[0, :15]).sum()) == 1


def test_targets_come_from_one_fixed_target_network():
    stream = SlowlyChangingRegressionStream(num_tasks=2, flip_after=50, seed=3)
    for task in stream:
        assert torch.equal(task.targets, stream.target(task.inputs))
