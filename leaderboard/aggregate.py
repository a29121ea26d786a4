"""Aggregation of run records into leaderboard rows, grouped so that versions and presets never mix."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from leaderboard.records import RunRecord


@dataclass
class Row:
    """One (benchmark, version, preset, protocol, method+config) group."""

    benchmark: str
    version: str
    preset: str
    method: str
    method_config: dict
    scores: list[float] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    diverged: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def std(self) -> float | None:
        return statistics.stdev(self.scores) if len(self.scores) > 1 else (0.0 if self.scores else None)


def group_records(records: list[RunRecord]) -> dict[tuple, list[RunRecord]]:
    groups: dict[tuple, list[RunRecord]] = defaultdict(list)
    for record in records:
        groups[record.group_key].append(record)
    return dict(groups)


def simple_rows(records: list[RunRecord]) -> list[Row]:
    """Mean ± std of the headline score per group; diverged and failed seeds are listed, not dropped."""
    rows = []
    for key, members in sorted(group_records(records).items()):
        first = members[0]
        row = Row(first.benchmark, first.benchmark_version, first.preset, first.method, first.method_config)
        for record in sorted(members, key=lambda r: r.seed):
            row.seeds.append(record.seed)
            if record.status == "ok" and record.score is not None:
                row.scores.append(record.score)
            elif record.status == "diverged":
                row.diverged.append(record.seed)
            else:
                row.failed.append(record.seed)
        rows.append(row)
    return rows
