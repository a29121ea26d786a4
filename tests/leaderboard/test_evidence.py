"""The evidence committed under docs/evidence/ still reads under today's record schema, and the tables
the docs quote from it are exactly what today's leaderboard code builds from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.bundle import read_bundle
from leaderboard.statistics import BootstrapSettings
from leaderboard.tables import benchmark_table

EVIDENCE = Path(__file__).resolve().parents[2] / "docs" / "evidence"
BUNDLES = sorted(EVIDENCE.glob("*.json.gz"))


def test_the_evidence_folder_holds_bundles():
    assert BUNDLES, f"no *.json.gz bundle in {EVIDENCE}"


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda path: path.name)
def test_each_evidence_bundle_validates_and_its_table_is_what_the_leaderboard_builds(bundle):
    records = read_bundle(bundle)
    assert len({record.run_id for record in records}) == len(records) > 0
    quoted = bundle.with_name(bundle.name.removesuffix(".json.gz") + ".md")
    boards = build_leaderboard(records, BootstrapSettings()).boards
    assert quoted.read_text(encoding="utf-8") == "".join(benchmark_table(board).to_markdown() for board in boards)
