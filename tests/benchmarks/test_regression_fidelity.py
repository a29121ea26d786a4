"""Slowly-changing regression v2 follows Dohare et al.'s code: a gain-1 output layer, their linear learner trained
alongside on the same examples, and a headline over the final 30% of examples; the leaderboard shows "above linear"."""

from __future__ import annotations

import copy
import json
import math

import pytest
import torch
import torch.nn.functional as F

from benchmarks import base
from benchmarks.models import MLP
from benchmarks.protocols.slowly_changing_regression import SlowlyChangingRegressionConfig, learner_model
from benchmarks.regression import LinearReference, SlowlyChangingRegressionStream, linear_reference_summary
from leaderboard.aggregate import build_leaderboard
from leaderboard.records import HeadlineRule, TaskMetrics
from leaderboard.statistics import BootstrapSettings
from leaderboard.store import ResultsStore
from leaderboard.tables import benchmark_table, overall_table
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import make_record, three_methods

GAIN_ONE_BOUND = math.sqrt(3 / 5)
"""Kaiming-uniform bound of the 5 → 1 output layer with gain 1 (`nonlinearity="linear"`); ReLU's gain gives √(6/5)."""
MSE_RULE = HeadlineRule(metric="mse", select="last_n", n=1, sign=-1)


def output_weights(make, draws: int = 200) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.cat([make().output.weight.detach().flatten() for _ in range(draws)])


def test_the_learner_draws_its_output_layer_with_gain_one_as_the_authors_ffnn():
    weights = output_weights(lambda: learner_model(SlowlyChangingRegressionConfig()))
    assert GAIN_ONE_BOUND * 0.95 < weights.abs().max() <= GAIN_ONE_BOUND


def test_the_learner_keeps_the_relu_gain_on_its_hidden_layer_and_zero_biases():
    torch.manual_seed(0)
    model = learner_model(SlowlyChangingRegressionConfig())
    hidden = model.hidden[0]["linear"]
    assert hidden.weight.abs().max() > math.sqrt(3 / 20) * 1.1 and hidden.weight.abs().max() <= math.sqrt(6 / 20)
    assert not hidden.bias.any() and not model.output.bias.any()


def test_redrawing_the_output_layer_or_a_copy_of_it_keeps_gain_one():
    torch.manual_seed(0)
    model = learner_model(SlowlyChangingRegressionConfig())
    draws = []
    for _ in range(100):
        copied = copy.deepcopy(model.output)
        model.reinitialise(model.output)
        model.reinitialise(copied)
        draws += [model.output.weight.detach().flatten(), copied.weight.detach().flatten()]
    assert GAIN_ONE_BOUND * 0.95 < torch.cat(draws).abs().max() <= GAIN_ONE_BOUND


def test_other_kaiming_mlps_keep_the_relu_gain_on_their_output_layer():
    weights = output_weights(lambda: MLP(20, (5,), 1, init="kaiming"))
    assert weights.abs().max() > GAIN_ONE_BOUND * 1.2


@pytest.mark.parametrize("batch_size", [1, 3])
def test_the_linear_reference_is_torch_sgd_on_an_nn_linear_with_the_mse_before_each_step(batch_size):
    reference = LinearReference(20, 0.01, batch_size, torch.Generator().manual_seed(0))
    linear = torch.nn.Linear(20, 1).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(reference.weight.copy())[None])
        linear.bias.zero_()
    optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
    for task in SlowlyChangingRegressionStream(num_tasks=3, flip_after=200, seed=0):
        inputs, targets = task.inputs.double(), task.targets.double()
        errors = []
        for start in range(0, len(inputs), batch_size):
            loss = F.mse_loss(linear(inputs[start : start + batch_size]), targets[start : start + batch_size])
            errors.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert reference.task_mse(task.inputs, task.targets) == pytest.approx(sum(errors) / len(errors), rel=1e-12)


