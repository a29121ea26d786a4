"""The run record: one JSON-serialisable, validated record per (benchmark, preset, method, config, seed).

Benchmarks write records through this module (the only leaderboard module they import). The headline
score is always recomputable from the per-task metrics and the record's `headline` rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
Status = Literal["ok", "diverged", "failed"]
FINAL_FRACTION = 0.1
"""The share of a stream's tasks, at its end, that "final" means (headlines and the final-mean summary)."""
FIRST_METHOD_VERSION = "1"
"""Every method's version before methods had versions: records without the field ran this one."""
TUNING_SEED_START = 10_000
"""Seeds from here on are tuning seeds (`clbench tune`'s trials); seeds below are evaluation seeds. Disjoint by construction."""
SeedRole = Literal["evaluation", "tuning"]


def version_order(version: str) -> tuple:
    """A sort key for versions (`2` < `10`, `1.2` < `1.10`, a composition's `1+2` part by part)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-+]", version))


def seed_role(seed: int) -> SeedRole:
    """The role a seed plays: selection reads tuning seeds only, and only evaluation seeds are reported."""
    return "tuning" if seed >= TUNING_SEED_START else "evaluation"


def trial_score(records: list[RunRecord]) -> float | None:
    """A tuning trial's score: its runs' mean headline score over the tuning seeds; None when any seed diverged or
    failed (such a trial ranks last, and is shown, not dropped)."""
    scores = [r.score if r.status == "ok" else None for r in records]
    if not scores or any(s is None or not math.isfinite(s) for s in scores):
        return None
    return sum(scores) / len(scores)  # type: ignore[arg-type]


def chosen_trial(scores: dict[int, float | None]) -> int | None:
    """The trial a study chooses from its scores by trial number: the best; a tie goes to the earlier trial (the
    defaults first). None when no trial has a score."""
    scored = [(score, -number) for number, score in scores.items() if score is not None]
    return -max(scored)[1] if scored else None


class TuningTag(BaseModel):
    """Marks a run of `clbench tune`: the study (its spec), the trial and the values it ran.

    On a tuning seed the run is that trial; on an evaluation seed it is the study's chosen trial, run on the
    whole stream. `params` holds the values by dimension (`bench.lr`, `nap.every`); `study` is the hash of the
    study's spec and space, so the records alone say which study each run belongs to.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget: int
    horizon: float
    tune_seeds: int
    sampler_seed: int = 0
    study: str
    trial: int
    params: dict[str, Any]

    @property
    def regime(self) -> str:
        """The board these runs belong to; never pooled with default runs or with another budget or horizon."""
        return f"tuned (budget {self.budget}, horizon {self.horizon:g})"

    @property
    def benchmark_params(self) -> dict[str, Any]:
        """The tuned benchmark fields (`bench.lr` → `lr`): part of the method's row, not of the protocol."""
        return {key.partition(".")[2]: value for key, value in self.params.items() if key.startswith("bench.")}


