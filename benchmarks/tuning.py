"""Equal-budget tuning: a study per (benchmark, preset, method), its trials as ordinary runs, and the choice.

Every method gets exactly `budget` trials over its own search space plus the benchmark's step size
(`bench.lr`). Trial 0 is the registered defaults; the rest are scrambled Sobol points (Optuna's QMC sampler,
seeded), fixed before any trial runs. Every run carries its study and trial (`TuningTag`), so a study and its
choice are rebuilt from the records alone. Trials run on tuning seeds, selection reads only them, and the
choice is then run on evaluation seeds.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.base import RunContext, get
from benchmarks.planning import plan_jobs
from benchmarks.runner import Job
from core.config import require
from core.errors import UserInputError
from core.files import write_atomic
from core.search_space import Dimension, FloatRange, IntRange, round_significant, step_size_dimension
from leaderboard.records import TUNING_SEED_START, RunRecord, TuningTag, chosen_trial, config_hash, trial_score
from methods import base as method_registry

SAMPLER = "qmc-sobol"
"""Trial 0: defaults; trials 1…: scrambled Sobol points. Fixed in advance, so trials run in parallel and resume exactly."""
STEP_SIZE = "bench.lr"
TUNED_DIR = Path(__file__).parent / "tuned"
"""Where the committed tuned configurations live: one JSON file per benchmark and preset ($CLBENCH_TUNED_DIR overrides)."""


def tuned_dir(directory: Path | None = None) -> Path:
    """`directory` if given, else $CLBENCH_TUNED_DIR if set, else the committed `benchmarks/tuned/`."""
    return directory or Path(os.environ.get("CLBENCH_TUNED_DIR") or TUNED_DIR)


class TuningError(UserInputError):
    """A study that cannot be set up, or a tuned configuration that is missing or stale."""


@dataclass(frozen=True)
class StudySpec:
    """One study: `budget` trials of `method` on `benchmark`'s `preset`, each on `tune_seeds` tuning seeds,
    on the first `horizon` fraction of the stream, sampled from `sampler_seed`."""

    benchmark: str
    preset: str
    method: str
    budget: int
    horizon: float = 1.0
    tune_seeds: int = 1
    sampler_seed: int = 0

    def __post_init__(self) -> None:
        require(isinstance(self.budget, int) and self.budget >= 1, "tune", "budget", "a positive number of trials", self.budget, TuningError)
        require(0 < self.horizon <= 1, "tune", "horizon", "a fraction of the stream in (0, 1]", self.horizon, TuningError)
        require(isinstance(self.tune_seeds, int) and self.tune_seeds >= 1, "tune", "tune_seeds", "a positive number of seeds", self.tune_seeds, TuningError)
        require(isinstance(self.sampler_seed, int) and self.sampler_seed >= 0, "tune", "sampler_seed", "an integer >= 0", self.sampler_seed, TuningError)

    @property
    def seeds(self) -> list[int]:
        return tuning_seeds(self.tune_seeds)


def tuning_seeds(count: int) -> list[int]:
    """The first `count` tuning seeds; never an evaluation seed (leaderboard.records.TUNING_SEED_START)."""
    return [TUNING_SEED_START + i for i in range(count)]


def evaluation_seeds(count: int) -> list[int]:
    """The first `count` evaluation seeds, the ones every default run and leaderboard uses."""
    return list(range(count))


def study_dimensions(benchmark_name: str, preset: str, method: str) -> dict[str, Dimension]:
    """`bench.lr` around the preset's step size, then each method part's declared space (`part.field`)."""
    benchmark = get(benchmark_name)
    config = benchmark.config(preset)
    if not hasattr(config, "lr"):
        raise TuningError(f"{benchmark.name} has no lr setting, so its step size cannot be tuned")
    dimensions: dict[str, Dimension] = {STEP_SIZE: step_size_dimension(config.lr)}
    for part in method.split("+"):
        space = method_registry.get(part).search_space
        if space is None:
            raise TuningError(
                f"method '{part}' declares no search space; give its class `search_space = SearchSpace({{...}}, source=...)` "
                "or `nothing_to_tune(reason)` (docs/adding-a-method.md)"
            )
        dimensions.update({f"{part}.{name}": dimension for name, dimension in space.dimensions.items()})
    return dimensions


def default_params(benchmark_name: str, preset: str, method: str, dimensions: Mapping[str, Dimension]) -> dict[str, Any]:
    """The registered defaults of every dimension: the preset's lr and each method config's field values."""
    configs = {"bench": get(benchmark_name).config(preset)}
    configs.update({part: method_registry.get(part).Config() for part in method.split("+")})
    return {name: getattr(configs[name.partition(".")[0]], name.partition(".")[2]) for name in dimensions}


def trial_params(spec: StudySpec) -> list[dict[str, Any]]:
    """The study's `budget` trials, in order: the defaults, then seeded Sobol points, rounded for readable configs."""
    dimensions = study_dimensions(spec.benchmark, spec.preset, spec.method)
    trials = [default_params(spec.benchmark, spec.preset, spec.method, dimensions)]
    if spec.budget == 1:
        return trials
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    def distribution(dimension: Dimension) -> Any:
        if isinstance(dimension, FloatRange):
            return FloatDistribution(dimension.low, dimension.high, log=dimension.log)
        if isinstance(dimension, IntRange):
            return IntDistribution(dimension.low, dimension.high, log=dimension.log)
        return CategoricalDistribution(list(dimension.options))

    distributions = {name: distribution(dimension) for name, dimension in dimensions.items()}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=spec.sampler_seed, warn_independent_sampling=False)
        study = optuna.create_study(sampler=sampler)
        for _ in range(spec.budget - 1):
            trial = study.ask(distributions)
            trials.append({name: _tidy(trial.params[name], dimensions[name]) for name in dimensions})
    return trials


