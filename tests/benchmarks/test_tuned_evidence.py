"""The committed tuned configurations are evidence, not opinion: each is what a study in a committed bundle chose."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchmarks.tuning import TUNED_DIR, all_choices, choice_of, rebuild_studies
from leaderboard.bundle import read_bundle

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
COMMITTED = all_choices(TUNED_DIR)


def rebuilt_choices() -> dict[str, dict]:
    """Every finished study of every committed bundle, rebuilt from its records alone, by study id."""
    choices = {}
    for bundle in sorted(EVIDENCE.glob("*.json.gz")):
        records = read_bundle(bundle)
        if any(r.tuning is not None and r.seed_role == "tuning" for r in records):
            for study in rebuild_studies(records):
                if study.complete:
                    choices[study.id] = dataclasses.asdict(choice_of(study))
    return choices


@pytest.mark.slow
def test_every_committed_tuned_configuration_is_rebuilt_exactly_from_a_committed_bundle():
    rebuilt = rebuilt_choices()
    for choice in COMMITTED:
        assert choice.study in rebuilt, f"{choice.method} on {choice.benchmark}/{choice.preset} ({choice.describe()}): no committed bundle holds its study"
        assert rebuilt[choice.study] == dataclasses.asdict(choice)
