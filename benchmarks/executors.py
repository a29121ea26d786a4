"""Executors run jobs and hand back records as each finishes; only the driver writes the store.

- `InProcessExecutor`: one job after another in the driver's process (`--jobs 1`).
- `LocalProcessExecutor`: N worker processes on this machine, one torch thread each (`--jobs N`).
- `RayExecutor`: each job a Ray task on a local or an existing Ray cluster (`--executor ray`).

A worker that dies is started again and its job retried up to `retries` times; then the job is
recorded as failed with the reason, and the sweep goes on.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from benchmarks.base import RunContext, get
from benchmarks.errors import BenchmarkError
from benchmarks.runner import Job, failed_record, run_job
from benchmarks.sinks import RunSink
from leaderboard.records import DiagnosticPoint, RunRecord, TaskMetrics
from methods import base as method_registry


class SweepMonitor:
    """Hears about a sweep as it runs, in the driver's process: a sink per run and lost attempts."""

    def __init__(self, sink: RunSink | None = None):
        self.sink = sink or RunSink()

    def sink_for(self, job: Job) -> RunSink:
        """Where the events of `job`'s run go (default: one shared sink)."""
        return self.sink

    def attempt_lost(self, job: Job, attempt: int, reason: str, retrying: bool) -> None:
        """A worker died while running `job`; it is retried if `retrying`."""


@runtime_checkable
class Executor(Protocol):
    """Runs jobs and yields each one's record as it finishes (in any order); it never writes the store."""

    def run(self, jobs: list[Job], context: RunContext, monitor: SweepMonitor | None = None) -> Iterator[RunRecord]:
        """Yield one record per job; `monitor` (default: one sink, `context.sink`) hears about each run."""
        ...


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker process needs to rebuild the driver's RunContext and registries."""

    data_root: Path | None
    allow_download: bool
    device: str
    modules: tuple[str, ...]
    search_paths: tuple[str, ...] = ()
    threads: int = 1

    @classmethod
    def of(cls, context: RunContext, jobs: list[Job], threads: int = 1) -> WorkerSettings:
        modules = defining_modules(jobs)
        return cls(context.data_root, context.allow_download, context.device, modules, search_paths(modules), threads)

    def context(self, sink: RunSink | None = None) -> RunContext:
        return RunContext(self.data_root, self.allow_download, self.device, sink or RunSink())


def defining_modules(jobs: list[Job]) -> tuple[str, ...]:
    """Modules that define the jobs' benchmarks and methods, imported by each worker before it runs one.

    Built-in and entry-point methods load themselves; this also brings along methods registered by
    a module the driver imported (a test, a notebook's helper module).
    """
    modules: set[str] = set()
    for job in jobs:
        modules.add(type(get(job.benchmark)).__module__)
        for part in job.method.split("+"):
            modules.add(method_registry.get(part.strip()).__module__)
    return tuple(sorted(m for m in modules if m != "__main__"))


def search_paths(modules: tuple[str, ...]) -> tuple[str, ...]:
    """The folders from which the driver imported `modules`, for workers whose sys.path lacks them."""
    folders: list[str] = []
    for name in modules:
        top = sys.modules.get(name.split(".")[0])
        file = getattr(top, "__file__", None)
        if not file:
            continue
        path = Path(file)
        folder = str(path.parent.parent if path.name == "__init__.py" else path.parent)
        if folder not in folders:
            folders.append(folder)
    return tuple(folders)


def run_info(job: Job, attempt: int) -> dict[str, Any]:
    """What a driver-side sink hears when a job starts on a worker (as run_job tells in-process sinks)."""
    return {"job": job, "benchmark": get(job.benchmark), "attempt": attempt}


def prepare_worker(settings: WorkerSettings) -> None:
    """One torch thread per worker (stack.md: one process per core) and the driver's registrations."""
    import torch

    torch.set_num_threads(settings.threads)
    for folder in settings.search_paths:
        if folder not in sys.path and os.path.isdir(folder):
            sys.path.append(folder)
    for module in settings.modules:
        importlib.import_module(module)


