"""Slowly-changing regression (Dohare et al. 2024, `slowly_changing_regression`): online MSE of a small ReLU net.

Headline: negated mean squared error over the final 30% of examples (each task is one period of
`flip_after` examples, so the final 30% of tasks; at quick, 180k examples, nine of the paper's 20k bins).
Each run also trains the authors' linear learner on the same examples: `linear_mse` per task, and in the
summary `above_linear`, the headline window's MSE minus the linear learner's (above 0: plasticity lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from benchmarks.base import tasks_within, Benchmark, BenchmarkResult, RunContext, register
from benchmarks.errors import BenchmarkError
from benchmarks.protocols._training import positive
from leaderboard.records import HeadlineRule
from core.config import require


@dataclass(frozen=True)
class SlowlyChangingRegressionConfig:
    """The generator (20 bits, 15 slow, 100 LTUs, β = 0.7) and the learner (20 → 5 ReLU → 1, SGD, batch 1)."""

    num_examples: int = 600_000
    flip_after: int = 10_000
    flip_one: bool = False
    num_inputs: int = 20
    num_slow_bits: int = 15
    target_features: int = 100
    beta: float = 0.7
    hidden: tuple[int, ...] = (5,)
    optimizer: Literal["adam", "sgd"] = "sgd"
    lr: float = 0.01
    batch_size: int = 1
    probe_size: int = 1000
    diagnostics: bool = True
    hessian: bool = False
    plasticity_probe_every: int = 0

    def __post_init__(self) -> None:
        for name in ("num_examples", "flip_after", "num_inputs", "target_features", "batch_size", "probe_size"):
            positive(self, name)
        require(0 < self.num_slow_bits < self.num_inputs, "bench", "num_slow_bits", f"between 1 and num_inputs − 1 ({self.num_inputs - 1})", self.num_slow_bits, BenchmarkError)
        require(self.num_examples % self.flip_after == 0, "bench", "num_examples", f"a multiple of flip_after ({self.flip_after})", self.num_examples, BenchmarkError)
        require(self.lr > 0, "bench", "lr", "a positive number", self.lr, BenchmarkError)
        require(all(h > 0 for h in self.hidden), "bench", "hidden", "positive layer widths, e.g. 5", self.hidden, BenchmarkError)

    @property
    def num_tasks(self) -> int:
        return self.num_examples // self.flip_after


@register
class SlowlyChangingRegression(Benchmark):
    name = "slowly-changing-regression"
    version = "2"
    description = "Dohare's slowly-changing regression: LTU target, slow bits re-drawn every 10k examples"
    family = "regression"
    Config = SlowlyChangingRegressionConfig
    presets = {
        "smoke": SlowlyChangingRegressionConfig(num_examples=3000, flip_after=500, probe_size=100),
        "quick": SlowlyChangingRegressionConfig(),
        "paper": SlowlyChangingRegressionConfig(num_examples=1_000_000),
    }
    headline = HeadlineRule(metric="mse", select="final_fraction", fraction=0.3, sign=-1)

    def data_source(self, config: SlowlyChangingRegressionConfig, context: RunContext) -> str:
        return "generated"

    def horizon_overrides(self, config: SlowlyChangingRegressionConfig, fraction: float) -> dict[str, str]:
        """The first `fraction` of the stream in whole periods of `flip_after` examples."""
        if fraction >= 1:
            return {}
        return {"num_examples": str(tasks_within(config.num_tasks, fraction) * config.flip_after)}

    def run(self, method: Any, seed: int, config: SlowlyChangingRegressionConfig, context: RunContext) -> BenchmarkResult:
        from benchmarks.diagnostics import DiagnosticsSettings, DiagnosticsTracker
        from benchmarks.regression import LinearReference, SlowlyChangingRegressionStream, linear_reference_summary, train_regression_stream
        from benchmarks.streams import task_generator
        from methods.learner import prepare_learner
        from methods.learner import OptimizerSpec

        stream = SlowlyChangingRegressionStream(
            config.num_tasks, config.flip_after, seed, config.num_inputs, config.num_slow_bits, config.target_features,
            config.beta, config.flip_one,
        )
        learner = prepare_learner(learner_model(config), method, OptimizerSpec(name=config.optimizer, lr=config.lr), self.family, context.device)
        settings = DiagnosticsSettings(hessian=config.hessian, plasticity_probe_every=config.plasticity_probe_every)
        tracker = DiagnosticsTracker(settings) if config.diagnostics else None
        reference = LinearReference(config.num_inputs, config.lr, config.batch_size, task_generator(seed, 0, salt=8))
        result = train_regression_stream(learner, stream, config.batch_size, tracker, config.probe_size, context.sink, reference)
        if result.diverged_at_step is None:
            result.summary.update(linear_reference_summary(result.tasks, self.headline.window(len(result.tasks))))
        return result


def learner_model(config: SlowlyChangingRegressionConfig) -> Any:
    """The authors' `ffnn.py` learner: Kaiming-uniform hidden layers (ReLU gain), output layer of gain 1, zero biases."""
    from benchmarks.models import MLP

    return MLP(config.num_inputs, config.hidden, 1, init="kaiming", output_nonlinearity="linear")
