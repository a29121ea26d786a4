"""Run records → leaderboard: one board per benchmark protocol, one overall ranking per preset.

Rows are grouped by `RunRecord.group_key`, so versions, presets and protocol settings never mix.
Failed, diverged and missing seeds are flagged on their row, never dropped from view; their scores
are not part of the statistics (a diverged run has no headline score). See docs/leaderboard.md.
"""

from __future__ import annotations

import math
import re
import statistics as stats
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leaderboard.records import FIRST_METHOD_VERSION, HeadlineRule, RunRecord, config_hash, stream_summary, version_order
from leaderboard.statistics import (
    NORMALISED_IQM,
    SCORE_IQM,
    STATISTICS,
    BootstrapSettings,
    Estimate,
    Profile,
    StatisticsCache,
    aggregate_estimates,
    comparison_estimates,
    summary_key,
    summary_scale,
)

BASELINE = "baseline"
REFERENCE = "reset_full"
PROFILE_POINTS = 41
RANKED_BY = (NORMALISED_IQM.name, SCORE_IQM.name)
"""A benchmark board ranks its rows by the first of these estimates it has (the overall board by the first)."""


@dataclass
class MethodRow:
    """One (benchmark protocol, method spec + version + config) group: its seeds, scores and statistics.

    `estimates` holds each registered statistic (leaderboard.statistics.STATISTICS) the row has, by name;
    `summaries` the run-summary values such statistics read, by key, then seed.
    """

    method: str
    method_key: str
    label: str
    method_config: dict[str, Any]
    seeds: list[int]
    scores: dict[int, float]
    method_version: str = FIRST_METHOD_VERSION
    normalised: dict[int, float] = field(default_factory=dict)
    summaries: dict[str, dict[int, float]] = field(default_factory=dict)
    diverged: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    estimates: dict[str, Estimate] = field(default_factory=dict)
    retention: float | None = None
    median_wall_time_s: float | None = None
    cost: float | None = None
    rank: int | None = None
    provenance: list[str] = field(default_factory=list)
    tuned: dict[str, Any] | None = None
    """The values a tuning study chose for this row (`bench.lr`, `nap.every`), on a tuned board; else None."""

    @property
    def mean(self) -> float | None:
        return stats.fmean(self.scores.values()) if self.scores else None

    @property
    def std(self) -> float | None:
        values = list(self.scores.values())
        return stats.stdev(values) if len(values) > 1 else (0.0 if values else None)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.missing:
            flags.append(f"missing seeds {_seed_list(self.missing)}")
        if self.diverged:
            flags.append(f"diverged seeds {_seed_list(self.diverged)}")
        if self.failed:
            flags.append(f"failed seeds {_seed_list(self.failed)}")
        if len(self.scores) == 1:
            flags.append("one scored seed: no interval")
        if not self.scores:
            flags.append("no scored seed")
        return flags + self.provenance


def provenance_flags(members: list[RunRecord]) -> list[str]:
    """Where one row's seeds were not all made alike: code, devices, CPUs, CPU kernels, MKL modes, subnormal handling.

    The same seed reproduces its numbers only with the same code on the same device and CPU kernels
    (docs/sweeps.md), so a row pooling seeds from several of these is shown as such, not hidden.
    """
    flags = []
    commits = {r.environment.git_commit for r in members}
    named = {c.removesuffix("-dirty") for c in commits if c}
    if len(named) > 1 or (named and None in commits):
        flags.append(f"seeds from {len(named) + (None in commits)} code versions")
    dirty = [r.seed for r in members if (r.environment.git_commit or "").endswith("-dirty")]
    if dirty:
        flags.append(f"uncommitted code in seeds {_seed_list(dirty)}")
    for field_name, what in (("device", "devices"), ("cpu_model", "CPUs"), ("cpu_capability", "CPU kernels"),
                             ("mkl_cbwr", "MKL modes"), ("denormals", "subnormal handling")):
        values = {getattr(r.environment, field_name) for r in members}
        if len(values) > 1:
            flags.append(f"mixed {what} ({', '.join(sorted('unrecorded' if v is None else str(v) for v in values))})")
    return flags