class InProcessExecutor:
    """Runs jobs one after another in this process (the default for a single run and `--jobs 1`).

    Jobs run with `threads` torch threads (1, as in every worker), so that a seed gives the same numbers
    here as on any other executor: the thread count changes the order of float reductions.
    """

    name = "inprocess"

    def __init__(self, threads: int | None = 1):
        self.threads = threads

    def run(self, jobs: list[Job], context: RunContext, monitor: SweepMonitor | None = None) -> Iterator[RunRecord]:
        import torch

        for job in jobs:
            sink = monitor.sink_for(job) if monitor else context.sink
            before = torch.get_num_threads()
            if self.threads:
                torch.set_num_threads(self.threads)
            try:
                record = run_job(job, replace(context, sink=sink))
            finally:
                torch.set_num_threads(before)
            yield record


# -- local worker processes ------------------------------------------------------------------------


class _ForwardingSink(RunSink):
    """A worker's sink: sends progress, task and diagnostic events to the driver over the pipe."""

    def __init__(self, connection: Any):
        self.connection = connection

    def progress(self, step: int, total_steps: int) -> None:
        self.connection.send(("progress", step, total_steps))

    def task_finished(self, task: TaskMetrics, step: int) -> None:
        self.connection.send(("task_finished", task, step))

    def diagnostics(self, point: DiagnosticPoint) -> None:
        self.connection.send(("diagnostics", point))


def _exit_with_parent() -> None:
    """A worker outlives no driver: if the driver is killed (even with SIGKILL) the worker ends."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(1)


def _worker_main(connection: Any, settings: WorkerSettings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    prepare_worker(settings)
    context = settings.context(_ForwardingSink(connection))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            record = run_job(job, context)
            connection.send(("record", record.to_json()))
        except Exception as error:  # noqa: BLE001 - reported to the driver, which records the run as failed
            connection.send(("error", f"{type(error).__name__}: {error}"))


@dataclass
class _Worker:
    process: Any
    connection: Any
    job: Job | None = None
    attempt: int = 0
    started: float = 0.0


def describe_exit(exitcode: int | None) -> str:
    """'killed by SIGKILL' or 'exit code 3': how a worker process ended."""
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class LocalProcessExecutor:
    """Runs jobs on `workers` long-lived worker processes (spawned, one torch thread each)."""

    name = "local"

    def __init__(self, workers: int, retries: int = 1, threads_per_worker: int = 1):
        if workers < 1:
            raise BenchmarkError(f"--jobs must be at least 1, got {workers}")
        if retries < 0:
            raise BenchmarkError(f"--retries must be 0 or more, got {retries}")
        self.workers = workers
        self.retries = retries
        self.threads = threads_per_worker

    def run(self, jobs: list[Job], context: RunContext, monitor: SweepMonitor | None = None) -> Iterator[RunRecord]:
        import multiprocessing
        from multiprocessing.connection import wait

        monitor = monitor or SweepMonitor(context.sink)
        spawn = multiprocessing.get_context("spawn")
        settings = WorkerSettings.of(context, jobs, self.threads)
        queue: deque[tuple[Job, int]] = deque((job, 1) for job in jobs)
        idle: list[_Worker] = []
        busy: list[_Worker] = []
        sinks: dict[str, RunSink] = {}
        try:
            while queue or busy:
                while queue and len(busy) < self.workers:
                    worker = idle.pop() if idle else self._start(spawn, settings)
                    worker.job, worker.attempt = queue.popleft()
                    worker.started = time.perf_counter()
                    sink = sinks[worker.job.run_id] = monitor.sink_for(worker.job)
                    sink.run_started(worker.job.run_id, run_info(worker.job, worker.attempt))
                    worker.connection.send(worker.job)
                    busy.append(worker)
                wait([w.connection for w in busy] + [w.process.sentinel for w in busy])
                for worker in list(busy):
                    job, sink = worker.job, sinks[worker.job.run_id]
                    record = self._drain(worker, sink, context)
                    if record is not None:
                        busy.remove(worker)
                        worker.job = None
                        idle.append(worker)
                        sink.run_finished(record)
                        yield record
                    elif not worker.process.is_alive():
                        busy.remove(worker)
                        worker.connection.close()
                        reason = f"worker process died ({describe_exit(worker.process.exitcode)})"
                        retrying = worker.attempt <= self.retries
                        monitor.attempt_lost(job, worker.attempt, reason, retrying)
                        if retrying:
                            queue.appendleft((job, worker.attempt + 1))
                            continue
                        record = failed_record(
                            job,
                            f"{reason} on each of {worker.attempt} attempts",
                            context,
                            time.perf_counter() - worker.started,
                        )
                        sink.run_finished(record)
                        yield record
        finally:
            for worker in idle + busy:
                self._stop(worker)

    def _drain(self, worker: _Worker, sink: RunSink, context: RunContext) -> RunRecord | None:
        """Pass the worker's queued events to `sink`; return its record once it has sent one."""
        try:
            while worker.connection.poll():
                message = worker.connection.recv()
                kind = message[0]
                if kind == "record":
                    return RunRecord.model_validate_json(message[1])
                if kind == "error":
                    return failed_record(worker.job, message[1], context, time.perf_counter() - worker.started)
                getattr(sink, kind)(*message[1:])
        except (EOFError, OSError):
            return None
        return None

    @staticmethod
    def _start(spawn: Any, settings: WorkerSettings) -> _Worker:
        driver_end, worker_end = spawn.Pipe(duplex=True)
        process = spawn.Process(target=_worker_main, args=(worker_end, settings), daemon=True, name="clbench-worker")
        process.start()
        worker_end.close()
        return _Worker(process, driver_end)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            worker.connection.send(None)
        except (OSError, ValueError):
            pass
        if worker.job is not None:
            worker.process.terminate()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


