"""W&B publishing and live logging in offline mode (tests/conftest.py points every WANDB_* dir at tmp)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wandb

from leaderboard.publish_wandb import WandbLiveSink, choose_mode, history, wandb_run_id
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard import wandb_reader
from tests.leaderboard.record_factory import make_record

RECORDS = [make_record("baseline", s, [0.8, 0.6, x], diagnostics={"weight_norm": [1.0, 2.0, 3.0]}) for s, x in enumerate([0.3, 0.5])]
RECORDS += [make_record("reset_full", s, [0.8, 0.8, x]) for s, x in enumerate([0.9, 0.7])]


def offline_runs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "wandb" / "wandb").glob("offline-run-*"))


def publish(tmp_path: Path, *extra: str):
    store = tmp_path / "s.db"
    ResultsStore(store).put_many(RECORDS)
    return run_cli("leaderboard", "publish", "--wandb-project", "clbench-test", "--store", str(store), "--reps", "100", *extra)


@pytest.mark.slow
def test_without_an_api_key_publishing_goes_offline_and_prints_the_sync_command(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_MODE")
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    assert choose_mode() == ("offline", "no W&B API key (set WANDB_API_KEY or run `wandb login`)")
    result = publish(tmp_path)
    assert result.exit_code == 0, result.output
    assert "published 5 W&B runs" in result.stdout
    assert "upload later with: wandb sync " in result.stdout and str(offline_runs(tmp_path)[0]) in result.stdout


@pytest.mark.slow
def test_with_a_key_but_no_network_publishing_goes_offline_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_MODE")
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    assert choose_mode() == ("offline", "cannot reach 127.0.0.1 within 3 s")
    result = publish(tmp_path)
    assert result.exit_code == 0, result.output
    assert "W&B offline: cannot reach 127.0.0.1" in result.stdout and "wandb sync" in result.stdout


@pytest.mark.slow
def test_offline_leaderboard_table_reads_back_from_the_run_folder(tmp_path):
    assert publish(tmp_path).exit_code == 0
    folder = next(f for f in offline_runs(tmp_path) if f.name.endswith("clb-leaderboard"))
    table = json.loads(next((folder / "files" / "media" / "table").glob("overall-smoke_*.table.json")).read_text())
    rows = {row[table["columns"].index("method")]: row for row in table["data"]}
    assert set(rows) == {"baseline", "reset_full"}
    iqm = table["columns"].index("normalised_iqm")
    assert rows["baseline"][iqm] < rows["reset_full"][iqm]


@pytest.mark.slow
def test_each_record_is_a_run_with_group_job_type_config_summary_and_history(tmp_path):
    assert publish(tmp_path).exit_code == 0
    record = RECORDS[0]
    folder = next(f for f in offline_runs(tmp_path) if f.name.endswith(wandb_run_id(record.run_id)))
    run_file = next(folder.glob("run-*.wandb"))
    run = next(r.run for r in wandb_reader.records(run_file) if r.WhichOneof("record_type") == "run")
    assert (run.run_group, run.job_type) == ("toy", "smoke")
    assert wandb_reader.config(run_file)["method"] == "baseline"
    assert wandb_reader.summary(run_file)["score"] == record.score
    rows = wandb_reader.history(run_file)
    assert [(r["_step"], r["task"], r["task/online_accuracy"]) for r in rows] == [(10, 0, 0.8), (20, 1, 0.6), (30, 2, 0.3)]
    assert [r["diagnostics/weight_norm"] for r in rows] == [1.0, 2.0, 3.0]


@pytest.mark.slow
def test_publishing_twice_publishes_nothing_new(tmp_path):
    assert publish(tmp_path).exit_code == 0
    count = len(offline_runs(tmp_path))
    again = publish(tmp_path)
    assert again.exit_code == 0 and "published 0 W&B runs, 5 unchanged" in again.stdout
    assert len(offline_runs(tmp_path)) == count


def test_history_puts_task_metrics_at_each_task_end_step():
    steps = [step for step, _ in history(RECORDS[0])]
    assert steps == [10, 20, 30]


class Job:
    benchmark, preset, method, seed = "toy", "smoke", "baseline", 0
    method_config = {"baseline": {}}
    benchmark_config = {"tasks": 3}


@pytest.mark.slow
def test_live_sink_logs_tasks_and_diagnostics_at_their_steps_offline(tmp_path):
    record = RECORDS[0]
    sink = WandbLiveSink(project="clbench-test")
    sink.run_started(record.run_id, {"job": Job()})
    step = 0
    for task, point in zip(record.tasks, record.diagnostics):
        step += task.steps
        sink.diagnostics(point)
        sink.task_finished(task, step)
        sink.progress(step, 30)
    sink.run_finished(record)
    wandb.teardown()  # waits until the W&B service has written everything
    assert not sink.disabled and sink.mode == "offline"
    run_file = next(sink.offline_dirs[0].glob("run-*.wandb"))
    assert sink.offline_dirs[0].name.endswith(wandb_run_id(record.run_id))
    rows = wandb_reader.history(run_file)
    assert [(r["_step"], r["task/online_accuracy"], r["diagnostics/weight_norm"], r["progress"]) for r in rows] == [
        (10, 0.8, 1.0, 1 / 3), (20, 0.6, 2.0, 2 / 3), (30, 0.3, 3.0, 1.0)]
    assert wandb_reader.summary(run_file)["score"] == record.score
    assert wandb_reader.config(run_file)["preset"] == "smoke"


@pytest.mark.slow
def test_clbench_run_with_wandb_logs_the_run_live_offline(tmp_path):
    result = run_cli("run", "-b", "permuted-mnist", "-m", "baseline", "--seed", "0", "--store", str(tmp_path / "s.db"),
                     "--no-progress", "--wandb", "--wandb-project", "clbench-test")
    assert result.exit_code == 0, result.output
    wandb.teardown()
    assert "wandb sync" in result.stderr
    (folder,) = offline_runs(tmp_path)
    rows = wandb_reader.history(next(folder.glob("run-*.wandb")))
    assert rows and any("task/online_accuracy" in row for row in rows)
    assert wandb_reader.summary(next(folder.glob("run-*.wandb")))["status"] == "ok"
