"""`avalanche:<plugin>`: Avalanche's own plugins called at the right points of the lean loop."""

from __future__ import annotations

import json

import pytest
import torch

from benchmarks.models import MLP
from benchmarks.sinks import RunSink
from benchmarks.streams import ClassificationTask
from benchmarks.diagnostics import DiagnosticsSettings
from benchmarks.supervised import LoopSettings, train_classification_stream
from methods.learner import prepare_learner
from methods import base
from methods.from_avalanche_plugin import MemoryReplay
from core.errors import MethodError
from methods.learner import OptimizerSpec, TaskInfo
from tests.cli_runner import run_cli

STEPS, BATCH, EXAMPLES = 3, 4, 12
PER_STEP = ["before_training_iteration", "before_forward", "after_forward", "before_backward",
            "after_backward", "before_update", "after_update", "after_training_iteration"]
TASK_START = ["before_training", "before_train_dataset_adaptation", "after_train_dataset_adaptation",
              "before_training_exp", "before_training_epoch"]
TASK_END = ["after_training_epoch", "after_training_exp", "after_training"]


def tiny_stream(num_tasks: int = 2) -> list[ClassificationTask]:
    generator = torch.Generator().manual_seed(0)
    tasks = []
    for index in range(num_tasks):
        inputs = torch.randn(EXAMPLES, 6, generator=generator)
        targets = torch.randint(0, 3, (EXAMPLES,), generator=generator)
        tasks.append(ClassificationTask(TaskInfo(index, f"t{index}", STEPS), inputs, targets))
    return tasks


def run_stream(method, num_tasks: int = 2):
    torch.manual_seed(0)
    learner = prepare_learner(MLP(6, (5,), 3), method, OptimizerSpec(lr=1e-2), "supervised", "cpu")
    settings = LoopSettings(batch_size=BATCH, diagnostics=DiagnosticsSettings(enabled=False))
    train_classification_stream(learner, tiny_stream(num_tasks), settings, 0, RunSink(), STEPS * num_tasks)
    return learner


def shift_weights_and_forward(learner, shift: float) -> None:
    """Move every weight by `shift`, then take one forward pass on a batch, as the loop does before `penalty`."""
    with torch.no_grad():
        for param in learner.model.parameters():
            param.add_(shift)
    x, y = tiny_stream(1)[0].inputs[:BATCH], tiny_stream(1)[0].targets[:BATCH]
    learner.last_inputs, learner.last_targets = x, y
    learner.model(x)


def recording_ewc(events: list[dict]):
    """EWCPlugin whose every callback records what it saw, then does what EWC does."""
    from avalanche.training.plugins import EWCPlugin

    def recorder(event):
        def callback(self, strategy, **kwargs):
            seen = {"event": event, "exp": strategy.clock.train_exp_counter, "step": strategy.learner.step,
                    "params": [p.detach().clone() for p in strategy.model.parameters()],
                    "grads": all(p.grad is not None for p in strategy.model.parameters())}
            if event == "before_backward":
                seen["loss_before"] = float(strategy.loss.detach())
                seen["loss_requires_grad"] = strategy.loss.requires_grad
                seen["output_matches"] = torch.allclose(strategy.model(strategy.mb_x), strategy.mb_output)
            if event == "after_training_exp":
                seen["dataset_size"] = len(strategy.experience.dataset)
            getattr(EWCPlugin, event)(self, strategy, **kwargs)
            if event == "before_backward":
                seen["loss_after"] = float(strategy.loss.detach())
            events.append(seen)
        return callback

    names = TASK_START + PER_STEP + TASK_END
    return type("RecordingEWC", (EWCPlugin,), {name: recorder(name) for name in names})(ewc_lambda=1e3)


