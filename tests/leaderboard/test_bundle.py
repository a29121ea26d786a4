"""Bundles: export, merge, and refuse malformed, tampered or duplicated records by name."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest

from leaderboard import bundle
from leaderboard.bundle import export_bundle, merge_bundles, read_bundle
from leaderboard.errors import LeaderboardError
from tests.leaderboard.record_factory import baseline_record, make_record


def test_merging_two_bundles_keeps_every_record(tmp_path):
    a = export_bundle([make_record("baseline", 0), make_record("baseline", 1)], tmp_path / "a.json")
    b = export_bundle([make_record("nap", 0)], tmp_path / "b.json")
    assert sorted((r.method, r.seed) for r in merge_bundles([a, b])) == [("baseline", 0), ("baseline", 1), ("nap", 0)]


def test_a_run_in_two_bundles_that_measured_differently_is_refused_naming_it_and_both_files(tmp_path):
    record = make_record("baseline", 0)
    other = record.model_copy(update={"steps": record.steps + 1})
    a = export_bundle([record], tmp_path / "a.json")
    b = export_bundle([other], tmp_path / "b.json")
    with pytest.raises(LeaderboardError, match=rf"{record.run_id} appears in both bundle .*a.json and bundle .*b.json with different"):
        merge_bundles([a, b])


def test_a_run_in_two_bundles_that_measured_the_same_is_kept_once(tmp_path):
    record = make_record("baseline", 0)
    rerun = record.model_copy(update={"wall_time_s": record.wall_time_s + 5.0, "started_at": "later"})
    a = export_bundle([record, make_record("nap", 0)], tmp_path / "a.json")
    b = export_bundle([rerun], tmp_path / "b.json")
    merged = merge_bundles([a, b])
    assert [(r.method, r.wall_time_s) for r in merged] == [("baseline", record.wall_time_s), ("nap", 1.0)]


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


def bundle_text(records: list) -> str:
    return json.dumps({"format": "clbench-bundle", "schema_version": 1, "records": records})


def test_a_bundle_nested_100000_brackets_deep_is_refused_naming_the_depth_limit(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LeaderboardError, match=r"deep.json nests lists or objects more than 64 deep"):
        read_bundle(path)


def test_a_record_nesting_deeper_than_the_limit_is_refused_though_json_could_parse_it(tmp_path):
    data = json.loads(export_bundle([make_record("baseline", 0)], tmp_path / "a.json").read_text())
    data["records"][0]["benchmark_config"]["hostile"] = json.loads("[" * 900 + "]" * 900)
    (tmp_path / "a.json").write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match=r"more than 64 deep"):
        read_bundle(tmp_path / "a.json")


def test_a_bundle_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = export_bundle([make_record("baseline", 0)], tmp_path / "a.json")
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(bundle, "_parse", lambda *args: pytest.fail("parsed a bundle over the limit"))
    with pytest.raises(LeaderboardError, match=r"a.json is [\d,]+ bytes, over the [\d,]+ bytes limit; export smaller bundles"):
        read_bundle(path)


def test_a_gz_bundle_over_the_size_limit_once_decompressed_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b" " * 10_000_000 + b"{}"))
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1_000_000)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(LeaderboardError, match=r"bomb.json.gz is over the 1,000,000 bytes limit once decompressed"):
        read_bundle(path)


@pytest.mark.parametrize("records, problem", [
    ([1], r"record #0 is malformed: record: Input should be a valid dictionary"),
    ([{"run_id": ["a"]}], r"record \['a'\] is malformed: run_id: Input should be a valid string"),
    ({"a": 1}, r"is not a clbench bundle"),
])
def test_records_of_the_wrong_type_are_refused_naming_the_record_and_the_field(tmp_path, records, problem):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"format": "clbench-bundle", "records": records}))
    with pytest.raises(LeaderboardError, match=problem):
        read_bundle(path)


def test_an_integer_of_5000_digits_is_refused_as_invalid_json(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(bundle_text([]).replace("[]", "[" + "9" * 5000 + "]"))
    with pytest.raises(LeaderboardError, match=r"a.json is not valid JSON: Exceeds the limit \(4300 digits\)"):
        read_bundle(path)


def test_a_string_with_a_lone_surrogate_is_refused_as_it_could_not_be_stored(tmp_path):
    data = json.loads(export_bundle([make_record("baseline", 0)], tmp_path / "a.json").read_text())
    data["records"][0]["error"] = "\ud800"
    (tmp_path / "a.json").write_text(json.dumps(data))
    with pytest.raises(LeaderboardError, match=r"a string that is not valid Unicode \(a lone UTF-16 surrogate\): \\ud800"):
        read_bundle(tmp_path / "a.json")


def test_a_non_ascii_label_written_as_a_surrogate_pair_reads_back(tmp_path):
    record = make_record("baseline", 0, [0.5, 0.25]).model_copy(update={"error": "\U0001F600 ok"})
    assert read_bundle(export_bundle([record], tmp_path / "a.json"))[0].error == "\U0001F600 ok"


def test_a_folder_named_like_a_bundle_is_refused_as_not_a_file(tmp_path):
    (tmp_path / "a.json").mkdir()
    with pytest.raises(LeaderboardError, match=r"a.json is not a regular file"):
        read_bundle(tmp_path / "a.json")


def test_a_hostile_run_id_is_shown_on_one_line_and_shortened(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(bundle_text([{"run_id": "x\n" * 1000}]))
    with pytest.raises(LeaderboardError) as error:
        read_bundle(path)
    message = str(error.value)
    assert "\n" not in message and "x\\nx\\n" in message and len(message) < 400