def _tidy(value: Any, dimension: Dimension) -> Any:
    if isinstance(dimension, FloatRange):
        return min(max(round_significant(float(value)), dimension.low), dimension.high)
    if isinstance(dimension, IntRange):
        return int(value)
    return value


def params_overrides(params: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """`{"bench.lr": 0.003, "nap.every": 2}` as `--set` strings by scope: `{"bench": {"lr": "0.003"}, ...}`."""
    overrides: dict[str, dict[str, str]] = {}
    for name, value in params.items():
        scope, _, field_name = name.partition(".")
        overrides.setdefault(scope, {})[field_name] = repr(value) if isinstance(value, float) else str(value)
    return overrides


@dataclass
class Trial:
    """One trial: its values, its runs (one per tuning seed) and, once they are recorded, their scores."""

    number: int
    params: dict[str, Any]
    jobs: list[Job]
    records: list[RunRecord] = field(default_factory=list)
    """Its runs' records, one per job, once all of them are in the store."""

    @property
    def complete(self) -> bool:
        return len(self.records) == len(self.jobs)

    @property
    def scores(self) -> list[float | None]:
        return [r.score if r.status == "ok" else None for r in self.records]

    @property
    def score(self) -> float | None:
        """Mean headline score over the tuning seeds (`leaderboard.records.trial_score`); None until complete."""
        return trial_score(self.records) if self.complete else None


@dataclass
class Study:
    spec: StudySpec
    dimensions: dict[str, Dimension]
    trials: list[Trial]

    @property
    def jobs(self) -> list[Job]:
        return [job for trial in self.trials for job in trial.jobs]

    @property
    def complete(self) -> bool:
        return all(trial.complete for trial in self.trials)

    def read(self, records: Mapping[str, RunRecord]) -> Study:
        """Fill each trial's scores from the records (by run id); a trial missing a run stays incomplete."""
        for trial in self.trials:
            found = [records.get(job.run_id) for job in trial.jobs]
            if all(r is not None for r in found):
                trial.records = found  # type: ignore[assignment]
        return self

    @property
    def chosen(self) -> Trial:
        """The trial with the best mean tuning score; ties go to the earlier trial (`leaderboard.records.chosen_trial`)."""
        if not self.complete:
            raise TuningError(f"study {self.label} is incomplete; run `clbench tune` again to finish it")
        number = chosen_trial({t.number: t.score for t in self.trials})
        if number is None:
            raise TuningError(f"study {self.label}: every trial diverged or failed, so there is nothing to choose")
        return next(t for t in self.trials if t.number == number)

    @property
    def label(self) -> str:
        s = self.spec
        return f"{s.benchmark}/{s.preset} {s.method} (budget {s.budget}, horizon {s.horizon:g})"

    @property
    def fingerprint(self) -> str:
        """A hash of the study id and every trial's runs and scores: the same finished study gives the same fingerprint."""
        return config_hash({
            "study": self.id,
            "trials": [{"params": t.params, "runs": [j.run_id for j in t.jobs], "scores": t.scores} for t in self.trials],
        })

    @property
    def id(self) -> str:
        return study_id(self.spec, self.dimensions)


def study_id(spec: StudySpec, dimensions: Mapping[str, Dimension]) -> str:
    """A hash of the spec, the sampler and the space: what every run of the study carries (`TuningTag.study`)."""
    return config_hash({
        "spec": dataclasses.asdict(spec),
        "sampler": SAMPLER,
        "dimensions": {name: dimension.describe() for name, dimension in dimensions.items()},
    })


def tag(spec: StudySpec, study: str, trial: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """The `TuningTag` (leaderboard.records) of one of the study's runs, as a plain dict."""
    return TuningTag(budget=spec.budget, horizon=spec.horizon, tune_seeds=spec.tune_seeds, sampler_seed=spec.sampler_seed,
                     study=study, trial=trial, params=dict(params)).model_dump()


def plan_study(spec: StudySpec, context: RunContext | None = None) -> Study:
    """The study's trials and their jobs (runs on the tuning seeds, on the first `horizon` of the stream)."""
    benchmark = get(spec.benchmark)
    horizon = benchmark.horizon_overrides(benchmark.config(spec.preset), spec.horizon)
    dimensions = study_dimensions(spec.benchmark, spec.preset, spec.method)
    identity = study_id(spec, dimensions)
    trials = []
    for number, params in enumerate(trial_params(spec)):
        overrides = params_overrides(params)
        overrides["bench"] = {**overrides.get("bench", {}), **horizon}
        jobs = plan_jobs([spec.benchmark], [spec.method], spec.seeds, spec.preset, overrides, context)
        trials.append(Trial(number, params, [dataclasses.replace(job, tuning=tag(spec, identity, number, params)) for job in jobs]))
    return Study(spec, dimensions, trials)


def rebuild_studies(records: list[RunRecord], context: RunContext | None = None) -> list[Study]:
    """Every study whose trials appear in `records`, planned again from the specs its records carry and filled
    from the same records: the study and its choice come back from the records alone."""
    specs: dict[str, StudySpec] = {}
    for record in records:
        if record.tuning is not None and record.seed_role == "tuning":
            t = record.tuning
            specs[t.study] = StudySpec(record.benchmark, record.preset, record.method, t.budget, t.horizon, t.tune_seeds, t.sampler_seed)
    by_id = {record.run_id: record for record in records}
    studies = []
    for identity, spec in specs.items():
        study = plan_study(spec, context)
        if study.id != identity:
            raise TuningError(f"the records of study {identity} ({study.label}) were made with another search space or sampler; today's plans study {study.id}")
        studies.append(study.read(by_id))
    return studies


# -- tuned configurations, committed as data ---------------------------------------------------------
@dataclass(frozen=True)
class TunedChoice:
    """What a finished study chose, as committed in `benchmarks/tuned/`: enough to rerun it and to check it is current."""

    benchmark: str
    benchmark_version: str
    preset: str
    method: str
    method_version: str
    budget: int
    horizon: float
    tune_seeds: int
    sampler: str
    sampler_seed: int
    params: dict[str, Any]
    selection_score: float
    study: str
    """The study's id (spec, sampler and space), as its runs carry it."""
    fingerprint: str
    """A hash of the study id and every trial's runs and scores."""
    trial: int

    def spec(self) -> StudySpec:
        return StudySpec(self.benchmark, self.preset, self.method, self.budget, self.horizon, self.tune_seeds, self.sampler_seed)

    def describe(self) -> str:
        return f"budget {self.budget}, horizon {self.horizon:g}, {self.tune_seeds} tuning seed(s)"


def choice_of(study: Study) -> TunedChoice:
    chosen = study.chosen
    spec = study.spec
    method = method_registry.create(spec.method)
    return TunedChoice(
        benchmark=spec.benchmark, benchmark_version=get(spec.benchmark).version, preset=spec.preset, method=spec.method,
        method_version=method.method_version, budget=spec.budget, horizon=spec.horizon, tune_seeds=spec.tune_seeds,
        sampler=SAMPLER, sampler_seed=spec.sampler_seed, params=chosen.params, selection_score=chosen.score,  # type: ignore[arg-type]
        study=study.id, fingerprint=study.fingerprint, trial=chosen.number,
    )


def tuned_path(benchmark: str, preset: str, directory: Path | None = None) -> Path:
    return tuned_dir(directory) / f"{benchmark}.{preset}.json"


def load_choices(benchmark: str, preset: str, directory: Path | None = None) -> list[TunedChoice]:
    """Every committed choice for a benchmark and preset (none if the file does not exist)."""
    path = tuned_path(benchmark, preset, directory)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
        return [TunedChoice(**entry) for entry in data["choices"]]
    except (ValueError, KeyError, TypeError) as error:
        raise TuningError(f"{path} is not a tuned-configuration file ({error}); restore it from git or tune again") from None


def all_choices(directory: Path | None = None) -> list[TunedChoice]:
    """Every committed choice, over all benchmarks and presets (for `clbench methods show`)."""
    found = []
    for path in sorted(tuned_dir(directory).glob("*.json")):
        benchmark, _, preset = path.name.removesuffix(".json").rpartition(".")
        found.extend(load_choices(benchmark, preset, directory))
    return found


def save_choices(choices: list[TunedChoice], directory: Path | None = None) -> list[Path]:
    """Merge `choices` into their files, replacing any entry of the same method, budget, horizon and seeds; atomic."""
    written = []
    by_file: dict[tuple[str, str], list[TunedChoice]] = {}
    for choice in choices:
        by_file.setdefault((choice.benchmark, choice.preset), []).append(choice)
    for (benchmark, preset), new in by_file.items():
        kept = {_slot(c): c for c in load_choices(benchmark, preset, directory)}
        kept.update({_slot(c): c for c in new})
        ordered = sorted(kept.values(), key=lambda c: (c.method, c.horizon, c.budget, c.tune_seeds, c.sampler_seed))
        path = tuned_path(benchmark, preset, directory)
        body = {"benchmark": benchmark, "preset": preset, "choices": [dataclasses.asdict(c) for c in ordered]}
        write_atomic(path, json.dumps(body, indent=1, sort_keys=False) + "\n")
        written.append(path)
    return written


def _slot(choice: TunedChoice) -> tuple:
    return (choice.method, choice.budget, choice.horizon, choice.tune_seeds, choice.sampler_seed)


def find_choice(
    benchmark: str, preset: str, method: str, *, horizon: float | None = None, budget: int | None = None, directory: Path | None = None,
) -> TunedChoice:
    """The one committed choice that `--config tuned` means: filtered by horizon and budget when given; it must
    match today's benchmark and method versions."""
    candidates = [c for c in load_choices(benchmark, preset, directory) if c.method == method]
    if not candidates:
        raise TuningError(f"no tuned configuration of {method} on {benchmark}/{preset}; run `clbench tune -b {benchmark} -m {method} --preset {preset}` first")
    narrowed = [c for c in candidates if (horizon is None or c.horizon == horizon) and (budget is None or c.budget == budget)]
    if horizon is None and budget is None and len(narrowed) > 1:
        full = [c for c in narrowed if c.horizon == 1.0]
        narrowed = full if len(full) == 1 else narrowed
    if len(narrowed) != 1:
        have = "; ".join(c.describe() for c in candidates)
        why = "several match" if narrowed else "none matches"
        raise TuningError(f"{method} on {benchmark}/{preset}: {why} (tuned: {have}); pick one with --tuned-horizon and --tuned-budget")
    choice = narrowed[0]
    benchmark_version = get(benchmark).version
    method_version = method_registry.create(method).method_version
    if (choice.benchmark_version, choice.method_version) != (benchmark_version, method_version):
        raise TuningError(
            f"the tuned configuration of {method} on {benchmark}/{preset} was chosen for benchmark v{choice.benchmark_version}, "
            f"method v{choice.method_version}; today they are v{benchmark_version} and v{method_version}: tune again"
        )
    return choice


def evaluation_jobs(choice: TunedChoice, seeds: list[int], context: RunContext | None = None) -> list[Job]:
    """The chosen configuration on the whole stream and on evaluation seeds, each run tagged with its study."""
    if any(seed >= TUNING_SEED_START for seed in seeds):
        raise TuningError(f"evaluation seeds must be below {TUNING_SEED_START}; seeds from there on are tuning seeds")
    jobs = plan_jobs([choice.benchmark], [choice.method], seeds, choice.preset, params_overrides(choice.params), context)
    chosen = tag(choice.spec(), choice.study, choice.trial, choice.params)
    return [dataclasses.replace(job, tuning=chosen) for job in jobs]
