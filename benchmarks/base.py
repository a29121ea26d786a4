"""The benchmark contract (a named, versioned protocol with presets) and its registry.

Benchmark modules live in `benchmarks/protocols/` and import torch only inside `run`, so that listing
benchmarks stays fast.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from benchmarks.errors import BenchmarkError
from benchmarks.sinks import RunSink
from leaderboard.records import DiagnosticPoint, HeadlineRule, TaskMetrics
from core.config import as_dict, with_overrides
from core.errors import unknown_name_message
from core.families import SUPERVISED, require_families

PRESETS = ("smoke", "quick", "paper")
Role = Literal["plasticity", "control"]
ROLES: tuple[Role, ...] = ("plasticity", "control")


@dataclass
class RunContext:
    """What a run needs from outside the protocol: where data lives, the device, and the sinks."""

    data_root: Path | None = None
    allow_download: bool = False
    device: str = "cpu"
    sink: RunSink = field(default_factory=RunSink)


@dataclass
class BenchmarkResult:
    """What `Benchmark.run` returns; the runner turns it into a RunRecord."""

    tasks: list[TaskMetrics]
    steps: int
    diagnostics: list[DiagnosticPoint] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    diverged_at_step: int | None = None
    summary: dict[str, float | None] = field(default_factory=dict)


class Benchmark:
    """A protocol: a stream of tasks, a model family, a default optimizer, budgets per preset, a score."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    family: ClassVar[str] = SUPERVISED
    Config: ClassVar[type]
    presets: ClassVar[Mapping[str, Any]] = {}
    headline: ClassVar[HeadlineRule]
    offline: ClassVar[bool] = True
    """Whether the benchmark runs without --data-root (on data that ships in a package or is generated)."""
    role: ClassVar[Role] = "plasticity"
    """"control": no plasticity loss is expected here; the leaderboard shows it but keeps it out of the overall ranking."""

    def config(self, preset: str, overrides: Mapping[str, Any] | None = None) -> Any:
        """The preset's config with `--set bench.FIELD=VALUE` overrides applied and validated."""
        if preset not in self.presets:
            raise BenchmarkError(unknown_name_message(f"preset of {self.name}", preset, self.presets))
        return with_overrides(self.presets[preset], overrides or {}, scope="bench", error=BenchmarkError)

    def config_dict(self, config: Any) -> dict[str, Any]:
        return as_dict(config)

    def data_source(self, config: Any, context: RunContext) -> str:
        """Name the data this run will use; raise DataNotFoundError (listing files) if it is missing."""
        return "generated"

    def horizon_overrides(self, config: Any, fraction: float) -> dict[str, str]:
        """`--set bench.*` values that keep only the first `fraction` of the stream's tasks (at least one).

        `clbench tune --horizon f` tunes on this shortened stream (Mesbahi et al. 2025, "tuning on the first k%").
        The default shortens `num_tasks`; a benchmark whose length is set otherwise overrides this.
        """
        if fraction >= 1:
            return {}
        names = {f.name for f in dataclasses.fields(config) if f.init}
        if "num_tasks" not in names:
            raise BenchmarkError(f"{self.name} has no num_tasks setting, so a tuning horizon below 1 is not defined for it; use --horizon 1")
        return {"num_tasks": str(tasks_within(config.num_tasks, fraction))}

    def run(self, method: Any, seed: int, config: Any, context: RunContext) -> BenchmarkResult:  # pragma: no cover
        raise NotImplementedError


def tasks_within(num_tasks: int, fraction: float) -> int:
    """How many of `num_tasks` tasks the first `fraction` of a stream holds: rounded, at least one."""
    return max(1, round(fraction * num_tasks))


NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
NAME_FORM = "kebab-case: lower-case letters and digits in words joined by '-', starting with a letter (e.g. random-label-gaussian)"
_REGISTRY: dict[str, type[Benchmark]] = {}
_LOADED = False


def register(cls: type[Benchmark]) -> type[Benchmark]:
    """Class decorator adding a Benchmark subclass to the registry under `cls.name`."""
    if not NAME_PATTERN.fullmatch(cls.name):
        raise TypeError(f"{cls.__qualname__}: benchmark name {cls.name!r} is not {NAME_FORM}")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and existing is not cls:
        raise BenchmarkError(f"benchmark name '{cls.name}' is already registered by {existing.__module__}")
    require_families([cls.family], f"benchmark '{cls.name}'")
    if cls.role not in ROLES:
        raise TypeError(f"{cls.name}: role {cls.role!r} is not one of {ROLES}")
    for preset, config in cls.presets.items():
        if preset not in PRESETS:
            raise TypeError(f"{cls.name}: preset '{preset}' is not one of {PRESETS}")
        if not dataclasses.is_dataclass(config):
            raise TypeError(f"{cls.name}: preset '{preset}' must be a config dataclass instance")
    _REGISTRY[cls.name] = cls
    return cls


def load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import benchmarks.protocols as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"benchmarks.protocols.{info.name}")


def names(pattern: str = "*") -> list[str]:
    load_all()
    return sorted(n for n in _REGISTRY if fnmatch.fnmatch(n, pattern))


def get(name: str) -> Benchmark:
    load_all()
    if name not in _REGISTRY:
        raise BenchmarkError(unknown_name_message("benchmark", name, _REGISTRY))
    return _REGISTRY[name]()
