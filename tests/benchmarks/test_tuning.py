"""Equal-budget tuning (benchmarks/tuning.py): every method gets the same trials, the step size included; trials
run on tuning seeds only; selection reads only them; the study and its choice come back from the records alone."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks import base as bench_base
from benchmarks import tuning
from benchmarks.executors import InProcessExecutor
from benchmarks.base import RunContext
from benchmarks.tuning import StudySpec, TuningError, choice_of, evaluation_jobs, find_choice, plan_study, rebuild_studies, save_choices
from clbench.sweep import pending_jobs, run_sweep
from leaderboard.records import TUNING_SEED_START, HeadlineRule, TaskMetrics
from leaderboard.store import ResultsStore
from methods import base as method_registry
from tests.leaderboard.record_factory import make_record

QUICK = dict(benchmark="random-label-mnist", preset="quick")


@pytest.mark.parametrize("method", ["baseline", "reset_full", "nap", "redo", "shrink_perturb", "soft_reset", "nap+redo"])
def test_every_method_gets_exactly_the_budget_in_trials_whatever_its_space(method):
    study = plan_study(StudySpec(method=method, budget=8, **QUICK))
    assert len(study.trials) == 8
    assert all(len(trial.jobs) == 1 for trial in study.trials)


@pytest.mark.parametrize("method", ["baseline", "layernorm", "cbp", "tam"])
def test_the_benchmark_step_size_is_a_dimension_of_every_method_baseline_included(method):
    dimensions = tuning.study_dimensions("random-label-mnist", "quick", method)
    assert list(dimensions)[0] == "bench.lr"
    lrs = {trial["bench.lr"] for trial in tuning.trial_params(StudySpec(method=method, budget=8, **QUICK))}
    assert len(lrs) == 8 and min(lrs) >= 1e-4 and max(lrs) <= 1e-2


def test_a_method_with_nothing_to_tune_is_tuned_on_the_step_size_alone():
    assert list(tuning.study_dimensions("random-label-mnist", "quick", "reset_full")) == ["bench.lr"]
    assert method_registry.get("reset_full").search_space.reason


def test_trial_zero_is_the_registered_defaults_and_the_others_come_from_the_method_space():
    trials = tuning.trial_params(StudySpec(method="redo", budget=8, **QUICK))
    assert trials[0] == {"bench.lr": 1e-3, "redo.tau": 0.1, "redo.every": 1}
    assert {t["redo.tau"] for t in trials} <= {0.0, 0.01, 0.1}
    assert len({tuple(t.items()) for t in trials}) > 4


def test_the_sampler_is_seeded_so_a_study_plans_the_same_trials_every_time_and_another_seed_plans_others():
    spec = StudySpec(method="shrink_perturb", budget=6, **QUICK)
    assert tuning.trial_params(spec) == tuning.trial_params(spec)
    other = tuning.trial_params(dataclasses.replace(spec, sampler_seed=1))
    assert other[0] == tuning.trial_params(spec)[0] and other[1:] != tuning.trial_params(spec)[1:]


def test_trials_run_on_tuning_seeds_and_evaluation_on_disjoint_evaluation_seeds():
    study = plan_study(StudySpec(method="baseline", budget=3, tune_seeds=2, **QUICK))
    trial_seeds = {job.seed for job in study.jobs}
    assert trial_seeds == {TUNING_SEED_START, TUNING_SEED_START + 1}
    assert trial_seeds.isdisjoint(tuning.evaluation_seeds(100))
    with pytest.raises(TuningError, match="tuning seeds"):
        evaluation_jobs(_choice(study), [0, TUNING_SEED_START])


def test_every_trial_run_carries_its_study_and_trial():
    study = plan_study(StudySpec(method="redo", budget=3, **QUICK))
    for trial in study.trials:
        (job,) = trial.jobs
        assert job.tuning["study"] == study.id and job.tuning["trial"] == trial.number and job.tuning["params"] == trial.params


def test_the_horizon_tunes_on_the_first_fraction_of_the_tasks():
    study = plan_study(StudySpec(method="baseline", budget=2, horizon=0.3, **QUICK))
    assert {job.benchmark_fields["num_tasks"] for job in study.jobs} == {18}
    regression = plan_study(StudySpec("slowly-changing-regression", "quick", "baseline", budget=2, horizon=0.3))
    assert {job.benchmark_fields["num_examples"] for job in regression.jobs} == {180_000}


def test_a_horizon_on_a_benchmark_without_a_task_count_is_refused_clearly():
    with pytest.raises(Exception, match="horizon below 1 is not defined"):
        plan_study(StudySpec("class-incremental-mnist", "smoke", "baseline", budget=2, horizon=0.5))


@pytest.mark.parametrize("field, value", [("budget", 0), ("horizon", 0.0), ("horizon", 1.5), ("tune_seeds", 0), ("sampler_seed", -1)])
def test_a_study_spec_names_the_field_it_refuses(field, value):
    settings = dict(method="baseline", budget=2, **QUICK)
    settings[field] = value
    with pytest.raises(TuningError, match=f"tune.{field}"):
        StudySpec(**settings)


def test_a_method_without_a_declared_space_is_refused_with_what_to_write(monkeypatch):
    monkeypatch.setattr(method_registry.get("baseline"), "search_space", None)
    with pytest.raises(TuningError, match="declares no search space"):
        tuning.study_dimensions("random-label-mnist", "quick", "baseline")


# -- running a small study at the smoke preset ------------------------------------------------------------------
SMOKE = dict(benchmark="random-label-mnist", preset="smoke", budget=3)


def run_study(spec: StudySpec, store: ResultsStore):
    study = plan_study(spec)
    run_sweep(pending_jobs(study.jobs, store, force=False), store, InProcessExecutor(), RunContext())
    return study.read({r.run_id: r for r in store.records()})


def test_selection_picks_the_best_mean_tuning_score_and_reads_no_evaluation_seed(store_path):
    store = ResultsStore(store_path)
    study = run_study(StudySpec(method="redo", **SMOKE), store)
    best = max(study.trials, key=lambda t: (t.score, -t.number))
    assert study.chosen is best
    loser = min(study.trials, key=lambda t: t.score)
    boosted = dataclasses.replace(loser.jobs[0], seed=0, tuning=None)
    record = store.get(loser.jobs[0].run_id).model_copy(update={"run_id": boosted.run_id, "seed": 0, "seed_role": "evaluation", "tuning": None})
    store.put(record)
    assert plan_study(study.spec).read({r.run_id: r for r in store.records()}).chosen.number == best.number


def test_a_diverged_trial_is_recorded_and_ranked_last_never_dropped(store_path):
    store = ResultsStore(store_path)
    study = run_study(StudySpec(method="baseline", **SMOKE), store)
    best = study.chosen
    broken = store.get(best.jobs[0].run_id).model_copy(update={"status": "diverged", "score": None, "diverged_at_step": 3})
    records = {r.run_id: r for r in store.records()} | {broken.run_id: broken}
    again = plan_study(study.spec).read(records)
    assert again.complete and again.trials[best.number].score is None
    assert again.chosen.number != best.number


def test_an_incomplete_study_has_no_choice_yet(store_path):
    study = plan_study(StudySpec(method="baseline", **SMOKE)).read({})
    with pytest.raises(TuningError, match="incomplete"):
        study.chosen


def test_the_study_and_its_choice_are_rebuilt_from_the_records_alone(store_path, tmp_path):
    store = ResultsStore(store_path)
    study = run_study(StudySpec(method="redo", **SMOKE), store)
    choice = choice_of(study)
    copied = ResultsStore(tmp_path / "copy.db")
    copied.put_many(store.records())
    (rebuilt,) = rebuild_studies(copied.records())
    assert rebuilt.spec == study.spec
    assert choice_of(rebuilt) == choice


def _choice(study):
    """The study's choice once trial 0 scored 0.5 and every other trial 0.1 (hand-built records)."""
    for trial in study.trials:
        trial.records = [make_record(study.spec.method, 0, score=0.5 if trial.number == 0 else 0.1) for _ in trial.jobs]
    return choice_of(study)