class HeadlineRule(BaseModel):
    """How the headline score is computed from per-task metrics (higher is always better).

    select="final_fraction": mean of `metric` over the last ceil(fraction·n) tasks;
    select="last_n": mean over the last `n` tasks (e.g. the last cycle of an Atari sequence).
    sign=-1 negates an error metric so that higher is better.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    select: Literal["final_fraction", "last_n"] = "final_fraction"
    fraction: float = FINAL_FRACTION
    n: int = 1
    sign: Literal[1, -1] = 1
    chance: float | None = None
    """The score of a chance-level learner on this benchmark (the normalised score's 0), if defined."""

    def window(self, num_tasks: int) -> int:
        if self.select == "last_n":
            return min(self.n, num_tasks)
        return final_window(num_tasks, self.fraction)


def final_window(num_tasks: int, fraction: float = FINAL_FRACTION) -> int:
    """How many of `num_tasks` tasks, counted from the end, are the final `fraction` (at least one)."""
    return max(1, math.ceil(fraction * num_tasks))


class TaskMetrics(BaseModel):
    """Metrics of one task of the stream (a permutation, a label draw, a visit to a game)."""

    model_config = ConfigDict(extra="forbid")

    task: int
    name: str = ""
    steps: int = 0
    metrics: dict[str, float | None]


class DiagnosticPoint(BaseModel):
    """Diagnostics on the fixed probe batch at one step (every `log_every` steps and at task ends)."""

    model_config = ConfigDict(extra="forbid")

    step: int
    task: int
    values: dict[str, float | None]


class Environment(BaseModel):
    """Where a record was produced: code and package versions, device, threads and CPU kernels.

    `cpu_capability` is the instruction set torch picked its CPU kernels for (AVX2, AVX512, …): the same
    seed gives the same numbers only on the same capability, as it changes float reduction order.
    `denormals` says whether subnormal floats were flushed to zero ("flush") or kept (benchmarks/numerics.py).
    `cpu_model` is the processor's name: MKL chooses its matrix kernels by processor, not by `cpu_capability`,
    so two AVX512 hosts of different makes can differ in the low digits; `mkl_cbwr` is $MKL_CBWR ("OFF" when
    unset), which selects MKL's reproducibility branch (docs/sweeps.md). Records made before a field was recorded have none.
    """

    model_config = ConfigDict(extra="allow")

    clbench_version: str = ""
    git_commit: str | None = None
    python: str = ""
    packages: dict[str, str] = Field(default_factory=dict)
    device: str = "cpu"
    threads: int | None = None
    platform: str = ""
    cpu_capability: str | None = None
    denormals: str | None = None
    cpu_model: str | None = None
    mkl_cbwr: str | None = None


class RunRecord(BaseModel):
    """Everything about one run. Validated on read and on write."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    benchmark: str
    benchmark_version: str
    preset: str
    benchmark_config: dict[str, Any]
    benchmark_overrides: dict[str, Any] = Field(default_factory=dict)
    family: str = "supervised"
    method: str
    method_version: str = FIRST_METHOD_VERSION
    """The method's version (`a+b` composes as `1+2`): a fixed method's runs never pool with the old ones."""
    method_config: dict[str, dict[str, Any]]
    seed: int
    seed_role: SeedRole = "evaluation"
    """Whether the seed was a tuning or an evaluation seed (`seed_role`); leaderboards report evaluation seeds only."""
    tuning: TuningTag | None = None
    """Set on runs of a tuned configuration (`clbench run --config tuned`, `clbench tune`); None for defaults."""
    status: Status
    error: str | None = None
    diverged_at_step: int | None = None
    headline: HeadlineRule
    score: float | None = None
    summary: dict[str, float | None] = Field(default_factory=dict)
    tasks: list[TaskMetrics] = Field(default_factory=list)
    diagnostics: list[DiagnosticPoint] = Field(default_factory=list)
    series: dict[str, list[float | None]] = Field(default_factory=dict)
    steps: int = 0
    wall_time_s: float = 0.0
    started_at: str = ""
    finished_at: str = ""
    data_source: str = ""
    environment: Environment = Field(default_factory=Environment)

    @field_validator("seed")
    @classmethod
    def _seed_non_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("seed must be >= 0")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RunRecord:
        if self.seed_role != seed_role(self.seed):
            raise ValueError(f"seed {self.seed} is a{'' if seed_role(self.seed) == 'tuning' else 'n'} {seed_role(self.seed)} seed, not {self.seed_role}")
        if self.status == "failed" and not self.error:
            raise ValueError("a failed record must say why (error)")
        if self.status == "ok":
            expected = headline_score(self.tasks, self.headline)
            if expected is None:
                raise ValueError(f"an ok record needs per-task '{self.headline.metric}' values to compute its score")
            if self.score is None or not math.isclose(self.score, expected, rel_tol=1e-9, abs_tol=1e-12):
                raise ValueError(
                    f"headline score {self.score} does not match {expected} recomputed from the per-task metrics"
                )
        return self

    @property
    def regime(self) -> str:
        """"default", or the tuned regime ("tuned (budget 8, horizon 1)"): boards never pool two regimes."""
        return self.tuning.regime if self.tuning else "default"

    @property
    def group_key(self) -> tuple[str, str, str, str, str]:
        """(benchmark, version, preset, protocol hash, method spec + config hash): rows never mix these.

        A tuned run's protocol leaves out the benchmark fields it tuned (its `bench.lr` belongs to its method's
        row) and names its regime, so tuned and default runs never share a board.
        """
        protocol: dict[str, Any] = {"config": self.benchmark_config, "data": self.data_source}
        method_config: dict[str, Any] = self.method_config
        if self.tuning is not None:
            tuned = self.tuning.benchmark_params
            protocol = {"config": {k: v for k, v in self.benchmark_config.items() if k not in tuned},
                        "data": self.data_source, "regime": self.tuning.regime}
            method_config = {**self.method_config, "bench": tuned}
        return (
            self.benchmark,
            self.benchmark_version,
            self.preset,
            config_hash(protocol),
            method_identity(self.method, self.method_version, method_config),
        )

    def to_json(self) -> str:
        return self.model_dump_json()


def headline_score(tasks: list[TaskMetrics], rule: HeadlineRule) -> float | None:
    """The headline score from per-task metrics: the rule's window of tasks, mean of `metric`, signed."""
    values = [t.metrics.get(rule.metric) for t in tasks]
    values = [v for v in values if v is not None]
    if not values:
        return None
    window = values[-rule.window(len(values)) :]
    return rule.sign * (sum(window) / len(window))