def test_plugin_callbacks_run_in_avalanche_order_at_the_matching_points_of_the_lean_loop(monkeypatch):
    events: list[dict] = []
    method = base.create("avalanche:ewc")
    monkeypatch.setattr(method, "make_plugin", lambda: recording_ewc(events))
    run_stream(method)
    expected = (TASK_START + PER_STEP * STEPS + TASK_END) * 2
    assert [e["event"] for e in events] == expected
    by_event = {}
    for e in events:
        by_event.setdefault(e["event"], []).append(e)
    for before, after in zip(by_event["before_update"], by_event["after_update"]):
        assert before["grads"] and after["step"] == before["step"] + 1
        assert any(not torch.equal(a, b) for a, b in zip(before["params"], after["params"]))
    for backward, update in zip(by_event["before_backward"], by_event["before_update"]):
        assert backward["loss_requires_grad"] and backward["output_matches"]
        assert all(torch.equal(a, b) for a, b in zip(backward["params"], update["params"]))
    assert [e["exp"] for e in by_event["before_training_exp"]] == [0, 1]
    assert [e["dataset_size"] for e in by_event["after_training_exp"]] == [STEPS * BATCH] * 2


def test_ewc_adds_its_penalty_only_after_the_first_task(monkeypatch):
    events: list[dict] = []
    method = base.create("avalanche:ewc")
    monkeypatch.setattr(method, "make_plugin", lambda: recording_ewc(events))
    run_stream(method)
    backward = [e for e in events if e["event"] == "before_backward"]
    assert all(e["loss_after"] == e["loss_before"] for e in backward if e["exp"] == 0)
    assert all(e["loss_after"] > e["loss_before"] for e in backward[STEPS + 1 :])


def test_bridge_penalty_is_exactly_the_plugins_ewc_term():
    method = base.create("avalanche:ewc", {"avalanche:ewc": {"ewc_lambda": "3.0"}})
    learner = run_stream(method, num_tasks=1)
    plugin = method.shim.plugins[0]
    shift_weights_and_forward(learner, 0.1)
    method.shim.experience = None
    expected = sum(
        (plugin.importances[0][name].data * (p - plugin.saved_params[0][name].data) ** 2).sum()
        for name, p in learner.model.named_parameters()
    )
    assert torch.allclose(method.penalty(learner).detach(), 3.0 * expected.detach(), rtol=1e-4)


def test_si_path_integral_uses_the_real_parameter_steps_of_a_cpu_model(monkeypatch):
    """Avalanche 0.6 keeps θ_old as a view of the live CPU parameter, so unpatched ω would be exactly 0."""
    method = base.create("avalanche:si", {"avalanche:si": {"si_lambda": "2.0"}})
    steps: list[dict] = []
    before, after = method.before_step, method.after_step

    def record_before(learner):
        steps.append({n: [p.detach().clone(), p.grad.detach().clone()] for n, p in learner.model.named_parameters()})
        before(learner)

    def record_after(learner):
        after(learner)
        for n, p in learner.model.named_parameters():
            steps[-1][n].append(p.detach().clone())

    monkeypatch.setattr(method, "before_step", record_before)
    monkeypatch.setattr(method, "after_step", record_after)
    learner = run_stream(method, num_tasks=1)
    plugin = method.shim.plugins[0]
    for name, _ in learner.model.named_parameters():
        expected = sum(grad * (new - old) for old, grad, new in (step[name] for step in steps)).flatten()
        assert expected.abs().sum() > 0
        assert torch.allclose(plugin.syn_data["trajectory"][name].data, expected, atol=1e-7)

    importance = {name: plugin.ewc_data[1][name].data for name, _ in learner.model.named_parameters()}
    assert any(float(w.abs().sum()) > 0 for w in importance.values())
    shift_weights_and_forward(learner, 0.1)
    expected_penalty = 2.0 / 2 * sum(float(w.sum()) * 0.1**2 for w in importance.values())
    assert float(method.penalty(learner).detach()) == pytest.approx(expected_penalty, rel=1e-4)


def test_replay_fills_its_memory_at_task_end_and_replays_it_in_the_next_task():
    method = base.create("avalanche:replay", {"avalanche:replay": {"mem_size": "5"}})
    learner = run_stream(method, num_tasks=2)
    plugin = method.shim.plugins[0]
    memory: MemoryReplay = method.shim._memories[0]
    assert len(plugin.storage_policy.buffer) == 5
    assert memory.inputs is not None and len(memory.inputs) == 5
    first_task_rows = {tuple(row.tolist()) for row in tiny_stream(1)[0].inputs}
    assert {tuple(row.tolist()) for row in memory.inputs} <= first_task_rows
    assert learner.step == 2 * STEPS


