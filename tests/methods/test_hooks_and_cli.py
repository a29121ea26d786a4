"""The supervised loop calls every hook at the right moment; --set overrides work and bad values are refused."""

from __future__ import annotations

import json

import pytest
import torch

from benchmarks.models import MLP
from methods import base
from methods.base import Method
from core.errors import MethodError
from tests.helpers import run_cli
from tests.methods.tiny import TinyStream, build, run_stream


SHORT = ("--set", "bench.num_tasks=2", "--set", "bench.diagnostics=false")


class Recording(Method):
    """Logs each hook call with what it can see, to check the loop's order (avalanche#669-style skips)."""

    name = "recording"

    def __init__(self):
        super().__init__()
        self.calls: list[str] = []

    def applies_to(self, network, family):
        self.calls.append("applies_to")
        return None

    def prepare(self, learner):
        self.calls.append("prepare")

    def optimizer(self, learner, params, spec):
        self.calls.append("optimizer")
        return None

    def start(self, learner):
        assert learner.optimizer is not None and learner.initial_state
        self.calls.append("start")

    def on_task_start(self, learner, task):
        self.calls.append(f"task_start:{task.index}")

    def penalty(self, learner):
        assert learner.last_inputs is not None
        self.calls.append("penalty")
        return None

    def before_step(self, learner):
        assert all(p.grad is not None for p in learner.model.parameters())
        self._step_seen = learner.step
        self._weights = learner.model.output.weight.detach().clone()
        self.calls.append("before_step")

    def after_step(self, learner):
        assert learner.step == self._step_seen + 1
        assert not torch.equal(self._weights, learner.model.output.weight)
        self.calls.append("after_step")

    def on_task_end(self, learner, task):
        self.calls.append(f"task_end:{task.index}")


def test_supervised_loop_calls_every_hook_at_the_right_moments_in_order():
    method = Recording()
    model = MLP(12, (8,), 4)
    run_stream(build(model, method), TinyStream(model, num_tasks=2, steps=2))
    per_step = ["penalty", "before_step", "after_step"]
    assert method.calls == (
        ["applies_to", "prepare", "optimizer", "start"]
        + ["task_start:0"] + per_step * 2 + ["task_end:0"]
        + ["task_start:1"] + per_step * 2 + ["task_end:1"]
    )


def test_set_overrides_a_method_hyperparameter_and_the_record_keeps_it(store_path, tmp_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap", "--set", "nap.every=10", *SHORT, "--seed", "0",
                     "--preset", "smoke", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "1 runs (1 ok)" in result.output
    bundle = tmp_path / "bundle.json"
    assert run_cli("results", "export", str(bundle), "--store", str(store_path)).exit_code == 0
    (record,) = json.loads(bundle.read_text())["records"]
    assert record["method_config"]["nap"]["every"] == 10


def test_set_with_a_value_of_the_wrong_type_names_the_field_and_the_type():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap", "--set", "nap.every=soon", "--seed", "0")
    assert result.exit_code == 2
    assert "nap.every='soon' is invalid: expected an integer" in result.stderr


def test_set_with_an_out_of_range_value_says_what_is_allowed():
    result = run_cli("run", "-b", "permuted-mnist", "-m", "shrink_perturb", "--set", "shrink_perturb.shrink=1.5", "--seed", "0")
    assert result.exit_code == 2
    assert "shrink_perturb.shrink=1.5 is invalid: expected a number in (0, 1]" in result.stderr


def test_set_of_an_unknown_field_suggests_the_closest_one():
    with pytest.raises(MethodError, match="did you mean 'tau'"):
        base.create("redo", {"redo": {"taus": "0.1"}})


def test_methods_list_shows_every_first_wave_method():
    listed = {row["name"] for row in json.loads(run_cli("methods", "list", "--json").stdout)}
    assert {
        "baseline", "layernorm", "weight_decay", "ln_wd", "nap", "reset_full", "reset_head", "reset_lastk",
        "shrink_perturb", "soft_reset", "redo", "cbp", "l2_init", "injection", "tam", "adatam",
    } <= listed


def test_composed_methods_run_from_the_cli(store_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "nap+redo,layernorm+shrink_perturb", *SHORT, "--seed", "0",
                     "--preset", "smoke", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "2 runs (2 ok)" in result.output


def test_an_incompatible_pair_is_refused_naming_both():
    with pytest.raises(MethodError, match="'nap' and 'ln_wd' cannot be composed"):
        base.create("nap+ln_wd")
