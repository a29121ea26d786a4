"""Suites: named, versioned lists of (benchmark, preset) pairs that a sweep runs as one grid.

A suite's members are chosen by a rule read from the benchmark registry at run time (so a newly
registered benchmark joins `quick` without editing this file); its version names the rule's revision
and a fingerprint of the members and their protocol versions, so two runs of `quick@1-abc123` ran
exactly the same protocols.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks import base
from benchmarks.errors import BenchmarkError
from core.errors import unknown_name_message
from core.families import not_applicable_reason

if TYPE_CHECKING:
    from benchmarks.runner import Job


@dataclass(frozen=True)
class SuiteEntry:
    benchmark: str
    preset: str
    version: str = ""
    """The benchmark's protocol version when the suite was resolved."""

    @property
    def label(self) -> str:
        return f"{self.benchmark}/{self.preset}"


@dataclass(frozen=True)
class Suite:
    """A rule choosing (benchmark, preset) pairs; `revision` changes when the rule itself changes."""

    name: str
    revision: int
    description: str
    choose: Callable[[], list[tuple[str, str]]]

    def entries(self) -> list[SuiteEntry]:
        pairs = sorted(set(self.choose()))
        return [SuiteEntry(name, preset, base.get(name).version) for name, preset in pairs]

    def version(self, entries: list[SuiteEntry] | None = None) -> str:
        """`<revision>-<fingerprint>`: the fingerprint hashes every member, preset and protocol version."""
        entries = self.entries() if entries is None else entries
        text = json.dumps([[e.benchmark, e.version, e.preset] for e in entries])
        return f"{self.revision}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _with_preset(preset: str, offline_only: bool) -> Callable[[], list[tuple[str, str]]]:
    def choose() -> list[tuple[str, str]]:
        pairs = []
        for name in base.names():
            benchmark = base.get(name)
            if preset in benchmark.presets and (benchmark.offline or not offline_only):
                pairs.append((name, preset))
        return pairs

    return choose


SUITES: dict[str, Suite] = {
    "quick": Suite(
        "quick",
        1,
        "Every benchmark that runs offline, at its quick preset (minutes per run on 2 CPU cores).",
        _with_preset("quick", offline_only=True),
    ),
    "paper": Suite(
        "paper",
        1,
        "Every benchmark at its paper preset (published budgets; real data sets need --data-root).",
        _with_preset("paper", offline_only=False),
    ),
    "smoke": Suite(
        "smoke",
        1,
        "Every offline benchmark at its smoke preset (seconds per run; for checking a setup).",
        _with_preset("smoke", offline_only=True),
    ),
}


def names() -> list[str]:
    return sorted(SUITES)


def get(name: str) -> Suite:
    if name not in SUITES:
        raise BenchmarkError(unknown_name_message("suite", name, SUITES))
    return SUITES[name]


@dataclass
class SuitePlan:
    """The jobs of one suite sweep, and the (benchmark, method) pairs left out because they cannot meet."""

    suite: Suite
    version: str
    entries: list[SuiteEntry]
    jobs: list[Job]
    left_out: list[tuple[str, str, str]]
    """(benchmark, method, reason) for each pair whose method does not apply to the benchmark's family."""


def plan_suite(
    name: str,
    methods: list[str],
    seeds: list[int],
    overrides: dict[str, dict[str, str]] | None = None,
    context: base.RunContext | None = None,
    preset: str | None = None,
) -> SuitePlan:
    """Expand suite × methods × seeds into jobs; `preset` replaces every entry's preset when given."""
    from benchmarks.planning import check_set_scopes, plan_jobs
    from methods import base as method_registry

    suite = get(name)
    entries = suite.entries()
    if preset is not None:
        entries = [SuiteEntry(e.benchmark, preset, e.version) for e in entries if preset in base.get(e.benchmark).presets]
    if not entries:
        wanted = f" with preset '{preset}'" if preset else ""
        raise BenchmarkError(f"suite '{name}' has no registered benchmark{wanted}; see `clbench suite list`")
    check_set_scopes(overrides or {}, methods)
    families = {spec: method_registry.create(spec).families for spec in methods}
    jobs, left_out = [], []
    for entry in entries:
        family = base.get(entry.benchmark).family
        usable = []
        for spec in methods:
            reason = not_applicable_reason(spec, families[spec], family)
            if reason:
                left_out.append((entry.benchmark, spec, reason))
            else:
                usable.append(spec)
        if usable:
            scoped = {k: v for k, v in (overrides or {}).items() if k == "bench" or any(k in s.split("+") for s in usable)}
            jobs.extend(plan_jobs([entry.benchmark], usable, seeds, entry.preset, scoped, context))
    return SuitePlan(suite, suite.version(entries), entries, jobs, left_out)