# -- tuned configurations as committed data -----------------------------------------------------------------------
def test_choices_round_trip_through_their_file_and_a_new_study_replaces_only_its_own_slot(tmp_path):
    full = _choice(plan_study(StudySpec(method="redo", budget=3, **QUICK)))
    early = _choice(plan_study(StudySpec(method="redo", budget=3, horizon=0.3, **QUICK)))
    save_choices([full, early], tmp_path)
    assert tuning.load_choices("random-label-mnist", "quick", tmp_path) == [early, full]
    newer = dataclasses.replace(full, selection_score=0.9)
    save_choices([newer], tmp_path)
    assert tuning.load_choices("random-label-mnist", "quick", tmp_path) == [early, newer]


def test_the_tuned_config_is_the_full_horizon_choice_unless_another_is_named(tmp_path):
    full = _choice(plan_study(StudySpec(method="redo", budget=3, **QUICK)))
    early = _choice(plan_study(StudySpec(method="redo", budget=3, horizon=0.3, **QUICK)))
    save_choices([full, early], tmp_path)
    assert find_choice("random-label-mnist", "quick", "redo", directory=tmp_path) == full
    assert find_choice("random-label-mnist", "quick", "redo", horizon=0.3, directory=tmp_path) == early
    with pytest.raises(TuningError, match="none matches"):
        find_choice("random-label-mnist", "quick", "redo", budget=99, directory=tmp_path)