@dataclass
class BenchmarkBoard:
    """All methods on one benchmark protocol (benchmark, version, preset, protocol settings).

    A `control` board is a benchmark where no plasticity loss is expected: shown, never in the overall ranking.
    """

    benchmark: str
    version: str
    preset: str
    protocol: str
    headline: HeadlineRule
    chance: float | None
    reference: float | None
    normaliser_note: str | None
    rows: list[MethodRow]
    records: dict[str, list[RunRecord]]
    slug: str = ""
    profile: dict[str, Profile] = field(default_factory=dict)
    profile_normalised: bool = False
    in_overall: bool = False
    show_protocol: bool = False
    overrides: str = ""
    """The `--set bench.*` overrides every run of the board shares (`game=asterix, frames=100000`), shown with the protocol."""
    control: bool = False
    regime: str = "default"
    """"default", or "tuned (budget K, horizon f)": each regime has its own boards and overall ranking."""

    @property
    def title(self) -> str:
        """`benchmark vN (preset)`, plus the protocol hash where one benchmark ran with several settings, and
        `[control]` on a control benchmark; the shared `--set bench.*` overrides follow the protocol hash."""
        overrides = f" ({self.overrides})" if self.overrides else ""
        suffix = f" protocol {self.protocol}{overrides}" if self.show_protocol else ""
        role = " [control]" if self.control else ""
        regime = "" if self.regime == "default" else f" {self.regime}"
        return f"{self.benchmark} v{self.version} ({self.preset}){regime}{suffix}{role}"

    @property
    def normalisable(self) -> bool:
        return self.reference is not None


@dataclass
class OverallRow:
    """One method across the benchmarks of a preset, on plasticity-normalised scores (estimates by statistic name)."""

    method: str
    method_key: str
    label: str
    benchmarks: list[str]
    missing_benchmarks: list[str]
    scored_runs: int
    estimates: dict[str, Estimate]
    unscored_runs: int
    rank: int | None = None
    method_version: str = FIRST_METHOD_VERSION

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.missing_benchmarks:
            flags.append(f"not run on {', '.join(self.missing_benchmarks)}")
        if self.unscored_runs:
            flags.append(f"{self.unscored_runs} failed, diverged or missing runs (see benchmark pages)")
        return flags


@dataclass
class OverallBoard:
    """The ranking of one preset: IQM of plasticity-normalised scores across its benchmarks."""

    preset: str
    benchmarks: list[BenchmarkBoard]
    rows: list[OverallRow]
    excluded: list[str]
    profile: dict[str, Profile] = field(default_factory=dict)
    regime: str = "default"

    @property
    def title(self) -> str:
        return f"Overall ({self.preset} preset)" + ("" if self.regime == "default" else f", {self.regime}")

    @property
    def slug(self) -> str:
        return self.preset if self.regime == "default" else f"{self.preset}-{_slug(self.regime)}"


@dataclass
class Leaderboard:
    boards: list[BenchmarkBoard]
    overall: list[OverallBoard]
    settings: BootstrapSettings
    labels: dict[str, str]
    record_count: int
    trials: list[RunRecord] = field(default_factory=list)
    """Runs on tuning seeds (`clbench tune`'s trials): never on a board, shown only in sensitivity plots."""


def method_key(record: RunRecord) -> str:
    """The method part of `RunRecord.group_key`: spec, version and config hash; each is a row of its own."""
    return record.group_key[4]


