"""Weights & Biases: publish stored runs and the leaderboard, or log runs live, in one layout.

Layout: one W&B run per record (id derived from the record's run id, group = benchmark,
job_type = preset, config = method and benchmark config, summary = headline metrics, history =
per-task metrics and diagnostics at their training step), plus one leaderboard run holding every
table (`wandb.Table`) and the performance-profile plots. With no API key or no network, everything
goes to offline run folders and the `wandb sync` command to upload them is printed.
"""

from __future__ import annotations

import hashlib
import json
import math
import netrc
import os
import socket
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from leaderboard.errors import LeaderboardError
from leaderboard.records import FIRST_METHOD_VERSION, DiagnosticPoint, RunRecord, TaskMetrics

DEFAULT_BASE_URL = "https://api.wandb.ai"
LEADERBOARD_RUN = "clb-leaderboard"
CONNECT_TIMEOUT_S = 3.0
INIT_TIMEOUT_S = 60.0


def wandb_run_id(run_id: str) -> str:
    """A stable W&B id for a record: the same record always lands in the same W&B run."""
    return "clb-" + hashlib.sha256(run_id.encode()).hexdigest()[:24]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def has_credentials(base_url: str) -> bool:
    """An API key in the environment or a .netrc entry for the W&B host."""
    if os.environ.get("WANDB_API_KEY") or os.environ.get("WANDB_IDENTITY_TOKEN_FILE"):
        return True
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    try:
        return netrc.netrc(path).authenticators(urlparse(base_url).hostname or "") is not None
    except (OSError, netrc.NetrcParseError):
        return False