def test_the_linear_reference_starts_at_gain_one_with_zero_bias_and_steps_by_hand():
    starts = [LinearReference(20, 0.1, 1, torch.Generator().manual_seed(seed)) for seed in range(20)]
    largest = max(abs(start.weight).max() for start in starts)
    assert all(start.bias == 0 for start in starts) and 0.95 * math.sqrt(3 / 20) < largest <= math.sqrt(3 / 20)
    reference = starts[0]
    reference.weight[:] = 0
    # w = 0: error −1, squared 1; then w₀ = b = 0.2, so the second error is 0.4 − 1 = −0.6, squared 0.36
    mse = reference.task_mse(torch.tensor([[1.0] + [0.0] * 19] * 2), torch.tensor([[1.0], [1.0]]))
    assert mse == pytest.approx((1 + 0.36) / 2)


def test_above_linear_is_the_windows_mse_minus_the_linear_learners():
    tasks = [TaskMetrics(task=i, metrics={"mse": m, "linear_mse": r}) for i, (m, r) in enumerate([(9, 9), (1.2, 0.9), (1.0, 0.8)])]
    summary = linear_reference_summary(tasks, window=2)
    assert summary["linear_mse"] == pytest.approx(0.85) and summary["above_linear"] == pytest.approx(1.1 - 0.85)


def test_the_headline_is_the_final_30_percent_of_examples_in_whole_20k_bins_at_quick():
    benchmark = base.get("slowly-changing-regression")
    quick = benchmark.presets["quick"]
    window = benchmark.headline.window(quick.num_tasks)
    assert benchmark.headline.fraction == 0.3 and benchmark.headline.sign == -1
    assert window * quick.flip_after == 0.3 * quick.num_examples and (window * quick.flip_after) % 20_000 == 0


def test_a_run_records_the_linear_mse_per_task_and_its_mse_above_linear(store_path):
    result = run_cli("run", "-b", "slowly-changing-regression", "-m", "baseline", "--seed", "0", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(run_cli("results", "list", "--json", "--store", str(store_path)).stdout)
    (stored,) = [r for r in ResultsStore(store_path).records() if r.run_id == record["run_id"]]
    assert stored.benchmark_version == "2"
    assert all(task.metrics["linear_mse"] > 0 for task in stored.tasks)
    window = stored.tasks[-stored.headline.window(len(stored.tasks)) :]
    linear = sum(task.metrics["linear_mse"] for task in window) / len(window)
    assert stored.summary["linear_mse"] == pytest.approx(linear)
    assert stored.summary["above_linear"] == pytest.approx(-stored.score - linear)


def with_above_linear(records, values):
    return [r.model_copy(update={"summary": {"above_linear": v}}) for r, v in zip(records, values, strict=True)]


def test_above_linear_is_a_column_of_the_boards_whose_runs_record_it_and_of_no_other():
    regression = [make_record("baseline", s, [0.9, x], benchmark="regression", rule=MSE_RULE) for s, x in enumerate([1.1, 1.2, 1.0])]
    leaderboard = build_leaderboard(with_above_linear(regression, [0.2, 0.3, 0.1]) + three_methods(), BootstrapSettings(reps=200))
    boards = {board.benchmark: board for board in leaderboard.boards}
    table = benchmark_table(boards["regression"])
    column = next(c for c in table.columns if c.key == "above_linear")
    assert column.title == "MSE above linear [95% CI]" and column.terminal
    assert table.rows[0]["above_linear"].point == pytest.approx(0.2)
    assert "above_linear" not in [c.key for c in benchmark_table(boards["toy"]).columns]
    assert "above_linear" not in [c.key for c in overall_table(leaderboard.overall[0]).columns]


def test_a_row_with_a_run_lacking_above_linear_gets_no_above_linear_estimate():
    regression = [make_record("baseline", s, [0.9, x], benchmark="regression", rule=MSE_RULE) for s, x in enumerate([1.1, 1.2])]
    records = with_above_linear(regression[:1], [0.2]) + regression[1:]
    (board,) = build_leaderboard(records, BootstrapSettings(reps=200)).boards
    assert "above_linear" not in board.rows[0].estimates and "score_iqm" in board.rows[0].estimates