def stream_summary(tasks: list[TaskMetrics], metric: str, sign: int = 1) -> dict[str, float | None]:
    """Mean over all tasks, early-task mean (tasks 2–11) and final-10% mean of `metric`, signed."""
    values = [t.metrics.get(metric) for t in tasks if t.metrics.get(metric) is not None]
    if not values:
        return {"mean_all": None, "early_mean": None, "final_mean": None, "retention": None}
    early = values[1:11] or values[:1]
    final = values[-final_window(len(values)) :]
    mean = lambda xs: sign * sum(xs) / len(xs)  # noqa: E731
    early_mean, final_mean = mean(early), mean(final)
    retention = final_mean / early_mean if early_mean not in (0, None) and sign == 1 else None
    return {"mean_all": mean(values), "early_mean": early_mean, "final_mean": final_mean, "retention": retention}


def config_hash(value: Any) -> str:
    """A short stable hash of a JSON-serialisable value (sorted keys)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def method_identity(method: str, method_version: str, method_config: dict[str, dict[str, Any]]) -> str:
    """`spec@hash`, or `spec@vN@hash` past the first version: one method row of a leaderboard."""
    version = "" if method_version == FIRST_METHOD_VERSION else f"v{method_version}@"
    return f"{method}@{version}{config_hash(method_config)}"


def make_run_id(
    benchmark: str,
    version: str,
    preset: str,
    benchmark_config: dict[str, Any],
    method: str,
    method_config: dict[str, dict[str, Any]],
    seed: int,
    data_source: str = "",
    method_version: str = FIRST_METHOD_VERSION,
    tuning: dict[str, Any] | None = None,
) -> str:
    """A stable id for one run: same protocol, method (and version), config and seed → same id on any machine.

    The first method version adds nothing to the hashed key, so ids made before methods had versions stay valid;
    `tuning` (a tuned run's `TuningTag` as a dict) is hashed in, so a tuned run never reuses a default run's id.
    """
    key: dict[str, Any] = {
        "benchmark": benchmark,
        "version": version,
        "preset": preset,
        "benchmark_config": benchmark_config,
        "method": method,
        "method_config": method_config,
        "seed": seed,
        "data_source": data_source,
    }
    if method_version != FIRST_METHOD_VERSION:
        key["method_version"] = method_version
    if tuning is not None:
        key["tuning"] = tuning
    return f"{benchmark}.{preset}.{method}.s{seed}.{config_hash(key)}"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