# -- Ray -------------------------------------------------------------------------------------------


def _ray_task(job: Job, settings: WorkerSettings) -> str:
    """Body of one Ray task: run the job in the Ray worker and return its record as JSON."""
    prepare_worker(settings)
    return run_job(job, settings.context()).to_json()


class RayExecutor:
    """Runs each job as a Ray task (`num_cpus=1`); Ray retries a task whose worker died.

    With `address` it joins an existing cluster (clbench must be installed on its nodes); without, it
    starts a local instance with `num_cpus` CPUs and no dashboard, and stops it when the sweep ends.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None, retries: int = 1, gpus_per_run: float = 0.0):
        if retries < 0:
            raise BenchmarkError(f"--retries must be 0 or more, got {retries}")
        if num_cpus is not None and num_cpus < 1:
            raise BenchmarkError(f"--jobs must be at least 1, got {num_cpus}")
        if not 0 <= gpus_per_run <= 1:
            raise BenchmarkError(f"--gpus-per-run must be between 0 and 1 (a fraction of one GPU per run), got {gpus_per_run}")
        self.address = address
        self.num_cpus = num_cpus
        self.retries = retries
        self.gpus_per_run = gpus_per_run

    def run(self, jobs: list[Job], context: RunContext, monitor: SweepMonitor | None = None) -> Iterator[RunRecord]:
        monitor = monitor or SweepMonitor(context.sink)
        ray = _import_ray()
        started_here = not ray.is_initialized()
        if started_here:
            self._init(ray)
        try:
            yield from self._run(ray, jobs, context, monitor)
        finally:
            if started_here:
                ray.shutdown()

    def _init(self, ray: Any) -> None:
        if self.address:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            try:
                ray.init(address=self.address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise BenchmarkError(f"--address {self.address}: cannot connect to a Ray cluster there ({error})") from None
            return
        start_local_ray(ray, self.num_cpus or os.cpu_count() or 1)

    def _run(self, ray: Any, jobs: list[Job], context: RunContext, monitor: SweepMonitor) -> Iterator[RunRecord]:
        settings = ray.put(WorkerSettings.of(context, jobs))
        remote = ray.remote(num_cpus=1, num_gpus=self.gpus_per_run, max_retries=self.retries)(_ray_task)
        window = ray_window(ray.cluster_resources(), self.gpus_per_run)
        queue = deque(jobs)
        in_flight: dict[Any, tuple[Job, RunSink, float]] = {}
        while queue or in_flight:
            while queue and len(in_flight) < window:
                job = queue.popleft()
                sink = monitor.sink_for(job)
                sink.run_started(job.run_id, run_info(job, 1))
                in_flight[remote.remote(job, settings)] = (job, sink, time.perf_counter())
            done, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                job, sink, started = in_flight.pop(ref)
                try:
                    record = RunRecord.model_validate_json(ray.get(ref))
                except ray.exceptions.RayError as error:
                    reason = f"Ray task lost on each of {self.retries + 1} attempts: {type(error).__name__}: {_first_line(error)}"
                    monitor.attempt_lost(job, self.retries + 1, reason, retrying=False)
                    record = failed_record(job, reason, context, time.perf_counter() - started)
                sink.run_finished(record)
                yield record


def ray_window(resources: dict[str, float], gpus_per_run: float = 0.0) -> int:
    """How many runs the cluster holds at once: one CPU each, and `gpus_per_run` of a GPU each when that is set
    (0.25 packs four runs onto one GPU)."""
    window = max(1, int(resources.get("CPU", 1)))
    if gpus_per_run > 0:
        gpus = resources.get("GPU", 0)
        if gpus < gpus_per_run:
            raise BenchmarkError(f"--gpus-per-run {gpus_per_run:g} needs GPUs, and the Ray cluster has {gpus:g}")
        window = min(window, int(gpus / gpus_per_run + 1e-9))
    return window


def start_local_ray(ray: Any, num_cpus: int, temp_dir: str | None = None, num_gpus: int | None = None) -> None:
    """Start a local Ray instance for clbench's runs: `num_cpus` CPUs, no dashboard, no usage stats.

    Its workers run at the driver's priority: Ray's default (nice 15) lets any other busy process on
    the machine starve them, which made a Ray sweep beside another job crawl (docs/sweeps.md).
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_worker_niceness", "0")
    options: dict[str, Any] = {"_temp_dir": temp_dir} if temp_dir else {}
    if num_gpus is not None:
        options["num_gpus"] = num_gpus
    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, **options)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BenchmarkError("--executor ray needs Ray: pip install 'clbench[ray]'") from None
    return ray


EXECUTORS = ("local", "ray")


def make_executor(kind: str, jobs: int | None = None, address: str | None = None, retries: int = 1, gpus_per_run: float = 0.0) -> Executor:
    """`local`: in-process for one job, N worker processes for `jobs=N`; `ray`: Ray tasks.

    A local Ray instance gets `jobs` CPUs (default: every core); `address` joins an existing cluster;
    `gpus_per_run` asks Ray for that fraction of a GPU per run, so several runs share one GPU.
    """
    if jobs is not None and jobs < 1:
        raise BenchmarkError(f"--jobs must be at least 1, got {jobs}")
    if kind == "local":
        if address:
            raise BenchmarkError("--address is for --executor ray; the local executor runs on this machine")
        if gpus_per_run:
            raise BenchmarkError("--gpus-per-run is for --executor ray; the local executor does not share GPUs out")
        return InProcessExecutor() if (jobs or 1) == 1 else LocalProcessExecutor(jobs or 1, retries)
    if kind == "ray":
        return RayExecutor(address=address, num_cpus=None if address else jobs, retries=retries, gpus_per_run=gpus_per_run)
    raise BenchmarkError(f"unknown --executor '{kind}'; valid executors: {', '.join(EXECUTORS)}")