def method_labels(records: list[RunRecord]) -> dict[str, str]:
    """Display names: the spec alone; plus ` vN` where the spec ran in several versions, `@hash` where one
    version ran with several configs in one regime (`nap v2`, `nap@3f2a…`, `nap v2@3f2a…`), and ` (tuned)`
    on a tuned configuration's rows."""
    configs: dict[tuple[str, str], dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    versions_of: dict[str, set[str]] = defaultdict(set)
    for record in records:
        configs[(record.method, record.regime)][record.method_version][method_key(record)] = config_hash(record.method_config)
        versions_of[record.method].add(record.method_version)
    labels = {}
    for (method, regime), versions in configs.items():
        for version, keys in versions.items():
            for key, hashed in keys.items():
                labels[key] = (method + (f" v{version}" if len(versions_of[method]) > 1 else "")
                               + (f"@{hashed}" if len(keys) > 1 else "") + ("" if regime == "default" else " (tuned)"))
    return labels


def plasticity_normalised(score: float, chance: float, reference: float) -> float:
    """(score − chance) / (reference − chance): chance ↦ 0, the reset-every-task oracle ↦ 1."""
    return (score - chance) / (reference - chance)


def group_records(records: list[RunRecord]) -> dict[tuple, list[RunRecord]]:
    """Records by `group_key` (benchmark, version, preset, protocol, method + version + config): one row each."""
    groups: dict[tuple, list[RunRecord]] = defaultdict(list)
    for record in records:
        groups[record.group_key].append(record)
    return dict(groups)


def group_protocols(records: list[RunRecord]) -> dict[tuple, list[RunRecord]]:
    """Records by (benchmark, version, preset, protocol): one benchmark board each."""
    groups: dict[tuple, list[RunRecord]] = defaultdict(list)
    for record in records:
        groups[record.group_key[:4]].append(record)
    return dict(groups)


def _seed_list(seeds: list[int]) -> str:
    return ", ".join(str(s) for s in sorted(seeds))


def _slug(*parts: str) -> str:
    text = "-".join(parts).lower()
    readable = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "benchmark"
    return f"{readable}-{config_hash(list(parts))[:6]}"


def _retention(record: RunRecord) -> float | None:
    return stream_summary(record.tasks, record.headline.metric, record.headline.sign)["retention"]


def _pick(rows: list[MethodRow], method: str) -> MethodRow | None:
    """The group of `method` with the most scored seeds (ties: the first key), if any ran."""
    candidates = [row for row in rows if row.method == method and row.scores]
    return max(sorted(candidates, key=lambda r: r.method_key), key=lambda r: len(r.scores), default=None)


def _summary_keys() -> set[str]:
    """The run-summary values that registered statistics read."""
    return {key for statistic in STATISTICS.values() if (key := summary_key(statistic.reads)) is not None}


def _method_row(members: list[RunRecord], labels: dict[str, str]) -> tuple[MethodRow, list[RunRecord]]:
    members = sorted(members, key=lambda r: r.seed)
    first = members[0]
    key = method_key(first)
    row = MethodRow(first.method, key, labels[key], first.method_config, [r.seed for r in members], {}, first.method_version,
                    tuned=dict(first.tuning.params) if first.tuning else None)
    retentions, walls = [], []
    summary_keys = _summary_keys()
    for record in members:
        if record.status == "ok" and record.score is not None and math.isfinite(record.score):
            row.scores[record.seed] = record.score
            for name in summary_keys:
                value = record.summary.get(name)
                if value is not None and math.isfinite(value):
                    row.summaries.setdefault(name, {})[record.seed] = value
            walls.append(record.wall_time_s)
            retention = _retention(record)
            if retention is not None:
                retentions.append(retention)
        elif record.status == "diverged":
            row.diverged.append(record.seed)
        else:
            row.failed.append(record.seed)
    row.retention = stats.fmean(retentions) if retentions else None
    row.provenance = provenance_flags(members)
    row.median_wall_time_s = stats.median(walls) if walls else None
    return row, members


def _normaliser(rule: HeadlineRule, rows: list[MethodRow]) -> tuple[float | None, float | None, str | None]:
    """(chance, reference score, note): the reference is the mean score of `reset_full` on this protocol."""
    if rule.chance is None:
        return None, None, "this benchmark's headline has no chance level, so no plasticity-normalised score"
    reference_row = _pick(rows, REFERENCE)
    if reference_row is None:
        return rule.chance, None, f"no scored {REFERENCE} run on this protocol, so no plasticity-normalised score"
    reference = stats.fmean(reference_row.scores.values())
    if reference <= rule.chance:
        return rule.chance, None, f"{REFERENCE} scores {reference:.4g}, not above chance {rule.chance:.4g}: no normalised score"
    return rule.chance, reference, None


def _benchmark_board(
    members: list[RunRecord], labels: dict[str, str], settings: BootstrapSettings, cache: StatisticsCache | None,
    control: bool = False,
) -> BenchmarkBoard:
    rows, records = [], {}
    for group in sorted(group_records(members).values(), key=lambda g: method_key(g[0])):
        key = method_key(group[0])
        row, sorted_members = _method_row(group, labels)
        rows.append(row)
        records[key] = sorted_members
    expected = sorted({seed for row in rows for seed in row.seeds})
    for row in rows:
        row.missing = [seed for seed in expected if seed not in row.seeds]

    first = members[0]
    chance, reference, note = _normaliser(first.headline, rows)
    baseline = _pick(rows, BASELINE)
    normalisable = reference is not None
    for row in rows:
        if normalisable:
            row.normalised = {s: plasticity_normalised(v, chance, reference) for s, v in row.scores.items()}
    profiled = [v for row in rows for v in (row.normalised if normalisable else row.scores).values()]
    taus = _profile_taus(profiled) if profiled else []
    profiles = {}
    for row in rows:
        if not row.scores:
            continue
        aggregates = aggregate_estimates(_samples(row), settings, cache, taus)
        row.estimates = dict(aggregates.estimates)
        profiles[row.label] = aggregates.profile
        if baseline is not None and row is not baseline:
            row.estimates.update(comparison_estimates(_samples(row), _samples(baseline), settings, cache))
        if baseline is not None and baseline.median_wall_time_s and row.median_wall_time_s is not None:
            row.cost = row.median_wall_time_s / baseline.median_wall_time_s

    def order(row: MethodRow) -> tuple:
        estimate = next((row.estimates[name] for name in RANKED_BY if name in row.estimates), None)
        return (estimate is None, -(estimate.point if estimate else 0.0), row.label)

    rows.sort(key=order)
    for position, row in enumerate(r for r in rows if r.scores):
        row.rank = position + 1
    protocol = first.group_key[3]
    shared = {tuple(sorted(r.benchmark_overrides.items())) for r in members}
    overrides = ", ".join(f"{k}={v}" for k, v in next(iter(shared))) if len(shared) == 1 else ""
    return BenchmarkBoard(
        benchmark=first.benchmark,
        version=first.benchmark_version,
        preset=first.preset,
        protocol=protocol,
        headline=first.headline,
        chance=chance,
        reference=reference,
        normaliser_note=note,
        rows=rows,
        records=records,
        slug=_slug(first.benchmark, first.benchmark_version, first.preset, protocol),
        profile={row.label: profiles[row.label] for row in rows if row.label in profiles},
        profile_normalised=normalisable,
        overrides=overrides,
        control=control,
        regime=first.regime,
    )


def _samples(row: MethodRow) -> dict[str, list[np.ndarray]]:
    """A row's scored runs on each scale it has: headline scores, normalised scores where defined, and each
    run-summary value that every scored run records."""
    samples = {"score": [np.array(list(row.scores.values()))]}
    if row.normalised:
        samples["normalised"] = [np.array(list(row.normalised.values()))]
    for name, values in row.summaries.items():
        if values.keys() == row.scores.keys():
            samples[summary_scale(name)] = [np.array([values[seed] for seed in row.scores])]
    return samples


def _profile_taus(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if math.isclose(low, high):
        low, high = low - 0.5, high + 0.5
    margin = 0.05 * (high - low)
    return np.linspace(low - margin, high + margin, PROFILE_POINTS).round(6).tolist()


def _overall(
    preset: str, boards: list[BenchmarkBoard], labels: dict[str, str], settings: BootstrapSettings, cache: StatisticsCache | None,
    regime: str = "default",
) -> OverallBoard:
    """Per benchmark name the newest version (then the protocol with the most runs) enters the ranking."""
    chosen: dict[str, BenchmarkBoard] = {}
    excluded = []
    for board in sorted(boards, key=lambda b: (b.benchmark, version_order(b.version), sum(len(r.seeds) for r in b.rows))):
        if board.control:
            excluded.append(f"{board.title}: a control benchmark, where no plasticity loss is expected")
            continue
        if not board.normalisable:
            excluded.append(f"{board.title}: {board.normaliser_note}")
            continue
        if board.benchmark in chosen:
            old = chosen[board.benchmark]
            excluded.append(f"{old.title} (protocol {old.protocol}): superseded by v{board.version} protocol {board.protocol}")
        chosen[board.benchmark] = board
    included = [chosen[name] for name in sorted(chosen)]
    for board in included:
        board.in_overall = True

    keys = sorted({row.method_key for board in included for row in board.rows if row.normalised})
    baseline_rows = {board.benchmark: _pick(board.rows, BASELINE) for board in included}
    all_scores = [v for b in included for r in b.rows for v in r.normalised.values()]
    taus = _profile_taus(all_scores) if all_scores else []
    rows, profiles = [], {}
    for key in keys:
        present = {b.benchmark: r for b in included for r in b.rows if r.method_key == key}
        scored = {name: row for name, row in present.items() if row.normalised}
        strata = [np.array(list(row.normalised.values())) for row in scored.values()]
        aggregates = aggregate_estimates({"normalised": strata}, settings, cache, taus)
        estimates = dict(aggregates.estimates)
        pairs = [(name, row) for name, row in scored.items() if baseline_rows[name] is not None and baseline_rows[name].normalised]
        if pairs and not all(baseline_rows[name].method_key == key for name, _ in pairs):
            runs = {"normalised": [np.array(list(row.normalised.values())) for _, row in pairs]}
            baseline = {"normalised": [np.array(list(baseline_rows[name].normalised.values())) for name, _ in pairs]}
            estimates.update(comparison_estimates(runs, baseline, settings, cache))
        rows.append(
            OverallRow(
                method=next(iter(scored.values())).method,
                method_version=next(iter(scored.values())).method_version,
                method_key=key,
                label=labels[key],
                benchmarks=sorted(scored),
                missing_benchmarks=sorted(set(chosen) - set(scored)),
                scored_runs=sum(len(s) for s in strata),
                estimates=estimates,
                unscored_runs=sum(len(r.diverged) + len(r.failed) + len(r.missing) for r in present.values()),
            )
        )
        profiles[labels[key]] = aggregates.profile
    rows.sort(key=lambda r: (-r.estimates[RANKED_BY[0]].point, r.label))
    for position, row in enumerate(rows):
        row.rank = position + 1
    return OverallBoard(preset=preset, benchmarks=included, rows=rows, excluded=excluded,
                        profile={row.label: profiles[row.label] for row in rows}, regime=regime)


def build_leaderboard(
    records: list[RunRecord],
    settings: BootstrapSettings | None = None,
    cache: StatisticsCache | None = None,
    *,
    controls: Collection[str] = (),
) -> Leaderboard:
    """Aggregate `records` into benchmark boards and per-preset overall boards (statistics cached).

    `controls` names the control benchmarks (no plasticity loss expected; `Benchmark.role`): their boards are
    built and marked, and kept out of the overall ranking.
    """
    settings = settings or BootstrapSettings()
    trials = [r for r in records if r.seed_role == "tuning"]
    records = [r for r in records if r.seed_role == "evaluation"]
    labels = method_labels(records)
    boards = [
        _benchmark_board(members, labels, settings, cache, control=key[0] in controls)
        for key, members in sorted(group_protocols(records).items(), key=lambda item: (item[1][0].regime != "default", item[0]))
    ]
    variants = Counter((b.benchmark, b.version, b.preset, b.regime) for b in boards)
    for board in boards:
        board.show_protocol = variants[(board.benchmark, board.version, board.preset, board.regime)] > 1
    sections = sorted({(board.preset, board.regime) for board in boards}, key=lambda pr: (pr[0], pr[1] != "default", pr[1]))
    overall = [
        _overall(preset, [b for b in boards if (b.preset, b.regime) == (preset, regime)], labels, settings, cache, regime)
        for preset, regime in sections
    ]
    if cache:
        cache.save()
    return Leaderboard(boards=boards, overall=overall, settings=settings, labels=labels, record_count=len(records), trials=trials)
