"""`clbench tune`: equal budgets, choices written as data and run on evaluation seeds, `run --config tuned`,
`methods show` listing the tuned values, a killed study resumed, and bad input refused in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from benchmarks import tuning
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli

TUNE = ("tune", "-b", "random-label-mnist", "--budget", "3", "--preset", "smoke", "--no-progress")


def test_tune_gives_every_method_the_same_trials_and_runs_each_choice_on_evaluation_seeds(store_path):
    result = run_cli(*TUNE, "-m", "baseline,redo,reset_full", "--eval-seeds", "2", "--store", str(store_path))
    assert result.exit_code == 0, result.output
    records = ResultsStore(store_path).records()
    trials = [r for r in records if r.seed_role == "tuning"]
    assert Counter(r.method for r in trials) == {"baseline": 3, "redo": 3, "reset_full": 3}
    evaluated = [r for r in records if r.seed_role == "evaluation"]
    assert sorted((r.method, r.seed) for r in evaluated) == sorted((m, s) for m in ("baseline", "redo", "reset_full") for s in (0, 1))
    assert all(r.tuning is not None and r.tuning.params for r in evaluated)
    choices = tuning.load_choices("random-label-mnist", "smoke")
    assert {c.method for c in choices} == {"baseline", "redo", "reset_full"} and all(c.budget == 3 for c in choices)
    assert "chose random-label-mnist/smoke redo: trial" in result.output


def test_tuning_again_runs_nothing_and_writes_the_same_choice(store_path):
    args = (*TUNE, "-m", "redo", "--eval-seeds", "1", "--store", str(store_path))
    assert run_cli(*args).exit_code == 0
    first = tuning.tuned_path("random-label-mnist", "smoke").read_text()
    again = run_cli(*args)
    assert again.exit_code == 0, again.output
    assert "3 of 3 runs already complete" in again.output and "1 of 1 runs already complete" in again.output
    assert tuning.tuned_path("random-label-mnist", "smoke").read_text() == first


def test_run_with_the_tuned_config_uses_the_committed_choice_and_methods_show_lists_it(store_path):
    assert run_cli(*TUNE, "-m", "redo", "--eval-seeds", "0", "--store", str(store_path)).exit_code == 0
    (choice,) = tuning.load_choices("random-label-mnist", "smoke")
    ran = run_cli("run", "-b", "random-label-mnist", "-m", "redo", "--seed", "0", "--preset", "smoke", "--config", "tuned",
                  "--store", str(store_path), "--no-progress")
    assert ran.exit_code == 0, ran.output
    (record,) = [r for r in ResultsStore(store_path).records() if r.seed == 0]
    assert record.tuning.params == choice.params and record.tuning.study == choice.study
    assert record.benchmark_config["lr"] == choice.params["bench.lr"]
    assert record.method_config["redo"]["tau"] == choice.params["redo.tau"]
    shown = json.loads(run_cli("methods", "show", "redo", "--json").stdout)
    assert shown["tuned"][0]["params"] == choice.params and shown["search_space"]["dimensions"]["tau"]


def test_run_with_the_tuned_config_and_no_choice_says_how_to_make_one(store_path):
    result = run_cli("run", "-b", "random-label-mnist", "-m", "nap", "--seed", "0", "--preset", "smoke", "--config", "tuned", "--store", str(store_path))
    assert result.exit_code == 2
    assert "clbench tune -b random-label-mnist -m nap --preset smoke" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (("--budget", "0"), "tune.budget=0"),
    (("--horizon", "1.5"), "tune.horizon=1.5"),
    (("--tune-seeds", "0"), "tune.tune_seeds=0"),
    (("--eval-seeds", "10001"), "seeds from 10000 on are tuning seeds"),
    (("-m", "napp"), "did you mean 'nap'"),
    (("--horizon", "0.5", "-b", "class-incremental-mnist"), "horizon below 1 is not defined"),
])
def test_bad_tune_input_is_one_line_and_exit_code_2(args, message, store_path):
    base = ["tune", "-b", "random-label-mnist", "-m", "baseline", "--budget", "2", "--preset", "smoke", "--store", str(store_path)]
    for flag, value in zip(args[::2], args[1::2]):
        if flag in base:
            base[base.index(flag) + 1] = value
        else:
            base += [flag, value]
    result = run_cli(*base)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not store_path.exists() or not ResultsStore(store_path).records()


@pytest.mark.parametrize("args, message", [
    (("--seed", "10000"), "tuning seeds"),
    (("--seeds", "10001"), "tuning seeds"),
    (("--seed", "0", "--config", "tuned", "--set", "redo.tau=0"), "no --set"),
    (("--seed", "0", "--config", "best"), "--config must be default or tuned"),
])
def test_run_refuses_tuning_seeds_and_a_tuned_config_with_overrides(args, message, store_path):
    result = run_cli("run", "-b", "random-label-mnist", "-m", "redo", "--preset", "smoke", "--store", str(store_path), *args)
    assert result.exit_code == 2 and message in result.stderr, result.output


@pytest.mark.slow
def test_a_study_killed_mid_way_finishes_only_what_is_missing_when_run_again(store_path, tmp_path):
    args = [*TUNE, "-m", "baseline,redo", "--eval-seeds", "1", "--store", str(store_path), "--jobs", "2"]
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200", CLBENCH_TUNED_DIR=str(tmp_path / "tuned"))
    driver = subprocess.Popen([sys.executable, "-m", "clbench.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    while sum(line.startswith("ok ") for line in lines) < 1:
        line = driver.stdout.readline()
        assert line, "".join(lines)
        lines.append(line)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    before = {r.run_id: r.finished_at for r in ResultsStore(store_path).records()}
    assert 1 <= len(before) < 6

    resumed = run_cli(*args)
    assert resumed.exit_code == 0, resumed.output
    assert f"{len(before)} of 6 runs already complete" in resumed.output
    after = ResultsStore(store_path).records()
    assert len(after) == 6 + 2 and len({r.run_id for r in after}) == len(after)
    assert all(r.finished_at == before[r.run_id] for r in after if r.run_id in before)


def test_a_dry_run_plans_every_trial_and_runs_and_writes_nothing(store_path):
    result = run_cli(*TUNE, "-m", "baseline,redo", "--store", str(store_path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.count("would run random-label-mnist/smoke") == 6
    assert not ResultsStore(store_path).records()
    assert not tuning.tuned_path("random-label-mnist", "smoke").exists()