def test_replay_memory_keeps_only_its_own_examples_alive_not_each_past_task(monkeypatch):
    """The task data the bridge gathers is freed once the task is over; only the memory's examples stay."""
    import gc
    import weakref

    from methods import from_avalanche_plugin

    method = base.create("avalanche:replay", {"avalanche:replay": {"mem_size": "5"}})
    task_data: list[weakref.ref] = []
    build = from_avalanche_plugin.classification_dataset

    def recording_build(inputs, targets):
        dataset = build(inputs, targets)
        if len(inputs) == STEPS * BATCH:
            task_data.extend(weakref.ref(part) for part in dataset._datasets)
        return dataset

    monkeypatch.setattr(from_avalanche_plugin, "classification_dataset", recording_build)
    run_stream(method, num_tasks=3)
    method.shim.experience = None
    gc.collect()
    assert len(task_data) == 3 and all(ref() is None for ref in task_data)
    assert len(method.shim.plugins[0].storage_policy.buffer) == 5


def test_compacting_the_replay_memory_changes_no_number(monkeypatch):
    from methods.from_avalanche_plugin import MemoryReplay

    def final_weights():
        method = base.create("avalanche:replay", {"avalanche:replay": {"mem_size": "5"}})
        learner = run_stream(method, num_tasks=3)
        return [p.detach().clone() for p in learner.model.parameters()], torch.get_rng_state()

    compacted, rng_after = final_weights()
    monkeypatch.setattr(MemoryReplay, "compact", lambda self: None)
    kept, rng_kept = final_weights()
    assert all(torch.equal(a, b) for a, b in zip(compacted, kept))
    assert torch.equal(rng_after, rng_kept)


def test_replay_term_weights_memory_as_in_a_concatenated_batch():
    """n_cur = 4, n_mem = 2: mean over the 6 examples = CE_cur + 2/6·(CE_mem − CE_cur)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    replay = MemoryReplay(type("Plugin", (), {"batch_size_mem": 2})())
    replay.inputs, replay.targets, replay._steps = torch.randn(2, 3), torch.tensor([0, 1]), 1
    x, y = torch.randn(4, 3), torch.tensor([1, 0, 1, 1])
    current = torch.nn.functional.cross_entropy(model(x), y)
    total = current + replay.term(model, current, 4, 4)
    concatenated = torch.nn.functional.cross_entropy(model(torch.cat([x, replay.inputs[replay.order[:2]]])), torch.cat([y, replay.targets[replay.order[:2]]]))
    assert torch.allclose(total, concatenated)


def test_unknown_avalanche_plugin_suggests_the_closest_name():
    with pytest.raises(MethodError, match="did you mean 'ewc'"):
        base.create("avalanche:ewcc")


def test_plugin_that_replaces_the_data_loader_is_refused_with_the_reason():
    with pytest.raises(MethodError, match="lean loop owns"):
        base.create("avalanche:gdumb")


def test_other_plugins_get_a_config_from_their_constructor():
    rwalk = base.create("avalanche:rwalk")
    assert rwalk.config_dict() == {"avalanche:rwalk": {"ewc_lambda": 0.1, "ewc_alpha": 0.9, "delta_t": 10}}
    with pytest.raises(MethodError, match=r"avalanche:lfl\.lambda_e is required"):
        base.create("avalanche:lfl")
    assert base.create("avalanche:lfl", {"avalanche:lfl": {"lambda_e": "0.5"}}).config.lambda_e == 0.5


def test_avalanche_methods_apply_to_supervised_benchmarks_only():
    network = MLP(6, (5,), 3).describe()
    method = base.create("avalanche:si")
    assert method.applies_to(network, "supervised") is None
    assert "supervised" in method.applies_to(network, "atari")


@pytest.mark.slow
def test_the_five_plugins_run_on_permuted_mnist_smoke(store_path):
    specs = ["avalanche:ewc", "avalanche:si", "avalanche:lwf", "avalanche:replay", "avalanche:mas"]
    result = run_cli("run", "-b", "permuted-mnist", "-m", ",".join(specs), "--seed", "0",
                     "--preset", "smoke", "--store", str(store_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "5 runs (5 ok)" in result.output
    records = json.loads(run_cli("results", "list", "--json", "--store", str(store_path)).stdout)
    assert sorted(r["method"] for r in records) == sorted(specs)
    assert {r["status"] for r in records} == {"ok"}