def reachable(base_url: str, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    parsed = urlparse(base_url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def choose_mode(offline: bool = False) -> tuple[str, str | None]:
    """("online", None) or ("offline", why): offline when asked, with no API key, or with no network."""
    if offline:
        return "offline", "offline mode was requested"
    if os.environ.get("WANDB_MODE", "").lower() in ("offline", "dryrun", "disabled"):
        return "offline", f"WANDB_MODE={os.environ['WANDB_MODE']}"
    base_url = os.environ.get("WANDB_BASE_URL", DEFAULT_BASE_URL)
    if not has_credentials(base_url):
        return "offline", "no W&B API key (set WANDB_API_KEY or run `wandb login`)"
    if not reachable(base_url):
        return "offline", f"cannot reach {urlparse(base_url).hostname} within {CONNECT_TIMEOUT_S:g} s"
    return "online", None


def run_name(method: str, method_version: str, seed: Any) -> str:
    """`nap s0`, or `nap v2 s0` past a method's first version, so two versions' runs never look alike."""
    version = "" if method_version in ("", FIRST_METHOD_VERSION) else f" v{method_version}"
    return f"{method}{version} s{seed}"


def run_config(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "benchmark": record.benchmark,
        "benchmark_version": record.benchmark_version,
        "preset": record.preset,
        "family": record.family,
        "method": record.method,
        "method_version": record.method_version,
        "seed": record.seed,
        "method_config": record.method_config,
        "benchmark_config": record.benchmark_config,
        "benchmark_overrides": record.benchmark_overrides,
        "data_source": record.data_source,
        "headline": record.headline.model_dump(),
        "environment": record.environment.model_dump(),
    }


def run_summary(record: RunRecord, normalised: float | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "status": record.status,
        "score": record.score,
        "wall_time_s": record.wall_time_s,
        "steps": record.steps,
    }
    if normalised is not None:
        summary["normalised_score"] = normalised
    if record.error:
        summary["error"] = record.error
    summary.update({f"summary/{k}": v for k, v in record.summary.items() if _finite(v)})
    return summary


def task_row(task: TaskMetrics) -> dict[str, Any]:
    row: dict[str, Any] = {"task": task.task}
    row.update({f"task/{k}": v for k, v in task.metrics.items() if _finite(v)})
    return row


def diagnostics_row(point: DiagnosticPoint) -> dict[str, Any]:
    return {f"diagnostics/{k}": v for k, v in point.values.items() if _finite(v)}


def history(record: RunRecord) -> list[tuple[int, dict[str, Any]]]:
    """(training step, values) rows: each task's metrics at its last step, diagnostics at theirs.

    A task that recorded no step count is placed one step after the previous task, so rows never merge.
    """
    rows: dict[int, dict[str, Any]] = defaultdict(dict)
    step = 0
    for task in record.tasks:
        step += task.steps if task.steps > 0 else 1
        rows[step].update(task_row(task))
    for point in record.diagnostics:
        rows[point.step].update(diagnostics_row(point))
    return sorted(rows.items())


def _define_metrics(run) -> None:
    run.define_metric("task")
    run.define_metric("task/*", step_metric="task")


def _init(wandb, mode: str, **kwargs: Any):
    settings = wandb.Settings(init_timeout=INIT_TIMEOUT_S, console="off", x_disable_stats=True, silent=True)
    folder = os.environ.get("WANDB_DIR") or os.getcwd()
    return wandb.init(mode=mode, resume="allow", reinit="create_new", settings=settings, dir=folder, **kwargs)


class Ledger:
    """What this machine already published (key → content hash), so publishing twice duplicates nothing."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            self.entries = {}

    def save(self) -> None:
        from core.files import write_atomic

        write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True))


def default_ledger_path() -> Path:
    return Path(os.environ.get("WANDB_DIR") or ".") / "wandb" / "clbench-published.json"


@dataclass
class PublishOutcome:
    mode: str
    reason: str | None
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    offline_dirs: list[Path] = field(default_factory=list)

    @property
    def sync_command(self) -> str | None:
        if not self.offline_dirs:
            return None
        return "wandb sync " + " ".join(str(d) for d in self.offline_dirs)


def _content_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _offline_dir(run) -> Path:
    return Path(run.dir).parent


def publish(
    records: list[RunRecord],
    tables: list,
    figures: dict[str, Any],
    project: str,
    entity: str | None = None,
    normalised: dict[str, float] | None = None,
    offline: bool = False,
    force: bool = False,
    ledger_path: Path | None = None,
) -> PublishOutcome:
    """Publish each record as a W&B run and the leaderboard as one run; skip what is already published.

    `tables` are `leaderboard.tables.TableData`; `figures` maps a name to PNG bytes.
    """
    import wandb

    if not project:
        raise LeaderboardError("--wandb-project must name a W&B project")
    outcome = PublishOutcome(*choose_mode(offline))
    ledger = Ledger(ledger_path or default_ledger_path())
    normalised = normalised or {}
    for record in records:
        run_key = f"{outcome.mode}:{entity or ''}/{project}/{wandb_run_id(record.run_id)}"
        digest = _content_hash([record.model_dump(mode="json"), normalised.get(record.run_id)])
        if not force and ledger.entries.get(run_key) == digest:
            outcome.unchanged.append(record.run_id)
            continue
        run = _open(
            wandb,
            outcome,
            project=project,
            entity=entity,
            id=wandb_run_id(record.run_id),
            name=run_name(record.method, record.method_version, record.seed),
            group=record.benchmark,
            job_type=record.preset,
            config=run_config(record),
            tags=[record.status],
        )
        _define_metrics(run)
        for step, row in history(record):
            run.log(row, step=step)
        run.summary.update(run_summary(record, normalised.get(record.run_id)))
        if outcome.mode == "offline":
            outcome.offline_dirs.append(_offline_dir(run))
        run.finish(exit_code=1 if record.status == "failed" else 0)
        ledger.entries[run_key] = digest
        outcome.published.append(record.run_id)
    _publish_leaderboard(wandb, project, entity, tables, figures, ledger, outcome, force)
    ledger.save()
    wandb.teardown()
    return outcome


def _open(wandb, outcome: PublishOutcome, **kwargs: Any):
    """Start a W&B run; if an online start fails (bad key, server down), go offline for the rest."""
    if outcome.mode == "online":
        try:
            return _init(wandb, "online", **kwargs)
        except Exception as error:  # noqa: BLE001 - any failure to reach W&B means: write offline instead
            outcome.mode, outcome.reason = "offline", f"W&B did not accept the run ({type(error).__name__}: {error})"
    return _init(wandb, "offline", **kwargs)


def _publish_leaderboard(wandb, project, entity, tables, figures, ledger, outcome, force) -> None:
    content = [[t.name, t.flat_columns(), t.flat_rows()] for t in tables]
    digest = _content_hash([content, {k: hashlib.sha256(v).hexdigest() for k, v in figures.items()}])
    key = f"{outcome.mode}:{entity or ''}/{project}/{LEADERBOARD_RUN}"
    if not force and ledger.entries.get(key) == digest:
        outcome.unchanged.append("leaderboard")
        return
    import io

    from PIL import Image

    run = _open(wandb, outcome, project=project, entity=entity, id=LEADERBOARD_RUN, name="leaderboard",
                group="leaderboard", job_type="leaderboard")
    row: dict[str, Any] = {}
    for table in tables:
        row[table.name] = wandb.Table(columns=table.flat_columns(), data=[[_cell(v) for v in values] for values in table.flat_rows()])
    for name, png in figures.items():
        row[name] = wandb.Image(Image.open(io.BytesIO(png)))
    run.log(row)
    if outcome.mode == "offline":
        outcome.offline_dirs.append(_offline_dir(run))
    run.finish()
    ledger.entries[key] = digest
    outcome.published.append("leaderboard")


def _cell(value: Any) -> Any:
    """Table cells as plain str/float/int; None stays None (a missing value)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


class WandbLiveSink:
    """A run sink that logs each run live to W&B in the publishing layout (`clbench run --wandb`).

    Duck-typed to the benchmarks' RunSink (this module never imports benchmarks). A W&B failure
    never stops a training run: the sink reports it once and logs nothing more.
    """

    def __init__(self, project: str, entity: str | None = None, offline: bool = False):
        self.project = project
        self.entity = entity
        self.offline = offline
        self.mode: str | None = None
        self.run = None
        self.offline_dirs: list[Path] = []
        self.disabled = False

    def _guard(self, action, *args: Any) -> None:
        if self.disabled:
            return
        try:
            action(*args)
        except Exception as error:  # noqa: BLE001 - logging must not kill a training run
            self.disabled = True
            print(f"W&B live logging stopped: {type(error).__name__}: {error}", file=sys.stderr)

    def run_started(self, run_id: str, info: dict[str, Any]) -> None:
        self._guard(self._start, run_id, info)

    def _start(self, run_id: str, info: dict[str, Any]) -> None:
        import wandb

        if self.mode is None:
            self.mode, reason = choose_mode(self.offline)
            if reason and self.mode == "offline":
                print(f"W&B: logging offline ({reason})", file=sys.stderr)
        job, benchmark = info.get("job"), info.get("benchmark")
        config = {
            "run_id": run_id,
            "benchmark": getattr(benchmark, "name", getattr(job, "benchmark", "")),
            "benchmark_version": getattr(benchmark, "version", ""),
            "preset": getattr(job, "preset", ""),
            "family": getattr(benchmark, "family", ""),
            "method": getattr(job, "method", ""),
            "method_version": getattr(job, "method_version", ""),
            "seed": getattr(job, "seed", None),
            "method_config": getattr(job, "method_config", {}),
            "benchmark_config": getattr(job, "benchmark_config", {}),
            "benchmark_overrides": getattr(job, "benchmark_overrides", {}),
            "data_source": getattr(job, "data_source", ""),
        }
        self.run = _init(
            wandb,
            self.mode,
            project=self.project,
            entity=self.entity,
            id=wandb_run_id(run_id),
            name=run_name(config["method"], config["method_version"], config["seed"]),
            group=config["benchmark"],
            job_type=config["preset"],
            config=config,
        )
        _define_metrics(self.run)

    def progress(self, step: int, total_steps: int) -> None:
        if self.run is not None and total_steps:
            self._guard(self.run.log, {"progress": step / total_steps}, step)

    def task_finished(self, task: TaskMetrics, step: int) -> None:
        if self.run is not None:
            self._guard(self.run.log, task_row(task), step)

    def diagnostics(self, point: DiagnosticPoint) -> None:
        if self.run is not None:
            self._guard(self.run.log, diagnostics_row(point), point.step)

    def run_finished(self, record: RunRecord) -> None:
        if self.run is not None:
            self._guard(self._finish, record)
        self.run = None

    def _finish(self, record: RunRecord) -> None:
        run = self.run
        run.summary.update(run_summary(record))
        run.config.update({"headline": record.headline.model_dump(), "environment": record.environment.model_dump()}, allow_val_change=True)
        if self.mode == "offline":
            folder = _offline_dir(run)
            self.offline_dirs.append(folder)
            print(f"W&B offline run saved; upload it with: wandb sync {folder}", file=sys.stderr)
        run.finish(exit_code=1 if record.status == "failed" else 0)
