"""`clbench new-benchmark NAME`: write a small working protocol and its end-to-end test, both passing as written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from benchmarks.base import NAME_FORM, NAME_PATTERN
from benchmarks.errors import BenchmarkError
from core.scaffolding import Scaffold, check_new_name, class_name, module_name, write_new_files

PROTOCOL_TEMPLATE = '''"""{title}: fixed Gaussian inputs whose labels are re-drawn each task, a memorisation stream.

Random-label MNIST (Kumar et al. 2023, §4.2) on generated inputs, so it needs no data set. Replace it
with your protocol, and cite its paper and section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.base import Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import TrainingConfig, positive, train_stream
from core.config import require
from core.families import SUPERVISED
from leaderboard.records import HeadlineRule

NUM_CLASSES = 10


@dataclass(frozen=True)
class {class_name}Config(TrainingConfig):
    """Per task, `steps_per_task` minibatches of `num_examples` Gaussian inputs (`num_inputs` wide); MLP widths `hidden`."""

    num_examples: int = 256
    num_inputs: int = 32
    num_tasks: int = 30
    steps_per_task: int = 400
    hidden: tuple[int, ...] = (64, 64)

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("num_examples", "num_inputs", "num_tasks", "steps_per_task"):
            positive(self, name)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 64,64", self.hidden, BenchmarkError)


@register
class {class_name}(Benchmark):
    name = "{name}"
    version = "1"
    description = "fixed Gaussian inputs, labels re-drawn uniformly each task; memorisation"
    family = SUPERVISED
    Config = {class_name}Config
    presets = {{
        "smoke": {class_name}Config(num_examples=64, num_tasks=3, steps_per_task=20, hidden=(16,), probe_size=64),
        "quick": {class_name}Config(),
    }}
    headline = HeadlineRule(metric="online_accuracy", chance=1 / NUM_CLASSES)

    def data_source(self, config: {class_name}Config, context: RunContext) -> str:
        return "generated"

    def run(self, method: Any, seed: int, config: {class_name}Config, context: RunContext) -> BenchmarkResult:
        import torch

        from benchmarks.models import MLP
        from benchmarks.streams import RandomLabelStream

        generator = torch.Generator().manual_seed(seed)
        inputs = torch.randn(config.num_examples, config.num_inputs, generator=generator).to(context.device)
        stream = RandomLabelStream(inputs, NUM_CLASSES, config.num_tasks, config.steps_per_task, seed)
        model = MLP(config.num_inputs, config.hidden, NUM_CLASSES)
        return train_stream(model, method, stream, config, self.family, seed, context)
'''

TEST_TEMPLATE = '''"""{name}: its smoke preset runs through the runner into a valid record, and bad input is refused by name."""

from __future__ import annotations

import pytest

from benchmarks.errors import BenchmarkError
from benchmarks.planning import plan_jobs
from benchmarks.runner import run_job
from leaderboard.records import RunRecord


def test_{module}_smoke_preset_runs_into_a_valid_ok_record():
    (job,) = plan_jobs(["{name}"], ["baseline"], [0], "smoke")
    record = run_job(job)
    assert record.status == "ok", record.error
    assert RunRecord.model_validate_json(record.to_json()) == record
    assert len(record.tasks) == record.benchmark_config["num_tasks"]


def test_{module}_refuses_a_bad_setting_naming_the_field():
    with pytest.raises(BenchmarkError, match="bench.num_tasks=0 is invalid"):
        plan_jobs(["{name}"], ["baseline"], [0], "smoke", {{"bench": {{"num_tasks": "0"}}}})


def test_{module}_is_suggested_for_a_misspelt_name():
    with pytest.raises(BenchmarkError, match="did you mean '{name}'"):
        plan_jobs(["{name}x"], ["baseline"], [0], "smoke")
'''



def check_name(name: str, taken: Iterable[str]) -> None:
    """Refuse a name that is not kebab-case or is already registered."""
    check_new_name(name, "benchmark", NAME_PATTERN, NAME_FORM, taken, BenchmarkError)


def render(name: str) -> tuple[str, str]:
    """The protocol file and test file for `name`, as text."""
    fields = {
        "name": name,
        "module": module_name(name),
        "class_name": class_name(name),
        "title": name.replace("-", " ").capitalize(),
    }
    return PROTOCOL_TEMPLATE.format(**fields), TEST_TEMPLATE.format(**fields)


def write(name: str, protocols_dir: Path, tests_dir: Path, taken: Iterable[str], force: bool = False) -> Scaffold:
    """Write `protocols_dir/MODULE.py` and `tests_dir/test_MODULE.py`; refuse to overwrite unless `force`."""
    check_name(name, taken)
    module = module_name(name)
    scaffold = Scaffold(protocols_dir / f"{module}.py", tests_dir / f"test_{module}.py")
    protocol_text, test_text = render(name)
    write_new_files({scaffold.code_path: protocol_text, scaffold.test_path: test_text}, BenchmarkError, force=force)
    return scaffold