def test_a_missing_or_stale_tuned_config_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(TuningError, match="clbench tune -b random-label-mnist -m nap"):
        find_choice("random-label-mnist", "quick", "nap", directory=tmp_path)
    stale = dataclasses.replace(_choice(plan_study(StudySpec(method="redo", budget=2, **QUICK))), method_version="1")
    save_choices([stale], tmp_path)
    with pytest.raises(TuningError, match="tune again"):
        find_choice("random-label-mnist", "quick", "redo", directory=tmp_path)


def test_a_damaged_tuned_file_is_an_error_not_a_traceback(tmp_path):
    tuning.tuned_path("random-label-mnist", "quick", tmp_path).parent.mkdir(parents=True, exist_ok=True)
    tuning.tuned_path("random-label-mnist", "quick", tmp_path).write_text("{not json")
    with pytest.raises(TuningError, match="not a tuned-configuration file"):
        tuning.load_choices("random-label-mnist", "quick", tmp_path)


def test_evaluation_runs_the_choice_on_the_whole_stream_tagged_with_its_study():
    study = plan_study(StudySpec(method="redo", budget=3, horizon=0.3, **QUICK))
    choice = _choice(study)
    jobs = evaluation_jobs(choice, [0, 1, 2])
    assert [job.seed for job in jobs] == [0, 1, 2]
    assert {job.benchmark_fields["num_tasks"] for job in jobs} == {60}
    assert all(job.tuning["study"] == study.id and job.tuning["trial"] == 0 for job in jobs)
    default = evaluation_jobs(choice, [0])[0]
    assert default.run_id != dataclasses.replace(default, tuning=None).run_id


# -- a fake benchmark whose evaluation seeds would choose differently ----------------------------------------------
@dataclasses.dataclass(frozen=True)
class SeedSwitchConfig:
    lr: float = 1e-3
    num_tasks: int = 2


class SeedSwitch(bench_base.Benchmark):
    """Its score rewards a small step size on tuning seeds and a large one on evaluation seeds."""

    name = "seed-switch"
    Config = SeedSwitchConfig
    presets = {"smoke": SeedSwitchConfig()}
    headline = HeadlineRule(metric="online_accuracy", select="last_n", n=1, chance=0.0)

    def run(self, method, seed, config, context):
        small_is_better = seed >= TUNING_SEED_START
        score = 1.0 / (1.0 + config.lr * 1e3) if small_is_better else config.lr * 1e2
        tasks = [TaskMetrics(task=i, steps=1, metrics={"online_accuracy": score}) for i in range(config.num_tasks)]
        return bench_base.BenchmarkResult(tasks=tasks, steps=config.num_tasks)


@pytest.fixture
def seed_switch():
    bench_base.load_all()
    bench_base._REGISTRY[SeedSwitch.name] = SeedSwitch
    yield SeedSwitch
    bench_base._REGISTRY.pop(SeedSwitch.name, None)


def test_selection_never_reads_an_evaluation_seed_even_where_those_would_choose_otherwise(seed_switch, store_path):
    store = ResultsStore(store_path)
    study = run_study(StudySpec("seed-switch", "smoke", "baseline", budget=6), store)
    chosen = study.chosen.params["bench.lr"]
    assert chosen == min(t.params["bench.lr"] for t in study.trials)
    every_trial_on_evaluation_seeds = [job for t in study.trials for job in evaluation_jobs(_choice_of_trial(study, t), [0])]
    run_sweep(every_trial_on_evaluation_seeds, store, InProcessExecutor(), RunContext())
    evaluated = {r.tuning.params["bench.lr"]: r.score for r in store.records() if r.seed_role == "evaluation"}
    assert max(evaluated, key=evaluated.get) != chosen
    assert plan_study(study.spec).read({r.run_id: r for r in store.records()}).chosen.params["bench.lr"] == chosen


def test_the_same_sampler_seed_gives_the_same_choice_and_fingerprint_in_another_store(seed_switch, tmp_path):
    first = choice_of(run_study(StudySpec("seed-switch", "smoke", "baseline", budget=5), ResultsStore(tmp_path / "a.db")))
    second = choice_of(run_study(StudySpec("seed-switch", "smoke", "baseline", budget=5), ResultsStore(tmp_path / "b.db")))
    assert first == second


def _choice_of_trial(study, trial):
    return dataclasses.replace(choice_of(study), params=trial.params, trial=trial.number)
