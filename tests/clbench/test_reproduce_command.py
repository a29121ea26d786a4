"""`clbench reproduce`: reruns a claim's runs into a store and sets the fresh verdict beside the committed one, agreeing
by statistics rather than digits; exit 1 when a verdict differs, 2 for an unknown claim."""

from __future__ import annotations

import json

import pytest

from leaderboard import claims
from leaderboard.bundle import export_bundle
from leaderboard.store import ResultsStore
from tests.cli_runner import run_cli
from tests.leaderboard.record_factory import make_record

TOY = claims.Claim(
    id="toy-baseline-scores-above-zero", kind="benchmark", paper="Toy et al.", source="Fig. 1",
    statement="Baseline learns something.", subject="baseline", benchmark="random-label-mnist", preset="smoke", seeds=2,
    measure=claims.Mean("baseline", claims.HeadlineScore()), rule=claims.Above(0.0), bundle="toy.json.gz", recorded="holds",
)


@pytest.fixture
def toy_claim(monkeypatch, tmp_path):
    """TOY as the only claim, its committed bundle looked up in tmp_path/evidence."""
    (tmp_path / "evidence").mkdir()
    monkeypatch.setattr(claims, "CLAIMS", {TOY.id: TOY})
    monkeypatch.setattr(claims, "EVIDENCE_DIR", tmp_path / "evidence")
    return TOY


def reproduce(*args: str):
    result = run_cli("reproduce", *args, "--json")
    return result, (json.loads(result.stdout) if result.exit_code in (0, 1) else None)


def test_an_unknown_claim_exits_2_naming_the_closest_and_every_valid_claim():
    result = run_cli("reproduce", "nap-beats-baselin")
    assert result.exit_code == 2
    assert "unknown claim 'nap-beats-baselin'; did you mean 'nap-beats-baseline'?" in result.stderr
    assert all(claim_id in result.stderr for claim_id in claims.CLAIMS)


def test_dry_run_lists_each_claims_runs_and_runs_nothing(store_path):
    result = run_cli("reproduce", "nap-beats-baseline", "--dry-run", "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert "nap-beats-baseline: 6 runs, 6 to do" in result.stdout and "(dry run; nothing ran)" in result.stdout
    assert len(ResultsStore(store_path)) == 0


def test_a_claim_without_a_bundle_is_rerun_and_reported_as_new(toy_claim, store_path):
    result, (row,) = reproduce(toy_claim.id, "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert len(ResultsStore(store_path)) == 2
    assert row["committed"]["verdict"] == "untested" and "evidence not committed yet" in row["committed"]["reason"]
    assert row["fresh"]["verdict"] == "holds" and row["fresh"]["runs"] == {"baseline v1": 2}
    assert row["agreement"] == "new: nothing committed to compare with"


def test_a_rerun_of_the_committed_runs_agrees_and_counts_its_bit_identical_runs(toy_claim, store_path, tmp_path):
    assert run_cli("reproduce", toy_claim.id, "--store", str(store_path)).exit_code == 0
    export_bundle(ResultsStore(store_path).records(), tmp_path / "evidence" / toy_claim.bundle)
    result, (row,) = reproduce(toy_claim.id, "--store", str(store_path))
    assert result.exit_code == 0, result.output
    assert row["agreement"] == "agrees" and row["identical_runs"] == "2 of 2"
    assert row["fresh"]["estimate"] == row["committed"]["estimate"]


def test_a_verdict_that_differs_from_the_committed_one_exits_1(toy_claim, store_path, tmp_path):
    zeros = [make_record("baseline", s, [0.0, 0.0], benchmark="random-label-mnist", version="2") for s in range(2)]
    export_bundle(zeros, tmp_path / "evidence" / toy_claim.bundle)
    result, (row,) = reproduce(toy_claim.id, "--store", str(store_path))
    assert result.exit_code == 1, result.output
    assert row["committed"]["verdict"] == "does not hold" and row["fresh"]["verdict"] == "holds"
    assert row["agreement"].startswith("differs: ✘ committed, ✔ rerun")


def test_the_table_prints_one_line_per_claim_with_both_figures(toy_claim, store_path):
    result = run_cli("reproduce", toy_claim.id, "--store", str(store_path))
    assert result.exit_code == 0, result.output
    header, line = [row for row in result.stdout.splitlines() if row.startswith(("claim\t", toy_claim.id))]
    assert header.split("\t") == ["claim", "committed", "rerun here", "agreement", "runs bit-identical"]
    assert line.split("\t")[1] == "untested" and line.split("\t")[2].startswith("✔ ")
