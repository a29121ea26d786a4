"""Bundles: export, merge, and refuse malformed, tampered or duplicated records by name."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest

from leaderboard.bundle import export_bundle, merge_bundles, read_bundle
from leaderboard.errors import LeaderboardError
from tests.leaderboard.record_factory import baseline_record, make_record


def test_merging_two_bundles_keeps_every_record(tmp_path):
    a = export_bundle([make_record("baseline", 0), make_record("baseline", 1)], tmp_path / "a.json")
    b = export_bundle([make_record("nap", 0)], tmp_path / "b.json")
    assert sorted((r.method, r.seed) for r in merge_bundles([a, b])) == [("baseline", 0), ("baseline", 1), ("nap", 0)]


def test_a_record_in_two_bundles_is_refused_naming_it_and_both_files(tmp_path):
    record = make_record("baseline", 0)
    a = export_bundle([record], tmp_path / "a.json")
    b = export_bundle([record], tmp_path / "b.json")
    with pytest.raises(LeaderboardError, match=rf"{record.run_id} appears in both bundle .*a.json and bundle .*b.json"):
        merge_bundles([a, b])


def test_a_gz_bundle_is_gzip_compressed_reads_back_the_same_records_and_is_byte_stable(tmp_path):
    records = [make_record("baseline", 0, [0.5, 0.25]), make_record("nap", 1)]
    plain = export_bundle(records, tmp_path / "a.json")
    packed = export_bundle(records, tmp_path / "a.json.gz")
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert read_bundle(packed) == read_bundle(plain) == records
    assert export_bundle(records, tmp_path / "b.json.gz").read_bytes() == packed.read_bytes()


def test_a_written_bundle_is_readable_as_a_plain_open_would_make_it_not_owner_only(tmp_path):
    mask = os.umask(0o022)
    try:
        path = export_bundle([make_record("baseline", 0)], tmp_path / "a.json.gz")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_truncated_gz_bundle_is_refused_naming_the_file(tmp_path):
    packed = export_bundle([make_record("baseline", 0)], tmp_path / "a.json.gz")
    packed.write_bytes(packed.read_bytes()[:40])
    with pytest.raises(LeaderboardError, match=r"bundle .*a.json.gz is not a readable gzip file"):
        read_bundle(packed)


def test_a_tampered_headline_is_refused_with_the_recomputed_value(tmp_path):
    record = make_record("baseline", 0, [0.5, 0.25])
    path = export_bundle([record], tmp_path / "a.json")
    data = json.loads(path.read_text())
    data["records"][0]["score"] = 0.99
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError) as error:
        read_bundle(path)
    message = str(error.value)
    assert record.run_id in message and "0.99" in message and "0.25" in message and "online_accuracy" in message


def test_a_record_missing_a_field_is_refused_naming_it_and_the_field(tmp_path):
    record = make_record("baseline", 0)
    path = export_bundle([record], tmp_path / "a.json")
    data = json.loads(path.read_text())
    del data["records"][0]["benchmark_version"]
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match=rf"record {record.run_id} is malformed: benchmark_version"):
        read_bundle(path)


def test_bundles_round_trip_and_refuse_duplicates(tmp_path):
    path = export_bundle([baseline_record(), baseline_record(seed=1, run_id="r1")], tmp_path / "b.json")
    assert [r.seed for r in read_bundle(path)] == [0, 1]
    data = json.loads(path.read_text())
    data["records"].append(data["records"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x appears more than once"):
        read_bundle(path)


def test_a_bundle_with_a_tampered_score_is_refused_naming_the_record(tmp_path):
    path = export_bundle([baseline_record()], tmp_path / "b.json")
    data = json.loads(path.read_text())
    data["records"][0]["score"] = 1.0
    path.write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match="bench.smoke.baseline.s0.x is malformed.*does not match"):
        read_bundle(path)
