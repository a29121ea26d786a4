"""Hyperparameter sensitivity from tuning trials: each trial's tuning score against each value it tried.

Read from the records alone (their `TuningTag`): one point per trial, its mean score over the tuning seeds;
a trial with a diverged or failed seed has no score and is counted, not dropped. Dohare et al. 2024 show
such per-hyperparameter curves for every method (Extended Data).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from leaderboard.records import RunRecord, chosen_trial, trial_score


@dataclass
class TrialPoint:
    """One trial: its values by dimension and its mean tuning score (None: some seed diverged or failed)."""

    trial: int
    params: dict[str, Any]
    score: float | None


@dataclass
class Sensitivity:
    """One study's trials: (benchmark, version, preset, method) tuned under one regime."""

    benchmark: str
    benchmark_version: str
    preset: str
    method: str
    method_version: str
    regime: str
    study: str
    points: list[TrialPoint] = field(default_factory=list)

    @property
    def dimensions(self) -> list[str]:
        return list(self.points[0].params) if self.points else []

    @property
    def unscored(self) -> int:
        return sum(1 for p in self.points if p.score is None)

    @property
    def best(self) -> TrialPoint | None:
        """The trial the study chose (`leaderboard.records.chosen_trial`)."""
        number = chosen_trial({p.trial: p.score for p in self.points})
        return next((p for p in self.points if p.trial == number), None)


def sensitivities(records: list[RunRecord]) -> list[Sensitivity]:
    """One `Sensitivity` per study found among the tuning-seed records, trials in order."""
    runs: dict[str, dict[int, list[RunRecord]]] = defaultdict(lambda: defaultdict(list))
    first: dict[str, RunRecord] = {}
    for record in records:
        if record.seed_role != "tuning" or record.tuning is None:
            continue
        runs[record.tuning.study][record.tuning.trial].append(record)
        first.setdefault(record.tuning.study, record)
    found = []
    for study, trials in runs.items():
        head = first[study]
        result = Sensitivity(head.benchmark, head.benchmark_version, head.preset, head.method, head.method_version,
                             head.tuning.regime, study)  # type: ignore[union-attr]
        for number in sorted(trials):
            members = trials[number]
            result.points.append(TrialPoint(number, dict(members[0].tuning.params), trial_score(members)))  # type: ignore[union-attr]
        found.append(result)
    return sorted(found, key=lambda s: (s.benchmark, s.preset, s.regime, s.method))
